"""Shared reportlab helpers: an embedded CJK font and the page furniture of a hall document.

Notices are handed to citizens and opened on any machine, so the font travels inside
the PDF. reportlab embeds (subsets) TrueType outlines only — not CFF/OTF — so we look
for a TrueType CJK font: ``$HALL_CJK_FONT``, then WenQuanYi Zen Hei / Micro Hei (TTC,
first face), then whatever ``fc-list`` offers for Chinese in .ttf/.ttc. Fees and
supervision reports reuse ``styles()``, ``build()``, ``kv_table()`` and ``qr()``.
"""
from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

log = logging.getLogger(__name__)

FONT_NAME = "HallCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


class NoCjkFont(RuntimeError):
    """No TrueType CJK font on this machine: install fonts-wqy-zenhei or set HALL_CJK_FONT."""


def _fc_list() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines()
                   if line.split(":")[0].strip().lower().endswith((".ttf", ".ttc"))})


def find_cjk_font() -> Path:
    env = os.environ.get("HALL_CJK_FONT", "").strip()
    paths = ([env] if env else []) + list(CANDIDATES) + _fc_list()
    for p in paths:
        if p and Path(p).is_file() and p.lower().endswith((".ttf", ".ttc")):
            return Path(p)
    raise NoCjkFont("找不到可嵌入的中文 TrueType 字体：请安装 fonts-wqy-zenhei 或设置 HALL_CJK_FONT。")


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the CJK font once per process and return its reportlab name."""
    path = find_cjk_font()
    kw = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), **kw))
    log.info("CJK font for PDFs: %s", path)
    return FONT_NAME


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    f = cjk_font()
    body = ParagraphStyle("hall-body", fontName=f, fontSize=11, leading=17, wordWrap="CJK")
    return Styles(
        title=ParagraphStyle("hall-title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4),
        subtitle=ParagraphStyle("hall-sub", parent=body, fontSize=10, leading=14, alignment=TA_CENTER,
                                textColor=colors.HexColor("#444444"), spaceAfter=8),
        body=body,
        small=ParagraphStyle("hall-small", parent=body, fontSize=9, leading=13, textColor=colors.HexColor("#333333")),
        cell=ParagraphStyle("hall-cell", parent=body, fontSize=10, leading=14),
        cell_bold=ParagraphStyle("hall-cell-b", parent=body, fontSize=10, leading=14,
                                 textColor=colors.HexColor("#222222")),
    )


def esc(text: object) -> str:
    """Escape for a Paragraph's mini-markup (a name may contain '&' or '<')."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(esc(text).replace("\n", "<br/>"), style or styles().body)


def kv_table(rows: Sequence[tuple[str, str]], *, widths: tuple[float, float] = (35 * mm, 135 * mm)) -> Table:
    """A two-column label/value table with wrapped CJK text."""
    st = styles()
    data = [[para(k, st.cell_bold), para(v, st.cell)] for k, v in rows]
    t = Table(data, colWidths=list(widths))
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return t


def grid_table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> Table:
    st = styles()
    data = [[para(h, st.cell_bold) for h in header]] + [[para(c, st.cell) for c in r] for r in rows]
    t = Table(data, colWidths=list(widths), repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return t


def qr(text: str, size: float = 28 * mm) -> Drawing:
    """A vector QR code (no image library, scales cleanly on paper)."""
    w = QrCodeWidget(text)
    x0, y0, x1, y1 = w.getBounds()
    d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    d.add(w)
    return d


def build(story: Sequence[Flowable], *, title: str, footer: str = "",
          on_page: Callable[[Canvas, int], None] | None = None) -> bytes:
    """Lay out an A4 document and return the PDF bytes; every page carries the footer
    and its number, so a loose page still says what it belongs to."""
    buf = io.BytesIO()
    font = cjk_font()

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        page = canvas.getPageNumber()
        if footer:
            canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"第 {page} 页")
        if on_page is not None:
            on_page(canvas, page)
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=title, author="政务服务中心", creator="hall_server")
    doc.build(list(story), onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
