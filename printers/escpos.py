"""ESC/POS encoding for Chinese thermal printers: pure, no I/O, no clock.

Why we encode text ourselves instead of ``Escpos.text()``: python-escpos switches to
GB18030 only when a string holds a CJK ideograph and never sends the Chinese-mode
command (``FS &``), so a line like "¥120.00" or "A001" in a Chinese receipt may go out
in a Latin code page. Here every printable string is encoded per device profile
(GB18030 by default; GBK, GB2312 or Big5 for other printers), and a character the
encoding cannot hold is replaced *visibly* (□ for a wide character, ? for a control
character) and reported in ``EncodedSlip.replacements``, never silently dropped.

Sizes use ``GS !`` (which enlarges Chinese too; ``ESC !`` does not). QR codes go as the
printer's native ``GS ( k`` command (~40 bytes + payload) by default; an image QR
(``GS v 0`` raster, thousands of bytes, seconds at 9600 baud) is available for printers
without a QR engine. python-escpos builds those two commands (its ``Dummy`` printer).
"""
from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from .errors import DeviceConfigError

log = logging.getLogger(__name__)

ESC, GS, FS, DLE = b"\x1b", b"\x1d", b"\x1c", b"\x10"
LF = b"\n"

INIT = ESC + b"@"
CHINESE_MODE_ON = FS + b"&"
CHINESE_MODE_OFF = FS + b"."
FULL_CUT = GS + b"V\x00"
PARTIAL_CUT = GS + b"V\x01"

#: DLE EOT n: real-time status. 1 printer, 2 offline cause, 3 error cause, 4 paper sensor.
STATUS_PRINTER = DLE + b"\x04\x01"
STATUS_OFFLINE_CAUSE = DLE + b"\x04\x02"
STATUS_ERROR_CAUSE = DLE + b"\x04\x03"
STATUS_PAPER = DLE + b"\x04\x04"

SUPPORTED_ENCODINGS = ("gb18030", "gbk", "gb2312", "big5")
QR_EC_LEVELS = {"L": 0, "M": 1, "Q": 2, "H": 3}

#: dots per line of a 203 dpi head by paper width, and columns of the 12×24 font A
DOTS_BY_WIDTH = {58: 384, 80: 576}
FONT_A_DOT_WIDTH = 12


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"

    @property
    def code(self) -> int:
        return {"left": 0, "center": 1, "right": 2}[self.value]


QrMode = Literal["native", "image"]
CutMode = Literal["full", "partial", "none"]


@dataclass(frozen=True)
class PrinterProfile:
    """What differs between printer models, set per device in its config string."""

    encoding: str = "gb18030"
    width_mm: int = 80
    dots: int | None = None  # overrides the width's default (some 80 mm heads have 512 dots)
    chinese_mode: bool = True  # send FS & after ESC @ (printers that boot in ANK mode need it)
    qr: QrMode = "native"
    qr_module: int | None = None  # QR module size in dots; default by paper width
    qr_ec: str = "M"
    cut: CutMode = "full"
    feed_before_cut: int = 4  # lines fed so the last line clears the cutter

    def __post_init__(self) -> None:
        enc = self.encoding.lower().replace("-", "").replace("_", "")
        if enc not in SUPPORTED_ENCODINGS:
            raise DeviceConfigError(f"unsupported encoding {self.encoding!r}; use one of {SUPPORTED_ENCODINGS}")
        object.__setattr__(self, "encoding", enc)
        if self.dots is None and self.width_mm not in DOTS_BY_WIDTH:
            raise DeviceConfigError(f"paper width {self.width_mm} mm: use 58 or 80 (or give dots=)")
        if self.dots is not None and not 96 <= self.dots <= 2048:
            raise DeviceConfigError(f"dots={self.dots} is not a printer head width")
        if self.qr not in ("native", "image"):
            raise DeviceConfigError(f"qr={self.qr!r}: use native or image")
        if self.qr_ec.upper() not in QR_EC_LEVELS:
            raise DeviceConfigError(f"qr_ec={self.qr_ec!r}: use L, M, Q or H")
        object.__setattr__(self, "qr_ec", self.qr_ec.upper())
        if self.qr_module is not None and not 1 <= self.qr_module <= 16:
            raise DeviceConfigError(f"qr_module={self.qr_module}: must be 1..16")
        if self.cut not in ("full", "partial", "none"):
            raise DeviceConfigError(f"cut={self.cut!r}: use full, partial or none")
        if not 0 <= self.feed_before_cut <= 255:
            raise DeviceConfigError("feed_before_cut must be 0..255")

    @property
    def dots_per_line(self) -> int:
        return self.dots if self.dots is not None else DOTS_BY_WIDTH[self.width_mm]

    @property
    def columns(self) -> int:
        """Half-width columns of font A (a Chinese character takes two)."""
        return self.dots_per_line // FONT_A_DOT_WIDTH

    @property
    def qr_module_dots(self) -> int:
        if self.qr_module is not None:
            return self.qr_module
        return 6 if self.dots_per_line >= 512 else 4


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class Replacement:
    """A character the printer's encoding could not hold, and what we printed instead."""

    char: str
    replaced_by: str
    context: str

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"


