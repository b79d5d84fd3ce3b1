"""The typed API of the hall foundation: requests, responses and events.

Imports only pydantic and domain enums, so the client can import it without pulling
in the database or the web framework.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.queue import Action, TicketState
from ..domain.roles import Role

API_PREFIX = "/api/v1"

Prefix = Field(min_length=1, max_length=1, pattern=r"^[A-Z]$")


class Model(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class ErrorBody(Model):
    code: str
    message: str


class ErrorOut(Model):
    error: ErrorBody


# --- auth ------------------------------------------------------------------

class LoginIn(Model):
    staff_no: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=1, max_length=128)
    window_no: int | None = Field(default=None, ge=1, le=9999)


class Badge(Model):
    staff_no: str
    name: str
    department: str = ""
    post: str = ""
    photo_ref: str = ""
    star_rating: float | None = None
    has_photo: bool = False  # GET /staff/{staff_no}/photo serves it


class LoginOut(Model):
    token: str
    expires_at: datetime
    staff_no: str
    name: str
    roles: list[Role]
    window_no: int | None = None
    badge: Badge


class MeOut(Model):
    kind: str
    name: str
    roles: list[Role]
    staff_no: str | None = None
    device_name: str | None = None
    window_no: int | None = None


class StaffIn(Model):
    staff_no: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_-]+$")
    name: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=6, max_length=128)
    roles: list[Role] = Field(min_length=1, max_length=5)
    department_code: str | None = Field(default=None, max_length=32)
    post: str = Field(default="", max_length=60)
    photo_ref: str = Field(default="", max_length=200)


class StaffOut(Model):
    staff_no: str
    name: str
    roles: list[str]
    post: str


class DeviceIn(Model):
    name: str = Field(min_length=1, max_length=60)
    kind: Literal["kiosk", "display", "evaluator"]
    window_no: int | None = Field(default=None, ge=1, le=9999)


class DeviceOut(Model):
    name: str
    kind: str
    window_no: int | None = None
    token: str | None = None  # only in the answer that created it
    config_text: str | None = None  # admin: a ready client config file for that PC, token included


class RevokeIn(Model):
    staff_no: str | None = Field(default=None, max_length=20)
    device: str | None = Field(default=None, max_length=60)


class CategoryIn(Model):
    prefix: str = Prefix
    name: str = Field(min_length=1, max_length=60)
    department_code: str | None = Field(default=None, max_length=32)
    service_minutes: float = Field(default=8.0, gt=0, le=480)
    sort: int = Field(default=0, ge=0, le=1000)


class CategoryAdminOut(Model):
    prefix: str
    name: str
    department_code: str | None = None
    service_minutes: float
    active: bool = True


class WindowIn(Model):
    window_no: int = Field(ge=1, le=9999)
    name: str = Field(min_length=1, max_length=60)
    department_code: str | None = Field(default=None, max_length=32)
    # the categories this window serves, in the order it serves them
    categories: list[Annotated[str, Field(min_length=1, max_length=1, pattern=r"^[A-Z]$")]] = Field(
        min_length=1, max_length=24)
    is_fee_window: bool = False
    led_address: int | None = Field(default=None, ge=0, le=255)  # the window's LED strip on the RS-485 bus
    staff_a: str | None = Field(default=None, max_length=20)  # AB角: the post holder
    staff_b: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(default_factory=list, max_length=5)


class WindowAdminOut(Model):
    window_no: int
    name: str
    department_code: str | None = None
    categories: list[str]
    is_fee_window: bool = False


# --- queue -----------------------------------------------------------------

class IdCardIn(Model):
    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=18, max_length=18)


class TicketIn(Model):
    category: str = Prefix
    priority: bool = False
    priority_reason: str | None = Field(default=None, min_length=1, max_length=100)  # 绿色通道: why (logged)
    id_card: IdCardIn | None = None


class TicketOut(Model):
    id: int
    number: str
    category: str
    category_name: str = ""
    state: TicketState
    priority: bool
    business_day: date
    issued_at: datetime
    waiting_ahead: int = 0
    estimated_wait_min: int = 0
    window_no: int | None = None
    citizen_name: str | None = None  # masked
    citizen_id_number: str | None = None  # masked
    allowed: list[Action] = []
    rating_url: str | None = None  # rate-later page, only on the issue answer: the kiosk prints it as the QR


class TransferIn(Model):
    to_category: str | None = Field(default=None, min_length=1, max_length=1, pattern=r"^[A-Z]$")
    to_window: int | None = Field(default=None, ge=1, le=9999)


class PauseIn(Model):
    reason: str = Field(min_length=1, max_length=200)


class RequeueIn(Model):
    number: str = Field(min_length=2, max_length=10, pattern=r"^[A-Z]\d{3,5}$")


# --- snapshot ----------------------------------------------------------------

class CategoryOut(Model):
    prefix: str
    name: str
    department: str = ""
    waiting: int = 0
    estimated_wait_min: int = 0


class WindowOut(Model):
    window_no: int
    name: str
    department: str = ""
    categories: list[str]
    is_fee_window: bool = False
    state: Literal["offline", "idle", "calling", "serving", "paused"]
    pause_reason: str | None = None
    paused_since: datetime | None = None
    badge: Badge | None = None
    current: TicketOut | None = None


class CallOut(Model):
    number: str
    window_no: int
    at: datetime


class HallOut(Model):
    hall_name: str
    timezone: str
    business_day: date
    now: datetime
    last_seq: int
    categories: list[CategoryOut]
    windows: list[WindowOut]
    recent_calls: list[CallOut]


class EventOut(Model):
    seq: int
    at: datetime
    actor: str
    window_no: int | None = None
    type: str
    data: dict[str, Any]


class EventPage(Model):
    events: list[EventOut]
    last_seq: int


class VerifyOut(Model):
    ok: bool
    checked: int
    last_seq: int
    first_bad_seq: int | None
    reason: str
