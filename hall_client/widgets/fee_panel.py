"""收费 panel of the window client: raise, cancel and correct payment notices at a
department window; take payment, void, refund and close the day at the fee window.

*Department window* (clerk): the case just accepted at this window comes in by itself
(the ``case.accepted`` event of this window fills the case number and loads its fee
items); otherwise type the number. The clerk ticks items and gives quantities — never an
amount — and raises the notice (F12). Items of one exclusive group (登记费 住宅 / 非住宅)
grey each other out. The case's notices are listed below: open or print the A4 缴费通知单,
撤销 a wrong one, or 更正 it (the wrong one is cancelled and the ticked items raised in its
place, linked, in one step on the server).

*Fee window* (cashier): scan the QR or type the notice number, pick how the payer pays,
type the cash handed over (the change shows as it is typed), and issue the receipt (F11),
which goes to the window printer. 作废 and 退费 open an approval dialog where the
supervisor signs in beside the cashier; 重打 reprints marked 重打. 日结 takes the counted
cash, shows expected against counted in a confirmation (a difference needs a note),
then prints the 日结单 on the receipt printer and offers the A4 日结单.

Amounts are shown with the one money format (``hall_server.contract.show``)
and typed cash is parsed exactly (no floats). HTTP goes through ``hall_client.fee_ops``.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hall_server.contract import CaseOut, DayCloseOut, EventOut, FeeItemOut, NoticeOut, ReceiptOut
from hall_server.domain.fees import PAY_METHOD_LABELS, PayMethod
from hall_server.contract.show import MoneyError, daxie, parse_yuan, yuan

from .. import documents, keys
from .. import fee_ops as ops
from ..bridge import KnownError
from .fee_dialogs import ApprovalDialog, DayCloseDialog, ReasonDialog, RefundDialog

log = logging.getLogger(__name__)

receipt_slip = ops.receipt_slip  # kept importable from here (older callers)


class FeeInputProblem(KnownError):
    code = "input"


def _button(text: str, slot: Any, *, enabled: bool = True) -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(slot)
    b.setEnabled(enabled)
    return b


class FeePanel(QWidget):
    items_loaded = Signal(object)  # list[FeeItemOut]
    notices_loaded = Signal(object)  # list[NoticeOut] of the loaded case
    notice_raised = Signal(object)  # NoticeOut
    notice_cancelled = Signal(object)  # NoticeOut
    notice_corrected = Signal(object)  # NoticeOut (the replacement)
    notice_loaded = Signal(object)  # NoticeOut
    case_prefilled = Signal(str)  # case_no taken from this window's intake
    receipt_issued = Signal(object)  # ReceiptOut
    receipt_voided = Signal(object)  # ReceiptOut
    receipt_refunded = Signal(object)  # ReceiptOut (the refund record)
    receipt_reprinted = Signal(object)  # ReceiptOut
    day_previewed = Signal(object)  # DayCloseOut (the confirmation is open)
    day_closed = Signal(object)  # DayCloseOut
    document_opened = Signal(str)  # path of an A4 PDF handed to the viewer
    slip_printed = Signal(bytes)
    problem = Signal(str)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.api, self.bridge, self.devices = ctx.api, ctx.bridge, ctx.devices
        roles = {str(r) for r in getattr(ctx.staff, "roles", [])}
        self.is_cashier = "cashier" in roles
        self.case: CaseOut | None = None
        self.items: list[FeeItemOut] = []
        self.notice: NoticeOut | None = None
        self.case_notices: list[NoticeOut] = []
        self.last_receipt: ReceiptOut | None = None
        self.last_day: DayCloseOut | None = None
        self.approval: ApprovalDialog | None = None
        self.refund_dialog: RefundDialog | None = None
        self.day_dialog: DayCloseDialog | None = None
        self.reason_dialog: ReasonDialog | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()  # fits 1366×768: the panel scrolls, the window never grows
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        root = QVBoxLayout(body)
        if self.is_cashier:
            self._build_cashier(root)
        else:
            self._build_clerk(root)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setObjectName("feeResult")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.result)
        root.addStretch(1)
        store = getattr(ctx, "store", None)
        if store is not None and not self.is_cashier:
            store.event_received.connect(self._on_event)

    @property
    def tz(self) -> ZoneInfo:
        state = getattr(getattr(self.ctx, "store", None), "state", None)
        return ZoneInfo(getattr(state, "timezone", "") or "Asia/Shanghai")

    @property
    def window_no(self) -> int | None:
        session = getattr(self.ctx, "session", None)
        return getattr(session, "window_no", None) or getattr(self.ctx.staff, "window_no", None)

    def _fail(self, e: KnownError) -> None:
        self.problem.emit(e.message)
        self.bridge.handle(e)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        """This panel's F-keys from ``keys.py``: F11 收费 (fee window), F12 开具 (department)."""
        action = keys.actions(keys.FEE).get(Qt.Key(event.key()))
        if action == "pay" and self.is_cashier:
            self.pay()
        elif action == "raise_notice" and not self.is_cashier:
            self.raise_notice()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # --- department window: raise a notice ---------------------------------------------

    def _build_clerk(self, root: QVBoxLayout) -> None:
        box = QGroupBox("开具缴费通知单（金额按收费标准计算，只填数量）")
        lay = QVBoxLayout(box)
        row = QHBoxLayout()
        self.case_no = QLineEdit()
        self.case_no.setPlaceholderText("办件编号（本窗口刚受理的办件自动带入），回车载入收费项目")
        self.case_no.returnPressed.connect(self.load_case)
        row.addWidget(self.case_no)
        row.addWidget(_button("载入", self.load_case))
        lay.addLayout(row)
        self.case_label = QLabel("未载入办件")
        self.case_label.setWordWrap(True)
        lay.addWidget(self.case_label)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["收费", "收费项目", "收费标准", "数量"])
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(3, 90)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(150)
        lay.addWidget(self.table)
        self.raise_button = _button(f"开具缴费通知单 {keys.name(keys.FEE, 'raise_notice')}", self.raise_notice,
                                    enabled=False)
        lay.addWidget(self.raise_button)
        root.addWidget(box)

        nbox = QGroupBox("本办件的缴费通知单")
        nl = QVBoxLayout(nbox)
        self.notice_table = QTableWidget(0, 4)
        self.notice_table.setHorizontalHeaderLabels(["通知单号", "金额", "状态", "说明"])
        head = self.notice_table.horizontalHeader()
        for col in range(3):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.notice_table.verticalHeader().setVisible(False)
        self.notice_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.notice_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.notice_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.notice_table.setMinimumHeight(110)
        self.notice_table.itemSelectionChanged.connect(self._refresh_notice_buttons)
        nl.addWidget(self.notice_table)
        row2 = QHBoxLayout()
        self.open_notice_button = _button("打开A4通知单", self.open_selected_notice, enabled=False)
        self.print_notice_button = _button("打印A4通知单…", self.print_selected_notice, enabled=False)
        self.cancel_notice_button = _button("撤销…", self.ask_cancel, enabled=False)
        self.correct_notice_button = _button("按勾选更正…", self.ask_correct, enabled=False)
        self.correct_notice_button.setToolTip("撤销所选通知单，并按上表当前勾选的项目和数量重新开具（互相关联）")
        for b in (self.open_notice_button, self.print_notice_button, self.cancel_notice_button,
                  self.correct_notice_button):
            row2.addWidget(b)
        nl.addLayout(row2)
        root.addWidget(nbox)

    def _on_event(self, e: EventOut) -> None:
        """A case accepted at this very window: bring it in, so the clerk never retypes it."""
        if e.type != "case.accepted" or e.window_no is None or e.window_no != self.window_no:
            return
        no = str(e.data.get("case_no") or "")
        if not no:
            return
        self.case_no.setText(no)
        self.case_prefilled.emit(no)
        self.load_case()

    def load_case(self) -> None:
        no = self.case_no.text().strip().upper()
        if not no:
            self._fail(FeeInputProblem("请输入办件编号。"))
            return
        ops.load_case_items(api=self.api, case_no=no, on_ok=self._items_loaded, on_error=self._fail)

    def _items_loaded(self, case: CaseOut, items: list[FeeItemOut]) -> None:
        dept = getattr(getattr(self.ctx.staff, "badge", None), "department", "")
        self.case = case
        self.items = [i for i in items if not dept or i.department == dept]
        self.case_label.setText(f"{case.case_no}　{case.matter_name}　申请人：{case.applicant_name}")
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            check = QCheckBox()
            check.toggled.connect(self._exclusive_changed)
            self.table.setCellWidget(row, 0, check)
            name = QTableWidgetItem(item.name + ("（互斥，二选一）" if item.exclusive_group else ""))
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 1, name)
            std = QTableWidgetItem(item.standard_text)
            std.setFlags(std.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 2, std)
            qty = QLineEdit("1")
            qty.setPlaceholderText("整数" if item.whole_units else "可两位小数")
            qty.textEdited.connect(lambda _t, c=check: c.setChecked(True) if c.isEnabled() else None)
            self.table.setCellWidget(row, 3, qty)
        self.raise_button.setEnabled(bool(self.items))
        if not self.items:
            self.result.setText("该事项没有本部门的收费项目。")
        self.items_loaded.emit(self.items)
        self.refresh_notices()

    def _check(self, row: int) -> QCheckBox:
        w = self.table.cellWidget(row, 0)
        assert isinstance(w, QCheckBox)
        return w

    def _qty(self, row: int) -> QLineEdit:
        w = self.table.cellWidget(row, 3)
        assert isinstance(w, QLineEdit)
        return w

    def _exclusive_changed(self) -> None:
        """Grey out the other items of a group one of whose items is ticked."""
        taken = {item.exclusive_group for row, item in enumerate(self.items)
                 if item.exclusive_group and self._check(row).isChecked()}
        for row, item in enumerate(self.items):
            blocked = bool(item.exclusive_group in taken and not self._check(row).isChecked())
            self._check(row).setEnabled(not blocked)
            self._qty(row).setEnabled(not blocked)
            self._check(row).setToolTip("与已勾选的项目互斥，不能同时收取" if blocked else "")

    def item_enabled(self, item_code: str) -> bool:
        for row, item in enumerate(self.items):
            if item.code == item_code:
                return self._check(row).isEnabled()
        raise KeyError(item_code)

    def set_line(self, item_code: str, quantity: str) -> None:
        """Tick an item and give its quantity (the keyboard path a clerk takes, for tests too)."""
        for row, item in enumerate(self.items):
            if item.code == item_code:
                self._check(row).setChecked(True)
                self._qty(row).setText(quantity)
                return
        raise KeyError(item_code)

    def clear_lines(self) -> None:
        for row in range(len(self.items)):
            self._check(row).setChecked(False)

    def chosen_lines(self) -> list[dict[str, str]]:
        return [{"item_code": item.code, "quantity": self._qty(row).text().strip()}
                for row, item in enumerate(self.items) if self._check(row).isChecked()]

    def raise_notice(self) -> None:
        if self.case is None:
            self._fail(FeeInputProblem("请先载入办件。"))
            return
        lines = self.chosen_lines()
        if not lines:
            self._fail(FeeInputProblem("请勾选至少一个收费项目。"))
            return
        ops.raise_notice(api=self.api, case_no=self.case.case_no, lines=lines, on_ok=self._notice_raised,
                         on_error=self._fail)

    def _notice_raised(self, n: NoticeOut) -> None:
        self.notice = n
        self.result.setText(f"缴费通知单 {n.notice_no} 已开具：应缴 {n.total_yuan}（{n.total_daxie}）。"
                            f"请申请人持单到综合收费窗口缴费。")
        self.notice_raised.emit(n)
        self.refresh_notices(select=n.notice_no)

    # --- the case's notices: open, print, cancel, correct ---------------------------------

    def refresh_notices(self, select: str | None = None) -> None:
        if self.case is None:
            return

        def got(ns: list[NoticeOut]) -> None:
            self.case_notices = ns
            self.notice_table.setRowCount(len(ns))
            for row, n in enumerate(ns):
                note = n.cancel_reason or ""
                if n.replaces:
                    note = f"更正自 {n.replaces}" + (f"；{note}" if note else "")
                if n.replaced_by:
                    note = f"已更正为 {n.replaced_by}" + (f"；{note}" if note else "")
                for col, text in enumerate((n.notice_no, n.total_yuan, n.state_label, note)):
                    self.notice_table.setItem(row, col, QTableWidgetItem(text))
            if ns:
                pick = next((i for i, n in enumerate(ns) if n.notice_no == select), len(ns) - 1)
                self.notice_table.selectRow(pick)
            self._refresh_notice_buttons()
            self.notices_loaded.emit(ns)
        ops.notices_of_case(api=self.api, case_no=self.case.case_no, on_ok=got, on_error=self._fail)

    def selected_notice(self) -> NoticeOut | None:
        rows = {i.row() for i in self.notice_table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.case_notices[row] if row < len(self.case_notices) else None

    def select_notice(self, notice_no: str) -> None:
        for row, n in enumerate(self.case_notices):
            if n.notice_no == notice_no:
                self.notice_table.selectRow(row)
                return
        raise KeyError(notice_no)

    def _refresh_notice_buttons(self) -> None:
        n = self.selected_notice()
        self.open_notice_button.setEnabled(n is not None)
        self.print_notice_button.setEnabled(n is not None)
        unpaid = n is not None and n.state == "unpaid"
        self.cancel_notice_button.setEnabled(unpaid)
        self.correct_notice_button.setEnabled(unpaid)

    def open_selected_notice(self) -> None:
        n = self.selected_notice()
        if n is None:
            return
        ops.open_notice_pdf(api=self.api, notice_no=n.notice_no, on_ok=self._opened, on_error=self._fail)

    def print_selected_notice(self) -> None:
        n = self.selected_notice()
        if n is None:
            return

        def fetched(path: str) -> None:
            from pathlib import Path
            try:
                documents.ask_and_print(Path(path), self)
            except KnownError as e:
                self._fail(e)
        documents.fetch_pdf(api=self.api, path=f"/fees/notices/{n.notice_no}/pdf", name=f"缴费通知单_{n.notice_no}",
                            on_ok=fetched, on_error=self._fail)

    def _opened(self, path: str) -> None:
        from pathlib import Path
        self.bridge.info(f"已在 PDF 阅读器中打开：{Path(path).name}（可在阅读器中打印）")
        self.document_opened.emit(path)

    def ask_cancel(self) -> None:
        n = self.selected_notice()
        if n is None or n.state != "unpaid":
            self._fail(FeeInputProblem("请选择一张待缴费的通知单。"))
            return
        self.reason_dialog = ReasonDialog(f"撤销缴费通知单 {n.notice_no}",
                                          f"撤销后该通知单不能再缴费（{n.total_yuan}）。撤销将记入日志。", self,
                                          ok_text="确认撤销")
        self.reason_dialog.accepted.connect(lambda: ops.cancel_notice(
            api=self.api, notice_no=n.notice_no, reason=self._reason(), on_ok=self._cancelled, on_error=self._fail))
        self.reason_dialog.open()

    def _reason(self) -> str:
        assert self.reason_dialog is not None
        return self.reason_dialog.reason.text().strip()

    def _cancelled(self, n: NoticeOut) -> None:
        self.result.setText(f"缴费通知单 {n.notice_no} 已撤销。")
        self.notice_cancelled.emit(n)
        self.refresh_notices(select=n.notice_no)

    def ask_correct(self) -> None:
        """更正 the selected notice with the items ticked above (say 住宅 instead of 非住宅)."""
        n = self.selected_notice()
        if n is None or n.state != "unpaid":
            self._fail(FeeInputProblem("请选择一张待缴费的通知单。"))
            return
        lines = self.chosen_lines()
        if not lines:
            self._fail(FeeInputProblem("请先在上表勾选正确的收费项目和数量，再更正。"))
            return
        names = "、".join(f"{i.name}×{q['quantity']}" for q in lines for i in self.items if i.code == q["item_code"])
        self.reason_dialog = ReasonDialog(f"更正缴费通知单 {n.notice_no}",
                                          f"将撤销 {n.notice_no}（{n.total_yuan}），并按以下项目重新开具：{names}。",
                                          self, ok_text="确认更正")
        self.reason_dialog.accepted.connect(lambda: ops.correct_notice(
            api=self.api, notice_no=n.notice_no, reason=self._reason(), lines=lines, on_ok=self._corrected,
            on_error=self._fail))
        self.reason_dialog.open()

    def _corrected(self, n: NoticeOut) -> None:
        self.notice = n
        self.result.setText(f"已更正：{n.replaces} 作废，新缴费通知单 {n.notice_no} 应缴 {n.total_yuan}"
                            f"（{n.total_daxie}）。请申请人持新单缴费。")
        self.notice_corrected.emit(n)
        self.refresh_notices(select=n.notice_no)

    # --- fee window: take payment ------------------------------------------------------------

    def _build_cashier(self, root: QVBoxLayout) -> None:
        box = QGroupBox("收费（扫描缴费通知单二维码或输入单号）")
        lay = QVBoxLayout(box)
        self.lookup = QLineEdit()
        self.lookup.setPlaceholderText("扫码或输入 JF…，回车查询")
        self.lookup.returnPressed.connect(self.find_notice)
        lay.addWidget(self.lookup)
        self.notice_label = QLabel("未查询通知单")
        self.notice_label.setWordWrap(True)
        lay.addWidget(self.notice_label)
        self.lines = QTableWidget(0, 4)
        self.lines.setHorizontalHeaderLabels(["收费项目", "标准", "数量", "金额"])
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.verticalHeader().setVisible(False)
        self.lines.setMinimumHeight(100)
        lay.addWidget(self.lines)
        form = QFormLayout()
        self.method = QComboBox()
        for m in PayMethod:
            self.method.addItem(PAY_METHOD_LABELS[m], m.value)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.tendered = QLineEdit()
        self.tendered.setPlaceholderText("实收现金（元）")
        self.tendered.textChanged.connect(self._update_change)
        self.tendered.returnPressed.connect(self.pay)
        self.change = QLabel("找零：—")
        self.change.setObjectName("feeChange")
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("刷卡凭证号 / 转账流水号 / 支付订单号")
        self.reference.setEnabled(False)
        form.addRow("支付方式", self.method)
        form.addRow("实收", self.tendered)
        form.addRow("", self.change)
        form.addRow("凭证号", self.reference)
        lay.addLayout(form)
        buttons = QHBoxLayout()
        self.pay_button = _button(f"收费并打印 {keys.name(keys.FEE, 'pay')}", self.pay, enabled=False)
        self.void_button = _button("作废…", self.ask_void, enabled=False)
        self.reprint_button = _button("重打", self.reprint, enabled=False)
        self.refund_button = _button("退费…", self.ask_refund)
        for b in (self.pay_button, self.void_button, self.reprint_button, self.refund_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        root.addWidget(box)

        day = QGroupBox("日结（清点现金后确认，打印日结单）")
        dl = QHBoxLayout(day)
        self.counted = QLineEdit()
        self.counted.setPlaceholderText("清点现金（元）")
        self.counted.returnPressed.connect(self.close_day)
        dl.addWidget(self.counted)
        self.close_button = _button("日结…", self.close_day)
        self.day_slip_button = _button("打印日结单", self.print_day_slip, enabled=False)
        self.day_pdf_button = _button("A4日结单", self.open_day_pdf)
        for b in (self.close_button, self.day_slip_button, self.day_pdf_button):
            dl.addWidget(b)
        root.addWidget(day)

    def find_notice(self) -> None:
        text = self.lookup.text().strip()
        if not text:
            self._fail(FeeInputProblem("请扫描二维码或输入缴费通知单号。"))
            return
        ops.lookup_notice(api=self.api, text=text, on_ok=self._notice_loaded, on_error=self._fail)

    def _notice_loaded(self, n: NoticeOut) -> None:
        self.notice = n
        state = n.state_label
        if n.replaced_by:  # a corrected notice: the new one is one Enter away
            state += f"（已更正为 {n.replaced_by}，按回车查询新单）"
            self.lookup.setText(n.replaced_by)
            self.lookup.selectAll()
        self.notice_label.setText(f"{n.notice_no}　{n.payer_name}　{n.department}　办件 {n.case_no}\n"
                                  f"应缴 {n.total_yuan}（{n.total_daxie}）　状态：{state}")
        self.lines.setRowCount(len(n.lines))
        for row, ln in enumerate(n.lines):
            for col, text in enumerate((ln.item_name, ln.standard_text, f"{ln.quantity}{ln.unit}", yuan(ln.amount_fen))):
                self.lines.setItem(row, col, QTableWidgetItem(text))
        self.pay_button.setEnabled(n.state == "unpaid")
        self._update_change()
        self.notice_loaded.emit(n)
        if n.state == "unpaid" and self._method() is PayMethod.CASH:
            self.tendered.setFocus()
        else:
            self.lookup.setFocus()

    def _method(self) -> PayMethod:
        return PayMethod(self.method.currentData())

    def _method_changed(self) -> None:
        cash = self._method() is PayMethod.CASH
        self.tendered.setEnabled(cash)
        self.reference.setEnabled(not cash)
        self._update_change()

    def _update_change(self) -> None:
        if self.notice is None or self._method() is not PayMethod.CASH:
            self.change.setText("找零：—")
            return
        try:
            got = parse_yuan(self.tendered.text()) if self.tendered.text().strip() else None
        except MoneyError as e:
            self.change.setText(str(e))
            return
        if got is None:
            self.change.setText(f"应收 {yuan(self.notice.total_fen)}")
        elif got < self.notice.total_fen:
            self.change.setText(f"实收不足，还差 {yuan(self.notice.total_fen - got)}")
        else:
            self.change.setText(f"找零：{yuan(got - self.notice.total_fen)}")

    def pay(self) -> None:
        if self.notice is None or not self.pay_button.isEnabled():
            self._fail(FeeInputProblem("请先查询待缴费的缴费通知单。"))
            return
        method = self._method()
        tendered: int | None = None
        if method is PayMethod.CASH:
            try:
                tendered = parse_yuan(self.tendered.text())
            except MoneyError as e:
                self._fail(FeeInputProblem(str(e)))
                return
        self.pay_button.setEnabled(False)

        def failed(e: KnownError) -> None:
            self.pay_button.setEnabled(True)
            self._fail(e)
        ops.take_payment(api=self.api, notice=self.notice.notice_no, method=method, tendered_fen=tendered,
                         reference=self.reference.text().strip(), on_ok=self._paid, on_error=failed)

    def _paid(self, r: ReceiptOut) -> None:
        self.last_receipt = r
        change = f"，找零 {yuan(r.change_fen)}" if r.tendered_fen is not None else ""
        self.result.setText(f"已收费：票据 {r.receipt_no}，{r.amount_yuan}（{r.amount_daxie}），{r.method_label}{change}。")
        self.void_button.setEnabled(True)
        self.reprint_button.setEnabled(True)
        self.notice = None
        self.tendered.clear()
        self.reference.clear()
        self.lookup.clear()
        self.lines.setRowCount(0)
        self.notice_label.setText(f"{r.notice_no} 已收费（票据 {r.receipt_no}）。请扫描下一张缴费通知单。")
        self.lookup.setFocus()
        self.receipt_issued.emit(r)
        self._print(ops.receipt_slip(r, tz=self.tz), "票据已开具，可点“重打”补打")

    def _print(self, slip: Any, fallback: str) -> None:
        if self.devices is None or not self.devices.has("printer"):
            return

        def sent(result: Any) -> None:
            self.slip_printed.emit(bytes(getattr(result, "data", result) or b""))
        self.devices.run("printer", lambda d: d.print_slip(slip), on_ok=sent,
                         on_error=lambda e: self.bridge.handle(KnownError(f"{e.message}（{fallback}）", code=e.code)))

    def ask_void(self) -> None:
        """Open the approval dialog (non-modal: the supervisor types at the same PC)."""
        if self.last_receipt is None:
            self._fail(FeeInputProblem("没有可作废的票据。"))
            return
        r = self.last_receipt
        self.approval = ApprovalDialog(f"作废票据 {r.receipt_no}（{r.amount_yuan}）", self)
        self.approval.accepted.connect(self._void_approved)
        self.approval.open()

    def _void_approved(self) -> None:
        dlg, r = self.approval, self.last_receipt
        assert dlg is not None and r is not None
        ops.void_receipt(api=self.api, receipt_no=r.receipt_no, approver_no=dlg.approver.text().strip(),
                         password=dlg.password.text(), reason=dlg.reason.text().strip(), on_ok=self._voided,
                         on_error=self._fail)
        dlg.password.clear()

    def _voided(self, r: ReceiptOut) -> None:
        self.last_receipt = r
        self.void_button.setEnabled(False)
        self.result.setText(f"票据 {r.receipt_no} 已作废（审批人 {r.void_approved_by}）。通知单可重新收费。")
        self.receipt_voided.emit(r)

    def ask_refund(self) -> None:
        """退费 of a receipt of a closed day (before the close a mistake is voided)."""
        r = self.last_receipt
        self.refund_dialog = RefundDialog("退费（需审批）", self,
                                          receipt_no=r.receipt_no if r and r.kind == "payment" else "")
        self.refund_dialog.accepted.connect(self._refund_approved)
        self.refund_dialog.open()
        (self.refund_dialog.amount if self.refund_dialog.receipt.text() else self.refund_dialog.receipt).setFocus()

    def _refund_approved(self) -> None:
        dlg = self.refund_dialog
        assert dlg is not None
        try:
            amount = dlg.amount_fen()
        except MoneyError as e:
            self._fail(FeeInputProblem(f"退费金额：{e}"))
            return
        receipt_no = dlg.receipt.text().strip().upper()
        if not receipt_no:
            self._fail(FeeInputProblem("请输入原票据号。"))
            return
        ops.refund_receipt(api=self.api, receipt_no=receipt_no, amount_fen=amount, reason=dlg.reason.text().strip(),
                           approver_no=dlg.approver.text().strip(), password=dlg.password.text(),
                           method=dlg.pay_method(), reference=dlg.reference.text().strip(), on_ok=self._refunded,
                           on_error=self._fail)
        dlg.password.clear()

    def _refunded(self, r: ReceiptOut) -> None:
        self.result.setText(f"已退费：退费凭证 {r.receipt_no}，退回 {yuan(abs(r.amount_fen))}"
                            f"（{daxie(abs(r.amount_fen))}），原票据 {r.refund_of}，审批人 {r.refund_approved_by}。")
        self.receipt_refunded.emit(r)
        self._print(ops.receipt_slip(r, tz=self.tz), "退费已办理，可在票据查询中重打")

    def reprint(self) -> None:
        if self.last_receipt is None:
            return
        ops.reprint_receipt(api=self.api, receipt_no=self.last_receipt.receipt_no, on_ok=self._reprinted,
                            on_error=self._fail)

    def _reprinted(self, r: ReceiptOut) -> None:
        self.result.setText(f"票据 {r.receipt_no} 已重打（第 {r.reprints} 次，已记录）。")
        self.receipt_reprinted.emit(r)
        self._print(ops.receipt_slip(r, tz=self.tz), "可再次点“重打”")

    # --- fee window: the day -----------------------------------------------------------------

    def close_day(self) -> None:
        """Counted cash first, then the confirmation with the server's expected figures."""
        try:
            counted = parse_yuan(self.counted.text())
        except MoneyError as e:
            self._fail(FeeInputProblem(f"请输入清点的现金金额：{e}"))
            return
        if counted < 0:
            self._fail(FeeInputProblem("清点金额不能为负。"))
            return
        ops.day_preview(api=self.api, on_ok=lambda d: self._confirm_close(d, counted), on_error=self._fail)

    def _confirm_close(self, preview: DayCloseOut, counted: int) -> None:
        if preview.closed:
            self.last_day = preview
            self.day_slip_button.setEnabled(True)
            self._fail(FeeInputProblem(f"{preview.business_day:%Y-%m-%d} 已日结，可重新打印日结单。"))
            return
        self.day_dialog = DayCloseDialog(preview, counted, self)
        self.day_dialog.accepted.connect(self._close_confirmed)
        self.day_dialog.open()
        self.day_previewed.emit(preview)

    def _close_confirmed(self) -> None:
        dlg = self.day_dialog
        assert dlg is not None
        ops.close_day(api=self.api, counted_cash_fen=dlg.counted_fen, note=dlg.note.text().strip(), on_ok=self._closed,
                      on_error=self._fail)

    def _closed(self, d: DayCloseOut) -> None:
        self.last_day = d
        methods = "，".join(f"{PAY_METHOD_LABELS[PayMethod(k)]} {yuan(v)}" for k, v in d.by_method.items() if v)
        runs = "；".join(f"{a}–{b}" if a != b else a for rs in d.numbers.values() for a, b in rs)
        diff = d.difference_fen or 0
        diff_text = "无差额" if diff == 0 else ("长款 " if diff > 0 else "短款 ") + yuan(abs(diff)) + f"（{d.note}）"
        self.result.setText(
            f"{d.business_day:%Y-%m-%d} 已日结：票据 {d.receipt_count} 张（作废 {d.void_count}），"
            f"合计 {yuan(d.total_fen)}；{methods or '无收入'}。\n"
            f"号码：{runs or '无'}；应有现金 {yuan(d.expected_cash_fen)}，清点 {yuan(d.counted_cash_fen or 0)}，{diff_text}。")
        self.pay_button.setEnabled(False)
        self.void_button.setEnabled(False)
        self.day_slip_button.setEnabled(True)
        self.day_closed.emit(d)
        self.print_day_slip()

    def print_day_slip(self) -> None:
        d = self.last_day
        if d is None:
            return
        hall = getattr(getattr(self.ctx, "store", None), "state", None)
        slip = ops.day_slip(d, hall_name=getattr(hall, "hall_name", "") or "政务服务中心",
                            now=datetime.now(timezone.utc), tz=self.tz)
        self._print(slip, "可点“打印日结单”重打")

    def open_day_pdf(self) -> None:
        ops.open_day_pdf(api=self.api, day=self.last_day.business_day if self.last_day else None, on_ok=self._opened, on_error=self._fail)


def create_panel(ctx: Any) -> QWidget:
    return FeePanel(ctx)


__all__ = ["ApprovalDialog", "FeePanel", "create_panel", "receipt_slip"]
