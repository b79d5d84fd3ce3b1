"""红黄牌: each rule is a pure function from plain facts to cards.

Cards are derived, never stored: the same facts and thresholds always give the same
cards with the same keys, so an inspector's sign-off (stored by key) sticks to its card
and a changed threshold re-judges history consistently. Thresholds differ by city, so
they come from configuration (``resources/cards.toml`` plus a hall override file).

A card's key is ``rule/day/level/subject``: a yellow card that turns red is a new card
that needs its own sign-off, a card on another day is another card.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from .errors import BadInput


class Level(StrEnum):
    YELLOW = "yellow"
    RED = "red"


LEVEL_LABELS = {Level.YELLOW: "黄牌", Level.RED: "红牌"}


class Rule(StrEnum):
    CASE_DEADLINE = "case_deadline"
    LONG_WAIT = "long_wait"
    LONG_PAUSE = "long_pause"
    OFF_DUTY = "off_duty"
    SKIP_RATE = "skip_rate"
    VOID_RATE = "void_rate"
    BAD_RATING_FOLLOWUP = "bad_rating_followup"
    COMPLAINT_OVERDUE = "complaint_overdue"
    INQUIRY_OVERDUE = "inquiry_overdue"


RULE_LABELS: Mapping[Rule, str] = {
    Rule.CASE_DEADLINE: "办件临近或超过时限",
    Rule.LONG_WAIT: "群众等候过久",
    Rule.LONG_PAUSE: "窗口暂停过久",
    Rule.OFF_DUTY: "工作时间离岗",
    Rule.SKIP_RATE: "过号率异常",
    Rule.VOID_RATE: "票据作废率异常",
    Rule.BAD_RATING_FOLLOWUP: "差评未按时整改回访",
    Rule.COMPLAINT_OVERDUE: "投诉未按时答复",
    Rule.INQUIRY_OVERDUE: "首问转办未按时办结",
}


@dataclass(frozen=True, slots=True)
class Card:
    rule: Rule
    level: Level
    day: date  # the business day the card belongs to (a case's due date)
    subject: str  # what it is about: ticket number, staff_no, case_no, window…
    title: str  # one line of plain Chinese for the list
    at: datetime  # when the condition arose (or was last observed)
    staff_no: str | None = None
    window_no: int | None = None
    case_no: str | None = None
    ticket: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    # how to find the supporting events in the log (search filters)
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return card_key(self.rule, self.day, self.level, self.subject)


def card_key(rule: Rule, day: date, level: Level, subject: str) -> str:
    return f"{rule.value}/{day.isoformat()}/{level.value}/{subject}"


def parse_key(key: str) -> tuple[Rule, date, Level, str]:
    """Split a card key; a malformed one is bad input, not a bug."""
    parts = key.split("/", 3)
    try:
        rule, day, level, subject = parts
        return Rule(rule), date.fromisoformat(day), Level(level), subject
    except ValueError:
        raise BadInput("红黄牌编号格式不正确。", code="bad_card_key") from None


# --- configuration ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CaseDeadlineCfg:
    enabled: bool = True
    yellow_working_days: int = 2


@dataclass(frozen=True, slots=True)
class MinutesCfg:
    enabled: bool = True
    yellow_minutes: int = 30
    red_minutes: int = 60


@dataclass(frozen=True, slots=True)
class OffDutyCfg:
    enabled: bool = True
    opening: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 0)))
    grace_minutes: int = 10
    yellow_minutes: int = 15
    red_minutes: int = 60


@dataclass(frozen=True, slots=True)
class RateCfg:
    enabled: bool = True
    yellow_rate: float = 0.2
    red_rate: float = 0.35
    min_count: int = 20


@dataclass(frozen=True, slots=True)
class FollowupCfg:
    enabled: bool = True
    yellow_hours_before_due: float = 4.0


@dataclass(frozen=True, slots=True)
class CardRules:
    city: str = "默认"
    case_deadline: CaseDeadlineCfg = CaseDeadlineCfg()
    long_wait: MinutesCfg = MinutesCfg(yellow_minutes=30, red_minutes=60)
    long_pause: MinutesCfg = MinutesCfg(yellow_minutes=20, red_minutes=45)
    off_duty: OffDutyCfg = OffDutyCfg()
    skip_rate: RateCfg = RateCfg()
    void_rate: RateCfg = RateCfg(yellow_rate=0.03, red_rate=0.08, min_count=20)
    bad_rating_followup: FollowupCfg = FollowupCfg()
    complaint_overdue: FollowupCfg = FollowupCfg(yellow_hours_before_due=24.0)
    inquiry_overdue: FollowupCfg = FollowupCfg()


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge two TOML tables: a city's file changes only what it names."""
    out = dict(base)
    for k, v in override.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def _hhmm(v: Any) -> time:
    try:
        return time.fromisoformat(str(v))
    except ValueError:
        raise BadInput(f"红黄牌配置中的时间“{v}”格式不正确，应为 HH:MM。", code="bad_cards_config") from None


