"""ESC/POS bytes back into what the paper shows: lines of text (with size, alignment,
emphasis), QR and barcode payloads, raster images and cuts.

Used by the tests (every slip is decoded and compared with what was meant), by the
printer simulator (which must tell real-time status requests from print data exactly
as a printer does) and by the PNG preview that shows a clerk what was printed.

``Tokenizer`` is incremental: it splits a byte stream into commands and text runs and
keeps an incomplete command for the next ``feed()``. ``decode()`` interprets a whole
job. Unknown commands raise ``SlipDecodeError`` in strict mode (tests: an encoder bug
must not pass unnoticed) and are skipped with a warning otherwise (the simulator).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from .errors import SlipDecodeError
from .escpos import Align

log = logging.getLogger(__name__)

_ESC, _GS, _FS, _DLE = 0x1B, 0x1D, 0x1C, 0x10

TokenKind = Literal["text", "lf", "cmd", "realtime", "ctrl", "unknown"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    raw: bytes
    name: str = ""


class _Incomplete(Exception):
    pass


class _Unknown(Exception):
    pass


_ESC_FIXED = {
    b"@": 2, b"2": 2, b"i": 2, b"m": 2, b"S": 2, b"L": 2, b"<": 2,
    b"!": 3, b"E": 3, b"-": 3, b"a": 3, b"d": 3, b"J": 3, b"3": 3, b"t": 3, b"M": 3, b"G": 3,
    b"{": 3, b"V": 3, b"R": 3, b" ": 3, b"=": 3, b"e": 3, b"r": 3, b"U": 3, b"T": 3, b"%": 3,
    b"?": 3, b"K": 3, b"c": 4, b"$": 4, b"\\": 4, b"B": 4, b"p": 5, b"W": 10,
}
_GS_FIXED = {
    b"!": 3, b"B": 3, b"H": 3, b"f": 3, b"h": 3, b"w": 3, b"a": 3, b"r": 3, b"I": 3, b"/": 3,
    b"b": 3, b"L": 4, b"W": 4, b"$": 4, b"\\": 4, b"P": 4,
}
_FS_FIXED = {b"&": 2, b".": 2, b"!": 3, b"-": 3, b"W": 3, b"C": 3, b"S": 4, b"p": 4, b"2": 75}

_NAMES = {_ESC: "ESC", _GS: "GS", _FS: "FS", _DLE: "DLE"}


def _need(buf: bytes, end: int) -> None:
    if len(buf) < end:
        raise _Incomplete


def _u16(buf: bytes, i: int) -> int:
    _need(buf, i + 2)
    return buf[i] | buf[i + 1] << 8


def _cmd_len(buf: bytes, i: int) -> tuple[int, str]:
    """Length of the command at ``buf[i]`` and its name ("GS ( k")."""
    _need(buf, i + 2)
    p, c = buf[i], buf[i + 1:i + 2]
    name = f"{_NAMES[p]} {c.decode('latin-1')}"
    if p == _ESC:
        if c in _ESC_FIXED:
            return _ESC_FIXED[c], name
        if c == b"*":
            _need(buf, i + 5)
            m = buf[i + 2]
            n = _u16(buf, i + 3)
            return 5 + n * (1 if m in (0, 1) else 3), name
        if c == b"D":
            j = buf.find(b"\x00", i + 2)
            if j < 0:
                if len(buf) - i > 40:
                    raise _Unknown
                raise _Incomplete
            return j - i + 1, name
        raise _Unknown
    if p == _GS:
        if c in _GS_FIXED:
            return _GS_FIXED[c], name
        if c == b"V":
            _need(buf, i + 3)
            return (4 if buf[i + 2] in (65, 66, 97, 98, 103, 104) else 3), name
        if c == b"k":
            _need(buf, i + 3)
            m = buf[i + 2]
            if m <= 6:
                j = buf.find(b"\x00", i + 3)
                if j < 0:
                    if len(buf) - i > 300:
                        raise _Unknown
                    raise _Incomplete
                return j - i + 1, name
            _need(buf, i + 4)
            return 4 + buf[i + 3], name
        if c == b"(":
            _need(buf, i + 5)
            return 5 + _u16(buf, i + 3), f"GS ( {chr(buf[i + 2])}"
        if c == b"v":
            _need(buf, i + 8)
            if buf[i + 2] != 0x30:
                raise _Unknown
            return 8 + _u16(buf, i + 4) * _u16(buf, i + 6), "GS v 0"
        if c == b"8":
            _need(buf, i + 7)
            if buf[i + 2] != ord("L"):
                raise _Unknown
            n = buf[i + 3] | buf[i + 4] << 8 | buf[i + 5] << 16 | buf[i + 6] << 24
            return 7 + n, "GS 8 L"
        if c == b"*":
            _need(buf, i + 4)
            return 4 + buf[i + 2] * buf[i + 3] * 8, name
        raise _Unknown
    if p == _FS:
        if c in _FS_FIXED:
            return _FS_FIXED[c], name
        if c == b"(":
            _need(buf, i + 5)
            return 5 + _u16(buf, i + 3), f"FS ( {chr(buf[i + 2])}"
        raise _Unknown
    # DLE: real-time commands
    if c in (b"\x04", b"\x05"):
        return 3, "DLE EOT" if c == b"\x04" else "DLE ENQ"
    if c == b"\x14":
        _need(buf, i + 3)
        if buf[i + 2] in (1, 2):
            return 5, "DLE DC4"
        if buf[i + 2] == 8:
            return 10, "DLE DC4"
    raise _Unknown


class Tokenizer:
    """Incremental ESC/POS tokenizer: ``feed()`` returns complete tokens, keeps the rest."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self._buf = b""
        self.offset = 0  # stream offset of self._buf[0], for error messages

    @property
    def pending(self) -> bytes:
        return self._buf

    def feed(self, data: bytes) -> list[Token]:
        buf = self._buf + data
        out: list[Token] = []
        i = 0
        n = len(buf)
        while i < n:
            b = buf[i]
            if b >= 0x20:
                j = i
                while j < n and buf[j] >= 0x20:
                    j += 1
                out.append(Token("text", buf[i:j]))
                i = j
                continue
            if b == 0x0A:
                out.append(Token("lf", b"\n"))
                i += 1
                continue
            if b in (_ESC, _GS, _FS, _DLE):
                try:
                    length, name = _cmd_len(buf, i)
                except _Incomplete:
                    break
                except _Unknown:
                    what = buf[i:i + 2].hex(" ")
                    if self.strict:
                        raise SlipDecodeError(f"unknown ESC/POS command {what} at byte {self.offset + i}") from None
                    out.append(Token("unknown", buf[i:i + 2], what))
                    i += 2
                    continue
                if i + length > n:
                    break
                kind: TokenKind = "realtime" if b == _DLE else "cmd"
                out.append(Token(kind, buf[i:i + length], name))
                i += length
                continue
            out.append(Token("ctrl", buf[i:i + 1], f"0x{b:02x}"))
            i += 1
        self._buf = buf[i:]
        self.offset += i
        return out

    def close(self) -> None:
        """End of stream: a command cut short is a protocol error."""
        if self._buf:
            raise SlipDecodeError(f"truncated ESC/POS command at byte {self.offset}: {self._buf[:8].hex(' ')}")


