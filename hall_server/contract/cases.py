"""Contract of the intake area: catalog (事项清单), intake (受理), cases, notices, lookup."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from ..domain.cases import ApplicantKind, CaseAction, CaseState, MaterialStatus, SuspendKind
from ..domain.catalog import MaterialForm, MatterKind
from ..domain.workdays import LimitUnit
from .core import Model

__all__ = [
    "MaterialItem", "FeeItemRef", "MatterIn", "MatterOut", "MatterBrief", "CatalogImportOut",
    "ApplicantIn", "MaterialTickIn", "IntakeIn", "ResumeIn", "CaseActionIn", "CheckedMaterialOut",
    "NoticeRef", "CaseOut", "CaseBrief", "CasePage", "CasePublicOut", "ProgressStep", "HistoryItem",
    "CaseHistoryOut", "SlipOut", "LimitUnit", "MatterKind", "MaterialForm", "CaseState", "CaseAction",
    "MaterialStatus", "ApplicantKind", "SuspendKind",
]

Code = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$")
Text = Field(default="", max_length=4000)
Phone = Field(default="", max_length=40)


# --- catalog -------------------------------------------------------------------

class MaterialItem(Model):
    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    form: MaterialForm = MaterialForm.ORIGINAL_AND_COPY
    copies: int = Field(default=1, ge=1, le=99)
    required: bool = True
    notes: str = Field(default="", max_length=500)


class FeeItemRef(Model):
    code: str = Code
    name: str = Field(min_length=1, max_length=120)


class MatterIn(Model):
    code: str = Code
    name: str = Field(min_length=1, max_length=120)
    department_code: str | None = Field(default=None, max_length=32)
    case_prefix: str = Field(min_length=1, max_length=4, pattern=r"^[A-Z]{1,4}$")
    category_prefix: str | None = Field(default=None, min_length=1, max_length=1, pattern=r"^[A-Z]$")
    kind: MatterKind
    legal_basis: str = Text
    conditions: str = Text
    procedure: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=30)
    materials: list[MaterialItem] = Field(default_factory=list, max_length=80)
    statutory_limit: int = Field(ge=0, le=3650)
    statutory_unit: LimitUnit = LimitUnit.WORKING
    promised_limit: int = Field(ge=0, le=3650)
    promised_unit: LimitUnit = LimitUnit.WORKING
    fee_items: list[FeeItemRef] = Field(default_factory=list, max_length=30)
    fee_note: str = Field(default="", max_length=200)
    enquiry_phone: str = Phone
    complaint_phone: str = Phone
    active: bool = True


class MatterOut(MatterIn):
    department: str = ""
    kind_label: str = ""
    initials: str = ""
    limit_text: str = ""  # 承诺 5 个工作日（法定 20 个工作日）


class MatterBrief(Model):
    code: str
    name: str
    department: str = ""
    kind: MatterKind
    kind_label: str = ""
    initials: str = ""
    limit_text: str = ""
    category_prefix: str | None = None


class CatalogImportOut(Model):
    created: int
    updated: int
    total: int


# --- intake --------------------------------------------------------------------

class ApplicantIn(Model):
    kind: ApplicantKind = ApplicantKind.PERSON
    name: str = Field(min_length=1, max_length=120)
    id_number: str = Field(min_length=18, max_length=18, description="身份证号或统一社会信用代码")
    phone: str = Field(min_length=5, max_length=30)
    agent_name: str = Field(default="", max_length=40)
    agent_id_number: str = Field(default="", max_length=18)


class MaterialTickIn(Model):
    code: str = Code
    status: MaterialStatus
    note: str = Field(default="", max_length=300)


IntakeOutcome = Literal["accept", "request_correction", "reject"]


class IntakeIn(Model):
    """受理 at the window: the clerk's decision on a new application."""
    matter_code: str = Code
    window_no: int = Field(ge=1, le=9999)
    applicant: ApplicantIn
    materials: list[MaterialTickIn] = Field(default_factory=list, max_length=80)
    outcome: IntakeOutcome
    override_reason: str | None = Field(default=None, max_length=300)
    reject_reason: str | None = Field(default=None, max_length=1000)
    reject_basis: str | None = Field(default=None, max_length=1000)


class ResumeIn(Model):
    """The applicant came back with the corrections (补正): a new decision on the same case."""
    window_no: int = Field(ge=1, le=9999)
    materials: list[MaterialTickIn] = Field(default_factory=list, max_length=80)
    outcome: IntakeOutcome
    override_reason: str | None = Field(default=None, max_length=300)
    reject_reason: str | None = Field(default=None, max_length=1000)
    reject_basis: str | None = Field(default=None, max_length=1000)