def _section(cls: type, raw: Any, name: str) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, Mapping):
        raise BadInput(f"红黄牌配置 [{name}] 应为一个表。", code="bad_cards_config")
    known = {f.name for f in fields(cls)}
    unknown = set(raw) - known
    if unknown:
        raise BadInput(f"红黄牌配置 [{name}] 有未知的项：{'、'.join(sorted(unknown))}。", code="bad_cards_config")
    kw = dict(raw)
    if "opening" in kw:
        kw["opening"] = tuple((_hhmm(a), _hhmm(b)) for a, b in kw["opening"])
    obj = cls(**kw)
    for lo, hi in (("yellow_minutes", "red_minutes"), ("yellow_rate", "red_rate")):
        if hasattr(obj, lo) and getattr(obj, lo) > getattr(obj, hi):
            raise BadInput(f"红黄牌配置 [{name}]：黄牌阈值不能高于红牌阈值。", code="bad_cards_config")
    return obj


def rules_from_dict(raw: Mapping[str, Any]) -> CardRules:
    """Build the rule set from the (merged) TOML tables, refusing unknown keys loudly:
    a misspelt threshold silently falling back to a default would hide a city's rule."""
    known = {f.name for f in fields(CardRules)}
    unknown = set(raw) - known
    if unknown:
        raise BadInput(f"红黄牌配置有未知的规则：{'、'.join(sorted(unknown))}。", code="bad_cards_config")
    kinds: dict[str, type] = {
        "case_deadline": CaseDeadlineCfg, "long_wait": MinutesCfg, "long_pause": MinutesCfg,
        "off_duty": OffDutyCfg, "skip_rate": RateCfg, "void_rate": RateCfg, "bad_rating_followup": FollowupCfg,
        "complaint_overdue": FollowupCfg, "inquiry_overdue": FollowupCfg,
    }
    kw: dict[str, Any] = {"city": str(raw.get("city", "默认"))}
    for name, cls in kinds.items():
        kw[name] = _section(cls, raw.get(name), name)
    return CardRules(**kw)


# --- facts ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TicketFact:
    number: str
    category: str
    day: date
    queued_at: datetime
    called_at: datetime | None
    window_no: int | None = None
    staff_no: str | None = None


@dataclass(frozen=True, slots=True)
class PauseFact:
    window_no: int
    staff_no: str | None
    reason: str
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class DutyFact:
    staff_no: str
    window_no: int
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class RateFact:
    """Per person and day: how many actions, how many of them the suspicious kind."""
    staff_no: str
    total: int
    flagged: int
    window_no: int | None = None


@dataclass(frozen=True, slots=True)
class CaseFact:
    case_no: str
    due_date: date
    concluded_on: date | None = None
    matter: str = ""
    department: str = ""
    staff_no: str | None = None


@dataclass(frozen=True, slots=True)
class FollowupFact:
    ident: str
    rated_at: datetime
    due_at: datetime
    done_at: datetime | None
    level: str = ""
    staff_no: str | None = None
    window_no: int | None = None
    case_no: str | None = None
    flagged_late: bool = False  # a step of it was logged overdue even if it closed since


# --- rules --------------------------------------------------------------------------

def _level(value: float, yellow: float, red: float) -> Level | None:
    if value >= red:
        return Level.RED
    if value >= yellow:
        return Level.YELLOW
    return None


def long_waits(tickets: Iterable[TicketFact], *, cfg: MinutesCfg, now: datetime) -> list[Card]:
    """A citizen waited in a queue longer than the threshold before being called
    (still waiting counts up to ``now``)."""
    if not cfg.enabled:
        return []
    out: list[Card] = []
    for t in tickets:
        end = t.called_at or now
        minutes = (end - t.queued_at).total_seconds() / 60
        lv = _level(minutes, cfg.yellow_minutes, cfg.red_minutes)
        if lv is None:
            continue
        state = "后被叫号" if t.called_at else "仍未叫号"
        out.append(Card(
            rule=Rule.LONG_WAIT, level=lv, day=t.day, subject=t.number,
            title=f"{t.number} 号等候 {int(minutes)} 分钟{state}",
            at=end, staff_no=t.staff_no, window_no=t.window_no, ticket=t.number,
            facts={"wait_minutes": int(minutes), "category": t.category, "queued_at": t.queued_at.isoformat(),
                   "called_at": t.called_at.isoformat() if t.called_at else None},
            evidence={"ticket": t.number, "day": t.day.isoformat()},
        ))
    return out


