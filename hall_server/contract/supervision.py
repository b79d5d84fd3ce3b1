"""The typed API of supervision (驻厅监察室), the manager's dashboard, device health and
the hall reports."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from ..domain.cards import Level, Rule
from .audit import AuditFinding
from .core import EventOut, Model

__all__ = [
    "EventSearchOut", "TimelineOut", "CardOut", "CardsOut", "CardDetailOut", "SignoffIn", "SignoffOut",
    "AuditCheckOut", "FiguresOut", "CategoryLive", "WindowLive", "DeviceHealthIn", "DeviceReport",
    "DeviceHealthOut", "DashboardOut", "DayPoint", "KeyFigures", "DailyReportOut", "MonthlyReportOut",
    "YearlyReportOut", "DepartmentYear", "DeviceStatus", "WaitingTicket",
]

DeviceStatus = Literal["ok", "warning", "error", "offline", "unknown"]


class EventSearchOut(Model):
    events: list[EventOut]
    count: int  # in this page
    more: bool  # another page exists (ask again with before_seq = smallest seq here)
    last_seq: int


class TimelineOut(Model):
    subject: str
    title: str
    events: list[EventOut]
    summary: dict[str, Any] = {}


class CardOut(Model):
    key: str
    rule: Rule
    rule_label: str
    level: Level
    level_label: str
    day: date
    title: str
    at: datetime
    subject: str
    staff_no: str | None = None
    window_no: int | None = None
    case_no: str | None = None
    ticket: str | None = None
    facts: dict[str, Any] = {}
    evidence: dict[str, Any] = {}
    signed_off: bool = False
    signed_by: str | None = None
    signed_at: datetime | None = None
    note: str | None = None


class CardsOut(Model):
    start: date
    end: date
    city: str
    cards: list[CardOut]
    red: int
    yellow: int
    open: int  # not yet signed off


class CardDetailOut(Model):
    card: CardOut
    events: list[EventOut]


class SignoffIn(Model):
    key: str = Field(min_length=5, max_length=200)
    note: str = Field(default="", max_length=500)


class SignoffOut(Model):
    key: str
    signed_by: str
    signed_at: datetime
    event_seq: int


class AuditCheckOut(Model):
    ok: bool
    checked: int
    last_seq: int
    first_bad_seq: int | None
    reason: str
    checked_at: datetime
    event_seq: int  # the audit.checked event that records this check
    # audit area (contract/audit.py): anchors compared, business rows compared, what disagrees
    anchors_checked: int = 0
    head_seq: int = 0  # the chain's last row: a client compares its checkpoints' hashes itself
    anchor_hashes: dict[int, str | None] = Field(default_factory=dict)  # seq -> stored hash (None: gone)
    deep: bool = False
    findings: list[AuditFinding] = Field(default_factory=list)


class FiguresOut(Model):
    """Additive figures of a period plus the rates a report quotes (None: nothing to rate)."""
    tickets: int = 0
    served: int = 0
    skipped: int = 0
    called: int = 0
    avg_wait_s: float | None = None
    max_wait_s: int = 0
    avg_service_s: float | None = None
    cases_accepted: int = 0
    cases_concluded: int = 0
    cases_on_time: int = 0
    cases_once: int = 0
    once_rate: float | None = None
    on_time_rate: float | None = None
    fees_fen: int = 0
    receipts: int = 0
    voids: int = 0
    ratings: int = 0
    ratings_good: int = 0
    ratings_bad: int = 0
    satisfaction_rate: float | None = None
    complaints: int = 0


class KeyFigures(Model):
    key: str
    label: str
    figures: FiguresOut


class WaitingTicket(Model):
    number: str
    queued_at: datetime


class CategoryLive(Model):
    prefix: str
    name: str
    waiting: int
    longest_wait_s: int
    avg_wait_s: float | None
    avg_service_s: float | None
    served: int
    wait_n: int = 0  # how many waits the average is over (a client adds to it from events)
    service_n: int = 0
    queue: list[WaitingTicket] = []  # who waits now, oldest first (the longest wait follows from it)


class WindowLive(Model):
    window_no: int
    name: str
    state: Literal["offline", "idle", "calling", "serving", "paused"]
    staff_no: str | None = None
    staff_name: str | None = None
    current: str | None = None
    pause_reason: str | None = None
    served_today: int = 0


class DeviceReport(Model):
    name: str = Field(min_length=1, max_length=80)
    kind: Literal["printer", "led", "evaluator", "idcard", "kiosk", "display", "pc", "other"]
    status: Literal["ok", "warning", "error", "unknown"]
    detail: str = Field(default="", max_length=200)
    window_no: int | None = Field(default=None, ge=1, le=9999)


class DeviceHealthIn(Model):
    devices: list[DeviceReport] = Field(min_length=1, max_length=50)


class DeviceHealthOut(Model):
    name: str
    kind: str
    status: DeviceStatus
    reported: str  # what the device last said (status shows offline when its heartbeat stopped)
    detail: str = ""
    window_no: int | None = None
    reporter: str = ""
    last_seen_at: datetime | None = None


class DayPoint(Model):
    day: date
    tickets: int
    served: int
    avg_wait_s: float | None
    cases_accepted: int
    cases_concluded: int
    fees_fen: int
    satisfaction_rate: float | None


class DashboardOut(Model):
    business_day: date
    timezone: str
    now: datetime
    last_seq: int
    heartbeat_timeout_s: int
    today: FiguresOut
    categories: list[CategoryLive]
    windows: list[WindowLive]
    by_hour: list[KeyFigures]
    by_window: list[KeyFigures]
    trend: list[DayPoint]
    devices: list[DeviceHealthOut]


class DailyReportOut(Model):
    hall_name: str
    day: date
    total: FiguresOut
    by_category: list[KeyFigures]
    by_window: list[KeyFigures]
    by_department: list[KeyFigures]
    by_hour: list[KeyFigures]
    cards_red: int = 0
    cards_yellow: int = 0
    checkpoints: list[str] = Field(default_factory=list)  # signed audit checkpoints of the day (audit area)


class MonthlyReportOut(Model):
    hall_name: str
    month: str  # YYYY-MM
    total: FiguresOut
    by_day: list[DayPoint]
    by_department: list[KeyFigures]
    by_window: list[KeyFigures]


class DepartmentYear(Model):
    department: str
    cases_accepted: int
    cases_concluded: int
    on_time_rate: float | None
    once_rate: float | None
    ratings: int
    satisfaction_rate: float | None
    complaints: int


class YearlyReportOut(Model):
    """The figures a 政务公开 annual report quotes."""
    hall_name: str
    year: int
    total: FiguresOut
    departments: list[DepartmentYear]
    by_month: list[KeyFigures]
