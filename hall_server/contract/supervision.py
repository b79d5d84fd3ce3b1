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
    "CARD_FACT_LABELS", "TIMELINE_SUMMARY_LABELS", "DeviceRetireIn", "DeviceRetireOut",
]

# ``replaced``: silent while a newer device of the same kind reports at the same place;
# ``never``: registered (token made) but it has never been heard from
DeviceStatus = Literal["ok", "warning", "error", "offline", "unknown", "replaced", "never"]


class EventSearchOut(Model):
    events: list[EventOut]
    count: int  # in this page
    more: bool  # another page exists (ask again with before_seq = smallest seq here)
    last_seq: int
    names: dict[str, str] = {}  # 工号 -> name of every staff member the events name (for sentences)


class TimelineOut(Model):
    subject: str
    title: str
    events: list[EventOut]
    summary: dict[str, Any] = {}
    summary_text: str = ""  # the summary as a person reads it
    names: dict[str, str] = {}


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
    names: dict[str, str] = {}  # 工号 -> name of the staff the cards name (subject, signed by)


class CardDetailOut(Model):
    card: CardOut
    events: list[EventOut]
    names: dict[str, str] = {}


# How a card's facts and a timeline's summary read (only labelled keys are shown).
CARD_FACT_LABELS: dict[str, str] = {
    "wait_minutes": "等候（分钟）", "minutes": "时长（分钟）", "category": "业务类别", "queued_at": "取号时间",
    "called_at": "叫号时间", "reason": "原因", "started_at": "开始", "ended_at": "结束", "gaps": "离岗时段",
    "windows": "窗口", "flagged": "次数", "total": "总数", "case_no": "办件号", "matter": "事项",
    "department": "部门", "due_date": "时限", "concluded_on": "办结日期", "working_days_left": "剩余工作日",
    "level": "评价", "opened_at": "发生时间", "due_at": "期限", "done_at": "办结时间",
}
TIMELINE_SUMMARY_LABELS: dict[str, str] = {
    "name": "姓名", "matter": "事项", "state_label": "状态", "ticket": "号票", "staff_no": "经办人",
    "accepted_at": "受理时间", "due_date": "办结时限", "concluded_at": "办结时间", "corrections": "补正次数",
    "called": "叫号", "completed": "办完", "skipped": "过号", "on_duty_minutes": "在岗（分钟）",
    "paused_minutes": "暂停（分钟）", "events": "记录条数",
}


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
    replaced_by: str | None = None  # the device that took over (status ``replaced``)
    retirable: bool = True  # the manager may take it off the list (and stop its token)


class DeviceRetireIn(Model):
    """Take a replaced or broken device off the health list; a device with a token loses it."""
    name: str = Field(min_length=1, max_length=80)
    reason: str = Field(min_length=1, max_length=200)


class DeviceRetireOut(Model):
    name: str
    kind: str
    window_no: int | None = None
    tokens_revoked: int
    event_seq: int


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
