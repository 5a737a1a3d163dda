"""HTTP layer: HTTP/1.1 keep-alive on 127.0.0.1, dispatch to the control API or the App."""
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import control
from .app import Request

HOST = "127.0.0.1"      # never anything else: this is a test double holding fake card data
MAX_BODY = 16 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakestripe/1.0"
    # headers and body go out in two writes: with Nagle the body waits for the client's
    # delayed ACK of the headers, 40 ms a response, which made syncs measure the fake
    disable_nagle_algorithm = True
    sys_version = ""

    def log_message(self, fmt, *args):    # the request log replaces stderr chatter
        pass

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _dispatch(self):
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.send_error(400, "Bad request body")
            return
        url = urlsplit(self.path)
        req = Request(self.command, url.path, url.query, self.headers, body)
        if url.path.startswith("/_fake/") or url.path == "/_fake":
            resp = control.handle(self.server.app, req)
        else:
            resp = self.server.app.handle(req)
        self._send(resp)

    def _send(self, resp):
        if resp.action == "drop":
            # effects are committed; the client sees the connection close with no response
            self.close_connection = True
            self._hard_close()
            return
        self.send_response(resp.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Cache-Control", "no-cache, no-store")
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.action == "truncate":
            self.send_header("Connection", "close")
        self.end_headers()
        if resp.action == "truncate":
            self.wfile.write(resp.body[: len(resp.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self._hard_close()
            return
        self.wfile.write(resp.body)

    def _hard_close(self):
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app, port):
        self.app = app
        super().__init__((HOST, port), Handler)