def long_pauses(pauses: Iterable[PauseFact], *, cfg: MinutesCfg, now: datetime, tz: ZoneInfo) -> list[Card]:
    """A window stayed paused (暂停服务) longer than the threshold; an open pause counts up to now."""
    if not cfg.enabled:
        return []
    out: list[Card] = []
    for p in pauses:
        end = p.ended_at or now
        minutes = (end - p.started_at).total_seconds() / 60
        lv = _level(minutes, cfg.yellow_minutes, cfg.red_minutes)
        if lv is None:
            continue
        day = p.started_at.astimezone(tz).date()
        local = p.started_at.astimezone(tz).strftime("%H:%M")
        out.append(Card(
            rule=Rule.LONG_PAUSE, level=lv, day=day, subject=f"W{p.window_no}@{local}",
            title=f"{p.window_no} 号窗口 {local} 起暂停 {int(minutes)} 分钟（{p.reason}）",
            at=end, staff_no=p.staff_no, window_no=p.window_no,
            facts={"minutes": int(minutes), "reason": p.reason, "started_at": p.started_at.isoformat(),
                   "ended_at": p.ended_at.isoformat() if p.ended_at else None},
            evidence={"window_no": p.window_no, "from": p.started_at.isoformat(), "to": end.isoformat()},
        ))
    return out


@dataclass(frozen=True, slots=True)
class PostFact:
    """AB角 of one window: the post holder and the backups who cover when they are away."""
    window_no: int
    staff_a: str
    staff_b: tuple[str, ...]


def off_duty(duties: Iterable[DutyFact], *, day: date, cfg: OffDutyCfg, tz: ZoneInfo, now: datetime,
             opening: Sequence[tuple[time, time]] | None = None, on_leave: frozenset[str] = frozenset(),
             posts: Iterable[PostFact] = ()) -> list[Card]:
    """A clerk who worked that day was not signed in at any window for part of the
    opening hours (late start, early leave, or a gap), beyond a grace per gap.

    ``opening`` is the hall's hours that day (its profile; ``cfg.opening`` when the hall
    set none). Someone on leave (a leave record) is not judged. Someone with no duty at
    all and no leave record is not judged either (no roster), except through AB角: when
    a window's A角 is on leave and none of its B角 signed in that day, the window was
    left uncovered, and that is a red card on the window.
    """
    if not cfg.enabled:
        return []
    spans = tuple(cfg.opening if opening is None else opening)
    duties = list(duties)
    by_staff: dict[str, list[DutyFact]] = {}
    for d in duties:
        if d.staff_no in on_leave:
            continue
        by_staff.setdefault(d.staff_no, []).append(d)
    out: list[Card] = []
    if spans and datetime.combine(day, spans[0][0], tz) < now:
        worked = {d.staff_no for d in duties}
        for p in posts:
            if p.staff_a in on_leave and p.staff_b and not (set(p.staff_b) & worked):
                out.append(Card(
                    rule=Rule.OFF_DUTY, level=Level.RED, day=day, subject=f"window-{p.window_no}",
                    title=f"{p.window_no} 号窗口 A角（工号 {p.staff_a}）请假，B角（{'、'.join(p.staff_b)}）未补位",
                    at=datetime.combine(day, spans[0][0], tz), staff_no=p.staff_b[0], window_no=p.window_no,
                    facts={"staff_a": p.staff_a, "staff_b": list(p.staff_b)},
                    evidence={"window_no": p.window_no, "day": day.isoformat()},
                ))
    grace = timedelta(minutes=cfg.grace_minutes)
    for staff_no, items in sorted(by_staff.items()):
        gaps: list[tuple[datetime, datetime]] = []
        for start_t, end_t in spans:
            o_start = datetime.combine(day, start_t, tz)
            o_end = min(datetime.combine(day, end_t, tz), now)
            if o_end <= o_start:
                continue
            cursor = o_start
            for d in sorted(items, key=lambda x: x.started_at):
                d_end = d.ended_at or now
                if d_end <= cursor or d.started_at >= o_end:
                    continue
                if d.started_at > cursor:
                    gaps.append((cursor, d.started_at))
                cursor = max(cursor, d_end)
            if cursor < o_end:
                gaps.append((cursor, o_end))
        counted = [(a, b) for a, b in gaps if b - a > grace]
        minutes = sum((b - a).total_seconds() for a, b in counted) / 60
        lv = _level(minutes, cfg.yellow_minutes, cfg.red_minutes)
        if lv is None:
            continue
        gap_text = [f"{a.astimezone(tz):%H:%M}–{b.astimezone(tz):%H:%M}" for a, b in counted]
        windows = sorted({d.window_no for d in items})
        out.append(Card(
            rule=Rule.OFF_DUTY, level=lv, day=day, subject=staff_no,
            title=f"工号 {staff_no} 工作时间离岗共 {int(minutes)} 分钟（{'、'.join(gap_text)}）",
            at=counted[-1][1], staff_no=staff_no, window_no=windows[0] if len(windows) == 1 else None,
            facts={"minutes": int(minutes), "gaps": gap_text, "windows": windows},
            evidence={"staff_no": staff_no, "day": day.isoformat()},
        ))
    return out