# --------------------------------------------------------------------------- decoded slip


@dataclass(frozen=True)
class Segment:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    underline: bool = False


@dataclass(frozen=True)
class TextLine:
    segments: tuple[Segment, ...]
    align: Align = Align.LEFT

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def width(self) -> int:
        return max((s.width for s in self.segments), default=1)

    @property
    def height(self) -> int:
        return max((s.height for s in self.segments), default=1)

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def bold(self) -> bool:
        return any(s.bold for s in self.segments if s.text.strip())


@dataclass(frozen=True)
class QrCode:
    payload: str
    module: int = 3
    ec: str = "L"
    model: int = 2
    align: Align = Align.LEFT


@dataclass(frozen=True)
class Barcode:
    kind: str
    data: str
    height: int = 162
    module: int = 3
    hri: bool = False
    align: Align = Align.LEFT


@dataclass(frozen=True)
class RasterImage:
    width: int  # dots
    height: int
    data: bytes  # 1 bit per dot, MSB first, rows padded to bytes; 1 = black
    align: Align = Align.LEFT

    def dot(self, x: int, y: int) -> bool:
        row = (self.width + 7) // 8
        return bool(self.data[y * row + x // 8] & (0x80 >> (x % 8)))


@dataclass(frozen=True)
class Feed:
    lines: int = 0
    dots: int = 0


@dataclass(frozen=True)
class Cut:
    partial: bool = False


Item = TextLine | QrCode | Barcode | RasterImage | Feed | Cut


@dataclass(frozen=True)
class DecodedSlip:
    items: tuple[Item, ...]
    chinese_mode: bool = False
    status_queries: tuple[int, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def lines(self) -> tuple[TextLine, ...]:
        return tuple(i for i in self.items if isinstance(i, TextLine))

    @property
    def texts(self) -> list[str]:
        return [ln.text for ln in self.lines]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def qr_codes(self) -> tuple[QrCode, ...]:
        return tuple(i for i in self.items if isinstance(i, QrCode))

    @property
    def qr_payloads(self) -> list[str]:
        return [q.payload for q in self.qr_codes]

    @property
    def barcodes(self) -> tuple[Barcode, ...]:
        return tuple(i for i in self.items if isinstance(i, Barcode))

    @property
    def images(self) -> tuple[RasterImage, ...]:
        return tuple(i for i in self.items if isinstance(i, RasterImage))

    @property
    def cuts(self) -> int:
        return sum(1 for i in self.items if isinstance(i, Cut))

    def line_with(self, fragment: str) -> TextLine:
        """The first line containing ``fragment`` (tests: "the number is printed 4x")."""
        for ln in self.lines:
            if fragment in ln.text:
                return ln
        raise KeyError(fragment)

    def split(self) -> list["DecodedSlip"]:
        """One DecodedSlip per cut (a job of several slips)."""
        out: list[DecodedSlip] = []
        cur: list[Item] = []
        for it in self.items:
            cur.append(it)
            if isinstance(it, Cut):
                out.append(DecodedSlip(tuple(cur), self.chinese_mode))
                cur = []
        if any(not isinstance(i, Feed) for i in cur):
            out.append(DecodedSlip(tuple(cur), self.chinese_mode))
        return out


_ALIGNS = {0: Align.LEFT, 1: Align.CENTER, 2: Align.RIGHT, 48: Align.LEFT, 49: Align.CENTER, 50: Align.RIGHT}
_BARCODES = {0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR",
             65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF", 71: "CODABAR",
             72: "CODE93", 73: "CODE128"}


class _Decoder:
    def __init__(self, encoding: str, strict: bool) -> None:
        self.encoding = encoding
        self.strict = strict
        self.items: list[Item] = []
        self.warnings: list[str] = []
        self.status: list[int] = []
        self.chinese = False
        self._reset()
        self._segs: list[Segment] = []
        self._line_align = Align.LEFT
        self._qr: dict[str, object] = {}
        self._bc = {"h": 162, "w": 3, "hri": 0}

    def _reset(self) -> None:
        self.align = Align.LEFT
        self.size = (1, 1)
        self.bold = False
        self.underline = False

    def _text(self, raw: bytes) -> None:
        try:
            s = raw.decode(self.encoding)
        except UnicodeDecodeError as e:
            if self.strict:
                raise SlipDecodeError(f"text is not valid {self.encoding}: {raw[:16].hex(' ')}: {e}") from None
            s = raw.decode(self.encoding, errors="replace")
            self.warnings.append(f"undecodable text {raw[:16].hex(' ')}")
        if not self._segs:
            self._line_align = self.align
        last = self._segs[-1] if self._segs else None
        w, h = self.size
        if last and (last.width, last.height, last.bold, last.underline) == (w, h, self.bold, self.underline):
            self._segs[-1] = Segment(last.text + s, w, h, self.bold, self.underline)
        else:
            self._segs.append(Segment(s, w, h, self.bold, self.underline))

    def _flush(self, *, force: bool = False) -> bool:
        if self._segs or force:
            self.items.append(TextLine(tuple(self._segs), self._line_align if self._segs else self.align))
            self._segs = []
            return True
        return False

    def token(self, t: Token) -> None:
        if t.kind == "text":
            self._text(t.raw)
        elif t.kind == "lf":
            self._flush(force=True)
        elif t.kind == "realtime":
            if t.name == "DLE EOT":
                self.status.append(t.raw[2])
        elif t.kind == "ctrl":
            if t.raw == b"\t":
                self._text(b" ")
            elif t.raw not in (b"\r", b"\x00"):
                self.warnings.append(f"control byte {t.name} ignored")
        elif t.kind == "unknown":
            self.warnings.append(f"unknown command {t.name}")
        else:
            self._command(t)

    def _command(self, t: Token) -> None:
        r, name = t.raw, t.name
        if name == "ESC @":
            if self._segs:
                self.warnings.append("ESC @ discarded an unprinted line: " + "".join(s.text for s in self._segs))
                self._segs = []
            self._reset()
        elif name == "ESC a":
            self.align = _ALIGNS.get(r[2], Align.LEFT)
        elif name == "ESC E":
            self.bold = bool(r[2] & 1)
        elif name == "ESC -":
            self.underline = r[2] in (1, 2, 49, 50)
        elif name == "ESC !":
            self.bold = bool(r[2] & 0x08)
            self.underline = bool(r[2] & 0x80)
        elif name == "GS !":
            self.size = ((r[2] >> 4) + 1, (r[2] & 0x0F) + 1)
        elif name == "ESC d":
            printed = self._flush()
            n = r[2] - (1 if printed else 0)
            if n > 0:
                self.items.append(Feed(lines=n))
        elif name == "ESC J":
            self._flush()
            self.items.append(Feed(dots=r[2]))
        elif name == "FS &":
            self.chinese = True
        elif name == "FS .":
            self.chinese = False
        elif name == "GS V":
            self._flush()
            self.items.append(Cut(partial=r[2] in (1, 49, 66, 98, 104)))
        elif name in ("ESC i", "ESC m"):
            self._flush()
            self.items.append(Cut(partial=name == "ESC m"))
        elif name == "GS ( k":
            self._qr_command(r)
        elif name == "GS h":
            self._bc["h"] = r[2]
        elif name == "GS w":
            self._bc["w"] = r[2]
        elif name == "GS H":
            self._bc["hri"] = r[2]
        elif name == "GS k":
            self._barcode(r)
        elif name == "GS v 0":
            self._flush()
            xb, y = r[4] | r[5] << 8, r[6] | r[7] << 8
            self.items.append(RasterImage(xb * 8, y, bytes(r[8:]), self.align))
        # everything else (line spacing, code pages, margins, ...) does not change the content

    def _qr_command(self, r: bytes) -> None:
        cn, fn = r[5], r[6]
        if cn != 0x31:  # PDF417 etc.: not used by us
            self.warnings.append(f"2D code type {cn:#x} ignored")
            return
        if fn == 0x41:
            self._qr["model"] = r[7] - 48
        elif fn == 0x43:
            self._qr["module"] = r[7]
        elif fn == 0x45:
            self._qr["ec"] = "LMQH"[(r[7] - 48) & 3]
        elif fn == 0x50:
            self._qr["data"] = bytes(r[8:])
        elif fn == 0x51:
            self._flush()
            data = self._qr.get("data")
            if not isinstance(data, bytes):
                if self.strict:
                    raise SlipDecodeError("QR print without stored data")
                self.warnings.append("QR print without stored data")
                return
            payload = data.decode("utf-8", errors="replace")
            self.items.append(QrCode(payload, int(self._qr.get("module", 3)),  # type: ignore[call-overload]
                                     str(self._qr.get("ec", "L")), int(self._qr.get("model", 2)),  # type: ignore[call-overload]
                                     self.align))

    def _barcode(self, r: bytes) -> None:
        self._flush()
        m = r[2]
        data = r[3:-1] if m <= 6 else r[4:]
        kind = _BARCODES.get(m, f"type{m}")
        text = data.decode("latin-1")
        if kind == "CODE128" and len(text) >= 2 and text[0] == "{":
            text = text[2:]
        self.items.append(Barcode(kind, text, self._bc["h"], self._bc["w"], bool(self._bc["hri"]), self.align))

    def finish(self) -> DecodedSlip:
        if self._segs:
            self.warnings.append("last line has no line feed (the printer would not print it yet)")
            self._flush()
        return DecodedSlip(tuple(self.items), self.chinese, tuple(self.status), tuple(self.warnings))


def tokens(data: bytes, *, strict: bool = True) -> Iterator[Token]:
    tk = Tokenizer(strict=strict)
    yield from tk.feed(data)
    if strict:
        tk.close()


def decode(data: bytes, *, encoding: str = "gb18030", strict: bool = True) -> DecodedSlip:
    """Interpret a whole ESC/POS job. Strict: unknown or truncated commands and text
    that is not valid in ``encoding`` raise SlipDecodeError."""
    d = _Decoder(encoding, strict)
    tk = Tokenizer(strict=strict)
    for t in tk.feed(data):
        d.token(t)
    if tk.pending:
        if strict:
            tk.close()
        d.warnings.append(f"truncated command at the end: {tk.pending[:8].hex(' ')}")
    return d.finish()


__all__ = [
    "Barcode", "Cut", "DecodedSlip", "Feed", "QrCode", "RasterImage", "Segment", "TextLine", "Token",
    "Tokenizer", "decode", "tokens",
]
