"""The typed API of accountability: 首问负责 inquiries, 好差评 ratings and follow-ups, 投诉.

Events of this area (``EventOut.type`` / ``data`` keys) are listed in
``docs/accountability.md``. Clerk-facing clients must ignore ``rating.*`` events: they
carry the level, and a clerk never sees an individual rating.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from ..domain.complaints import Channel, ComplaintAction, ComplaintState
from ..domain.inquiries import InquiryAction, InquiryState
from ..domain.ratings import FollowupAction, FollowupState, RatingLevel
from .core import Model

__all__ = [
    "ReferralIn", "InquiryIn", "InquiryAnswerIn", "InquiryOut", "InquiryList",
    "RatingIn", "PublicRatingIn", "RatingOut", "RatingRecordOut", "RatingList", "RatingLinkOut",
    "RateInfoOut", "LevelOut", "ReasonOut", "FollowupOut", "FollowupStepIn", "RerateIn",
    "ComplaintIn", "ComplaintAssignIn", "ComplaintReplyIn", "ComplaintOut", "ComplaintList",
    "SweepOut", "StarOut", "RatingLevel", "InquiryState", "InquiryAction", "FollowupState",
    "FollowupAction", "ComplaintState", "ComplaintAction", "Channel",
    "ComplaintRectifyIn", "ComplaintCallBackIn",
]

Phone = Field(default=None, min_length=3, max_length=20, pattern=r"^[0-9+\- ]+$")
StaffNo = Field(default=None, min_length=1, max_length=20)
Reason = Annotated[str, Field(min_length=1, max_length=40)]


# --- 首问负责 -----------------------------------------------------------------

class ReferralIn(Model):
    """转办: to a named colleague or to a department (one of the two), with a due time."""
    to_staff_no: str | None = StaffNo
    to_department_code: str | None = Field(default=None, min_length=1, max_length=32)
    due_at: datetime | None = None  # default: settings.inquiry_referral_workdays
    note: str = Field(default="", max_length=500)


class InquiryIn(Model):
    question: str = Field(min_length=1, max_length=1000)
    citizen_name: str | None = Field(default=None, min_length=1, max_length=40)  # stored masked
    citizen_phone: str | None = Phone
    matter_code: str | None = Field(default=None, min_length=1, max_length=40)
    matter_name: str | None = Field(default=None, min_length=1, max_length=200)
    answer: str | None = Field(default=None, max_length=2000)  # answered on the spot: closed at once
    refer: ReferralIn | None = None
    window_no: int | None = Field(default=None, ge=1, le=9999)  # default: the token's window


class InquiryAnswerIn(Model):
    answer: str = Field(default="", max_length=2000)


class InquiryOut(Model):
    id: int
    inquiry_no: str
    created_at: datetime
    state: InquiryState
    first_staff_no: str
    first_staff_name: str
    window_no: int | None = None
    citizen_name: str | None = None
    citizen_phone: str | None = None  # whole only for the people who must call back
    question: str
    matter_code: str | None = None
    matter_name: str | None = None
    answer: str | None = None
    referred_to_staff_no: str | None = None
    referred_to_staff_name: str | None = None
    referred_to_department_code: str | None = None
    referred_to_department: str | None = None
    referred_by_staff_no: str | None = None
    referred_at: datetime | None = None
    referral_note: str | None = None
    due_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by_staff_no: str | None = None
    overdue: bool = False
    allowed: list[InquiryAction] = []


class InquiryList(Model):
    items: list[InquiryOut]


# --- 好差评 ---------------------------------------------------------------------

class RatingIn(Model):
    """From the evaluator facing a window: rates that window's service just completed."""
    level: RatingLevel
    reasons: list[Reason] = Field(default_factory=list, max_length=10)
    comment: str | None = Field(default=None, max_length=500)
    ticket_id: int | None = Field(default=None, ge=1)  # default: the window's last completed service


class PublicRatingIn(Model):
    """From the rate-later QR link (no login)."""
    level: RatingLevel
    reasons: list[Reason] = Field(default_factory=list, max_length=10)
    comment: str | None = Field(default=None, max_length=500)


class RerateIn(Model):
    level: RatingLevel


class RatingOut(Model):
    """What the citizen sees after rating (evaluator screen or phone)."""
    id: int
    level: RatingLevel
    level_label: str
    ticket: str | None = None
    window_no: int | None = None
    rated_at: datetime
    message: str


class LevelOut(Model):
    level: RatingLevel
    label: str
    bad: bool


