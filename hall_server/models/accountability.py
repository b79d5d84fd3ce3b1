"""Tables of the accountability area: 首问负责 inquiries, 好差评 ratings and their 差评
follow-ups, complaints.

Every table that can run late has ``due_at`` (the current deadline, UTC; null when no
deadline runs) and ``closed_at`` (null while open): supervision raises 红黄牌 from
``due_at < now AND closed_at IS NULL`` without knowing each area's states.
``overdue_flagged_at`` records when the sweep logged the ``*.overdue`` event (once).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Inquiry(Base):
    """首问负责: ``first_staff_id`` never changes; it is who answers for the inquiry."""
    __tablename__ = "inquiries"
    __table_args__ = (
        Index("ix_inquiries_state_due", "state", "due_at"),
        Index("ix_inquiries_referred_to", "referred_to_staff_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_no: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    first_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    window_no: Mapped[int | None] = mapped_column(Integer)  # null at a roaming guide's station
    citizen_name: Mapped[str | None] = mapped_column(String(40))  # stored masked (张*)
    citizen_phone: Mapped[str | None] = mapped_column(String(20))  # whole: the receiver calls back
    question: Mapped[str] = mapped_column(Text)
    matter_code: Mapped[str | None] = mapped_column(String(40))
    matter_name: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12))
    answer: Mapped[str | None] = mapped_column(Text)
    referred_to_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    referred_to_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    referred_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    referred_at: Mapped[datetime | None] = mapped_column()
    referral_note: Mapped[str | None] = mapped_column(Text)
    referrals: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    overdue_flagged_at: Mapped[datetime | None] = mapped_column()


class Rating(Base):
    """One 好差评 per service: ``service_key`` ("ticket:<id>" or "case:<case_no>") is unique."""
    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_staff_rated", "staff_id", "rated_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_key: Mapped[str] = mapped_column(String(60), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    ticket_no: Mapped[str | None] = mapped_column(String(10))
    business_day: Mapped[date | None] = mapped_column(Date)
    case_no: Mapped[str | None] = mapped_column(String(40), index=True)
    window_no: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    level: Mapped[str] = mapped_column(String(24))
    score: Mapped[int] = mapped_column(Integer)  # 5 非常满意 … 1 非常不满意
    bad: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(12))  # evaluator | qr
    device_name: Mapped[str | None] = mapped_column(String(60))
    rated_at: Mapped[datetime] = mapped_column(index=True)


class RatingFollowup(Base):
    """The 差评 follow-up: 回访 → 整改 → one 复评; ``due_at`` is the running step's deadline."""
    __tablename__ = "rating_followups"
    __table_args__ = (Index("ix_rating_followups_state_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    state: Mapped[str] = mapped_column(String(12))
    opened_at: Mapped[datetime] = mapped_column()
    callback_due_at: Mapped[datetime] = mapped_column()
    called_back_at: Mapped[datetime | None] = mapped_column()
    callback_note: Mapped[str | None] = mapped_column(Text)
    rectify_due_at: Mapped[datetime] = mapped_column()
    rectified_at: Mapped[datetime | None] = mapped_column()
    rectify_note: Mapped[str | None] = mapped_column(Text)
    rerate_due_at: Mapped[datetime | None] = mapped_column()
    rerated_at: Mapped[datetime | None] = mapped_column()
    rerate_level: Mapped[str | None] = mapped_column(String(24))
    handled_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    due_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    overdue_flagged_at: Mapped[datetime | None] = mapped_column()
    overdue_step: Mapped[str | None] = mapped_column(String(12))  # the step last flagged late


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_state_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_no: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(12))
    registered_at: Mapped[datetime] = mapped_column()
    registered_by: Mapped[str] = mapped_column(String(60))  # actor ident
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    complainant_name: Mapped[str | None] = mapped_column(String(40))
    complainant_phone: Mapped[str | None] = mapped_column(String(20))  # whole: needed for the reply
    content: Mapped[str] = mapped_column(Text)
    case_no: Mapped[str | None] = mapped_column(String(40), index=True)
    about_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    window_no: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12))
    assignee_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column()
    assign_note: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    reply_method: Mapped[str | None] = mapped_column(String(20))
    replied_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    due_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    overdue_flagged_at: Mapped[datetime | None] = mapped_column()
    # 整改 recorded before the reply, 回访 after it (migration 0009)
    rectify_note: Mapped[str | None] = mapped_column(Text)
    rectified_at: Mapped[datetime | None] = mapped_column()
    callback_note: Mapped[str | None] = mapped_column(Text)
    called_back_at: Mapped[datetime | None] = mapped_column()
    callback_level: Mapped[str | None] = mapped_column(String(24))
