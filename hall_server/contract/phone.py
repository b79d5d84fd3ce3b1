"""What a citizen's phone may see: my ticket, my case. Masked models, on purpose
separate from the staff-facing ones (no ids, no identity numbers, no staff names):
``api/phone.py`` renders them as HTML and also serves them as JSON for the pages'
own live updates."""
from __future__ import annotations

from datetime import date, datetime

from .accountability import RateInfoOut
from .core import Model

__all__ = ["TicketPhoneOut", "CasePhoneOut", "PhoneStep"]


class TicketPhoneOut(Model):
    """My ticket: where it stands, recomputed on every change of the queue."""
    hall_name: str
    number: str
    category: str  # prefix
    category_name: str
    state: str  # waiting | called | serving | done | skipped | transferred
    state_label: str
    business_day: date
    today: bool  # a ticket of another day is history: no live updates
    ahead: int | None = None  # people before me, while waiting
    serving_windows: int = 0
    estimate_min: int | None = None  # None: no open window serves the category now
    estimate_basis: str = ""  # how the estimate was made, said on the page
    window_no: int | None = None  # once called
    window_name: str | None = None
    version: str = ""  # changes whenever anything shown changes (SSE / polling compare it)
    rating: RateInfoOut | None = None  # once served: the rate-later form's content


class PhoneStep(Model):
    at: datetime
    label: str


class CasePhoneOut(Model):
    """My case, for whoever holds the notice with its query code."""
    hall_name: str
    case_no: str
    matter_name: str
    department: str = ""
    state_label: str
    applicant_name: str  # masked
    received_at: datetime
    accepted_at: datetime | None = None
    concluded_at: datetime | None = None
    promised_text: str = ""  # e.g. 承诺 5 个工作日
    due_date: date | None = None
    statutory_text: str = ""  # e.g. 法定 20 个工作日
    statutory_due_date: date | None = None
    clock_text: str = ""
    to_correct: list[str] = []
    steps: list[PhoneStep] = []
    fees_owed_fen: int = 0
    fees_paid_fen: int = 0
    enquiry_phone: str = ""
    complaint_phone: str = ""
    rating_token: str | None = None  # the service's rate-later form lives on its ticket page
