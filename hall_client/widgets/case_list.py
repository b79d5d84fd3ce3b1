"""我的办件: the open cases of the clerk's department, and the lifecycle actions on one.

Each row shows the state, the due date and the days left (in the limit's unit), coloured
when near or over the limit, so a clerk sees at a glance what must be done first. The
list follows the event stream: any ``case.*`` event reloads it (coalesced: one request in
flight, one more if events arrived meanwhile); ``rating.*`` events are never looked at.

The action buttons ask the same transition table the server enforces
(``hall_server.domain.cases.allowed``), so a button is enabled exactly when the server
would accept the move. Keys (within the list): Ctrl+1 开始审查, Ctrl+2 暂停计时,
Ctrl+3 恢复计时, Ctrl+4 延期, Ctrl+5 办结, Ctrl+6 送达, Enter (or double click) 办件全程, Ctrl+R 刷新.
F1–F10 stay the window's and the intake form's keys.

A 延期 (§42) needs a manager's or supervisor's own 工号 and password, typed at the
clerk's screen and checked by the server; a refusal keeps the dialog open.

The user actions are the keyword-only functions at the top (shape of ``operations.py``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from hall_server.contract import CaseBrief, CaseOut, CasePage
from hall_server.domain.cases import SUSPEND_LABELS, CaseAction, CaseState, SuspendKind, allowed
from hall_server.contract.show import mask_name

from ..bridge import KnownError
from .fit import FlowLayout

log = logging.getLogger(__name__)

NEAR_DAYS = 1  # 今日到期 or one day left: amber; overdue: red (the 红黄牌 thresholds live on the server)
OVERDUE_BG, NEAR_BG, SUSPENDED_FG = QColor("#f8d0d0"), QColor("#fbe8b0"), QColor("#707070")

# button name, text, key (with Ctrl), the state-machine actions that enable it
BUTTONS: list[tuple[str, str, Qt.Key, frozenset[CaseAction]]] = [
    ("start_review", "开始审查 Ctrl+1", Qt.Key.Key_1, frozenset({CaseAction.START_REVIEW})),
    ("suspend", "暂停计时 Ctrl+2", Qt.Key.Key_2, frozenset({CaseAction.SUSPEND})),
    ("resume", "恢复计时 Ctrl+3", Qt.Key.Key_3, frozenset({CaseAction.RESUME})),
    ("extend", "延期 Ctrl+4", Qt.Key.Key_4, frozenset({CaseAction.EXTEND})),
    ("conclude", "办结 Ctrl+5", Qt.Key.Key_5, frozenset({CaseAction.APPROVE, CaseAction.REFUSE})),
    ("deliver", "送达 Ctrl+6", Qt.Key.Key_6, frozenset({CaseAction.DELIVER})),
]
COLUMNS = ["办件编号", "事项", "申请人", "状态", "到期日", "剩余", "时限说明", "窗口"]
COL_NO, COL_DUE, COL_LEFT = 0, 4, 5
FINISHED = frozenset({CaseState.DELIVERED, CaseState.WITHDRAWN, CaseState.REJECTED})


# --- user actions (keyword-only, as in operations.py) ---------------------------------

def load_my_cases(*, api: Any, on_ok: Callable[[CasePage], None], on_error: Callable[[KnownError], None]) -> Any:
    return api.get("/cases?open=true&mine=true&limit=500", model=CasePage, on_ok=on_ok, on_error=on_error)


def case_action(*, api: Any, case_no: str, body: dict[str, Any], on_ok: Callable[[CaseOut], None],
                on_error: Callable[[KnownError], None]) -> Any:
    """One lifecycle step; the server checks the move, the reason and (延期) the approver."""
    return api.post(f"/cases/{case_no}/actions", body, model=CaseOut, on_ok=on_ok, on_error=on_error)


def enabled_buttons(state: CaseState | str | None) -> set[str]:
    """Which buttons the case's state allows: the server's own transition table."""
    if state is None:
        return set()
    can = allowed(CaseState(state))
    return {name for name, _t, _k, needs in BUTTONS if needs & can}


# --- table items that sort by value, not by text ----------------------------------------

class SortItem(QTableWidgetItem):
    """Sorts by ``key`` (days left as a number, dates as dates; no clock sorts last)."""

    def __init__(self, text: str, key: tuple[int, Any]) -> None:
        super().__init__(text)
        self.key = key
        self.setFlags(self.flags() & ~Qt.ItemFlag.ItemIsEditable)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, SortItem):
            return bool(self.key < other.key)
        return super().__lt__(other)


def _item(text: str) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return it


def _left_text(c: CaseBrief) -> str:
    if c.days_left is None:
        return "—"
    if c.days_left < 0:
        return f"超 {-c.days_left}"
    return str(c.days_left)


def urgency(c: CaseBrief) -> str:
    """'overdue' | 'near' | 'suspended' | '' — what the row's colour says."""
    if c.state == CaseState.SUSPENDED:
        return "suspended"
    if c.days_left is None:
        return ""
    if c.days_left < 0:
        return "overdue"
    return "near" if c.days_left <= NEAR_DAYS else ""