#: characters the printer fonts lack in one form but have in another
_SUBSTITUTES = {
    "\u00a5": "\uffe5",  # ¥ -> ￥ (GB18030 puts ¥ in a 4-byte code no printer font has)
    "\u2013": "\uff5e",  # – (GBK only) -> ～ for GB2312 fonts: a range, "0～200平方米"
    "\u00a0": " ",
    "\u3000": "  ",
    "\t": " ",
}

#: whole phrases written the way a receipt printer's font can show them. Superscripts have
#: only a 4-byte GB18030 code (no printer glyph) and ㎡ is missing from most GB2312 fonts,
#: so a unit is spelled out: 120.55m² -> 120.55平方米. Longest first; applied before wrapping
#: and measuring, so columns are counted on what is printed.
PHRASES: tuple[tuple[str, str], ...] = (
    ("km²", "平方公里"), ("m²", "平方米"), ("m³", "立方米"), ("㎡", "平方米"), ("㎥", "立方米"),
    ("㎞", "公里"), ("²", "2"), ("³", "3"),
)


def printable(text: str) -> str:
    """``text`` with every phrase of ``PHRASES`` in the form the printer font has."""
    if text.isascii():
        return text
    for old, new in PHRASES:
        if old in text:
            text = text.replace(old, new)
    return text


REPLACEMENT_WIDE = "□"
REPLACEMENT_NARROW = "?"


def _is_cjk_ideograph(ch: str) -> bool:
    cp = ord(ch)
    return (0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3134F)


@functools.lru_cache(maxsize=8192)
def encode_char(ch: str, encoding: str) -> bytes | None:
    """The printer bytes for one character, or None when the printer cannot show it.

    Control characters are refused: inside a name or address they would be taken as
    printer commands. In GB18030 a 4-byte code is accepted only for CJK ideographs
    (rare name characters); emoji and other scripts have no glyph in printer fonts.
    """
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp < 0xA0 or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
        return None
    for cand in (ch, _SUBSTITUTES.get(ch)):
        if cand is None:
            continue
        try:
            b = cand.encode(encoding)
        except UnicodeEncodeError:
            continue
        if encoding == "gb18030" and len(b) == 4 and not all(_is_cjk_ideograph(c) for c in cand):
            continue
        return b
    return None


def encode_text(text: str, encoding: str) -> tuple[bytes, list[Replacement]]:
    """Encode one printable string for the printer; returns bytes and what was replaced."""
    out = bytearray()
    replaced: list[Replacement] = []
    text = printable(text)
    for ch in text:
        b = encode_char(ch, encoding)
        if b is None:
            sub = REPLACEMENT_NARROW if ord(ch) < 0x80 else REPLACEMENT_WIDE
            b = sub.encode(encoding)
            replaced.append(Replacement(ch, sub, text))
        out += b
    return bytes(out), replaced


