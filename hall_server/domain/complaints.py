"""投诉: registered (window, kiosk, supervision office, phone), assigned, replied within a limit.

A complaint may name a case, a staff member or a window. The reply to the citizen is
what closes it; the limit runs from registration, because that is the day the citizen
counts from.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from .errors import BadInput, Conflict


class ComplaintState(StrEnum):
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    REPLIED = "replied"


class ComplaintAction(StrEnum):
    ASSIGN = "assign"
    REPLY = "reply"
    RECTIFY = "rectify"      # 整改: what was put right, recorded before the reply
    CALL_BACK = "call_back"  # 回访: after the reply, ask the citizen whether it was put right


class Channel(StrEnum):
    WINDOW = "window"
    KIOSK = "kiosk"
    SUPERVISION = "supervision"  # 驻厅监察室, in person
    PHONE = "phone"              # 12345 or the hall's complaint line, typed in by the office


CHANNEL_LABELS: Mapping[Channel, str] = {
    Channel.WINDOW: "窗口", Channel.KIOSK: "自助机", Channel.SUPERVISION: "监察室", Channel.PHONE: "电话",
}

TRANSITIONS: Mapping[tuple[ComplaintState, ComplaintAction], ComplaintState] = {
    (ComplaintState.REGISTERED, ComplaintAction.ASSIGN): ComplaintState.ASSIGNED,
    (ComplaintState.ASSIGNED, ComplaintAction.ASSIGN): ComplaintState.ASSIGNED,  # reassign
    (ComplaintState.REGISTERED, ComplaintAction.REPLY): ComplaintState.REPLIED,  # office answers itself
    (ComplaintState.ASSIGNED, ComplaintAction.REPLY): ComplaintState.REPLIED,
    # records that do not move the complaint (each once: the service refuses a second)
    (ComplaintState.REGISTERED, ComplaintAction.RECTIFY): ComplaintState.REGISTERED,
    (ComplaintState.ASSIGNED, ComplaintAction.RECTIFY): ComplaintState.ASSIGNED,
    (ComplaintState.REPLIED, ComplaintAction.CALL_BACK): ComplaintState.REPLIED,
}

STATE_LABELS: Mapping[ComplaintState, str] = {
    ComplaintState.REGISTERED: "已登记", ComplaintState.ASSIGNED: "办理中", ComplaintState.REPLIED: "已答复",
}
ACTION_LABELS: Mapping[ComplaintAction, str] = {
    ComplaintAction.ASSIGN: "交办", ComplaintAction.REPLY: "答复", ComplaintAction.RECTIFY: "整改",
    ComplaintAction.CALL_BACK: "回访",
}
# what the citizen says on the 回访 call about how the complaint was handled (three levels)
CALLBACK_LEVELS = ("satisfied", "basically_satisfied", "dissatisfied")


class IllegalComplaintMove(Conflict):
    code = "illegal_transition"

    def __init__(self, state: ComplaintState, action: ComplaintAction) -> None:
        super().__init__(f"该投诉当前为“{STATE_LABELS[state]}”，不能执行“{ACTION_LABELS[action]}”。")


def step(state: ComplaintState, action: ComplaintAction) -> ComplaintState:
    try:
        return TRANSITIONS[state, action]
    except KeyError:
        raise IllegalComplaintMove(state, action) from None


def allowed(state: ComplaintState) -> frozenset[ComplaintAction]:
    return frozenset(a for (s, a) in TRANSITIONS if s == state)


def check_content(content: str) -> str:
    text = content.strip()
    if len(text) < 4:
        raise BadInput("请写明投诉的事由（至少 4 个字）。", code="complaint_content")
    return text


def check_contact(*, anonymous: bool, phone: str | None) -> None:
    """A reply needs someone to reply to: without a phone the complaint must say it is anonymous."""
    if not anonymous and not (phone or "").strip():
        raise BadInput("请留下联系电话以便答复，或选择匿名投诉。", code="complaint_contact")
