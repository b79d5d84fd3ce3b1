"""首问负责: the first staff member asked stays responsible until the inquiry is closed.

An inquiry is answered on the spot (closed at once), or referred (转办) to a department
or a named colleague with a due time; the receiver (or the first person) closes it with
the answer given. One transition table is the whole truth of what may happen next; the
window panel asks ``allowed()`` to enable its buttons. Also home of the deadline helper
the three accountability duties share (working days, end of the hall's day).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from .errors import BadInput, Conflict


class InquiryState(StrEnum):
    OPEN = "open"          # logged, not yet answered nor referred (the first person is on it)
    REFERRED = "referred"  # 转办: waiting for the receiver's answer
    CLOSED = "closed"      # answered; the first person's responsibility ends here


class InquiryAction(StrEnum):
    ANSWER = "answer"  # close with the answer given
    REFER = "refer"    # hand to a department or a colleague, with a due time


TRANSITIONS: Mapping[tuple[InquiryState, InquiryAction], InquiryState] = {
    (InquiryState.OPEN, InquiryAction.ANSWER): InquiryState.CLOSED,
    (InquiryState.OPEN, InquiryAction.REFER): InquiryState.REFERRED,
    (InquiryState.REFERRED, InquiryAction.ANSWER): InquiryState.CLOSED,
    (InquiryState.REFERRED, InquiryAction.REFER): InquiryState.REFERRED,  # re-referral
}

STATE_LABELS: Mapping[InquiryState, str] = {
    InquiryState.OPEN: "待答复", InquiryState.REFERRED: "已转办", InquiryState.CLOSED: "已办结",
}
ACTION_LABELS: Mapping[InquiryAction, str] = {InquiryAction.ANSWER: "答复办结", InquiryAction.REFER: "转办"}


class IllegalInquiryMove(Conflict):
    code = "illegal_transition"

    def __init__(self, state: InquiryState, action: InquiryAction) -> None:
        super().__init__(f"该咨询当前为“{STATE_LABELS[state]}”，不能执行“{ACTION_LABELS[action]}”。")


def step(state: InquiryState, action: InquiryAction) -> InquiryState:
    """Next state; an illegal move raises and changes nothing."""
    try:
        return TRANSITIONS[state, action]
    except KeyError:
        raise IllegalInquiryMove(state, action) from None


def allowed(state: InquiryState) -> frozenset[InquiryAction]:
    return frozenset(a for (s, a) in TRANSITIONS if s == state)


def initial_action(*, answer: str | None, refer: bool) -> InquiryAction | None:
    """What logging an inquiry does at once: answer it, refer it, or leave it open.

    Both at once is refused: an answered inquiry has nobody left to refer it to.
    """
    if answer and refer:
        raise BadInput("已当场答复的咨询不需要转办，请二选一。", code="answer_and_referral")
    if answer:
        return InquiryAction.ANSWER
    if refer:
        return InquiryAction.REFER
    return None


def require_answer(answer: str | None) -> str:
    """Closing needs the answer given: an inquiry closed with nothing said is not closed."""
    text = (answer or "").strip()
    if not text:
        raise BadInput("办结咨询须填写答复内容；答不了的请转办。", code="answer_or_referral_required")
    return text


def check_referral(*, to_staff: bool, to_department: bool, due_at: datetime | None, now: datetime) -> None:
    if to_staff == to_department:
        raise BadInput("转办须指定接收部门或接收人（二选一）。", code="referral_target")
    if due_at is not None and due_at <= now:
        raise BadInput("转办的办理时限须晚于现在。", code="referral_due_past")


def is_overdue(*, due_at: datetime | None, closed_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and closed_at is None and now > due_at


# --- deadlines shared by inquiries, 差评 follow-ups and complaints ----------------

class Calendar(Protocol):
    def add_working_days(self, start: date, n: int) -> date: ...


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The instant a day-counted limit runs out: the hall's midnight after ``day``."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def workday_deadline(start: datetime, workdays: int, *, calendar: Calendar, tz: ZoneInfo) -> datetime:
    """N working days after ``start`` (its own day not counted), ending at that day's end.

    A limit of 0 ends at the end of the start day ("today").
    """
    if start.tzinfo is None:
        raise ValueError("naive datetime: times must be UTC-aware")
    day = start.astimezone(tz).date()
    return end_of_day(calendar.add_working_days(day, workdays), tz)
