"""Tables of the intake area: the matter catalog, cases, their notices, case counters.

``cases`` is read by other areas: fees and ratings link by ``cases.case_no`` /
``cases.id`` and ``matters.code``; supervision's 红黄牌 reads ``state``, ``due_date``
(hall-local date), ``accepted_at``, ``concluded_at`` and ``suspended_days``.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Matter(Base):
    """One 事项 of the catalog with its 八公开 content."""
    __tablename__ = "matters"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    case_prefix: Mapped[str] = mapped_column(String(4))  # SG -> SG20261124-0001
    category_prefix: Mapped[str | None] = mapped_column(String(1))  # queue that serves it
    kind: Mapped[str] = mapped_column(String(12))  # instant | promised
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    procedure: Mapped[list[Any]] = mapped_column(default=list)  # steps, in order
    materials: Mapped[list[Any]] = mapped_column(default=list)  # [{code,name,form,copies,required,notes}]
    statutory_limit: Mapped[int] = mapped_column(Integer, default=20)
    statutory_unit: Mapped[str] = mapped_column(String(10), default="working")
    promised_limit: Mapped[int] = mapped_column(Integer, default=0)
    promised_unit: Mapped[str] = mapped_column(String(10), default="working")
    fee_items: Mapped[list[Any]] = mapped_column(default=list)  # [{code,name}]; fees area owns amounts
    fee_note: Mapped[str] = mapped_column(String(200), default="")
    enquiry_phone: Mapped[str] = mapped_column(String(40), default="")
    complaint_phone: Mapped[str] = mapped_column(String(40), default="")
    pinyin: Mapped[str] = mapped_column(String(400), default="")
    initials: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column()


class CaseCounter(Base):
    __tablename__ = "case_counters"
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """One application (办件) from its first intake to delivery."""
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_state_due", "state", "due_date"),
        Index("ix_cases_applicant_id", "applicant_id_number"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(24), unique=True)
    query_code: Mapped[str] = mapped_column(String(16))  # 12 since 0008 (6 before; both valid)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"))
    matter_code: Mapped[str] = mapped_column(String(40), index=True)
    matter_name: Mapped[str] = mapped_column(String(120))  # as it was when applied for
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(12))
    business_day: Mapped[date] = mapped_column(Date)  # day of first intake (numbering)
    # the thread: ticket -> case -> fees -> rating
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    ticket_no: Mapped[str | None] = mapped_column(String(10))
    window_no: Mapped[int | None] = mapped_column(Integer)
    staff_no: Mapped[str | None] = mapped_column(String(20))  # clerk of the last intake decision
    # applicant
    applicant_kind: Mapped[str] = mapped_column(String(12))
    applicant_name: Mapped[str] = mapped_column(String(120))
    applicant_id_number: Mapped[str] = mapped_column(String(18))
    applicant_phone: Mapped[str] = mapped_column(String(30))
    agent_name: Mapped[str] = mapped_column(String(40), default="")
    agent_id_number: Mapped[str] = mapped_column(String(18), default="")
    # materials as last checked: [{code,name,form,copies,required,status,note}]
    materials: Mapped[list[Any]] = mapped_column(default=list)
    override_reason: Mapped[str | None] = mapped_column(String(300))
    corrections: Mapped[int] = mapped_column(Integer, default=0)  # correction notices issued
    reject_reason: Mapped[str | None] = mapped_column(Text)
    reject_basis: Mapped[str | None] = mapped_column(Text)
    # the clock
    received_at: Mapped[datetime] = mapped_column()  # first time the application was handed in
    accepted_at: Mapped[datetime | None] = mapped_column()
    limit_days: Mapped[int] = mapped_column(Integer, default=0)  # promised limit at acceptance
    limit_unit: Mapped[str] = mapped_column(String(10), default="working")
    statutory_days: Mapped[int] = mapped_column(Integer, default=0)
    extended_days: Mapped[int] = mapped_column(Integer, default=0)  # §42, approved extensions
    suspended_days: Mapped[int] = mapped_column(Integer, default=0)  # §45, finished suspensions
    suspended_since: Mapped[datetime | None] = mapped_column()
    suspend_kind: Mapped[str | None] = mapped_column(String(12))
    due_date: Mapped[date | None] = mapped_column(Date)  # hall-local last day of the promised limit
    statutory_due_date: Mapped[date | None] = mapped_column(Date)
    concluded_at: Mapped[datetime | None] = mapped_column()
    outcome_note: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()  # rejected / withdrawn
    updated_at: Mapped[datetime] = mapped_column()


class CaseNotice(Base):
    """A notice as issued: its number and the content printed, so a reprint is identical."""
    __tablename__ = "case_notices"
    __table_args__ = (UniqueConstraint("notice_no", name="uq_case_notices_notice_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # acceptance | correction | rejection
    notice_no: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column()
    staff_no: Mapped[str | None] = mapped_column(String(20))
    content: Mapped[dict[str, Any]] = mapped_column()