def _rate_cards(rule: Rule, facts: Iterable[RateFact], *, cfg: RateCfg, day: date, at: datetime,
                what: str, of: str) -> list[Card]:
    if not cfg.enabled:
        return []
    out: list[Card] = []
    for f in facts:
        if f.total < cfg.min_count or f.total <= 0:
            continue  # too few to judge: a rate over 3 calls says nothing
        rate = f.flagged / f.total
        lv = _level(rate, cfg.yellow_rate, cfg.red_rate)
        if lv is None:
            continue
        out.append(Card(
            rule=rule, level=lv, day=day, subject=f.staff_no,
            title=f"工号 {f.staff_no} 当日{what}率 {rate:.0%}（{f.flagged}/{f.total} {of}）",
            at=at, staff_no=f.staff_no, window_no=f.window_no,
            facts={"rate": round(rate, 4), "flagged": f.flagged, "total": f.total},
            evidence={"staff_no": f.staff_no, "day": day.isoformat()},
        ))
    return out


def skip_rates(facts: Iterable[RateFact], *, cfg: RateCfg, day: date, at: datetime) -> list[Card]:
    """Unusually many 过号 among a clerk's calls that day (with a minimum of calls)."""
    return _rate_cards(Rule.SKIP_RATE, facts, cfg=cfg, day=day, at=at, what="过号", of="次叫号")


def void_rates(facts: Iterable[RateFact], *, cfg: RateCfg, day: date, at: datetime) -> list[Card]:
    """Unusually many voided receipts among a cashier's receipts that day."""
    return _rate_cards(Rule.VOID_RATE, facts, cfg=cfg, day=day, at=at, what="票据作废", of="张票据")


def case_deadlines(
    cases: Iterable[CaseFact], *, cfg: CaseDeadlineCfg, today: date, tz: ZoneInfo,
    working_days_left: Callable[[date, date], int],
) -> list[Card]:
    """Yellow when an open case has at most N working days left before its limit; red
    when it is past its limit (open) or was concluded after it.

    ``working_days_left(today, due)`` counts working days after ``today`` up to and
    including ``due`` (the official calendar, 调休 included, is the caller's business).
    """
    if not cfg.enabled:
        return []
    out: list[Card] = []
    for c in cases:
        extra = {"case_no": c.case_no, "matter": c.matter, "department": c.department,
                 "due_date": c.due_date.isoformat()}
        if c.concluded_on is not None:
            if c.concluded_on > c.due_date:
                out.append(Card(
                    rule=Rule.CASE_DEADLINE, level=Level.RED, day=c.due_date, subject=c.case_no,
                    title=f"办件 {c.case_no} 超期办结（时限 {c.due_date}，办结 {c.concluded_on}）",
                    at=_noon(c.concluded_on, tz), staff_no=c.staff_no, case_no=c.case_no,
                    facts={**extra, "concluded_on": c.concluded_on.isoformat()},
                    evidence={"case_no": c.case_no},
                ))
            continue
        if today > c.due_date:
            out.append(Card(
                rule=Rule.CASE_DEADLINE, level=Level.RED, day=c.due_date, subject=c.case_no,
                title=f"办件 {c.case_no} 已超过时限（{c.due_date}）仍未办结", at=_noon(today, tz),
                staff_no=c.staff_no, case_no=c.case_no, facts=extra, evidence={"case_no": c.case_no},
            ))
            continue
        left = working_days_left(today, c.due_date)
        if left <= cfg.yellow_working_days:
            out.append(Card(
                rule=Rule.CASE_DEADLINE, level=Level.YELLOW, day=c.due_date, subject=c.case_no,
                title=f"办件 {c.case_no} 距时限仅剩 {left} 个工作日（{c.due_date}）", at=_noon(today, tz),
                staff_no=c.staff_no, case_no=c.case_no, facts={**extra, "working_days_left": left},
                evidence={"case_no": c.case_no},
            ))
    return out


