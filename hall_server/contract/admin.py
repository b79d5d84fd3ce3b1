"""The typed API of the admin area: hall profile, departments, windows, categories, staff,
devices, 红黄牌 thresholds, holidays, leave, and the catalog import preview.

Every configuration change these requests make is one ``config.changed`` event with
``kind``, ``key``, ``before`` and ``after`` (see ``services/admin.py``)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from ..domain.roles import Role
from .core import Model

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
Short = Annotated[str, Field(max_length=40)]
StaffNo = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_-]+$")]
PrefixStr = Annotated[str, Field(min_length=1, max_length=1, pattern=r"^[A-Z]$")]
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class TimeSpan(Model):
    start: str = Field(max_length=5, pattern=HHMM)
    end: str = Field(max_length=5, pattern=HHMM)


DaySpans = Annotated[list[TimeSpan], Field(max_length=4)]


# --- hall profile ---------------------------------------------------------------------

class HallProfile(Model):
    """What the hall tells the public: name, address, opening hours (Monday first; an
    empty week means hours are not set and the kiosk issues numbers at any time), phones,
    and the public address phones reach (every QR code is built from it)."""
    name: str = Field(min_length=1, max_length=100)
    address: str = Field(default="", max_length=200)
    hours: list[DaySpans] = Field(default_factory=list, max_length=7)
    supervision_phone: str = Field(default="", max_length=40)
    enquiry_phone: str = Field(default="", max_length=40)
    public_base_url: str = Field(default="", max_length=200)


# --- departments ---------------------------------------------------------------------

class DepartmentIn(Model):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_-]+$")
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(default="", max_length=40)


class DepartmentPatch(Model):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    active: bool | None = None


class DepartmentOut(Model):
    code: str
    name: str
    phone: str = ""
    active: bool = True


# --- categories and windows --------------------------------------------------------------

class CategoryPatch(Model):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    department_code: str | None = Field(default=None, max_length=32)  # "" clears
    service_minutes: float | None = Field(default=None, gt=0, le=480)
    sort: int | None = Field(default=None, ge=0, le=1000)
    hours: DaySpans | None = None  # [] -> the hall's opening hours
    active: bool | None = None


class CategoryRow(Model):
    prefix: str
    name: str
    department_code: str | None = None
    department: str = ""
    service_minutes: float
    sort: int = 0
    hours: list[TimeSpan] = []
    windows: list[int] = []  # windows serving it, in window number order
    active: bool = True


class WindowPatch(Model):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    department_code: str | None = Field(default=None, max_length=32)  # "" clears
    categories: list[PrefixStr] | None = Field(default=None, min_length=1, max_length=24)
    is_fee_window: bool | None = None
    led_address: int | None = Field(default=None, ge=0, le=255)
    staff_a: str | None = Field(default=None, max_length=20)  # "" clears
    staff_b: list[StaffNo] | None = Field(default=None, max_length=5)
    active: bool | None = None


class WindowRow(Model):
    window_no: int
    name: str
    department_code: str | None = None
    department: str = ""
    categories: list[str]
    is_fee_window: bool = False
    led_address: int | None = None
    staff_a: str | None = None
    staff_b: list[str] = []
    active: bool = True


# --- staff ---------------------------------------------------------------------------

class StaffPatch(Model):
    name: str | None = Field(default=None, min_length=1, max_length=40)
    department_code: str | None = Field(default=None, max_length=32)  # "" clears
    post: str | None = Field(default=None, max_length=60)
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=5)
    active: bool | None = None


class StaffRow(Model):
    staff_no: str
    name: str
    department_code: str | None = None
    department: str = ""
    post: str = ""
    roles: list[str]
    active: bool = True
    has_photo: bool = False
    locked: bool = False


class PasswordResetOut(Model):
    staff_no: str
    password: str  # shown once to the admin, who hands it over; stored only hashed


class PhotoOut(Model):
    staff_no: str
    width: int
    height: int
    bytes: int


class LeaveIn(Model):
    day: date
    note: str = Field(default="", max_length=100)


class LeaveOut(Model):
    staff_no: str
    day: date
    note: str = ""


# --- devices ----------------------------------------------------------------------------

class DevicePatch(Model):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    window_no: int | None = Field(default=None, ge=0, le=9999)  # 0 clears


class DeviceRow(Model):
    name: str
    kind: str
    window_no: int | None = None
    active: bool = True
    last_seen_at: datetime | None = None


class DeviceCreatedOut(Model):
    name: str
    kind: str
    window_no: int | None = None
    token: str  # shown once
    config_text: str  # a ready hall-client config file for that PC


# --- 红黄牌 thresholds ---------------------------------------------------------------------

class CaseDeadlineRule(Model):
    enabled: bool = True
    yellow_working_days: int = Field(default=2, ge=0, le=60)


class MinutesRule(Model):
    enabled: bool = True
    yellow_minutes: int = Field(ge=1, le=1440)
    red_minutes: int = Field(ge=1, le=1440)


class OffDutyRule(Model):
    enabled: bool = True
    opening: list[TimeSpan] = Field(default_factory=list, max_length=4)  # used when the hall has no hours
    grace_minutes: int = Field(default=10, ge=0, le=240)
    yellow_minutes: int = Field(default=15, ge=1, le=1440)
    red_minutes: int = Field(default=60, ge=1, le=1440)


class RateRule(Model):
    enabled: bool = True
    yellow_rate: float = Field(ge=0, le=1)
    red_rate: float = Field(ge=0, le=1)
    min_count: int = Field(default=20, ge=1, le=100000)


class FollowupRule(Model):
    enabled: bool = True
    yellow_hours_before_due: float = Field(ge=0, le=720)


class CardThresholds(Model):
    city: str = Field(default="默认", min_length=1, max_length=40)
    case_deadline: CaseDeadlineRule
    long_wait: MinutesRule
    long_pause: MinutesRule
    off_duty: OffDutyRule
    skip_rate: RateRule
    void_rate: RateRule
    bad_rating_followup: FollowupRule
    complaint_overdue: FollowupRule
    inquiry_overdue: FollowupRule


# --- holidays ---------------------------------------------------------------------------

class HolidayYear(Model):
    year: int = Field(ge=2000, le=2100)
    provisional: bool = False
    holidays: list[date] = Field(default_factory=list, max_length=80)
    workdays: list[date] = Field(default_factory=list, max_length=20)  # 调休 make-up days


class HolidaysOut(Model):
    years: list[HolidayYear]
    package_years: list[int]  # covered by the calendar library: no entry needed


# --- catalog import preview --------------------------------------------------------------

class PreviewRow(Model):
    row: int  # the spreadsheet row (the header is row 1)
    code: str = ""
    name: str = ""
    action: Literal["create", "update", ""] = ""
    problems: list[str] = []


class CatalogPreviewOut(Model):
    rows: list[PreviewRow]
    total: int
    bad: int
    ok: bool


# --- the config change event -----------------------------------------------------------

ConfigKind = Literal["hall", "department", "category", "window", "staff", "device", "cards",
                     "holidays", "leave", "photo", "matter", "fee_item"]