# --- dialogs ------------------------------------------------------------------------------

class ActionDialog(QDialog):
    """The details a step needs. It stays open until the server accepts, so a wrong
    approver password is retyped, not the whole form."""

    submitted = Signal(dict)

    def __init__(self, title: str, case_no: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} · {case_no}")
        self.form = QFormLayout(self)
        self.error = QLabel("")
        self.error.setObjectName("caseActionError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.form.addRow(self.error)
        self.form.addRow(self.buttons)

    def body(self) -> dict[str, Any] | None:  # overridden
        return {}

    def submit(self) -> None:
        body = self.body()
        if body is not None:
            self.error.setText("")
            self.buttons.setEnabled(False)
            self.submitted.emit(body)

    def failed(self, message: str) -> None:
        self.error.setText(message)
        self.buttons.setEnabled(True)


class SuspendDialog(ActionDialog):
    """§45: hearing, testing or expert review — the clock stops until 恢复计时."""

    def __init__(self, case_no: str, parent: QWidget | None = None) -> None:
        super().__init__("暂停计时（中止）", case_no, parent)
        self.kind = QComboBox()
        for k in SuspendKind:
            self.kind.addItem(SUSPEND_LABELS[k], str(k))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：组织专家评审，预计 5 个工作日")
        self.form.addRow("情形", self.kind)
        self.form.addRow("原因", self.reason)
        self.finish_layout()

    def body(self) -> dict[str, Any] | None:
        if not self.reason.text().strip():
            self.failed("请写明中止原因。")
            return None
        return {"action": "suspend", "suspend_kind": self.kind.currentData(), "reason": self.reason.text().strip()}


class ExtendDialog(ActionDialog):
    """§42: days, reason, and the approver's own 工号 + password (checked by the server)."""

    def __init__(self, case_no: str, parent: QWidget | None = None) -> None:
        super().__init__("延期（延长办理时限）", case_no, parent)
        self.days = QSpinBox()
        self.days.setRange(1, 60)
        self.days.setValue(10)
        self.reason = QLineEdit()
        self.approver = QLineEdit()
        self.approver.setPlaceholderText("科长或大厅主任的工号")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("由审批人本人输入")
        self.form.addRow("延长天数", self.days)
        self.form.addRow("理由", self.reason)
        self.form.addRow("审批人工号", self.approver)
        self.form.addRow("审批人密码", self.password)
        self.finish_layout()

    def body(self) -> dict[str, Any] | None:
        if not self.reason.text().strip():
            self.failed("请写明延期理由。")
            return None
        if not self.approver.text().strip() or not self.password.text():
            self.failed("延期须由科长或大厅主任输入工号和密码审批。")
            return None
        return {"action": "extend", "days": self.days.value(), "reason": self.reason.text().strip(),
                "approver_staff_no": self.approver.text().strip(), "approver_password": self.password.text()}

    def failed(self, message: str) -> None:
        super().failed(message)
        self.password.clear()  # never left on screen after a refusal
        self.password.setFocus()


class ConcludeDialog(ActionDialog):
    """办结: 准予许可, or 不予许可 with its reason."""

    def __init__(self, case_no: str, parent: QWidget | None = None) -> None:
        super().__init__("办结", case_no, parent)
        self.outcome = QComboBox()
        self.outcome.addItem("准予许可", "approve")
        self.outcome.addItem("不予许可", "refuse")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("不予许可时必填：理由及依据")
        self.form.addRow("决定", self.outcome)
        self.form.addRow("理由/说明", self.reason)
        self.finish_layout()

    def body(self) -> dict[str, Any] | None:
        action = str(self.outcome.currentData())
        text = self.reason.text().strip()
        if action == "refuse" and not text:
            self.failed("不予许可须写明理由。")
            return None
        return {"action": action, "reason": text} if action == "refuse" else {"action": action, "note": text}


class DeliverDialog(ActionDialog):
    def __init__(self, case_no: str, parent: QWidget | None = None) -> None:
        super().__init__("送达", case_no, parent)
        self.note = QComboBox()
        self.note.setEditable(True)
        self.note.addItems(["申请人窗口领取", "邮寄送达", "电子送达", "委托代理人领取"])
        self.form.addRow("送达方式", self.note)
        self.finish_layout()

    def body(self) -> dict[str, Any] | None:
        return {"action": "deliver", "note": self.note.currentText().strip()}


# --- the list -------------------------------------------------------------------------------

class CaseListPanel(QWidget):
    """我的办件 with the lifecycle buttons for the selected case."""

    cases_loaded = Signal(object)  # list[CaseBrief]
    case_changed = Signal(object)  # CaseOut, after a step the server accepted
    action_failed = Signal(str)
    dialog_opened = Signal(object)  # ActionDialog
    history_requested = Signal(str)  # case_no

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.api, self.bridge = ctx.api, ctx.bridge
        self.cases: list[CaseBrief] = []
        self.dialog: ActionDialog | None = None
        self._loading = False
        self._dirty = False
        self._sending = False  # one step at a time: no double 开始审查 while the first is on its way
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel("我的办件")
        self.summary.setObjectName("caseSummary")
        top.addWidget(self.summary, 1)
        self.refresh_button = QPushButton("刷新 Ctrl+R")
        self.refresh_button.clicked.connect(self.reload)
        top.addWidget(self.refresh_button)
        root.addLayout(top)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.table.sortItems(COL_LEFT, Qt.SortOrder.AscendingOrder)
        self.table.itemSelectionChanged.connect(self.refresh_buttons)
        self.table.itemActivated.connect(lambda _it: self.open_history())
        root.addWidget(self.table, 1)
        self.detail = QLabel("")
        self.detail.setObjectName("caseDetail")
        self.detail.setWordWrap(True)
        root.addWidget(self.detail)
        row = QGridLayout()  # two rows of buttons: the panel fits beside the queue at 1366 px
        self.buttons: dict[str, QPushButton] = {}
        per_row = (len(BUTTONS) + 2) // 2
        for i, (name, text, _key, _needs) in enumerate(BUTTONS):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, n=name: self.trigger(n))
            self.buttons[name] = b
            row.addWidget(b, i // per_row, i % per_row)
        self.history_button = QPushButton("办件全程 Enter")
        self.history_button.clicked.connect(self.open_history)
        row.addWidget(self.history_button, len(BUTTONS) // per_row, len(BUTTONS) % per_row)
        root.addLayout(row)
        ctx.store.event_received.connect(self._on_event)
        self.refresh_buttons()
        self.reload()

    # --- loading ------------------------------------------------------------------------

    def _on_event(self, ev: Any) -> None:
        if str(ev.type).startswith("case."):  # never rating.*: a clerk does not see ratings
            self.reload()

    def reload(self) -> None:
        # Connection.request() after close() raises (loop closed): an event still queued
        # while the client shuts down must not ask the server anything.
        if getattr(self.api, "_closed", False):
            return
        if self._loading:
            self._dirty = True
            return
        self._loading, self._dirty = True, False

        def done() -> None:
            self._loading = False
            if self._dirty:
                self.reload()

        def ok(page: CasePage) -> None:
            self.show_cases(page.cases)
            done()

        def err(e: KnownError) -> None:
            done()
            self.bridge.handle(e)
        load_my_cases(api=self.api, on_ok=ok, on_error=err)

    def show_cases(self, cases: list[CaseBrief]) -> None:
        keep = self.selected_case_no()
        self.cases = list(cases)
        t = self.table
        t.setSortingEnabled(False)
        t.setRowCount(0)
        for c in cases:
            r = t.rowCount()
            t.insertRow(r)
            no = SortItem(c.case_no, (0, c.case_no))
            no.setData(Qt.ItemDataRole.UserRole, c.case_no)
            t.setItem(r, COL_NO, no)
            t.setItem(r, 1, _item(c.matter_name))
            t.setItem(r, 2, _item(c.applicant_name))
            t.setItem(r, 3, _item(c.state_label))
            t.setItem(r, COL_DUE, SortItem(f"{c.due_date:%Y-%m-%d}" if c.due_date else "—",
                                           (0, c.due_date) if c.due_date else (1, date.max)))
            t.setItem(r, COL_LEFT, SortItem(_left_text(c), (0, c.days_left) if c.days_left is not None else (1, 0)))
            t.setItem(r, 6, _item(c.clock_text))
            t.setItem(r, 7, _item(str(c.window_no or "")))
            self._colour(r, c)
        t.setSortingEnabled(True)
        if keep:
            self.select(keep)
        overdue = sum(1 for c in cases if urgency(c) == "overdue")
        near = sum(1 for c in cases if urgency(c) == "near")
        self.summary.setText(f"我的办件：{len(cases)} 件在办" + (f"，临近到期 {near} 件" if near else "")
                             + (f"，已超期 {overdue} 件" if overdue else ""))
        self.refresh_buttons()
        self.cases_loaded.emit(self.cases)

    def _colour(self, row: int, c: CaseBrief) -> None:
        u = urgency(c)
        for col in range(self.table.columnCount()):
            it = self.table.item(row, col)
            if it is None:
                continue
            if u == "overdue":
                it.setBackground(QBrush(OVERDUE_BG))
            elif u == "near":
                it.setBackground(QBrush(NEAR_BG))
            elif u == "suspended":
                it.setForeground(QBrush(SUSPENDED_FG))

    # --- selection ----------------------------------------------------------------------

    def row_of(self, case_no: str) -> int:
        for r in range(self.table.rowCount()):
            it = self.table.item(r, COL_NO)
            if it is not None and it.data(Qt.ItemDataRole.UserRole) == case_no:
                return r
        return -1

    def select(self, case_no: str) -> bool:
        r = self.row_of(case_no)
        if r >= 0:
            self.table.selectRow(r)
        return r >= 0

    def selected_case_no(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        it = self.table.item(rows[0].row(), COL_NO)
        return str(it.data(Qt.ItemDataRole.UserRole)) if it is not None else None

    def selected(self) -> CaseBrief | None:
        no = self.selected_case_no()
        return next((c for c in self.cases if c.case_no == no), None)

    def refresh_buttons(self) -> None:
        c = self.selected()
        on = enabled_buttons(c.state if c else None) if self.dialog is None and not self._sending else set()
        for name, b in self.buttons.items():
            b.setEnabled(name in on)
        self.history_button.setEnabled(c is not None)
        self.detail.setText(f"<b>{c.case_no}</b>　{c.matter_name}　{c.state_label}　{c.clock_text}" if c else "")

    # --- actions ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = Qt.Key(event.key())
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            for name, _t, k, _n in BUTTONS:
                if key == k:
                    self.trigger(name)
                    event.accept()
                    return
            if key == Qt.Key.Key_R:
                self.reload()
                event.accept()
                return
        super().keyPressEvent(event)

    def trigger(self, name: str) -> None:
        """One entry for buttons and keys; a disabled action does nothing."""
        c = self.selected()
        if c is None or not self.buttons[name].isEnabled():
            return
        if name in ("start_review", "resume"):
            self._send(c.case_no, {"action": name}, None)
            return
        dialog = {"suspend": SuspendDialog, "extend": ExtendDialog, "conclude": ConcludeDialog,
                  "deliver": DeliverDialog}[name](c.case_no, self)
        dialog.submitted.connect(lambda body: self._send(c.case_no, body, dialog))
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        self.refresh_buttons()
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _closed(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        self.refresh_buttons()

    def _send(self, case_no: str, body: dict[str, Any], dialog: ActionDialog | None) -> None:
        self._sending = True
        self.refresh_buttons()

        def ok(case: CaseOut) -> None:
            self._sending = False
            if dialog is not None:
                dialog.accept()
            self._apply(case)
            self.bridge.info(f"{case.case_no} {case.state_label}　{case.clock_text}")
            self.case_changed.emit(case)

        def err(e: KnownError) -> None:
            self._sending = False
            if dialog is not None and dialog is self.dialog:
                dialog.failed(e.message)
            self.refresh_buttons()
            self.action_failed.emit(e.message)
            self.bridge.handle(e)
        case_action(api=self.api, case_no=case_no, body=body, on_ok=ok, on_error=err)

    def _apply(self, case: CaseOut) -> None:
        """Show the answer at once; the case.* event that follows reloads the list."""
        brief = CaseBrief(case_no=case.case_no, matter_code=case.matter_code, matter_name=case.matter_name,
                          state=case.state, state_label=case.state_label, applicant_name=mask_name(case.applicant_name),
                          ticket_no=case.ticket_no, received_at=case.received_at, due_date=case.due_date,
                          days_left=case.days_left, limit_unit=case.limit_unit, clock_text=case.clock_text,
                          window_no=case.window_no, staff_no=case.staff_no, accepted_at=case.accepted_at)
        if case.state in FINISHED:  # delivered, withdrawn: no longer on the work list
            self.show_cases([c for c in self.cases if c.case_no != case.case_no])
            return
        self.show_cases([brief if c.case_no == case.case_no else c for c in self.cases])
        self.select(case.case_no)

    def open_history(self) -> None:
        no = self.selected_case_no()
        if no:
            self.history_requested.emit(no)


__all__ = ["CaseListPanel", "enabled_buttons", "load_my_cases", "case_action"]