def _noon(d: date, tz: ZoneInfo) -> datetime:
    """A day-level fact has no instant; local noon of that day stands for it."""
    return datetime.combine(d, time(12, 0), tz)


def _due_cards(items: Iterable[FollowupFact], *, rule: Rule, what: Callable[[FollowupFact], str],
               cfg: FollowupCfg, now: datetime, tz: ZoneInfo) -> list[Card]:
    """Anything with a deadline: red when open past it or closed late (or a step of it
    was flagged overdue), yellow when due within the configured hours."""
    if not cfg.enabled:
        return []
    out: list[Card] = []
    soon = timedelta(hours=cfg.yellow_hours_before_due)
    for f in items:
        day = f.rated_at.astimezone(tz).date()
        due_local = f.due_at.astimezone(tz).strftime("%m-%d %H:%M")
        evidence: dict[str, Any] = ({"case_no": f.case_no} if f.case_no else
                                    {"type": rule_event_prefix(rule), "from": f.rated_at.isoformat(),
                                     "to": (f.done_at or now).isoformat(), "window_no": f.window_no})
        base = dict(staff_no=f.staff_no, window_no=f.window_no, case_no=f.case_no, evidence=evidence)
        facts = {"level": f.level, "opened_at": f.rated_at.isoformat(), "due_at": f.due_at.isoformat(),
                 "done_at": f.done_at.isoformat() if f.done_at else None}
        name = what(f)
        if f.done_at is not None:
            if f.done_at > f.due_at or f.flagged_late:
                out.append(Card(rule=rule, level=Level.RED, day=day, subject=f.ident,
                                title=f"{name}逾期办结（应于 {due_local} 前）", at=f.done_at,
                                facts=facts, **base))  # type: ignore[arg-type]
            continue
        if now > f.due_at:
            out.append(Card(rule=rule, level=Level.RED, day=day, subject=f.ident,
                            title=f"{name}逾期未办结（应于 {due_local} 前）", at=f.due_at,
                            facts=facts, **base))  # type: ignore[arg-type]
        elif f.due_at - now <= soon:
            out.append(Card(rule=rule, level=Level.YELLOW, day=day, subject=f.ident,
                            title=f"{name}即将到期（{due_local}）", at=now,
                            facts=facts, **base))  # type: ignore[arg-type]
    return out


def rule_event_prefix(rule: Rule) -> str:
    return {Rule.BAD_RATING_FOLLOWUP: "rating.", Rule.COMPLAINT_OVERDUE: "complaint.",
            Rule.INQUIRY_OVERDUE: "inquiry."}.get(rule, "")


def bad_rating_followups(items: Iterable[FollowupFact], *, cfg: FollowupCfg, now: datetime,
                         tz: ZoneInfo) -> list[Card]:
    """A 差评 whose follow-up (回访/整改) is overdue (red), was done late (red), or is
    due within the configured hours (yellow)."""
    return _due_cards(items, rule=Rule.BAD_RATING_FOLLOWUP, what=lambda f: f"差评（{f.level}）整改回访",
                      cfg=cfg, now=now, tz=tz)


def complaints_overdue(items: Iterable[FollowupFact], *, cfg: FollowupCfg, now: datetime,
                       tz: ZoneInfo) -> list[Card]:
    """A complaint not answered by its deadline (``ident`` is the complaint number)."""
    return _due_cards(items, rule=Rule.COMPLAINT_OVERDUE, what=lambda f: f"投诉 {f.ident} 答复",
                      cfg=cfg, now=now, tz=tz)


def inquiries_overdue(items: Iterable[FollowupFact], *, cfg: FollowupCfg, now: datetime,
                      tz: ZoneInfo) -> list[Card]:
    """A 首问 referral (转办) not closed by its deadline (``ident`` is the inquiry number)."""
    return _due_cards(items, rule=Rule.INQUIRY_OVERDUE, what=lambda f: f"首问 {f.ident} 转办",
                      cfg=cfg, now=now, tz=tz)


def sort_cards(cards: Iterable[Card]) -> list[Card]:
    """Red before yellow, then newest first: what an inspector reads first."""
    return sorted(cards, key=lambda c: (c.level != Level.RED, -c.at.timestamp(), c.key))
