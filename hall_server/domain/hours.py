"""Opening hours: when the hall issues numbers, and what the kiosk says when it does not.

Pure: the week's spans, the local time and the working-day answer come in as arguments.
``hours[0]`` is Monday; an empty week means hours are not set (always open). A public
holiday closes the hall; a 调休 make-up Saturday or Sunday keeps Monday's hours.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from .errors import BadInput

Span = tuple[time, time]
Week = Sequence[Sequence[Span]]
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def parse_week(raw: Sequence[Sequence[tuple[str, str]]]) -> list[list[Span]]:
    """Check and convert ``[[("09:00","12:00"), …] × 7]``; refuses overlaps and reversed spans."""
    if raw and len(raw) != 7:
        raise BadInput("开放时间须按星期一到星期日填写 7 天。", code="bad_hours")
    return [parse_day(day, WEEKDAY_NAMES[i]) for i, day in enumerate(raw)]


def parse_day(raw: Sequence[tuple[str, str]], label: str = "") -> list[Span]:
    out: list[Span] = []
    for a, b in raw:
        try:
            s, e = time.fromisoformat(a), time.fromisoformat(b)
        except ValueError:
            raise BadInput(f"{label}的时间“{a}–{b}”格式不正确，应为 HH:MM。", code="bad_hours") from None
        if s >= e:
            raise BadInput(f"{label}的时段 {a}–{b} 结束时间须晚于开始时间。", code="bad_hours")
        out.append((s, e))
    out.sort()
    for (_, e1), (s2, _) in zip(out, out[1:]):
        if s2 < e1:
            raise BadInput(f"{label}的时段有重叠，请检查。", code="bad_hours")
    return out


def spans_on(week: Week, day: date, is_working_day: Callable[[date], bool]) -> list[Span]:
    """The spans of one day: none on a holiday, Monday's on a make-up weekend day."""
    if not week:
        return [(time(0, 0), time(23, 59, 59))]
    working = is_working_day(day)
    wd = day.weekday()
    if wd < 5 and not working:
        return []
    if wd >= 5 and working:
        return list(week[0])
    return list(week[wd])


def is_set(week: Week) -> bool:
    return any(week)


def is_open(week: Week, local: datetime, is_working_day: Callable[[date], bool]) -> bool:
    if not is_set(week):
        return True
    t = local.time()
    return any(s <= t < e for s, e in spans_on(week, local.date(), is_working_day))


def next_opening(week: Week, local: datetime, is_working_day: Callable[[date], bool],
                 *, horizon_days: int = 30) -> datetime | None:
    """The next start of a span after ``local`` (same zone), or None within the horizon."""
    if not is_set(week):
        return None
    for n in range(horizon_days + 1):
        d = local.date() + timedelta(days=n)
        for s, _ in spans_on(week, d, is_working_day):
            at = datetime.combine(d, s, local.tzinfo)
            if at > local:
                return at
    return None


def closed_message(week: Week, local: datetime, is_working_day: Callable[[date], bool]) -> str:
    """「现在不是办公时间，本大厅 11月25日（星期三）09:00 开始办理取号。」"""
    nxt = next_opening(week, local, is_working_day)
    if nxt is None:
        return "现在不是办公时间，暂停取号。请留意大厅公告。"
    if nxt.date() == local.date():
        when = f"今天 {nxt:%H:%M}"
    elif nxt.date() == local.date() + timedelta(days=1):
        when = f"明天（{WEEKDAY_NAMES[nxt.weekday()]}）{nxt:%H:%M}"
    else:
        when = f"{nxt.month}月{nxt.day}日（{WEEKDAY_NAMES[nxt.weekday()]}）{nxt:%H:%M}"
    return f"现在不是办公时间，暂停取号。本大厅{when} 开始取号，欢迎届时前来。"


def minutes_text(spans: Sequence[Span]) -> str:
    return "、".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in spans) or "休息"
