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
        top, bottom, left = 24.0, h - 20.0, 6.0
        span = max(self.values) or 1.0
        n = len(self.values)
        slot = (w - left * 2) / n
        bar_w = min(48.0, max(2.0, slot * 0.7))  # one bar of a quiet day stays a bar, not a wall
        step = max(1, -(-n * 44 // max(1, int(w))))  # about one label per 44 px
        for i, (lab, v) in enumerate(zip(self.labels, self.values)):
            x = left + i * slot + (slot - bar_w) / 2
            bh = (bottom - top) * (v / span)
            p.fillRect(QRectF(x, bottom - bh, bar_w, bh), BAR)
            if v and n <= 24:
                p.drawText(QRectF(x - 10, bottom - bh - 16, bar_w + 20, 14), Qt.AlignmentFlag.AlignCenter,
                           f"{v:g}")
            if i % step == 0:
                p.drawText(QRectF(x - 14, bottom + 2, bar_w + 28, 16), Qt.AlignmentFlag.AlignCenter, lab)
        p.end()