def char_columns(ch: str) -> int:
    """Columns a character takes in font A: ASCII is half width, everything else full.

    (In Chinese mode every double-byte code is printed full width, including
    "ambiguous" characters such as · — ① ￥, and our replacement □.)
    """
    return 1 if ord(ch) < 0x80 else 2


def text_columns(text: str) -> int:
    return sum(char_columns(c) for c in printable(text))


_NO_LINE_START = set("，。、；：？！）》」』】〉,.;:?!)]}%")
_ASCII_WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@#%&=+~")


def wrap(text: str, columns: int) -> list[str]:
    """Break ``text`` into lines of at most ``columns`` columns.

    Chinese breaks anywhere, but an ASCII word (a case number, a URL, an amount) is
    kept whole when it fits on a line, and closing punctuation never starts a line.
    """
    if columns < 4:
        raise ValueError("columns must be at least 4")
    lines: list[str] = []
    for para in printable(text).split("\n"):
        cur = ""
        width = 0
        for ch in para:
            w = char_columns(ch)
            if width + w <= columns:
                cur += ch
                width += w
                continue
            brk = len(cur)
            if ch in _ASCII_WORD:
                k = brk
                while k > 0 and cur[k - 1] in _ASCII_WORD:
                    k -= 1
                if k > 0:
                    brk = k
            elif ch in _NO_LINE_START and brk > 1:
                brk -= 1
            lines.append(cur[:brk].rstrip(" "))
            cur = (cur[brk:] + ch).lstrip(" ")
            width = text_columns(cur)
        lines.append(cur)
    return lines


def pad_between(left: str, right: str, columns: int) -> str:
    """``left`` and ``right`` on one line, right-justified; wraps ``left`` if needed
    (the right part then goes on the last line)."""
    left, right = printable(left), printable(right)
    rw = text_columns(right)
    gap = columns - text_columns(left) - rw
    if gap >= 1:
        return left + " " * gap + right
    head = wrap(left, max(2, columns - rw - 1))
    last = head[-1]
    return "\n".join(head[:-1] + [last + " " * (columns - text_columns(last) - rw) + right])


# --------------------------------------------------------------------------- the slip writer


@dataclass(frozen=True)
class EncodedSlip:
    """The bytes of one slip, and every character that had to be replaced."""

    data: bytes
    replacements: tuple[Replacement, ...] = ()

    def __len__(self) -> int:
        return len(self.data)

    @property
    def replaced_chars(self) -> str:
        return "".join(r.char for r in self.replacements)


