"""What the client believes about the hall: the snapshot plus the events after it.

Pure and Qt-free, so it is tested without a screen. ``apply`` returns a new state (or the
same one for an event it has already seen) and raises ``SeqGap`` when an event is missing:
the client then reloads the snapshot instead of guessing. Unknown event types (other areas'
``case.*``, ``fee.*``, …) only move ``last_seq``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Mapping

from hall_server.contract import Badge, EventOut, HallOut

RECENT_CALLS = 10


class SeqGap(Exception):
    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"expected event seq {expected}, got {got}")
        self.expected, self.got = expected, got


@dataclass(frozen=True, slots=True)
class Call:
    number: str
    window_no: int
    at: datetime
    recall: bool = False
    seq: int = 0


@dataclass(frozen=True, slots=True)
class CategoryView:
    prefix: str
    name: str
    waiting: int
    estimated_wait_min: int = 0
    department: str = ""


@dataclass(frozen=True, slots=True)
class WindowView:
    window_no: int
    name: str
    categories: tuple[str, ...]
    badge: Badge | None = None
    paused: bool = False
    pause_reason: str | None = None
    current: str | None = None  # ticket number at the window
    current_state: str | None = None  # called | serving
    is_fee_window: bool = False
    department: str = ""

    @property
    def state(self) -> str:
        """offline | paused | calling | serving | idle: what the board and dashboard show."""
        if self.badge is None:
            return "offline"
        if self.paused:
            return "paused"
        if self.current_state == "serving":
            return "serving"
        if self.current is not None:
            return "calling"
        return "idle"


@dataclass(frozen=True, slots=True)
class HallState:
    hall_name: str = ""
    timezone: str = "Asia/Shanghai"
    business_day: date | None = None
    last_seq: int = 0
    categories: Mapping[str, CategoryView] = field(default_factory=lambda: MappingProxyType({}))
    windows: Mapping[int, WindowView] = field(default_factory=lambda: MappingProxyType({}))
    recent_calls: tuple[Call, ...] = ()

    @classmethod
    def from_snapshot(cls, snap: HallOut) -> "HallState":
        cats = {c.prefix: CategoryView(c.prefix, c.name, c.waiting, c.estimated_wait_min, c.department)
                for c in snap.categories}
        wins = {
            w.window_no: WindowView(
                w.window_no, w.name, tuple(w.categories), w.badge, w.state == "paused", w.pause_reason,
                w.current.number if w.current else None,
                str(w.current.state) if w.current else None, w.is_fee_window, w.department)
            for w in snap.windows
        }
        calls = tuple(Call(c.number, c.window_no, c.at) for c in snap.recent_calls)
        return cls(snap.hall_name, snap.timezone, snap.business_day, snap.last_seq,
                   MappingProxyType(cats), MappingProxyType(wins), calls)

    def waiting_for(self, prefixes: tuple[str, ...] | list[str]) -> int:
        return sum(self.categories[p].waiting for p in prefixes if p in self.categories)


def _bump(state: HallState, prefix: str, delta: int) -> Mapping[str, CategoryView]:
    cats = dict(state.categories)
    c = cats.get(prefix)
    if c is not None:
        cats[prefix] = replace(c, waiting=max(0, c.waiting + delta))
    return MappingProxyType(cats)


def _window(state: HallState, window_no: int | None, **changes: object) -> Mapping[int, WindowView]:
    wins = dict(state.windows)
    if window_no is not None and window_no in wins:
        wins[window_no] = replace(wins[window_no], **changes)  # type: ignore[arg-type]
    return MappingProxyType(wins)


def apply(state: HallState, ev: EventOut) -> HallState:
    """The state after one event; raises ``SeqGap`` if an earlier event was not seen."""
    if ev.seq <= state.last_seq:
        return state  # already in the snapshot or seen before
    if ev.seq != state.last_seq + 1:
        raise SeqGap(state.last_seq + 1, ev.seq)
    s = replace(state, last_seq=ev.seq)
    d = ev.data
    number = str(d.get("ticket", ""))
    cat = str(d.get("category", ""))
    wn = ev.window_no
    t = ev.type
    if t == "ticket.issued":
        s = replace(s, categories=_bump(s, cat, +1))
    elif t == "ticket.called":
        s = replace(s, categories=_bump(s, cat, -1),
                    windows=_window(s, wn, current=number, current_state="called"),
                    recent_calls=(Call(number, wn or 0, ev.at, False, ev.seq),) + s.recent_calls[:RECENT_CALLS - 1])
    elif t == "ticket.recalled":
        s = replace(s, recent_calls=(Call(number, wn or 0, ev.at, True, ev.seq),) + s.recent_calls[:RECENT_CALLS - 1])
    elif t == "ticket.started":
        s = replace(s, windows=_window(s, wn, current=number, current_state="serving"))
    elif t in ("ticket.completed", "ticket.skipped"):
        s = replace(s, windows=_window(s, wn, current=None, current_state=None))
    elif t == "ticket.transferred":
        s = replace(s, windows=_window(s, wn, current=None, current_state=None), categories=_bump(s, cat, +1))
    elif t == "ticket.requeued":
        s = replace(s, categories=_bump(s, cat, +1))
    elif t == "window.paused":
        s = replace(s, windows=_window(s, wn, paused=True, pause_reason=str(d.get("reason", ""))))
    elif t == "window.resumed":
        s = replace(s, windows=_window(s, wn, paused=False, pause_reason=None))
    elif t == "duty.started":
        badge = Badge.model_validate(d["badge"]) if isinstance(d.get("badge"), dict) else None
        s = replace(s, windows=_window(s, wn, badge=badge, paused=False, pause_reason=None))
    elif t == "duty.ended":
        s = replace(s, windows=_window(s, wn, badge=None, paused=False, pause_reason=None,
                                       current=None, current_state=None))
    return s


def call_text(number: str, window_no: int, *, spoken: bool = False) -> str:
    """「请A001号到3号窗口」 for LED strips; the spoken form adds 「办理」."""
    return f"请{number}号到{window_no}号窗口" + ("办理" if spoken else "")
