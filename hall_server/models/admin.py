"""Tables of the admin area: staff photos and leave records (AB角 cover)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class StaffPhoto(Base):
    """The badge photo, already scaled to a JPEG on upload: one row per staff member."""
    __tablename__ = "staff_photos"
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column()


class StaffLeave(Base):
    """A day a staff member is away (请假/公出): the off-duty card does not judge that day."""
    __tablename__ = "staff_leaves"
    __table_args__ = (UniqueConstraint("staff_id", "day", name="uq_staff_leaves_staff_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
