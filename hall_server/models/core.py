"""Tables of the hall foundation: organisation, staff, devices, duty, tickets, events."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # admin: disabled, never deleted


class Category(Base):
    """A queue (业务类别): tickets of one prefix, numbered per business day."""
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(1), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    service_minutes: Mapped[float] = mapped_column(default=8.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    hours: Mapped[list[Any] | None] = mapped_column(default=None)  # admin: [["09:00","12:00"],…]; None: the hall's


class Window(Base):
    __tablename__ = "windows"
    id: Mapped[int] = mapped_column(primary_key=True)
    window_no: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(60))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    categories: Mapped[list[Any]] = mapped_column(default=list)  # ordered prefixes
    is_fee_window: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column()
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    # admin (AB角): the post holder and the backups who cover when they are away
    led_address: Mapped[int | None] = mapped_column(Integer)
    staff_a: Mapped[str | None] = mapped_column(String(20))
    staff_b: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    post: Mapped[str] = mapped_column(String(60), default="")
    photo_ref: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[str] = mapped_column(String(200))  # comma separated Role values
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    star_rating: Mapped[float | None] = mapped_column()  # computed from ratings over a period

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # kiosk | display | evaluator
    window_no: Mapped[int | None] = mapped_column(Integer)  # an evaluator faces one window
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Token(Base):
    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    window_no: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class Duty(Base):
    """挂牌上岗: one staff member signed in at one window, from start to end."""
    __tablename__ = "duties"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    window_no: Mapped[int] = mapped_column(Integer, index=True)
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    # non-null only while on duty: a unique index then allows one open duty per window
    open_window_no: Mapped[int | None] = mapped_column(Integer, unique=True)


class Pause(Base):
    __tablename__ = "pauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    window_no: Mapped[int] = mapped_column(Integer, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    seconds: Mapped[int | None] = mapped_column(Integer)


class TicketCounter(Base):
    __tablename__ = "ticket_counters"
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(1), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class QueueCount(Base):
    """How many tickets wait now, per business day, category and 绿色通道 or not.

    Kept in the same transaction as every move into or out of ``waiting``
    (services/queue.py), so "waiting ahead" at issue and the hall's waiting counts are a
    key lookup instead of a count over the day's queue (issue #17, migration 0014). The
    day's rows are at most two per category; a day's rows stay once its queue is gone."""
    __tablename__ = "queue_counts"
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(1), primary_key=True)  # the category it waits in now
    priority: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    waiting: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("business_day", "number", name="uq_tickets_day_number"),
        Index("ix_tickets_window_state", "window_no", "state"),
        # the hot path (services/queue.py, migration 0013): next ticket of a category in
        # serving order, "waiting ahead" counts, tickets sent to a window; it also serves
        # every read by (business_day, state) (0015 dropped the narrower index)
        Index("ix_tickets_waiting_first", "business_day", "state", "prefix", text("priority DESC"),
              "queued_at", "id", "target_window_no"),
        Index("ix_tickets_target_state", "target_window_no", "state", "business_day", "prefix", "priority",
              "queued_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    business_day: Mapped[date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(1))  # category it waits in now
    issued_prefix: Mapped[str] = mapped_column(String(1))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(12))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    target_window_no: Mapped[int | None] = mapped_column(Integer)
    window_no: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    issued_at: Mapped[datetime] = mapped_column()
    queued_at: Mapped[datetime] = mapped_column()
    called_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    skipped_at: Mapped[datetime | None] = mapped_column()
    requeues: Mapped[int] = mapped_column(Integer, default=0)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(40), default="")  # device name or staff_no
    citizen_name: Mapped[str | None] = mapped_column(String(40))
    citizen_id_number: Mapped[str | None] = mapped_column(String(18))
    wait_estimate_min: Mapped[int] = mapped_column(Integer, default=0)


class Event(Base):
    """The append-only, hash-chained log: audit trail, live feed and statistics source."""
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_type_at", "type", "at"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(60))  # "staff:1001" | "device:kiosk-1" | "system"
    window_no: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # denormalised links for search (supervision): filled from data when present
    case_no: Mapped[str | None] = mapped_column(String(40), index=True)
    ticket_no: Mapped[str | None] = mapped_column(String(10))
    staff_no: Mapped[str | None] = mapped_column(String(20), index=True)
    hash_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # domain/audit.py


class EventHead(Base):
    """One row: the chain's tip. Locking it serialises writers on every database."""
    __tablename__ = "event_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class Idempotency(Base):
    __tablename__ = "idempotency"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    principal: Mapped[str] = mapped_column(String(60))
    route: Mapped[str] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    request_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of the request body it answered
    created_at: Mapped[datetime] = mapped_column()
    __table_args__ = (UniqueConstraint("principal", "key", name="uq_idempotency_principal_key"),)


class Setting(Base):
    """Hall configuration that admins change at run time (红黄牌 thresholds, series…)."""
    __tablename__ = "hall_settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
