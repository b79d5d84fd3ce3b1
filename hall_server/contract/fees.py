"""The typed API of 一个窗口收费: fee items, payment notices, receipts, voids, refunds,
day close and reconciliation. Money is always integer 分 (``*_fen``); the ¥ and 大写
strings in answers are for display only.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from ..domain.fees import IncomeType, NoticeState, PayMethod, StandardKind
from .core import Model

__all__ = [
    "TierIn", "StandardIn", "FeeAccountIn", "FeeAccountOut", "FeeItemIn", "FeeItemPatch", "FeeItemOut",
    "NoticeLineIn", "NoticeIn", "NoticeCancelIn", "NoticeCorrectIn", "NoticeLineOut", "NoticeOut", "PayIn", "ApprovalIn",
    "VoidIn", "RefundIn", "ReceiptLineOut", "ReceiptOut", "DayCloseIn", "DayCloseOut", "ReconRow",
    "ReconOut", "SeriesIn", "SeriesOut",
]

Fen = Field(ge=0, le=10**15)
Code = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_.-]+$")
StaffNo = Field(min_length=1, max_length=20)


class TierIn(Model):
    upto_centi: int | None = Field(default=None, ge=1, le=10**9)
    price_fen: int = Fen


class StandardIn(Model):
    """How an amount is computed: no free text, no formula string (see ``domain.fees``)."""
    kind: StandardKind
    price_fen: int = Field(default=0, ge=0, le=10**10)
    tiers: list[TierIn] = Field(default_factory=list, max_length=20)
    min_fen: int | None = Field(default=None, ge=0, le=10**10)
    max_fen: int | None = Field(default=None, ge=0, le=10**10)
    whole_units: bool = True


class FeeAccountIn(Model):
    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    bank: str = Field(default="", max_length=100)
    account_no: str = Field(default="", max_length=40)
    department_code: str = Field(min_length=1, max_length=32)


class FeeAccountOut(Model):
    code: str
    name: str
    bank: str
    account_no: str
    department: str
    department_code: str
    active: bool


class FeeItemIn(Model):
    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    matter_code: str = Field(min_length=1, max_length=40)
    department_code: str = Field(min_length=1, max_length=32)
    account_code: str = Code
    income_type: IncomeType
    legal_basis: str = Field(min_length=1, max_length=2000)
    unit: str = Field(default="件", min_length=1, max_length=20)
    standard: StandardIn
    valid_from: date | None = None  # 执行日期 (hall-local day); None: already in force
    valid_to: date | None = None  # 停止执行 after this day; None: open-ended
    exclusive_group: str = Field(default="", max_length=40)  # one item of a group per notice


class FeeItemPatch(Model):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    legal_basis: str | None = Field(default=None, min_length=1, max_length=2000)
    unit: str | None = Field(default=None, min_length=1, max_length=20)
    account_code: str | None = Field(default=None, min_length=1, max_length=32)
    standard: StandardIn | None = None
    active: bool | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    clear_dates: bool = False  # True: both dates back to "always" (None above means "keep")
    exclusive_group: str | None = Field(default=None, max_length=40)


class FeeItemOut(Model):
    code: str
    name: str
    matter_code: str
    department: str
    department_code: str
    account_code: str
    account_name: str
    income_type: str
    legal_basis: str
    unit: str
    standard: dict[str, Any]
    standard_text: str
    whole_units: bool
    active: bool
    valid_from: date | None = None
    valid_to: date | None = None
    exclusive_group: str = ""


class NoticeLineIn(Model):
    item_code: str = Code
    # a decimal string ("3", "120.55"): parsed exactly, never through a float
    quantity: str = Field(min_length=1, max_length=16)


class NoticeIn(Model):
    case_no: str = Field(min_length=1, max_length=40)
    lines: list[NoticeLineIn] = Field(min_length=1, max_length=30)


class NoticeCancelIn(Model):
    reason: str = Field(min_length=1, max_length=200)


class NoticeCorrectIn(Model):
    """更正: the wrong notice is cancelled and a new one raised in its place, linked both ways."""
    reason: str = Field(min_length=2, max_length=200)
    lines: list[NoticeLineIn] = Field(min_length=1, max_length=30)


class NoticeLineOut(Model):
    line_no: int
    item_code: str
    item_name: str
    unit: str
    quantity: str
    standard_text: str
    legal_basis: str
    income_type: str
    department: str
    account_code: str
    amount_fen: int


class NoticeOut(Model):
    notice_no: str
    case_no: str
    matter_code: str
    matter_name: str = ""
    payer_name: str
    department: str
    window_no: int | None
    raised_by: str
    raised_at: datetime
    state: NoticeState
    state_label: str
    total_fen: int
    total_yuan: str
    total_daxie: str
    qr_text: str
    lines: list[NoticeLineOut]
    receipts: list[str] = []  # every receipt and refund number issued against it
    paid_fen: int = 0  # valid payments
    refunded_fen: int = 0  # refunds (positive number)
    cancel_reason: str | None = None
    replaces: str | None = None  # the notice this one corrects
    replaced_by: str | None = None  # the notice that corrects this one


class PayIn(Model):
    """Take payment: ``notice`` is the typed number or the scanned QR text."""
    notice: str = Field(min_length=1, max_length=80)
    method: PayMethod
    tendered_fen: int | None = Field(default=None, ge=0, le=10**12)  # cash handed over
    reference: str = Field(default="", max_length=64)  # card trace / transfer serial / QR order


class ApprovalIn(Model):
    """The supervisor signs in beside the cashier: 工号 + password, checked on the server."""
    approver_staff_no: str = StaffNo
    approver_password: str = Field(min_length=1, max_length=128)


class VoidIn(ApprovalIn):
    reason: str = Field(min_length=2, max_length=200)


class RefundIn(ApprovalIn):
    amount_fen: int = Field(ge=1, le=10**12)
    reason: str = Field(min_length=2, max_length=200)
    method: PayMethod = PayMethod.CASH
    reference: str = Field(default="", max_length=64)
    item_code: str | None = Field(default=None, max_length=32)  # refund one line only


class ReceiptLineOut(Model):
    item_code: str
    item_name: str
    quantity: str = ""
    unit: str = ""
    department: str
    account_code: str
    income_type: str
    amount_fen: int


class ReceiptOut(Model):
    receipt_no: str
    kind: str  # payment | refund
    notice_no: str
    case_no: str
    matter_code: str
    payer_name: str
    amount_fen: int
    amount_yuan: str
    amount_daxie: str
    method: PayMethod
    method_label: str
    reference: str
    tendered_fen: int | None
    change_fen: int
    cashier_no: str
    cashier_name: str
    window_no: int | None
    issued_at: datetime
    business_day: date
    void: bool
    void_reason: str | None = None
    void_approved_by: str | None = None
    voided_at: datetime | None = None
    refund_of: str | None = None
    refund_reason: str | None = None
    refund_approved_by: str | None = None
    reprints: int = 0
    reprint: bool = False  # this answer is for a reprint: the slip says 重打
    hall_name: str = ""
    lines: list[ReceiptLineOut]
    case_url: str = ""  # the case's phone page (issue 15): the receipt's QR, built by services/public_url


class DayCloseIn(Model):
    counted_cash_fen: int = Fen
    note: str = Field(default="", max_length=200)


class DayCloseOut(Model):
    business_day: date
    staff_no: str
    staff_name: str
    closed: bool
    closed_at: datetime | None = None
    receipt_count: int
    void_count: int
    total_fen: int
    by_method: dict[str, int]
    by_account: list[dict[str, Any]]
    numbers: dict[str, list[list[str]]]
    voids: list[str]
    refunds: list[str]
    expected_cash_fen: int
    counted_cash_fen: int | None = None
    difference_fen: int | None = None
    note: str = ""


class ReconRow(Model):
    department: str
    department_code: str
    account_code: str
    account_name: str
    income_type: str
    payments: int
    paid_fen: int
    refunds: int
    refunded_fen: int  # negative
    net_fen: int


class ReconOut(Model):
    start: date
    end: date
    department_code: str | None = None
    rows: list[ReconRow]
    total_paid_fen: int
    total_refunded_fen: int
    total_net_fen: int
    voids: list[str]
    open_days: list[str]  # cashier days in range not yet closed ("2001 2026-11-24")


class SeriesIn(Model):
    """A receipt number series: ``receipt`` for payments, ``refund`` for refunds."""
    name: str = Field(min_length=1, max_length=60)
    prefix: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Z]+$")
    width: int = Field(default=8, ge=4, le=12)


class SeriesOut(Model):
    code: str
    name: str
    prefix: str
    width: int
    last: int
    next_no: str
