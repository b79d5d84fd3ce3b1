"""Tables of the fees area (一个窗口收费): accounts, fee items, receipt series, payment
notices with their lines, receipts with their lines, day closes.

History is never rewritten: a notice line copies the item's name, standard, account and
income type at the moment it was raised, and a receipt line copies the split it was paid
into, so a later change of configuration cannot move money between accounts in the past.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class FeeAccount(Base):
    """A department's collection account (待缴过渡户 / 非税收入汇缴结算户)."""
    __tablename__ = "fee_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    bank: Mapped[str] = mapped_column(String(100), default="")
    account_no: Mapped[str] = mapped_column(String(40), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FeeItem(Base):
    """收费项目: a matter's fee with its standard (JSON, see ``domain.fees.Standard``)."""
    __tablename__ = "fee_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    matter_code: Mapped[str] = mapped_column(String(40), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"))
    income_type: Mapped[str] = mapped_column(String(40))
    legal_basis: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20), default="件")
    standard: Mapped[dict[str, Any]] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column()
    # admin: a price change is a new item from a date, the old one ends the day before;
    # items of one exclusive group never go on the same notice (e.g. 住宅 / 非住宅)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    exclusive_group: Mapped[str] = mapped_column(String(40), default="", server_default="")


class ReceiptSeries(Base):
    """A receipt number series (票据号段): prefix + zero-padded counter.

    ``last`` is the counter: it is read with a row lock and bumped in the same transaction
    that inserts the receipt, so a rolled-back payment gives its number back and no
    number is ever skipped or used twice.
    """
    __tablename__ = "fee_receipt_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # "receipt" | "refund" | …
    name: Mapped[str] = mapped_column(String(60))
    prefix: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer, default=8)
    last: Mapped[int] = mapped_column(Integer, default=0)


class NoticeCounter(Base):
    __tablename__ = "fee_notice_counters"
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class PaymentNotice(Base):
    """缴费通知单: raised by a department window against a case, paid at the fee window."""
    __tablename__ = "fee_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_no: Mapped[str] = mapped_column(String(20), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_no: Mapped[str] = mapped_column(String(40), index=True)
    matter_code: Mapped[str] = mapped_column(String(40), default="")
    payer_name: Mapped[str] = mapped_column(String(100), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    window_no: Mapped[int | None] = mapped_column(Integer)
    raised_by: Mapped[str] = mapped_column(String(20))  # staff_no
    raised_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), index=True)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    replaces: Mapped[str | None] = mapped_column(String(20))  # notice_no this one corrects (更正)


class NoticeLine(Base):
    __tablename__ = "fee_notice_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("fee_notices.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_items.id"))
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    standard_text: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(Text)
    income_type: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"))
    qty_centi: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class Receipt(Base):
    """票据: a payment (positive) or a refund (negative, linked to what it refunds).

    A void keeps the row and its number (``void`` with reason and approver); nothing here
    is deleted.
    """
    __tablename__ = "fee_receipts"
    __table_args__ = (
        UniqueConstraint("series_id", "seq", name="uq_fee_receipts_series_seq"),
        Index("ix_fee_receipts_cashier_day", "cashier_id", "business_day"),
        Index("ix_fee_receipts_day", "business_day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("fee_receipt_series.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # payment | refund
    notice_id: Mapped[int] = mapped_column(ForeignKey("fee_notices.id"), index=True)
    case_no: Mapped[str] = mapped_column(String(40))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(64), default="")
    tendered_fen: Mapped[int | None] = mapped_column(BigInteger)
    change_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    cashier_no: Mapped[str] = mapped_column(String(20))
    window_no: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column()
    business_day: Mapped[date] = mapped_column(Date)
    void: Mapped[bool] = mapped_column(Boolean, default=False)
    void_reason: Mapped[str | None] = mapped_column(String(200))
    voided_at: Mapped[datetime | None] = mapped_column()
    void_approved_by: Mapped[str | None] = mapped_column(String(20))
    refund_of_id: Mapped[int | None] = mapped_column(ForeignKey("fee_receipts.id"))
    refund_reason: Mapped[str | None] = mapped_column(String(200))
    refund_approved_by: Mapped[str | None] = mapped_column(String(20))
    reprints: Mapped[int] = mapped_column(Integer, default=0)
    day_close_id: Mapped[int | None] = mapped_column(ForeignKey("fee_day_closes.id"))


class ReceiptLine(Base):
    """The split of a receipt over departments, accounts and income types (reconciliation)."""
    __tablename__ = "fee_receipt_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("fee_receipts.id"), index=True)
    notice_line_id: Mapped[int] = mapped_column(ForeignKey("fee_notice_lines.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"))
    income_type: Mapped[str] = mapped_column(String(40))
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class DayClose(Base):
    """日结: one per cashier and business day; afterwards that day's receipts are frozen."""
    __tablename__ = "fee_day_closes"
    __table_args__ = (UniqueConstraint("staff_id", "business_day", name="uq_fee_day_closes_staff_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    staff_no: Mapped[str] = mapped_column(String(20))
    business_day: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column()
    window_no: Mapped[int | None] = mapped_column(Integer)
    receipt_count: Mapped[int] = mapped_column(Integer)
    void_count: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    expected_cash_fen: Mapped[int] = mapped_column(BigInteger)
    counted_cash_fen: Mapped[int] = mapped_column(BigInteger)
    difference_fen: Mapped[int] = mapped_column(BigInteger)
    summary: Mapped[dict[str, Any]] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")
