"""A bar chart painted with QPainter: enough for "today by hour", "by window" and the
trend, without the optional QtCharts add-on."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

BAR = QColor("#2F6DB5")


class BarChart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.labels: list[str] = []
        self.values: list[float] = []
        self.setMinimumHeight(160)

    def set_data(self, labels: Sequence[str], values: Sequence[float]) -> None:
        if list(labels) == self.labels and list(values) == self.values:
            return
        self.labels, self.values = list(labels), list(values)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.drawText(QRectF(4, 2, w - 8, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        if not self.values:
            p.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, "暂无数据")
            p.end()
            return
        fm = p.fontMetrics()
        line = fm.height()
        top, bottom, left = line + 6.0 + line, h - line - 4.0, 6.0  # title, then room for the top value
        span = max(self.values) or 1.0
        n = len(self.values)
        slot = (w - left * 2) / n
        bar_w = min(48.0, max(2.0, slot * 0.7))  # one bar of a quiet day stays a bar, not a wall
        widest = max((fm.horizontalAdvance(lab) for lab in self.labels), default=0) + 8
        step = max(1, -(-n * widest // max(1, int(w - left * 2))))  # labels never overlap, at any width
        show_values = slot >= fm.horizontalAdvance(f"{max(self.values):g}") + 4
        for i, (lab, v) in enumerate(zip(self.labels, self.values)):
            x = left + i * slot + (slot - bar_w) / 2
            bh = (bottom - top) * (v / span)
            p.fillRect(QRectF(x, bottom - bh, bar_w, bh), BAR)
            if v and show_values:
                p.drawText(QRectF(x - slot, bottom - bh - line, bar_w + 2 * slot, line), Qt.AlignmentFlag.AlignCenter,
                           f"{v:g}")
            if i % step == 0:
                cx = x + bar_w / 2
                lx = min(max(cx - widest / 2, 0.0), w - widest)  # the first and last stay inside the chart
                p.drawText(QRectF(lx, bottom + 2, widest, line), Qt.AlignmentFlag.AlignCenter, lab)
        p.end()
