"""Dialogs of the 收费 panel: layout and input checks only, no HTTP.

* ``ApprovalDialog``: the supervisor signs in beside the cashier (工号 + password) for a
  作废; ``RefundDialog`` adds the receipt, the amount and how it goes back.
* ``DayCloseDialog``: the 日结 confirmation: cash expected against cash counted, and a
  note that must be written when they differ (the server refuses without one too).
* ``ReasonDialog``: one line of reason, for cancelling or correcting a payment notice.

All are non-modal (``open()``), so the window keeps its F-keys and tests can type into them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton,
                               QWidget)

from hall_server.contract import DayCloseOut
from hall_server.domain.fees import PAY_METHOD_LABELS, PayMethod
from hall_server.contract.show import MoneyError, parse_yuan, yuan


def _buttons(dlg: QDialog, ok_text: str) -> QDialogButtonBox:
    """OK / Cancel in Chinese (Qt's own texts are English without a translator)."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    box.accepted.connect(dlg.accept)
    box.rejected.connect(dlg.reject)
    return box


class ApprovalDialog(QDialog):
    """The supervisor signs in beside the cashier: 工号, password and the reason."""

    def __init__(self, title: str, parent: QWidget | None = None, *, reason_hint: str = "作废原因") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)  # placeholders readable in full
        self.form = QFormLayout(self)
        self.approver = QLineEdit()
        self.approver.setPlaceholderText("审批人工号（科长/主任）")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(reason_hint)
        self._extra_rows()
        self.form.addRow("原因", self.reason)
        self.form.addRow("审批人工号", self.approver)
        self.form.addRow("审批人密码", self.password)
        self.buttons = _buttons(self, "确定")
        self.form.addRow(self.buttons)

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _extra_rows(self) -> None:
        """Subclasses add their fields above the reason."""


class RefundDialog(ApprovalDialog):
    """退费: which receipt, how much (元, exact), how it goes back, why, who approves."""

    def __init__(self, title: str, parent: QWidget | None = None, *, receipt_no: str = "") -> None:
        self._receipt_default = receipt_no
        super().__init__(title, parent, reason_hint="退费原因（如：多收、重复缴费）")

    def _extra_rows(self) -> None:
        self.receipt = QLineEdit(self._receipt_default)
        self.receipt.setPlaceholderText("原票据号，如 SF202600000001")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("退费金额（元）")
        self.method = QComboBox()
        for m in PayMethod:
            self.method.addItem(PAY_METHOD_LABELS[m], m.value)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("非现金退回时填转账流水号")
        self.form.addRow("原票据号", self.receipt)
        self.form.addRow("退费金额", self.amount)
        self.form.addRow("退回方式", self.method)
        self.form.addRow("凭证号", self.reference)

    def amount_fen(self) -> int:
        """The typed amount in 分; a ``MoneyError`` (plain Chinese) when it is not one."""
        return parse_yuan(self.amount.text())

    def pay_method(self) -> PayMethod:
        return PayMethod(self.method.currentData())


class DayCloseDialog(QDialog):
    """日结 confirmation: the server's figures, the counted cash, and a note on a difference."""

    def __init__(self, preview: DayCloseOut, counted_fen: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"确认日结 {preview.business_day:%Y-%m-%d}")
        self.setMinimumWidth(460)
        self.preview, self.counted_fen = preview, counted_fen
        self.difference_fen = counted_fen - preview.expected_cash_fen
        form = QFormLayout(self)
        methods = "，".join(f"{PAY_METHOD_LABELS[PayMethod(k)]} {yuan(v)}" for k, v in preview.by_method.items() if v)
        runs = "；".join(f"{a}–{b}" if a != b else a for rs in preview.numbers.values() for a, b in rs)
        form.addRow("票据", QLabel(f"{preview.receipt_count} 张（作废 {preview.void_count} 张，"
                                   f"退费 {len(preview.refunds)} 笔）"))
        form.addRow("号码", QLabel(runs or "无"))
        form.addRow("合计", QLabel(f"{yuan(preview.total_fen)}　{methods or '无收入'}"))
        self.expected = QLabel(yuan(preview.expected_cash_fen))
        self.expected.setObjectName("dayExpected")
        self.counted = QLabel(yuan(counted_fen))
        self.counted.setObjectName("dayCounted")
        self.difference = QLabel(self._difference_text())
        self.difference.setObjectName("dayDifference")
        if self.difference_fen:
            self.difference.setStyleSheet("color: #C62828; font-weight: bold;")
        form.addRow("应有现金", self.expected)
        form.addRow("清点现金", self.counted)
        form.addRow("差额", self.difference)
        self.note = QLineEdit()
        self.note.setPlaceholderText("有差额时必须说明原因" if self.difference_fen else "（无差额，可不填）")
        self.note.textChanged.connect(self._refresh)
        form.addRow("差额说明", self.note)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        form.addRow(self.hint)
        self.buttons = _buttons(self, "确认日结")
        form.addRow(self.buttons)
        self._refresh()

    def _difference_text(self) -> str:
        d = self.difference_fen
        if d == 0:
            return "无差额"
        return ("长款 " if d > 0 else "短款 ") + yuan(abs(d))

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _refresh(self) -> None:
        needs = bool(self.difference_fen) and not self.note.text().strip()
        self.ok_button().setEnabled(not needs)
        self.hint.setText("清点现金与应有现金不符：请写明差额原因后再确认。日结后当日票据不能再作废。" if needs
                          else "确认后当日票据不能再作废，将打印日结单。")


class ReasonDialog(QDialog):
    """One line of reason (撤销 / 更正 a payment notice), required."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *, ok_text: str = "确定") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        form = QFormLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        form.addRow(label)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("原因（必填）")
        form.addRow("原因", self.reason)
        self.buttons = _buttons(self, ok_text)
        form.addRow(self.buttons)
        self.reason.textChanged.connect(lambda t: self.ok_button().setEnabled(len(t.strip()) >= 2))
        self.ok_button().setEnabled(False)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)


__all__ = ["ApprovalDialog", "DayCloseDialog", "MoneyError", "ReasonDialog", "RefundDialog"]
