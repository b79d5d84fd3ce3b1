"""The ticket state machine and the queue's pure rules (ordering, estimates, numbering).

One transition table is the whole truth of what a ticket may do next: the server
enforces it and the window client asks ``allowed()`` to enable its buttons.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .errors import BadInput, Conflict


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    SKIPPED = "skipped"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    COMPLETE = "complete"
    SKIP = "skip"
    REQUEUE = "requeue"
    TRANSFER = "transfer"


TRANSITIONS: Mapping[tuple[TicketState, Action], TicketState] = {
    (TicketState.WAITING, Action.CALL): TicketState.CALLED,
    (TicketState.CALLED, Action.RECALL): TicketState.CALLED,
    (TicketState.CALLED, Action.START): TicketState.SERVING,
    (TicketState.CALLED, Action.SKIP): TicketState.SKIPPED,
    (TicketState.CALLED, Action.TRANSFER): TicketState.WAITING,
    (TicketState.SERVING, Action.COMPLETE): TicketState.DONE,
    (TicketState.SERVING, Action.TRANSFER): TicketState.WAITING,
    (TicketState.SKIPPED, Action.REQUEUE): TicketState.WAITING,
}

STATE_LABELS: Mapping[TicketState, str] = {
    TicketState.WAITING: "等候中",
    TicketState.CALLED: "已叫号",
    TicketState.SERVING: "办理中",
    TicketState.DONE: "已办结",
    TicketState.SKIPPED: "已过号",
}

ACTION_LABELS: Mapping[Action, str] = {
    Action.CALL: "叫号",
    Action.RECALL: "重呼",
    Action.START: "开始办理",
    Action.COMPLETE: "办理完成",
    Action.SKIP: "过号",
    Action.REQUEUE: "重新排队",
    Action.TRANSFER: "转移",
}


class IllegalMove(Conflict):
    code = "illegal_transition"

    def __init__(self, state: TicketState, action: Action) -> None:
        self.state, self.action = state, action
        super().__init__(
            f"号票当前为“{STATE_LABELS[state]}”，不能执行“{ACTION_LABELS[action]}”。"
        )


def step(state: TicketState, action: Action) -> TicketState:
    """Return the next state; an illegal move raises and changes nothing."""
    try:
        return TRANSITIONS[state, action]
    except KeyError:
        raise IllegalMove(state, action) from None


def allowed(state: TicketState | None) -> frozenset[Action]:
    """What a clerk's buttons may offer for the ticket now at the window."""
    if state is None:
        return frozenset({Action.CALL})
    return frozenset(a for (s, a) in TRANSITIONS if s == state)


# --- numbering -------------------------------------------------------------

PREFIX_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I/O: they read as 1/0 on LED boards


def business_day(now: datetime, tz: ZoneInfo) -> date:
    """The hall's day: numbers restart at local midnight, not at UTC midnight."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: times must be UTC-aware")
    return now.astimezone(tz).date()


def format_number(prefix: str, seq: int) -> str:
    """A001 … A999, then A1000: never wrap, a wrapped number would be issued twice."""
    if seq < 1:
        raise ValueError(seq)
    return f"{prefix}{seq:03d}"


def validate_prefix(prefix: str) -> str:
    if len(prefix) != 1 or prefix not in PREFIX_ALPHABET:
        raise BadInput(f"类别前缀“{prefix}”无效，应为除 I、O 外的单个大写字母。")
    return prefix


# --- ordering ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Candidate:
    ticket_id: int
    prefix: str
    priority: bool
    queued_at: datetime
    target_window_no: int | None


def pick_next(
    candidates: Iterable[Candidate], *, window_no: int, categories: Sequence[str]
) -> Candidate | None:
    """Which waiting ticket a window calls next.

    Order: tickets transferred to this very window first, then 绿色通道 (priority),
    then the window's categories in their configured order, then first come first served.
    """
    rank = {p: i for i, p in enumerate(categories)}
    eligible = [
        c for c in candidates
        if (c.target_window_no == window_no)
        or (c.target_window_no is None and c.prefix in rank)
    ]
    if not eligible:
        return None
    return min(
        eligible,
        key=lambda c: (
            c.target_window_no != window_no,
            not c.priority,
            rank.get(c.prefix, len(rank)),
            c.queued_at,
            c.ticket_id,
        ),
    )


def estimate_wait_minutes(*, waiting_ahead: int, serving_windows: int, service_minutes: float) -> int:
    """Rough wait shown on the ticket: people ahead shared by the windows open for them."""
    if waiting_ahead <= 0:
        return 0
    windows = max(serving_windows, 1)
    return max(1, round(waiting_ahead * service_minutes / windows))


def can_requeue(*, skipped_at: datetime | None, requeues: int, now: datetime, window: timedelta) -> None:
    """A skipped ticket may rejoin once, and only within the configured time."""
    if requeues >= 1:
        raise Conflict("该号已经重新排过一次队，请重新取号。", code="requeue_used")
    if skipped_at is None or now - skipped_at > window:
        raise Conflict("过号已超过可重新排队的时间，请重新取号。", code="requeue_expired")
