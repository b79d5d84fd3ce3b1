"""办件全程: one case's whole thread — ticket, intake, lifecycle, fees, rating, complaints.

Read from ``GET /cases/{case_no}/history``, which labels every step in Chinese and, for
window staff, reduces a rating to "办事群众已评价" with nothing of its level. The view
does not rely on that alone: signed in without a manager/supervisor/admin role it shows
any ``rating.*`` step as that one line and drops the rest, so a clerk never reads an
individual rating even from a server that forgot. Times are shown in the hall's zone.
The view reloads when an event naming its case arrives (never on a ``rating.*`` one).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hall_server.contract import CaseHistoryOut, HistoryItem
from hall_server.contract import events as kinds
from hall_server.contract import show
from hall_server.domain.cases import CASE_NO_RE

from ..bridge import KnownError

log = logging.getLogger(__name__)

RATING_READERS = frozenset({"manager", "supervisor", "admin"})
CLERK_RATING_LABEL = "办事群众已评价（评价结果不向窗口人员显示）"
COLUMNS = ["时间", "环节", "说明", "经办", "窗口"]


class InputProblem(KnownError):
    code = "input"


def load_history(*, api: Any, case_no: str, on_ok: Callable[[CaseHistoryOut], None],
                 on_error: Callable[[KnownError], None]) -> Any:
    return api.get(f"/cases/{case_no}/history", model=CaseHistoryOut, on_ok=on_ok, on_error=on_error)


def for_window_staff(items: list[HistoryItem]) -> list[HistoryItem]:
    """The clerk's view of a history: a rating is only 'recorded'; its follow-ups (only
    a 差评 has them) are not shown at all."""
    out: list[HistoryItem] = []
    for i in items:
        if not i.type.startswith("rating."):
            out.append(i)
        elif i.type == "rating.recorded":
            out.append(HistoryItem(seq=i.seq, at=i.at, type=i.type, label=CLERK_RATING_LABEL, actor="",
                                   window_no=i.window_no, data={}, detail=""))
    return out


def _actor_text(actor: str, names: dict[str, str] | None = None) -> str:
    return kinds.actor_text(actor, names) if actor else ""


class CaseHistoryView(QWidget):
    history_loaded = Signal(object)  # CaseHistoryOut as shown (after the window-staff filter)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.api, self.bridge = ctx.api, ctx.bridge
        roles = {str(r) for r in getattr(getattr(ctx, "staff", None), "roles", [])}
        self.sees_ratings = bool(roles & RATING_READERS)
        self.case_no: str | None = None
        self.shown: CaseHistoryOut | None = None
        root = QVBoxLayout(self)
        row = QHBoxLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText("办件编号，如 SG20261124-0001")
        self.number.returnPressed.connect(lambda: self.show_case(self.number.text()))
        row.addWidget(self.number, 1)
        self.go = QPushButton("查看全程")
        self.go.clicked.connect(lambda: self.show_case(self.number.text()))
        row.addWidget(self.go)
        root.addLayout(row)
        self.title = QLabel("")
        self.title.setObjectName("caseHistoryTitle")
        root.addWidget(self.title)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        root.addWidget(self.table, 1)
        ctx.store.event_received.connect(self._on_event)

    def _tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.ctx.store.state.timezone or "Asia/Shanghai")
        except Exception:  # noqa: BLE001 - a bad zone name from config: the hall default
            return ZoneInfo("Asia/Shanghai")

    def _on_event(self, ev: Any) -> None:
        if str(ev.type).startswith("rating."):  # clerk-facing: never react to a rating
            return
        if getattr(self.api, "_closed", False):  # an event still queued while the client shuts down
            return
        data = getattr(ev, "data", None) or {}
        if self.case_no and data.get("case_no") == self.case_no:
            self.show_case(self.case_no)

    def show_case(self, case_no: str) -> None:
        no = case_no.strip().upper()
        if not CASE_NO_RE.match(no):
            self.bridge.handle(InputProblem("办件编号格式不正确，如 SG20261124-0001。"))
            return
        self.case_no = no
        self.number.setText(no)
        load_history(api=self.api, case_no=no, on_ok=self._show, on_error=self.bridge.handle)

    def _show(self, h: CaseHistoryOut) -> None:
        items = h.items if self.sees_ratings and not h.restricted else for_window_staff(h.items)
        shown = CaseHistoryOut(case_no=h.case_no, ticket_no=h.ticket_no, items=items,
                               restricted=h.restricted or not self.sees_ratings, names=h.names)
        self.shown = shown
        tz = self._tz()
        t = self.table
        t.setRowCount(0)
        for i in items:
            r = t.rowCount()
            t.insertRow(r)
            for col, text in enumerate((show.local_time(i.at, tz), i.label, i.detail,
                                        _actor_text(i.actor, h.names), show.window(i.window_no))):
                it = QTableWidgetItem(text)
                it.setToolTip(text)
                if col == 1:
                    it.setData(Qt.ItemDataRole.UserRole, i.type)
                t.setItem(r, col, it)
        t.resizeColumnToContents(0)
        t.resizeColumnToContents(1)
        t.setColumnWidth(1, min(t.columnWidth(1), 9 * t.fontMetrics().horizontalAdvance("办")))  # the sentence needs the room
        for col in (3, 4):
            t.resizeColumnToContents(col)
        self.title.setText(f"<b>{h.case_no}</b>　号票 {h.ticket_no or '—'}　共 {len(items)} 个环节")
        self.history_loaded.emit(shown)

    def _cell(self, row: int, col: int) -> str:
        it = self.table.item(row, col)
        return it.text() if it is not None else ""

    def labels(self) -> list[str]:
        return [self._cell(r, 1) for r in range(self.table.rowCount())]

    def text(self) -> str:
        """Everything on screen, for a test or a copy to the clipboard."""
        return "\n".join("\t".join(self._cell(r, c) for c in range(self.table.columnCount()))
                         for r in range(self.table.rowCount()))


__all__ = ["CaseHistoryView", "for_window_staff", "load_history"]