def _escpos_dummy(dots: int) -> Any:
    """A python-escpos Dummy printer that knows the head width.

    python-escpos calls ``logging.basicConfig()`` when its capabilities load; we undo
    that so the application's logging setup stays the application's. The media width
    is set so its ``image()`` does not print a warning to stdout.
    """
    import copy
    import os
    import tempfile
    # its capabilities cache: one fixed folder, not a new temp folder per process
    cache = os.path.join(tempfile.gettempdir(), "hall-escpos-cache")
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        os.makedirs(cache, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = cache
    root = logging.getLogger()
    before = list(root.handlers)
    from escpos.printer import Dummy
    for h in root.handlers[:]:
        if h not in before:
            root.removeHandler(h)
    d = Dummy()
    data = copy.deepcopy(d.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = dots
    d.profile.profile_data = data
    return d


def native_qr_bytes(payload: str, *, module: int, ec: str = "M") -> bytes:
    """GS ( k: select model 2, module size, error correction, store data, print."""
    if not payload:
        raise ValueError("empty QR payload")
    d = _escpos_dummy(576)
    d.qr(payload, ec=QR_EC_LEVELS[ec], size=module, native=True)
    return bytes(d.output)


def qr_matrix(payload: str, *, ec: str = "M") -> list[list[bool]]:
    """The QR modules (True = dark) as the printer's engine would draw them (model 2,
    smallest version for the data at this error correction)."""
    import qrcode
    import qrcode.constants
    levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
              "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
    q = qrcode.QRCode(version=None, error_correction=levels[ec], border=0)
    q.add_data(payload.encode("utf-8"))
    q.make(fit=True)
    return [list(row) for row in q.get_matrix()]


def image_qr_bytes(payload: str, *, module: int, ec: str = "M", max_dots: int = 576) -> bytes:
    """The QR as a GS v 0 raster image (for printers without a QR engine)."""
    from PIL import Image
    matrix = qr_matrix(payload, ec=ec)
    n = len(matrix)
    while module > 1 and n * module > max_dots:
        module -= 1
    img = Image.new("1", (n * module, n * module), 1)
    px = img.load()
    assert px is not None
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(module):
                    for dx in range(module):
                        px[x * module + dx, y * module + dy] = 0
    d = _escpos_dummy(max_dots)
    d.image(img.convert("RGB"), impl="bitImageRaster")
    return bytes(d.output)


class SlipWriter:
    """Builds one slip's bytes for one printer profile.

    It tracks alignment, size and emphasis and emits a command only when the setting
    changes, which keeps a ticket well under 400 bytes (under half a second at 9600 baud).
    """

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self._buf = bytearray()
        self._replaced: list[Replacement] = []
        self._align = Align.LEFT
        self._size = (1, 1)
        self._bold = False

    # -- state
    def init(self) -> "SlipWriter":
        """ESC @ resets the printer; FS & selects Chinese (double-byte) mode."""
        self._buf += INIT
        if self.profile.chinese_mode:
            self._buf += CHINESE_MODE_ON
        self._align, self._size, self._bold = Align.LEFT, (1, 1), False
        return self

    def align(self, align: Align) -> "SlipWriter":
        if align != self._align:
            self._buf += ESC + b"a" + bytes([align.code])
            self._align = align
        return self

    def size(self, width: int = 1, height: int = 1) -> "SlipWriter":
        if not (1 <= width <= 8 and 1 <= height <= 8):
            raise ValueError("character size is 1..8 times")
        if (width, height) != self._size:
            self._buf += GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])
            self._size = (width, height)
        return self

    def bold(self, on: bool) -> "SlipWriter":
        if on != self._bold:
            self._buf += ESC + b"E" + (b"\x01" if on else b"\x00")
            self._bold = on
        return self

    def raw(self, data: bytes) -> "SlipWriter":
        self._buf += data
        return self

    # -- text
    @property
    def columns(self) -> int:
        """Columns at the current character width."""
        return self.profile.columns // self._size[0]

    def text(self, text: str) -> "SlipWriter":
        """Encoded text without a line feed (callers end lines with ``line()``)."""
        data, replaced = encode_text(text, self.profile.encoding)
        if replaced:
            log.warning("printer encoding %s cannot hold %s; printed %s instead",
                        self.profile.encoding, ", ".join(r.codepoint for r in replaced),
                        "".join(r.replaced_by for r in replaced))
            self._replaced.extend(replaced)
        self._buf += data
        return self

    def line(self, text: str = "", *, align: Align = Align.LEFT, size: tuple[int, int] = (1, 1),
             bold: bool = False) -> "SlipWriter":
        """One or more printed lines (wrapped to the paper at this size)."""
        self.align(align).size(*size).bold(bold)
        for part in wrap(text, self.columns) if text else [""]:
            self.text(part)
            self._buf += LF
        return self

    def pair(self, left: str, right: str, *, size: tuple[int, int] = (1, 1), bold: bool = False) -> "SlipWriter":
        """Label on the left, value flush right (amounts, counts)."""
        self.size(*size)
        return self.line(pad_between(left, right, self.profile.columns // size[0]), size=size, bold=bold)

    def labelled(self, label: str, value: str, *, bold: bool = False) -> "SlipWriter":
        """``label：value`` with continuation lines indented under the value."""
        self.align(Align.LEFT).size(1, 1).bold(bold)
        indent = text_columns(label)
        cols = self.profile.columns
        if indent > cols // 2:
            return self.line(label + value, bold=bold)
        parts = wrap(value, cols - indent) if value else [""]
        for i, part in enumerate(parts):
            self.text((label if i == 0 else " " * indent) + part)
            self._buf += LF
        return self

    def numbered(self, items: Sequence[str], *, start: int = 1) -> "SlipWriter":
        """A numbered list with hanging indent (materials to bring, etc.)."""
        self.align(Align.LEFT).size(1, 1).bold(False)
        width = len(str(start + len(items) - 1))
        cols = self.profile.columns
        for i, item in enumerate(items, start):
            head = f"{i:>{width}}. "
            for j, part in enumerate(wrap(item, cols - len(head))):
                self.text((head if j == 0 else " " * len(head)) + part)
                self._buf += LF
        return self

    def rule(self, char: str = "-") -> "SlipWriter":
        self.align(Align.LEFT).size(1, 1).bold(False)
        self.text(char * (self.profile.columns // char_columns(char)))
        self._buf += LF
        return self

    def feed(self, lines: int) -> "SlipWriter":
        if lines > 0:
            self._buf += ESC + b"d" + bytes([min(lines, 255)])
        return self

    # -- codes
    def qr(self, payload: str, *, align: Align = Align.CENTER) -> "SlipWriter":
        """A QR code: the printer's own engine, or a raster image on profiles with qr=image."""
        self.align(align).size(1, 1)
        p = self.profile
        if p.qr == "native":
            self._buf += native_qr_bytes(payload, module=p.qr_module_dots, ec=p.qr_ec)
            self._buf += LF  # GS ( k prints in place; the feed ends the code's line
        else:
            self._buf += image_qr_bytes(payload, module=p.qr_module_dots, ec=p.qr_ec, max_dots=p.dots_per_line)
        return self

    def barcode(self, data: str, *, height: int = 60, align: Align = Align.CENTER, hri: bool = True) -> "SlipWriter":
        """CODE128 (code set B) with the human-readable text below."""
        if not data or not data.isascii() or not data.isprintable():
            raise ValueError("CODE128 data must be printable ASCII")
        body = b"{B" + data.encode("ascii")
        if len(body) > 255:
            raise ValueError("barcode data too long")
        self.align(align).size(1, 1)
        self._buf += GS + b"h" + bytes([max(1, min(height, 255))])
        self._buf += GS + b"w" + b"\x02"
        self._buf += GS + b"H" + (b"\x02" if hri else b"\x00")
        self._buf += GS + b"k" + bytes([73, len(body)]) + body
        return self

    def cut(self) -> "SlipWriter":
        self.feed(self.profile.feed_before_cut)
        if self.profile.cut == "full":
            self._buf += FULL_CUT
        elif self.profile.cut == "partial":
            self._buf += PARTIAL_CUT
        return self

    def build(self) -> EncodedSlip:
        return EncodedSlip(bytes(self._buf), tuple(self._replaced))


def lines_to_slip(lines: Iterable[str], profile: PrinterProfile, *, cut: bool = True) -> EncodedSlip:
    """Plain text lines as a slip (test prints, diagnostics)."""
    w = SlipWriter(profile).init()
    for ln in lines:
        w.line(ln)
    if cut:
        w.cut()
    return w.build()


__all__ = [
    "Align", "EncodedSlip", "PHRASES", "PrinterProfile", "Replacement", "printable",
    "SlipWriter", "char_columns", "encode_text",
    "image_qr_bytes", "lines_to_slip", "native_qr_bytes", "pad_between", "qr_matrix", "text_columns", "wrap",
]
