"""Tables of the supervision area: card sign-offs, device health and the daily rollups.

Cards (红黄牌) themselves are not stored: they are derived from the log and the area
tables by configurable rules, so changing a threshold re-judges history consistently.
What is stored is the inspector's sign-off (also an event) and, for speed, per-day
aggregates of closed business days (``stats_days``) so a year of figures is a few
hundred rows, not two million tickets.
"""
from __future__ import annotations

from datetime import date, datetime
from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .accountability import Complaint
from .cases import Case
from .core import Event

# supervision searches by ticket number and by window within a time range
Index("ix_events_ticket_no", Event.ticket_no)
Index("ix_events_window_no_at", Event.window_no, Event.at)
Index("ix_events_actor_at", Event.actor, Event.at)  # "what did 1001 do" = staff_no OR actor
# the daily rollup reads the other areas' tables by timestamp ranges
Index("ix_cases_accepted_at", Case.accepted_at)
Index("ix_cases_concluded_at", Case.concluded_at)
Index("ix_complaints_registered_at", Complaint.registered_at)


class CardSignoff(Base):
    """An inspector's sign-off of one derived card (the key names rule, day and subject)."""
    __tablename__ = "card_signoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    card_key: Mapped[str] = mapped_column(String(200), unique=True)
    rule: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))
    staff_no: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column()
    event_seq: Mapped[int] = mapped_column(Integer)


class DeviceHealth(Base):
    """Last reported status of one piece of hardware (printer, LED board, evaluator, …).

    Heartbeats only touch ``last_seen_at``; a change of ``status`` is also an event, so
    the dashboard learns it from the stream and the log keeps the device's history.
    """
    __tablename__ = "device_health"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    reporter: Mapped[str] = mapped_column(String(60))
    window_no: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(200), default="")
    last_seen_at: Mapped[datetime] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column()


class StatsDay(Base):
    """Additive figures of one closed business day, per dimension (hall, category,
    window, department, hour). Sums and counts only, so any period is a plain SUM."""
    __tablename__ = "stats_days"
    __table_args__ = (Index("ix_stats_days_dim_day", "dim", "day"),)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dim: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    served: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    called: Mapped[int] = mapped_column(Integer, default=0)
    wait_n: Mapped[int] = mapped_column(Integer, default=0)
    wait_s: Mapped[int] = mapped_column(BigInteger, default=0)
    wait_max_s: Mapped[int] = mapped_column(Integer, default=0)
    service_n: Mapped[int] = mapped_column(Integer, default=0)
    service_s: Mapped[int] = mapped_column(BigInteger, default=0)
    cases_accepted: Mapped[int] = mapped_column(Integer, default=0)
    cases_concluded: Mapped[int] = mapped_column(Integer, default=0)
    cases_on_time: Mapped[int] = mapped_column(Integer, default=0)
    cases_once: Mapped[int] = mapped_column(Integer, default=0)
    fees_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    receipts: Mapped[int] = mapped_column(Integer, default=0)
    voids: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    ratings_good: Mapped[int] = mapped_column(Integer, default=0)
    ratings_bad: Mapped[int] = mapped_column(Integer, default=0)
    complaints: Mapped[int] = mapped_column(Integer, default=0)


class StatsBuilt(Base):
    """Which business days have their rollup, and up to which event seq it was built."""
    __tablename__ = "stats_built"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    built_at: Mapped[datetime] = mapped_column()
    last_seq: Mapped[int] = mapped_column(Integer)


ROLLUP_METRICS: tuple[str, ...] = (
    "tickets", "served", "skipped", "called", "wait_n", "wait_s", "wait_max_s", "service_n", "service_s",
    "cases_accepted", "cases_concluded", "cases_on_time", "cases_once", "fees_fen", "receipts", "voids",
    "ratings", "ratings_good", "ratings_bad", "complaints",
)
