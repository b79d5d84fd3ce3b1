"""A list of logged events as a person reads them, with the raw record one click away.

Each row is one event: its number, the full local time (the hall's zone), who, which
window, the event's Chinese name and the catalogue's sentence
(「王建国（1001）在 1 号窗口叫号 A003」). Selecting a row shows the record as stored
(type code, data, actor id) in the detail pane below: the inspector's evidence, and the
only place raw data appears.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QPlainTextEdit, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hall_server.contract import EventOut
from hall_server.contract import events as kinds
from hall_server.contract import show

COLUMNS = ["序号", "时间", "操作者", "窗口", "事件", "经过"]
SENTENCE_COL = 5
LABEL_COL = 4


def rows(events: Sequence[EventOut], *, names: Mapping[str, str], tz: str) -> list[tuple[str, ...]]:
    """What each row shows (pure: the widget only places these strings)."""
    return [(str(e.seq), show.local_time(e.at, tz), kinds.actor_text(e.actor, names),
             show.window(e.window_no), kinds.label(e.type, e.data), kinds.sentence(e, names=names, tz=tz))
            for e in events]


class EventLogView(QWidget):
    selected = Signal(object)  # EventOut

    def __init__(self, parent: QWidget | None = None, *, detail_title: str = "原始记录（选中一行查看）") -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # a review changes nothing
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        h = self.table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(True)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("选中上方一条记录，这里显示它在日志中的原始内容。")
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(QLabel(detail_title))
        dl.addWidget(self.detail, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self.events: list[EventOut] = []
        self.tz = show.HALL_TZ
        self.names: dict[str, str] = {}
        self.table.currentCellChanged.connect(lambda row, _c, _pr, _pc: self.show_raw(row))

    def set_events(self, events: Sequence[EventOut], *, names: Mapping[str, str] | None = None,
                   tz: str | None = None) -> None:
        self.events = list(events)
        self.names = dict(names or {})
        self.tz = tz or show.HALL_TZ
        self.detail.clear()
        self.table.setRowCount(len(self.events))
        for r, values in enumerate(rows(self.events, names=names or {}, tz=self.tz)):
            for c, text in enumerate(values):
                it = QTableWidgetItem(text)
                if c == SENTENCE_COL:
                    it.setToolTip(text)
                self.table.setItem(r, c, it)

    def show_raw(self, row: int) -> None:
        if 0 <= row < len(self.events):
            e = self.events[row]
            self.detail.setPlainText(kinds.raw_record(e, tz=self.tz, names=self.names))
            self.selected.emit(e)

    def rowCount(self) -> int:  # noqa: N802 - reads like the table it wraps (tests, callers)
        return self.table.rowCount()

    def item(self, row: int, col: int) -> QTableWidgetItem | None:
        return self.table.item(row, col)

    def sentences(self) -> list[str]:
        return [self._cell(r, SENTENCE_COL) for r in range(self.table.rowCount())]

    def _cell(self, row: int, col: int) -> str:
        it = self.table.item(row, col)
        return it.text() if it is not None else ""


__all__ = ["EventLogView", "rows", "COLUMNS"]