class ReasonOut(Model):
    code: str
    label: str


class RateInfoOut(Model):
    """The rate-later page: which service, and whether it may still be rated."""
    hall_name: str
    ticket: str
    business_day: date
    window_no: int | None = None
    window_name: str | None = None
    completed: bool
    rated: bool
    can_rate: bool
    can_rerate: bool
    levels: list[LevelOut]
    reasons: list[ReasonOut]


class RatingLinkOut(Model):
    ticket_id: int
    token: str
    url: str


class FollowupOut(Model):
    id: int
    rating_id: int
    state: FollowupState
    opened_at: datetime
    callback_due_at: datetime
    called_back_at: datetime | None = None
    callback_note: str | None = None
    rectify_due_at: datetime
    rectified_at: datetime | None = None
    rectify_note: str | None = None
    rerate_due_at: datetime | None = None
    rerated_at: datetime | None = None
    rerate_level: RatingLevel | None = None
    handled_by_staff_no: str | None = None
    due_at: datetime | None = None
    closed_at: datetime | None = None
    overdue: bool = False
    allowed: list[FollowupAction] = []
    workdays_left: int | None = None  # to ``due_at`` in the hall's working days; negative: late


class RatingRecordOut(Model):
    """A rating as the supervision office and the manager see it (never a clerk)."""
    id: int
    level: RatingLevel
    level_label: str
    score: int
    bad: bool
    reasons: list[str]
    comment: str | None = None
    channel: Literal["evaluator", "qr"]
    ticket: str | None = None
    business_day: date | None = None
    case_no: str | None = None
    window_no: int | None = None
    staff_no: str | None = None
    staff_name: str | None = None
    rated_at: datetime
    followup: FollowupOut | None = None


class RatingList(Model):
    items: list[RatingRecordOut]


class FollowupStepIn(Model):
    note: str = Field(min_length=1, max_length=1000)


class StarOut(Model):
    staff_no: str
    star: float | None
    count: int


# --- 投诉 ----------------------------------------------------------------------

class ComplaintIn(Model):
    content: str = Field(min_length=1, max_length=2000)
    channel: Channel | None = None  # default: from who registers (window, kiosk, supervision)
    anonymous: bool = False
    complainant_name: str | None = Field(default=None, min_length=1, max_length=40)
    complainant_phone: str | None = Phone
    case_no: str | None = Field(default=None, min_length=1, max_length=40)
    about_staff_no: str | None = StaffNo
    window_no: int | None = Field(default=None, ge=1, le=9999)


class ComplaintAssignIn(Model):
    to_staff_no: str = Field(min_length=1, max_length=20)
    due_at: datetime | None = None  # may shorten the limit, never extend it
    note: str = Field(default="", max_length=500)


class ComplaintReplyIn(Model):
    reply: str = Field(min_length=1, max_length=2000)
    method: Literal["phone", "sms", "in_person", "letter"] = "phone"


class ComplaintRectifyIn(Model):
    note: str = Field(min_length=1, max_length=1000)


class ComplaintCallBackIn(Model):
    """回访: what the citizen said; ``level`` their view of the handling, when they give one."""
    note: str = Field(min_length=1, max_length=1000)
    level: Literal["satisfied", "basically_satisfied", "dissatisfied"] | None = None


class ComplaintOut(Model):
    id: int
    complaint_no: str
    channel: Channel
    registered_at: datetime
    registered_by: str
    anonymous: bool
    complainant_name: str | None = None
    complainant_phone: str | None = None
    content: str
    case_no: str | None = None
    about_staff_no: str | None = None
    about_staff_name: str | None = None
    window_no: int | None = None
    state: ComplaintState
    assignee_staff_no: str | None = None
    assignee_name: str | None = None
    assigned_at: datetime | None = None
    reply: str | None = None
    reply_method: str | None = None
    replied_by_staff_no: str | None = None
    due_at: datetime | None = None
    closed_at: datetime | None = None
    overdue: bool = False
    allowed: list[ComplaintAction] = []
    workdays_left: int | None = None  # to ``due_at`` in the hall's working days; negative: late
    rectify_note: str | None = None
    rectified_at: datetime | None = None
    callback_note: str | None = None
    called_back_at: datetime | None = None
    callback_level: str | None = None


class ComplaintList(Model):
    items: list[ComplaintOut]


class SweepOut(Model):
    """What one overdue sweep flagged (each late item is flagged once per step)."""
    inquiries: int
    followups: int
    complaints: int
    lapsed_rerates: int
    stars_updated: int
