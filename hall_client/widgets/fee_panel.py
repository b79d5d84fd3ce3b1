"""收费 panel of the window client: raise a payment notice at a department window, take
payment at the fee window.

*Department window* (clerk): type the case number, the panel lists the fee items of the
case's matter that belong to this window's department with their standard; the clerk
ticks items and gives quantities — never an amount — and raises the notice (缴费通知单),
whose number and QR text the applicant takes to the fee window.

*Fee window* (cashier): scan the QR or type the notice number, pick how the payer pays,
type the cash handed over (the change shows as it is typed), and issue the receipt (F5),
which goes to the window printer. 作废 opens an approval dialog where the supervisor
signs in beside the cashier (工号 + password + reason); 重打 reprints marked 重打; 日结
takes the counted cash and shows the day's totals and any difference.

Amounts are shown with the server's own ``yuan``/``daxie`` (``hall_server.domain.money``)
and typed cash is parsed exactly (no floats). User actions are the keyword-only functions
below; the widgets call them, never HTTP directly.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from hall_server.contract import CaseOut, DayCloseOut, FeeItemOut, NoticeOut, ReceiptOut
from hall_server.domain.fees import PAY_METHOD_LABELS, PayMethod
from hall_server.contract.show import MoneyError, daxie, parse_yuan, yuan

from ..bridge import KnownError

log = logging.getLogger(__name__)


class FeeInputProblem(KnownError):
    code = "input"


# --- user actions (keyword-only, as in operations.py) ---------------------------------

def load_case_items(*, api: Any, case_no: str, on_ok: Callable[[CaseOut, list[FeeItemOut]], None],
                    on_error: Callable[[KnownError], None]) -> None:
    def got_case(case: CaseOut) -> None:
        api.get(f"/fees/items?matter_code={quote(case.matter_code)}", model=list[FeeItemOut],
                on_ok=lambda items: on_ok(case, items), on_error=on_error)
    api.get(f"/cases/{quote(case_no)}", model=CaseOut, on_ok=got_case, on_error=on_error)


def raise_notice(*, api: Any, case_no: str, lines: list[dict[str, str]], on_ok: Callable[[NoticeOut], None],
                 on_error: Callable[[KnownError], None]) -> Any:
    return api.post("/fees/notices", {"case_no": case_no, "lines": lines}, model=NoticeOut, idempotent=True,
                    on_ok=on_ok, on_error=on_error)


def lookup_notice(*, api: Any, text: str, on_ok: Callable[[NoticeOut], None],
                  on_error: Callable[[KnownError], None]) -> Any:
    return api.get(f"/fees/notices/lookup?q={quote(text.strip())}", model=NoticeOut, on_ok=on_ok, on_error=on_error)


def take_payment(*, api: Any, notice: str, method: PayMethod, tendered_fen: int | None, reference: str,
                 on_ok: Callable[[ReceiptOut], None], on_error: Callable[[KnownError], None]) -> Any:
    body: dict[str, Any] = {"notice": notice, "method": method.value, "reference": reference}
    if tendered_fen is not None:
        body["tendered_fen"] = tendered_fen
    return api.post("/fees/receipts", body, model=ReceiptOut, idempotent=True, on_ok=on_ok, on_error=on_error)


def void_receipt(*, api: Any, receipt_no: str, approver_no: str, password: str, reason: str,
                 on_ok: Callable[[ReceiptOut], None], on_error: Callable[[KnownError], None]) -> Any:
    return api.post(f"/fees/receipts/{quote(receipt_no)}/void",
                    {"approver_staff_no": approver_no, "approver_password": password, "reason": reason},
                    model=ReceiptOut, on_ok=on_ok, on_error=on_error)


def reprint_receipt(*, api: Any, receipt_no: str, on_ok: Callable[[ReceiptOut], None],
                    on_error: Callable[[KnownError], None]) -> Any:
    return api.post(f"/fees/receipts/{quote(receipt_no)}/reprint", None, model=ReceiptOut, on_ok=on_ok,
                    on_error=on_error)


def close_day(*, api: Any, counted_cash_fen: int, on_ok: Callable[[DayCloseOut], None],
              on_error: Callable[[KnownError], None]) -> Any:
    return api.post("/fees/day-close", {"counted_cash_fen": counted_cash_fen}, model=DayCloseOut, idempotent=True,
                    on_ok=on_ok, on_error=on_error)


def receipt_slip(r: ReceiptOut, *, tz: ZoneInfo) -> Any:
    """The printers/slips.py layout for a receipt; a reprint says 重打 in its title. The
    thermal layout counts whole pieces, so an area line prints its quantity in the
    standard column and counts as one."""
    from printers import slips
    items = []
    for ln in r.lines:
        whole = ln.quantity.isdigit() and int(ln.quantity) >= 1
        std = ln.income_type if whole else f"{ln.income_type} {ln.quantity}{ln.unit}"
        items.append(slips.ReceiptItem(name=ln.item_name, standard=std, quantity=int(ln.quantity) if whole else 1,
                                       amount_fen=abs(ln.amount_fen)))
    title = "退费凭证" if r.kind == "refund" else "收费收据"
    marks = ("【作废】" if r.void else "") + (f"【重打 第{r.reprints}次】" if r.reprint else "")
    if r.void or r.reprint:
        title += "（作废）" if r.void else "（重打）"
    return slips.ReceiptSlip(hall_name=r.hall_name, receipt_no=r.receipt_no, payer=r.payer_name, items=tuple(items),
                             cashier_no=r.cashier_no, issued_at=r.issued_at.astimezone(tz).replace(tzinfo=None),
                             title=title, tip=f"{marks}缴费通知单 {r.notice_no} {r.method_label}"
                             + ("\n扫码查看办件进度" if r.case_url else ""), qr_payload=r.case_url)


# --- the approval dialog -----------------------------------------------------------------

class ApprovalDialog(QDialog):
    """The supervisor signs in beside the cashier: 工号, password and the reason."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.approver = QLineEdit()
        self.approver.setPlaceholderText("审批人工号（科长/主任）")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("作废原因")
        form.addRow("审批人工号", self.approver)
        form.addRow("审批人密码", self.password)
        form.addRow("原因", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


# --- the panel -----------------------------------------------------------------------------

class FeePanel(QWidget):
    items_loaded = Signal(object)  # list[FeeItemOut]
    notice_raised = Signal(object)  # NoticeOut
    notice_loaded = Signal(object)  # NoticeOut
    receipt_issued = Signal(object)  # ReceiptOut
    receipt_voided = Signal(object)  # ReceiptOut
    receipt_reprinted = Signal(object)  # ReceiptOut
    day_closed = Signal(object)  # DayCloseOut
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
        self.last_receipt: ReceiptOut | None = None
        self.approval: ApprovalDialog | None = None
        root = QVBoxLayout(self)
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

    @property
    def tz(self) -> ZoneInfo:
        state = getattr(getattr(self.ctx, "store", None), "state", None)
        return ZoneInfo(getattr(state, "timezone", "") or "Asia/Shanghai")

    def _fail(self, e: KnownError) -> None:
        self.problem.emit(e.message)
        self.bridge.handle(e)

    # --- department window: raise a notice ---------------------------------------------

    def _build_clerk(self, root: QVBoxLayout) -> None:
        box = QGroupBox("开具缴费通知单（金额按收费标准计算，只填数量）")
        lay = QVBoxLayout(box)
        row = QHBoxLayout()
        self.case_no = QLineEdit()
        self.case_no.setPlaceholderText("办件编号，如 DJ20261124-0001，回车载入收费项目")
        self.case_no.returnPressed.connect(self.load_case)
        row.addWidget(self.case_no)
        load = QPushButton("载入")
        load.clicked.connect(self.load_case)
        row.addWidget(load)
        lay.addLayout(row)
        self.case_label = QLabel("未载入办件")
        lay.addWidget(self.case_label)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["收费", "收费项目", "收费标准", "数量"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        self.raise_button = QPushButton("开具缴费通知单")
        self.raise_button.clicked.connect(self.raise_notice)
        self.raise_button.setEnabled(False)
        lay.addWidget(self.raise_button)
        root.addWidget(box)

    def load_case(self) -> None:
        no = self.case_no.text().strip().upper()
        if not no:
            self._fail(FeeInputProblem("请输入办件编号。"))
            return
        load_case_items(api=self.api, case_no=no, on_ok=self._items_loaded, on_error=self._fail)

    def _items_loaded(self, case: CaseOut, items: list[FeeItemOut]) -> None:
        dept = getattr(getattr(self.ctx.staff, "badge", None), "department", "")
        self.case = case
        self.items = [i for i in items if not dept or i.department == dept]
        self.case_label.setText(f"{case.case_no}  {case.matter_name}  申请人：{case.applicant_name}")
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            check = QCheckBox()
            self.table.setCellWidget(row, 0, check)
            self.table.setItem(row, 1, QTableWidgetItem(item.name))
            self.table.setItem(row, 2, QTableWidgetItem(item.standard_text))
            qty = QLineEdit("1")
            qty.setPlaceholderText("整数" if item.whole_units else "可两位小数")
            qty.textEdited.connect(lambda _t, c=check: c.setChecked(True))
            self.table.setCellWidget(row, 3, qty)
        self.raise_button.setEnabled(bool(self.items))
        if not self.items:
            self.result.setText("该事项没有本部门的收费项目。")
        self.items_loaded.emit(self.items)

    def set_line(self, item_code: str, quantity: str) -> None:
        """Tick an item and give its quantity (the keyboard path a clerk takes, for tests too)."""
        for row, item in enumerate(self.items):
            if item.code == item_code:
                self.table.cellWidget(row, 0).setChecked(True)  # type: ignore[union-attr]
                self.table.cellWidget(row, 3).setText(quantity)  # type: ignore[union-attr]
                return
        raise KeyError(item_code)

    def chosen_lines(self) -> list[dict[str, str]]:
        out = []
        for row, item in enumerate(self.items):
            if self.table.cellWidget(row, 0).isChecked():  # type: ignore[union-attr]
                out.append({"item_code": item.code,
                            "quantity": self.table.cellWidget(row, 3).text().strip()})  # type: ignore[union-attr]
        return out

    def raise_notice(self) -> None:
        if self.case is None:
            self._fail(FeeInputProblem("请先载入办件。"))
            return
        lines = self.chosen_lines()
        if not lines:
            self._fail(FeeInputProblem("请勾选至少一个收费项目。"))
            return
        raise_notice(api=self.api, case_no=self.case.case_no, lines=lines, on_ok=self._notice_raised,
                     on_error=self._fail)

    def _notice_raised(self, n: NoticeOut) -> None:
        self.notice = n
        self.result.setText(f"缴费通知单 {n.notice_no} 已开具：应缴 {n.total_yuan}（{n.total_daxie}）。"
                            f"请申请人持单到综合收费窗口缴费。")
        self.notice_raised.emit(n)

    # --- fee window: take payment ------------------------------------------------------------

    def _build_cashier(self, root: QVBoxLayout) -> None:
        box = QGroupBox("收费（扫描缴费通知单二维码或输入单号）")
        lay = QVBoxLayout(box)
        row = QHBoxLayout()
        self.lookup = QLineEdit()
        self.lookup.setPlaceholderText("扫码或输入 JF…，回车查询")
        self.lookup.returnPressed.connect(self.find_notice)
        row.addWidget(self.lookup)
        lay.addLayout(row)
        self.notice_label = QLabel("未查询通知单")
        self.notice_label.setWordWrap(True)
        lay.addWidget(self.notice_label)
        self.lines = QTableWidget(0, 4)
        self.lines.setHorizontalHeaderLabels(["收费项目", "标准", "数量", "金额"])
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.lines)
        form = QFormLayout()
        self.method = QComboBox()
        for m in PayMethod:
            self.method.addItem(PAY_METHOD_LABELS[m], m.value)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.tendered = QLineEdit()
        self.tendered.setPlaceholderText("实收现金（元）")
        self.tendered.textChanged.connect(self._update_change)
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
        self.pay_button = QPushButton("收费并打印 F5")
        self.pay_button.clicked.connect(self.pay)
        self.pay_button.setEnabled(False)
        self.void_button = QPushButton("作废…")
        self.void_button.clicked.connect(self.ask_void)
        self.void_button.setEnabled(False)
        self.reprint_button = QPushButton("重打")
        self.reprint_button.clicked.connect(self.reprint)
        self.reprint_button.setEnabled(False)
        for b in (self.pay_button, self.void_button, self.reprint_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        root.addWidget(box)

        day = QGroupBox("日结")
        dl = QHBoxLayout(day)
        self.counted = QLineEdit()
        self.counted.setPlaceholderText("清点现金（元）")
        dl.addWidget(self.counted)
        self.close_button = QPushButton("日结")
        self.close_button.clicked.connect(self.close_day)
        dl.addWidget(self.close_button)
        root.addWidget(day)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 (Qt)
        if self.is_cashier and event.key() == Qt.Key.Key_F5:
            self.pay()
            return
        super().keyPressEvent(event)

    def find_notice(self) -> None:
        text = self.lookup.text().strip()
        if not text:
            self._fail(FeeInputProblem("请扫描二维码或输入缴费通知单号。"))
            return
        lookup_notice(api=self.api, text=text, on_ok=self._notice_loaded, on_error=self._fail)

    def _notice_loaded(self, n: NoticeOut) -> None:
        self.notice = n
        self.notice_label.setText(f"{n.notice_no}  {n.payer_name}  {n.department}  办件 {n.case_no}\n"
                                  f"应缴 {n.total_yuan}（{n.total_daxie}）  状态：{n.state_label}")
        self.lines.setRowCount(len(n.lines))
        for row, ln in enumerate(n.lines):
            for col, text in enumerate((ln.item_name, ln.standard_text, f"{ln.quantity}{ln.unit}", yuan(ln.amount_fen))):
                self.lines.setItem(row, col, QTableWidgetItem(text))
        self.pay_button.setEnabled(n.state == "unpaid")
        self._update_change()
        self.notice_loaded.emit(n)

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
        if self.notice is None:
            self._fail(FeeInputProblem("请先查询缴费通知单。"))
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
        take_payment(api=self.api, notice=self.notice.notice_no, method=method, tendered_fen=tendered,
                     reference=self.reference.text().strip(), on_ok=self._paid, on_error=failed)

    def _paid(self, r: ReceiptOut) -> None:
        self.last_receipt = r
        change = f"，找零 {yuan(r.change_fen)}" if r.tendered_fen is not None else ""
        self.result.setText(f"已收费：票据 {r.receipt_no}，{r.amount_yuan}（{r.amount_daxie}），{r.method_label}{change}。")
        self.void_button.setEnabled(True)
        self.reprint_button.setEnabled(True)
        self.tendered.clear()
        self.reference.clear()
        self.notice = None
        self.receipt_issued.emit(r)
        self._print(r)

    def _print(self, r: ReceiptOut) -> None:
        if self.devices is None or not self.devices.has("printer"):
            return
        slip = receipt_slip(r, tz=self.tz)

        def sent(result: Any) -> None:
            data = bytes(getattr(result, "data", result) or b"")
            self.slip_printed.emit(data)
        self.devices.run("printer", lambda d: d.print_slip(slip), on_ok=sent,
                         on_error=lambda e: self.bridge.handle(
                             KnownError(f"{e.message}（票据已开具，可点“重打”补打）", code=e.code)))

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
        void_receipt(api=self.api, receipt_no=r.receipt_no, approver_no=dlg.approver.text().strip(),
                     password=dlg.password.text(), reason=dlg.reason.text().strip(), on_ok=self._voided,
                     on_error=self._fail)
        dlg.password.clear()

    def _voided(self, r: ReceiptOut) -> None:
        self.last_receipt = r
        self.void_button.setEnabled(False)
        self.result.setText(f"票据 {r.receipt_no} 已作废（审批人 {r.void_approved_by}）。通知单可重新收费。")
        self.receipt_voided.emit(r)

    def reprint(self) -> None:
        if self.last_receipt is None:
            return
        reprint_receipt(api=self.api, receipt_no=self.last_receipt.receipt_no, on_ok=self._reprinted,
                        on_error=self._fail)

    def _reprinted(self, r: ReceiptOut) -> None:
        self.result.setText(f"票据 {r.receipt_no} 已重打（第 {r.reprints} 次，已记录）。")
        self.receipt_reprinted.emit(r)
        self._print(r)

    def close_day(self) -> None:
        try:
            counted = parse_yuan(self.counted.text())
        except MoneyError as e:
            self._fail(FeeInputProblem(f"请输入清点的现金金额：{e}"))
            return
        if counted < 0:
            self._fail(FeeInputProblem("清点金额不能为负。"))
            return
        close_day(api=self.api, counted_cash_fen=counted, on_ok=self._closed, on_error=self._fail)

    def _closed(self, d: DayCloseOut) -> None:
        methods = "，".join(f"{PAY_METHOD_LABELS[PayMethod(k)]} {yuan(v)}" for k, v in d.by_method.items() if v)
        runs = "；".join(f"{a}–{b}" for rs in d.numbers.values() for a, b in rs)
        diff = "无差额" if d.difference_fen == 0 else f"差额 {yuan(d.difference_fen or 0)}"
        self.result.setText(
            f"{d.business_day:%Y-%m-%d} 已日结：票据 {d.receipt_count} 张（作废 {d.void_count}），"
            f"合计 {yuan(d.total_fen)}（{daxie(d.total_fen)}）；{methods or '无收入'}。\n"
            f"号码：{runs or '无'}；应有现金 {yuan(d.expected_cash_fen)}，清点 {yuan(d.counted_cash_fen or 0)}，{diff}。")
        self.pay_button.setEnabled(False)
        self.void_button.setEnabled(False)
        self.day_closed.emit(d)


def create_panel(ctx: Any) -> QWidget:
    return FeePanel(ctx)


__all__ = ["FeePanel", "ApprovalDialog", "create_panel"]
