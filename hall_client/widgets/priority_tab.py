"""绿色通道: the 咨询台 / manager issues a priority number for a citizen who may not wait
(老年人, 残疾人, 孕妇, 军人, 急事), names the reason (the server logs who and why), and
prints it on this PC's ticket printer through the same path the kiosk uses. Without a
printer the number is shown large to be written down. Keys: F2 发号, F3 重新打印."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from hall_server.contract import TicketOut

from .. import manager_ops as ops
from ..bridge import KnownError
from ..context import ClientContext
from ..state import HallState

REASONS = ("老年人（70 周岁以上）", "残疾人", "孕妇或怀抱婴儿者", "现役军人、消防救援人员", "重病或行动不便",
           "急事急办（经大厅负责人同意）")


class PriorityTab(QWidget):
    issued = Signal(object)   # TicketOut
    printed = Signal(object)  # TicketOut

    def __init__(self, ctx: ClientContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ticket: TicketOut | None = None
        self.category = QComboBox()
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(REASONS)
        self.reason.setCurrentIndex(-1)
        self.reason.lineEdit().setPlaceholderText("选择或填写原因（必填，记入日志）")
        self.note = QLineEdit()
        self.note.setPlaceholderText("补充说明（可选），如证件类型")
        self.issue = QPushButton("发绿色通道号（F2）")
        self.reprint = QPushButton("重新打印（F3）")
        self.reprint.setEnabled(False)
        self.number = QLabel("—")
        self.number.setObjectName("priorityNumber")
        self.number.setStyleSheet("font-size: 56px; font-weight: bold; color: #1B7F3B;")
        self.status = QLabel("选择业务类别和原因后发号；号码优先叫号，并在本机取号打印机上打印。")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("业务类别", self.category)
        form.addRow("原因", self.reason)
        form.addRow("说明", self.note)
        btns = QHBoxLayout()
        btns.addWidget(self.issue)
        btns.addWidget(self.reprint)
        btns.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(btns)
        lay.addWidget(self.number)
        lay.addWidget(self.status)
        lay.addStretch(1)
        self.issue.clicked.connect(self.issue_ticket)
        self.reprint.clicked.connect(self.print_ticket)
        self.reason.currentTextChanged.connect(lambda _t: self._enable())
        QShortcut(QKeySequence("F2"), self, lambda: self.issue.isEnabled() and self.issue.click())
        QShortcut(QKeySequence("F3"), self, lambda: self.reprint.isEnabled() and self.reprint.click())
        ctx.store.changed.connect(self.set_categories)
        self.set_categories(ctx.store.state)

    def set_categories(self, state: HallState) -> None:
        have = [self.category.itemData(i) for i in range(self.category.count())]
        want = sorted(state.categories)
        if have == want:
            return
        keep = self.category.currentData()
        self.category.clear()
        for prefix in want:
            self.category.addItem(f"{prefix} {state.categories[prefix].name}", prefix)
        if keep in want:
            self.category.setCurrentIndex(want.index(keep))
        self._enable()

    def reason_text(self) -> str:
        extra = self.note.text().strip()
        return self.reason.currentText().strip() + (f"；{extra}" if extra else "")

    def _enable(self) -> None:
        self.issue.setEnabled(self.category.count() > 0 and len(self.reason.currentText().strip()) >= 2)

    def issue_ticket(self) -> None:
        self.issue.setEnabled(False)
        ops.issue_priority(self.ctx.api, category=str(self.category.currentData()), reason=self.reason_text()[:100],
                           on_ok=self._issued, on_error=self._failed)

    def _failed(self, e: KnownError) -> None:
        self.ctx.bridge.handle(e)
        self._enable()

    def _issued(self, t: TicketOut) -> None:
        self.ticket = t
        self.number.setText(t.number)
        self.status.setText(f"已发绿色通道号 {t.number}（{t.category_name}），前面还有 {t.waiting_ahead} 位绿色通道群众。")
        self.reason.setCurrentIndex(-1)
        self.note.clear()
        self._enable()
        self.issued.emit(t)
        self.print_ticket()

    def print_ticket(self) -> None:
        t = self.ticket
        if t is None:
            return
        if not self.ctx.devices.has("printer"):
            self.status.setText(f"本机未连接取号打印机，请将号码 {t.number} 告知群众或手写号票。")
            self.reprint.setEnabled(False)
            return
        # the slip is the kiosk's 取号凭条; its category line says 绿色通道 so the citizen and the clerk see it
        slip = t.model_copy(update={"category_name": f"{t.category_name or t.category}（绿色通道）"})

        def ok(_: object) -> None:
            self.status.setText(f"号票 {t.number} 已打印，请交给群众。")
            self.reprint.setEnabled(True)
            self.printed.emit(t)

        def err(e: KnownError) -> None:
            self.status.setText(f"{e.message} 号码 {t.number} 已保留，可点“重新打印”。")
            self.reprint.setEnabled(True)
        self.reprint.setEnabled(False)
        self.ctx.devices.print_ticket(slip, on_ok=ok, on_error=err)