class CaseActionIn(Model):
    action: Literal["start_review", "suspend", "resume", "extend", "approve", "refuse", "deliver", "withdraw"]
    reason: str = Field(default="", max_length=1000)
    suspend_kind: SuspendKind | None = None
    days: int | None = Field(default=None, ge=1, le=365)  # extension length
    approved_by: str = Field(default="", max_length=40)  # no longer used: the approver signs in below
    note: str = Field(default="", max_length=1000)
    # §42 extension: a manager/supervisor types 工号 + password at the clerk's screen; checked
    # server-side (wrong passwords count towards their lockout) and logged as ``approved_by``.
    approver_staff_no: str | None = Field(default=None, max_length=20)
    approver_password: str | None = Field(default=None, max_length=128)


# --- cases ---------------------------------------------------------------------

class CheckedMaterialOut(Model):
    code: str
    name: str
    form: str
    copies: int
    required: bool
    status: MaterialStatus
    note: str = ""


class NoticeRef(Model):
    kind: Literal["acceptance", "correction", "rejection"]
    notice_no: str
    issued_at: datetime
    pdf_url: str


class CaseOut(Model):
    id: int
    case_no: str
    query_code: str
    matter_code: str
    matter_name: str
    department: str = ""
    kind: MatterKind
    state: CaseState
    state_label: str
    ticket_no: str | None = None
    window_no: int | None = None
    staff_no: str | None = None
    applicant_kind: ApplicantKind
    applicant_name: str
    applicant_id_number: str  # masked
    applicant_phone: str  # masked
    materials: list[CheckedMaterialOut]
    to_correct: list[CheckedMaterialOut]
    override_reason: str | None = None
    reject_reason: str | None = None
    reject_basis: str | None = None
    received_at: datetime
    accepted_at: datetime | None = None
    limit_days: int = 0
    limit_unit: LimitUnit = LimitUnit.WORKING
    extended_days: int = 0
    suspended_days: int = 0
    suspended_since: datetime | None = None
    due_date: date | None = None
    statutory_due_date: date | None = None
    days_left: int | None = None  # in limit_unit; negative = overdue; None = no clock
    clock_text: str = ""  # 剩余 3 个工作日 / 超期 2 个工作日 / 中止中 / 已办结
    concluded_at: datetime | None = None
    delivered_at: datetime | None = None
    outcome_note: str | None = None
    allowed: list[CaseAction] = []
    notices: list[NoticeRef] = []
    public_url: str = ""


class CaseBrief(Model):
    case_no: str
    matter_code: str
    matter_name: str
    state: CaseState
    state_label: str
    applicant_name: str  # masked
    ticket_no: str | None = None
    received_at: datetime
    due_date: date | None = None
    days_left: int | None = None
    limit_unit: LimitUnit = LimitUnit.WORKING
    clock_text: str = ""
    window_no: int | None = None
    staff_no: str | None = None
    accepted_at: datetime | None = None


class CasePage(Model):
    cases: list[CaseBrief]
    total: int


class ProgressStep(Model):
    at: datetime
    label: str


class CasePublicOut(Model):
    """What anyone holding the notice may see: no identifiers, the name masked."""
    case_no: str
    matter_name: str
    department: str = ""
    state: CaseState
    state_label: str
    applicant_name: str  # masked
    received_at: datetime
    accepted_at: datetime | None = None
    due_date: date | None = None
    days_left: int | None = None
    limit_unit: LimitUnit = LimitUnit.WORKING
    clock_text: str = ""
    concluded_at: datetime | None = None
    to_correct: list[str] = []  # names of materials still to bring
    progress: list[ProgressStep] = []
    enquiry_phone: str = ""
    complaint_phone: str = ""


class HistoryItem(Model):
    seq: int
    at: datetime
    type: str
    label: str
    actor: str
    window_no: int | None = None
    data: dict[str, Any]
    detail: str = ""  # the catalogue's sentence: 王建国（1001）将办件 … 的时限延长 2 个工作日：…


class CaseHistoryOut(Model):
    case_no: str
    ticket_no: str | None = None
    items: list[HistoryItem]
    restricted: bool = False  # the reader is window staff: ratings show only that one was recorded
    names: dict[str, str] = {}  # 工号 -> name of the staff the items name


class SlipOut(Model):
    """Fields for the short slip on the window's thermal printer (printers/slips.py)."""
    kind: Literal["acceptance", "correction", "rejection"]
    hall_name: str
    title: str
    notice_no: str
    case_no: str
    query_code: str
    matter_name: str
    applicant_name: str  # masked
    issued_at: datetime
    due_date: date | None = None
    limit_text: str = ""
    to_correct: list[str] = []
    reason: str = ""
    query_url: str
    enquiry_phone: str = ""
    complaint_phone: str = ""
    rating_url: str = ""  # rate-later page of the service, printed as a second QR
