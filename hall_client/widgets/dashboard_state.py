"""The dashboard's figures as pure state: a snapshot from ``GET /dashboard`` plus every
event after it. No Qt, no clock: ``apply`` takes an event and returns the new state,
so the tests can check the arithmetic without a screen.

"Now" is the time of the newest thing seen (snapshot or event): the longest wait is
measured against it, so the figures follow the server's clock, not the PC's.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hall_server.contract import DashboardOut, DeviceHealthOut, EventOut, FiguresOut

WINDOW_STATE_TEXT = {"offline": "未上岗", "idle": "空闲", "calling": "叫号中", "serving": "办理中", "paused": "暂停"}
DEVICE_STATE_TEXT = {"ok": "正常", "warning": "警告", "error": "故障", "offline": "离线", "unknown": "未知",
                     "replaced": "已被替换", "never": "从未上报"}


@dataclass(frozen=True)
class Cat:
    prefix: str
    name: str
    queue: tuple[tuple[str, datetime], ...] = ()  # (number, queued_at), oldest first
    served: int = 0
    wait_n: int = 0
    wait_s: float = 0.0
    service_n: int = 0
    service_s: float = 0.0

    @property
    def waiting(self) -> int:
        return len(self.queue)

    def longest_wait_s(self, now: datetime) -> int:
        if not self.queue:
            return 0
        return max(0, int((now - min(q for _, q in self.queue)).total_seconds()))

    @property
    def avg_wait_s(self) -> float | None:
        return self.wait_s / self.wait_n if self.wait_n else None

    @property
    def avg_service_s(self) -> float | None:
        return self.service_s / self.service_n if self.service_n else None


@dataclass(frozen=True)
class Win:
    window_no: int
    name: str
    state: str
    staff_no: str | None = None
    staff_name: str | None = None
    current: str | None = None
    pause_reason: str | None = None
    served_today: int = 0


@dataclass(frozen=True)
class Dash:
    last_seq: int
    now: datetime
    today: FiguresOut
    cats: tuple[Cat, ...]
    windows: tuple[Win, ...]
    by_hour: dict[str, int] = field(default_factory=dict)  # tickets issued per local hour
    served_by_window: dict[int, int] = field(default_factory=dict)
    trend: tuple[tuple[str, int], ...] = ()  # (day, tickets) of the last days, today last
    devices: tuple[DeviceHealthOut, ...] = ()
    heartbeat_timeout_s: int = 180
    timezone: str = "Asia/Shanghai"

    @classmethod
    def from_snapshot(cls, d: DashboardOut) -> "Dash":
        cats = tuple(Cat(prefix=k.prefix, name=k.name, queue=tuple((q.number, q.queued_at) for q in k.queue),
                         served=k.served, wait_n=k.wait_n, wait_s=(k.avg_wait_s or 0) * k.wait_n,
                         service_n=k.service_n, service_s=(k.avg_service_s or 0) * k.service_n)
                     for k in d.categories)
        wins = tuple(Win(window_no=w.window_no, name=w.name, state=w.state, staff_no=w.staff_no,
                         staff_name=w.staff_name, current=w.current, pause_reason=w.pause_reason,
                         served_today=w.served_today) for w in d.windows)
        return cls(last_seq=d.last_seq, now=d.now, today=d.today, cats=cats, windows=wins,
                   by_hour={k.key: k.figures.tickets for k in d.by_hour},
                   served_by_window={w.window_no: w.served_today for w in d.windows},
                   trend=tuple((p.day.isoformat(), p.tickets) for p in d.trend), devices=tuple(d.devices),
                   heartbeat_timeout_s=d.heartbeat_timeout_s, timezone=d.timezone)

    # --- reading ---------------------------------------------------------------------
    def cat(self, prefix: str) -> Cat | None:
        return next((k for k in self.cats if k.prefix == prefix), None)

    def window(self, no: int) -> Win | None:
        return next((w for w in self.windows if w.window_no == no), None)

    def device_status(self, dev: DeviceHealthOut) -> str:
        """What to show now: a device silent past the heartbeat timeout is offline."""
        if dev.last_seen_at is None or dev.status in ("replaced", "never"):
            return dev.status
        if (self.now - dev.last_seen_at).total_seconds() > self.heartbeat_timeout_s:
            return "offline"
        return dev.reported if dev.status == "offline" else dev.status


def _cats(d: Dash, prefix: str, **kw: Any) -> tuple[Cat, ...]:
    return tuple(replace(k, **kw) if k.prefix == prefix else k for k in d.cats)


def _wins(d: Dash, no: int | None, **kw: Any) -> tuple[Win, ...]:
    return tuple(replace(w, **kw) if w.window_no == no else w for w in d.windows)


def _today(d: Dash, **delta: int) -> FiguresOut:
    return d.today.model_copy(update={k: getattr(d.today, k) + v for k, v in delta.items()})


def _dequeue(d: Dash, number: str) -> tuple[Cat, ...]:
    return tuple(replace(k, queue=tuple(q for q in k.queue if q[0] != number)) for k in d.cats)


def _enqueue(cats: tuple[Cat, ...], prefix: str, number: str, at: datetime) -> tuple[Cat, ...]:
    return tuple(replace(k, queue=k.queue + ((number, at),)) if k.prefix == prefix else k for k in cats)


def apply(d: Dash, ev: EventOut) -> Dash:
    """The dashboard after one event (events at or before the snapshot are ignored)."""
    if ev.seq <= d.last_seq:
        return d
    data, t, wn = ev.data, ev.type, ev.window_no
    s = replace(d, last_seq=ev.seq, now=max(d.now, ev.at))
    number, cat = str(data.get("ticket", "")), str(data.get("category", ""))
    if t == "ticket.issued":
        hour = f"{ev.at.astimezone(ZoneInfo(d.timezone)).hour:02d}"
        hours = dict(s.by_hour)
        hours[hour] = hours.get(hour, 0) + 1
        trend = s.trend[:-1] + ((s.trend[-1][0], s.trend[-1][1] + 1),) if s.trend else s.trend
        s = replace(s, cats=_enqueue(s.cats, cat, number, ev.at), today=_today(s, tickets=1), by_hour=hours,
                    trend=trend)
    elif t == "ticket.called":
        cats = _dequeue(s, number)
        k = next((x for x in cats if x.prefix == cat), None)
        waited = data.get("waited_s")
        if k is not None and isinstance(waited, int):
            cats = tuple(replace(x, wait_n=x.wait_n + 1, wait_s=x.wait_s + waited) if x.prefix == cat else x
                         for x in cats)
        s = replace(s, cats=cats, windows=_wins(s, wn, state="calling", current=number), today=_today(s, called=1))
    elif t == "ticket.started":
        s = replace(s, windows=_wins(s, wn, state="serving", current=number))
    elif t == "ticket.completed":
        served_s = data.get("served_s")
        cats = tuple(replace(x, served=x.served + 1,
                             service_n=x.service_n + (1 if isinstance(served_s, int) else 0),
                             service_s=x.service_s + (served_s if isinstance(served_s, int) else 0))
                     if x.prefix == cat else x for x in s.cats)
        w = s.window(wn or 0)
        sbw = dict(s.served_by_window)
        if wn is not None:
            sbw[wn] = sbw.get(wn, 0) + 1
        s = replace(s, cats=cats, today=_today(s, served=1), served_by_window=sbw,
                    windows=_wins(s, wn, state="idle", current=None,
                                  served_today=(w.served_today + 1) if w else 0))
    elif t == "ticket.skipped":
        s = replace(s, today=_today(s, skipped=1), windows=_wins(s, wn, state="idle", current=None))
    elif t == "ticket.transferred":
        to = str(data.get("to_category") or cat)
        s = replace(s, cats=_enqueue(s.cats, to, number, ev.at), windows=_wins(s, wn, state="idle", current=None))
    elif t == "ticket.requeued":
        s = replace(s, cats=_enqueue(s.cats, cat, number, ev.at))
    elif t == "window.paused":
        s = replace(s, windows=_wins(s, wn, state="paused", pause_reason=str(data.get("reason", ""))))
    elif t == "window.resumed":
        s = replace(s, windows=_wins(s, wn, state="idle", pause_reason=None))
    elif t == "duty.started":
        badge = data.get("badge") or {}
        s = replace(s, windows=_wins(s, wn, state="idle", staff_no=data.get("staff_no"),
                                     staff_name=badge.get("name")))
    elif t == "duty.ended":
        s = replace(s, windows=_wins(s, wn, state="offline", staff_no=None, staff_name=None, current=None,
                                     pause_reason=None))
    elif t == "case.accepted":
        s = replace(s, today=_today(s, cases_accepted=1))
    elif t == "case.concluded":
        s = replace(s, today=_today(s, cases_concluded=1))
    elif t == "fee.paid":
        s = replace(s, today=_today(s, fees_fen=int(data.get("amount_fen", 0)), receipts=1))
    elif t == "fee.receipt_voided":
        s = replace(s, today=_today(s, fees_fen=-int(data.get("amount_fen", 0)), voids=1))
    elif t == "fee.refunded":  # money going back lowers the day's fees; it is not a receipt
        s = replace(s, today=_today(s, fees_fen=int(data.get("amount_fen", 0))))
    elif t == "rating.recorded":
        bad = bool(data.get("bad"))
        today = _today(s, ratings=1, ratings_good=0 if bad else 1, ratings_bad=1 if bad else 0)
        today = today.model_copy(update={"satisfaction_rate": today.ratings_good / today.ratings})
        s = replace(s, today=today)
    elif t == "complaint.registered":
        s = replace(s, today=_today(s, complaints=1))
    elif t == "device.status":
        s = replace(s, devices=_device(s.devices, data, ev))
    elif t == "device.retired":
        s = replace(s, devices=tuple(x for x in s.devices if x.name != data.get("device")))
    return s


def _device(devs: tuple[DeviceHealthOut, ...], data: dict[str, Any], ev: EventOut) -> tuple[DeviceHealthOut, ...]:
    name = str(data.get("device", ""))
    new = DeviceHealthOut(name=name, kind=str(data.get("kind", "other")), status=data.get("status", "unknown"),
                          reported=str(data.get("status", "unknown")), detail=str(data.get("detail", "")),
                          window_no=data.get("window_no"), reporter=str(data.get("reporter", "")),
                          last_seen_at=ev.at)
    if any(x.name == name for x in devs):
        return tuple(new if x.name == name else x for x in devs)
    return devs + (new,)
