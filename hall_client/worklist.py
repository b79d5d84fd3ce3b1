"""The complaint handlers' work list: 投诉 and 差评 follow-ups as one list of items, the
filters 新登记 / 办理中 / 已超期 / 已办结, and how a deadline reads in working days.
Pure (no Qt): the widget only lays these out.

A deadline reads 「剩 3 个工作日」, 「今日到期」 or 「已超期 2 个工作日」; the last is
also what makes the row red, so the mark is never colour alone.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hall_server.contract import ComplaintOut, RatingRecordOut, show
from hall_server.domain.complaints import CHANNEL_LABELS, STATE_LABELS
from hall_server.domain.ratings import FOLLOWUP_LABELS, LEVEL_LABELS, REASONS, RERATE_LEVELS, RatingLevel

FILTERS = ("新登记", "办理中", "已超期", "已办结", "全部")
OVERDUE_MARK = "已超期"
# RERATE_LEVELS (domain): the citizen re-rates the fix on three levels, typed in by the office
REPLY_METHODS = {"phone": "电话", "sms": "短信", "in_person": "当面", "letter": "书面"}


def local(at: datetime | None, tz: str = show.HALL_TZ) -> str:
    """A full local date-time to the minute (the hall's zone): ``contract.show``."""
    return show.local_minute(at, tz)


def due_local(at: datetime | None, tz: str = "Asia/Shanghai") -> str:
    """A deadline is the end of its last day (stored as the next midnight): shown as that
    day's 23:59, so nobody reads a day too many."""
    return "" if at is None else local(at - timedelta(minutes=1) if _midnight(at, tz) else at, tz)


def _midnight(at: datetime, tz: str) -> bool:
    t = at.astimezone(ZoneInfo(tz))
    return (t.hour, t.minute, t.second) == (0, 0, 0)


def due_text(workdays_left: int | None, overdue: bool, closed: bool) -> str:
    if closed:
        return "已办结"
    if workdays_left is None:
        return OVERDUE_MARK if overdue else ""
    if overdue or workdays_left < 0:
        return f"{OVERDUE_MARK} {max(1, -workdays_left)} 个工作日"
    if workdays_left == 0:
        return "今日到期"
    return f"剩 {workdays_left} 个工作日"


@dataclass(frozen=True)
class Item:
    kind: str             # "投诉" | "差评"
    key: str              # complaint_no, or "差评-<followup id>"
    stage: str            # 新登记 | 办理中 | 已办结
    state_label: str
    subject: str          # what it is about, one line
    about_staff_no: str | None
    about: str            # who it concerns, as shown
    due_at: datetime | None
    due: str              # 「剩 2 个工作日」…
    overdue: bool
    closed: bool
    allowed: frozenset[str]
    source: ComplaintOut | RatingRecordOut


def from_complaint(c: ComplaintOut) -> Item:
    closed = c.closed_at is not None
    stage = "已办结" if closed else ("新登记" if c.state == "registered" else "办理中")
    about = "、".join(x for x in (show.staff(c.about_staff_name, c.about_staff_no) if c.about_staff_no else "",
                                  f"{c.window_no} 号窗口" if c.window_no else "") if x) or "未指明"
    state = STATE_LABELS[c.state]
    if c.assignee_staff_no and not closed:
        state += f"（承办：{show.staff(c.assignee_name, c.assignee_staff_no)}）"
    if c.called_back_at is not None:
        state += "，已回访" + (f"（{LEVEL_LABELS[RatingLevel(c.callback_level)]}）" if c.callback_level else "")
    return Item(kind="投诉", key=c.complaint_no, stage=stage, state_label=state,
                subject=f"[{CHANNEL_LABELS[c.channel]}] {c.content}", about_staff_no=c.about_staff_no, about=about,
                due_at=c.due_at, due=due_text(c.workdays_left, c.overdue, closed), overdue=c.overdue and not closed,
                closed=closed, allowed=frozenset(str(a) for a in c.allowed), source=c)


def from_rating(r: RatingRecordOut) -> Item | None:
    fu = r.followup
    if fu is None:
        return None
    closed = fu.closed_at is not None
    stage = "已办结" if closed else ("新登记" if fu.state == "callback" else "办理中")
    reasons = "、".join(REASONS.get(x, x) for x in r.reasons)
    subject = f"{LEVEL_LABELS[r.level]}" + (f"：{reasons}" if reasons else "") + (f"（{r.comment}）" if r.comment else "")
    state = FOLLOWUP_LABELS[fu.state]
    if fu.rerate_level is not None:
        state += f"（复评：{LEVEL_LABELS[fu.rerate_level]}）"
    about = "、".join(x for x in (show.staff(r.staff_name, r.staff_no) if r.staff_no else "",
                                  f"{r.window_no} 号窗口" if r.window_no else "",
                                  f"号票 {r.ticket}" if r.ticket else "") if x) or "未指明"
    return Item(kind="差评", key=f"差评-{fu.id}", stage=stage, state_label=state, subject=subject,
                about_staff_no=r.staff_no, about=about, due_at=fu.due_at,
                due=due_text(fu.workdays_left, fu.overdue, closed), overdue=fu.overdue and not closed,
                closed=closed, allowed=frozenset(str(a) for a in fu.allowed), source=r)


def items(complaints: Iterable[ComplaintOut], ratings: Iterable[RatingRecordOut]) -> list[Item]:
    """Open items first, the most urgent (earliest deadline) on top; closed ones last."""
    out = [from_complaint(c) for c in complaints] + [i for r in ratings if (i := from_rating(r)) is not None]
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return sorted(out, key=lambda i: (i.closed, i.due_at or far, i.key))


def select(all_items: Iterable[Item], flt: str) -> list[Item]:
    if flt == "已超期":
        return [i for i in all_items if i.overdue]
    if flt == "全部":
        return list(all_items)
    return [i for i in all_items if i.stage == flt]


def counts(all_items: Iterable[Item]) -> dict[str, int]:
    xs = list(all_items)
    return {f: len(select(xs, f)) for f in FILTERS}


def may_assign_to(item: Item, staff_no: str) -> str | None:
    """Why this handler cannot be given the item (None: may). The server says the same."""
    if not staff_no.strip():
        return "请填写承办人工号。"
    if item.about_staff_no and staff_no.strip() == item.about_staff_no:
        return "不能交由被投诉人本人办理。"
    return None
