#!/usr/bin/env python3
"""Run a program on a fresh pty and relay it to this terminal, counting the
bytes the program writes to its terminal (what an SSH user would receive).

    ptycount.py COUNTFILE PIDFILE PROGRAM [ARG]...

COUNTFILE always holds the running total (rewritten after every chunk);
PIDFILE the program's pid. The pty gets this terminal's size."""
import fcntl
import os
import select
import sys
import termios
import tty


def main():
    count_path, pid_path, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    master, slave = os.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8))
    except OSError:
        pass
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.close(master)
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(slave)
        os.execvp(argv[0], argv)
    os.close(slave)
    with open(pid_path, "w") as f:
        f.write(str(pid))
    count_fd = os.open(count_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    old = termios.tcgetattr(0)
    tty.setraw(0)
    total = 0
    try:
        while True:
            r, _, _ = select.select([0, master], [], [])
            if master in r:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                total += len(data)
                os.write(1, data)
                os.pwrite(count_fd, b"%20d\n" % total, 0)
            if 0 in r:
                data = os.read(0, 4096)
                if not data:
                    break
                os.write(master, data)
    finally:
        termios.tcsetattr(0, termios.TCSADRAIN, old)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
