"""The kiosk's 适老化 numbers (MIIT 2021 互联网应用适老化及无障碍改造) in one place.

The kiosk style sheet (``resources/kiosk.qss``) is written to these numbers; the helpers
here give multi-line text its line spacing (Qt draws a label's lines about 1.19 em apart
with the hall's CJK fonts, the rule wants ≥ 1.3) and measure what a test checks: contrast
from two colours (WCAG 2 relative luminance, the formula the rule cites) and the line
spacing a label really gets.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF
from PySide6.QtWidgets import QLabel, QWidget

MIN_TARGET_PX = 60  # touch targets, on a 1080p kiosk
MIN_TEXT_PT = 18.0
MIN_LINE_SPACING = 1.3  # baseline to baseline, in units of the font size
MIN_CONTRAST = 4.5
LINE_HEIGHT_PCT = 120  # Qt's proportional line height: 1.19 em × 1.2 ≈ 1.42 em
STYLE = Path(__file__).resolve().parents[2] / "resources" / "kiosk.qss"

_LINE_HEIGHT = re.compile(r"line-height:\s*(\d+)%")


def apply_style(w: QWidget) -> None:
    """Give ``w`` (the kiosk) its own style sheet: it wins over the application's."""
    w.setObjectName("kiosk")
    w.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    if STYLE.is_file():
        w.setStyleSheet(STYLE.read_text(encoding="utf-8"))


def spaced(text: str) -> str:
    """Plain (multi-line) text as rich text with the kiosk's line height."""
    if not text:
        return ""
    body = "<br/>".join(escape(line) for line in text.split("\n"))
    return f"<div style='line-height:{LINE_HEIGHT_PCT}%'>{body}</div>"


def set_lines(label: QLabel, text: str) -> None:
    """Set a label's text that may wrap or span lines, spaced to the rule."""
    label.setText(spaced(text))


def plain(text: str) -> str:
    """The words of a label's (maybe spaced, rich) text."""
    from PySide6.QtGui import QTextDocumentFragment
    return QTextDocumentFragment.fromHtml(text).toPlainText() if text.startswith("<") else text


def relative_luminance(c: QColor) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def text_pt(w: QWidget) -> float:
    f = w.font()
    if f.pointSizeF() > 0:
        return f.pointSizeF()
    return f.pixelSize() * 72.0 / max(1, w.logicalDpiY())


def line_spacing(label: QLabel) -> float:
    """Baseline-to-baseline distance of the label's lines, in units of its font size."""
    f = label.font()
    px = f.pixelSize() if f.pixelSize() > 0 else f.pointSizeF() * label.logicalDpiY() / 72.0
    natural = QFontMetricsF(f).lineSpacing() / px
    m = _LINE_HEIGHT.search(label.text())
    return natural * int(m.group(1)) / 100 if m else natural


def multi_line(label: QLabel) -> bool:
    t = label.text()
    return "\n" in t or "<br" in t or (label.wordWrap() and label.height() > 1.6 * QFontMetricsF(label.font()).height())
