"""Read a QR code back off a tmux screen: the cells' colours from `capture-pane -e`,
the half-block characters decoded into modules, and the matrix libqrencode makes for
the same text (through ctypes: the library paydesk itself links) to compare with."""
import ctypes
import ctypes.util
import re

SGR = re.compile(r"\x1b\[([0-9;]*)m")
HALF = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def cells(coloured):
    """Rows of (char, fg, bg, reverse) from capture-pane -e text; colours 0..255 or None."""
    fg = bg = None
    rev = False
    rows = []
    if coloured.endswith("\n"):
        coloured = coloured[:-1]
    for line in coloured.split("\n"):
        row = []
        pos = 0
        for m in SGR.finditer(line + "\x1b[m"):
            for ch in line[pos:m.start()]:
                row.append((ch, fg, bg, rev))
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")] if m.start() < len(line) else []
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg = bg = None
                    rev = False
                elif c == 7:
                    rev = True
                elif c == 27:
                    rev = False
                elif 30 <= c <= 37:
                    fg = c - 30
                elif 90 <= c <= 97:
                    fg = c - 90 + 8
                elif c == 39:
                    fg = None
                elif 40 <= c <= 47:
                    bg = c - 40
                elif 100 <= c <= 107:
                    bg = c - 100 + 8
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    if c == 38:
                        fg = codes[i + 2]
                    else:
                        bg = codes[i + 2]
                    i += 2
                i += 1
        rows.append(row)
    return rows


def qr_matrix(text):
    """libqrencode's modules for text, as paydesk asks for them (level L, 8-bit, case kept)."""
    lib = ctypes.CDLL(ctypes.util.find_library("qrencode") or "libqrencode.so.4")

    class QRcode(ctypes.Structure):
        _fields_ = [("version", ctypes.c_int), ("width", ctypes.c_int),
                    ("data", ctypes.POINTER(ctypes.c_ubyte))]
    lib.QRcode_encodeString.restype = ctypes.POINTER(QRcode)
    lib.QRcode_encodeString.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                                        ctypes.c_int, ctypes.c_int]
    q = lib.QRcode_encodeString(text.encode(), 0, 0, 2, 1)  # QR_ECLEVEL_L, QR_MODE_8
    w = q.contents.width
    m = [[bool(q.contents.data[y * w + x] & 1) for x in range(w)] for y in range(w)]
    lib.QRcode_free(q)
    return m


def decode(rows, light_bg=(7, 15), dark_fg=(0,)):
    """The dark modules drawn as half blocks in dark-on-light cells, cropped to the
    code (its finder patterns span it), and the screen rows the code takes.
    Raises AssertionError on a block cell that is not dark on light."""
    pixels = {}
    used = set()
    for y, row in enumerate(rows):
        for x, (ch, fg, bg, rev) in enumerate(row):
            if ch not in HALF or ch == " ":
                continue  # a space shows only its background: text, or a light module pair
            if fg not in dark_fg or bg not in light_bg or rev:
                raise AssertionError("QR cell %r at row %d col %d is fg %s bg %s reverse %s, "
                                     "not dark on light" % (ch, y, x, fg, bg, rev))
            top, bottom = HALF[ch]
            if top:
                pixels[(2 * y, x)] = True
            if bottom:
                pixels[(2 * y + 1, x)] = True
            if top or bottom:
                used.add(y)
    if not pixels:
        return [], set()
    y0 = min(p[0] for p in pixels)
    x0 = min(p[1] for p in pixels)
    y1 = max(p[0] for p in pixels)
    x1 = max(p[1] for p in pixels)
    return [[(y, x) in pixels for x in range(x0, x1 + 1)] for y in range(y0, y1 + 1)], used
