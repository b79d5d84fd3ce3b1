"""A PNG picture of a printed slip, 576 dots wide (80 mm at 203 dpi), one pixel per dot.

For the demo (a simulated printer shows what it "printed") and for clerks (what did
the kiosk give that citizen?). It draws what the *decoder* found in the bytes, the way
a printer with a 12×24 font A does: ASCII in 12-dot cells, Chinese in 24-dot cells,
``GS !`` sizes as integer scaling, QR codes module by module from their payload,
raster images dot by dot, a dashed line at each cut. Barcodes are drawn as a labelled
placeholder pattern (not scannable): the payload is what matters in a preview.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .decode import Barcode, Cut, DecodedSlip, Feed, QrCode, RasterImage, TextLine, decode
from .escpos import Align, char_columns, qr_matrix
from .fonts import find_cjk_font

log = logging.getLogger(__name__)

CELL_W, CELL_H = 12, 24
LINE_PITCH = 30  # dots per line at the default line spacing
MARGIN = 16

FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=4)
def _font(path: str | None) -> FontT:
    if path:
        try:
            return ImageFont.truetype(path, 22)
        except OSError as e:
            log.warning("cannot load font %s: %s", path, e)
    return ImageFont.load_default()


def _segment_image(text: str, font: FontT, bold: bool) -> Image.Image:
    cols = sum(char_columns(c) for c in text)
    img = Image.new("L", (max(1, cols * CELL_W), CELL_H), 255)
    draw = ImageDraw.Draw(img)
    x = 0
    for ch in text:
        w = char_columns(ch) * CELL_W
        if not ch.isspace():
            draw.text((x + w / 2, CELL_H / 2), ch, font=font, fill=0, anchor="mm",
                      stroke_width=1 if bold else 0, stroke_fill=0)
        x += w
    return img


def _line_image(line: TextLine, font: FontT) -> Image.Image:
    parts = []
    for seg in line.segments:
        im = _segment_image(seg.text, font, seg.bold)
        if (seg.width, seg.height) != (1, 1):
            im = im.resize((im.width * seg.width, im.height * seg.height), Image.Resampling.NEAREST)
        if seg.underline:
            ImageDraw.Draw(im).line([(0, im.height - 2), (im.width, im.height - 2)], fill=0, width=2)
        parts.append(im)
    h = max((p.height for p in parts), default=CELL_H)
    w = sum(p.width for p in parts)
    out = Image.new("L", (max(1, w), h), 255)
    x = 0
    for p in parts:
        out.paste(p, (x, h - p.height))  # baseline-aligned like the printer
        x += p.width
    return out


def _x(align: Align, inner: int, width: int) -> int:
    if align == Align.CENTER:
        return max(0, (width - inner) // 2)
    if align == Align.RIGHT:
        return max(0, width - inner)
    return 0


def _qr_image(q: QrCode) -> Image.Image:
    try:
        m = qr_matrix(q.payload, ec=q.ec)
    except ValueError as e:  # payload too long for any version
        log.warning("cannot draw QR %r: %s", q.payload[:40], e)
        m = [[False]]
    n, s = len(m), max(1, q.module)
    img = Image.new("L", (n * s, n * s), 255)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(m):
        for x, dark in enumerate(row):
            if dark:
                d.rectangle([x * s, y * s, x * s + s - 1, y * s + s - 1], fill=0)
    return img


def _raster_image(r: RasterImage) -> Image.Image:
    img = Image.frombytes("1", (r.width, r.height), bytes(b ^ 0xFF for b in r.data))
    return img.convert("L")


def _barcode_image(b: Barcode, font: FontT) -> Image.Image:
    bars = b"\x0b" + b.data.encode("latin-1", errors="replace") + b"\x0b"
    w = len(bars) * 11 * max(1, b.module)
    h = max(20, min(b.height, 200))
    img = Image.new("L", (w, h + (CELL_H if b.hri else 0)), 255)
    d = ImageDraw.Draw(img)
    x = 0
    for byte in bars:
        for bit in range(11):
            if (byte * 2654435761 >> bit) & 1 or bit in (0, 10):
                d.rectangle([x, 0, x + b.module - 1, h - 1], fill=0)
            x += b.module
    if b.hri:
        d.text((w / 2, h + CELL_H / 2), b.data, font=font, fill=0, anchor="mm")
    return img


def render(slip: DecodedSlip, *, width: int = 576, font_path: str | Path | None = None) -> Image.Image:
    """The slip as a grayscale image ``width`` dots wide (plus a white margin around)."""
    fp = str(font_path) if font_path else (str(p) if (p := find_cjk_font()) else None)
    font = _font(fp)
    blocks: list[tuple[Image.Image | None, Align, int]] = []  # image, align, height when None
    for it in slip.items:
        if isinstance(it, TextLine):
            if not it.segments:
                blocks.append((None, Align.LEFT, LINE_PITCH))
                continue
            im = _line_image(it, font)
            # a line longer than the head wraps at the right edge, as on paper
            for x0 in range(0, im.width, width):
                part = im.crop((x0, 0, min(im.width, x0 + width), im.height))
                blocks.append((part, it.align, 0))
                pad = max(0, LINE_PITCH - CELL_H) * it.height
                blocks.append((None, Align.LEFT, pad))
        elif isinstance(it, QrCode):
            blocks.append((_qr_image(it), it.align, 0))
        elif isinstance(it, RasterImage):
            blocks.append((_raster_image(it), it.align, 0))
        elif isinstance(it, Barcode):
            blocks.append((_barcode_image(it, font), it.align, 0))
            blocks.append((None, Align.LEFT, 6))
        elif isinstance(it, Feed):
            blocks.append((None, Align.LEFT, it.lines * LINE_PITCH + it.dots))
        elif isinstance(it, Cut):
            cut = Image.new("L", (width, 12), 255)
            d = ImageDraw.Draw(cut)
            for x in range(0, width, 16):
                d.line([(x, 6), (x + 8, 6)], fill=96, width=2)
            blocks.append((cut, Align.LEFT, 0))
    height = sum(b.height if b is not None else h for b, _, h in blocks)
    page = Image.new("L", (width + 2 * MARGIN, height + 2 * MARGIN), 255)
    y = MARGIN
    for b, align, h in blocks:
        if b is None:
            y += h
            continue
        if b.width > width:
            b = b.crop((0, 0, width, b.height))
        page.paste(b, (MARGIN + _x(align, b.width, width), y))
        y += b.height
    return page


def preview_png(data: bytes, *, encoding: str = "gb18030", width: int = 576,
                font_path: str | Path | None = None) -> bytes:
    """ESC/POS bytes -> PNG bytes (lenient decoding: show what a printer would show)."""
    img = render(decode(data, encoding=encoding, strict=False), width=width, font_path=font_path)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def save_preview(data: bytes, path: str | Path, **kw: object) -> Path:
    p = Path(path)
    p.write_bytes(preview_png(data, **kw))  # type: ignore[arg-type]
    return p


__all__ = ["preview_png", "render", "save_preview"]
