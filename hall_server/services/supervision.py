"""驻厅监察室: search the log, timelines, the chain check, and 红黄牌 with sign-off.

Each card rule is a pure function in ``domain.cards``; here each has a thin loader
that turns the tables of the area it watches into the plain facts the rule takes.
Reads never change anything; the two writes (a chain check, a sign-off) are events
themselves, so the log shows who reviewed what and when.
"""
from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..contract import show
from ..domain import cards as dc
from ..domain.cases import STATE_LABELS, CaseState
from ..domain.errors import Conflict, NotFound
from ..domain.workdays import WorkCalendar, package_data, parse_config
from ..models import Duty, Event, Pause, Staff, Ticket
from ..models.accountability import Complaint, Inquiry, Rating, RatingFollowup
from ..models.cases import Case
from ..models.fees import Receipt
from ..models.supervision import CardSignoff
from ..settings import Settings
from . import admin, events, hallconfig
from .actors import Actor
from .names import staff_names
from .stats import day_bounds, seconds_between

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
DEFAULT_CARDS = RESOURCES / "cards.toml"
MAX_CARD_DAYS = 366


# --- configuration -----------------------------------------------------------------

def load_rules(settings: Settings) -> dc.CardRules:
    """Default thresholds, then the hall's override file (only the values it names)."""
    return _load_rules(DEFAULT_CARDS, settings.cards_config, _mtime(settings.cards_config))


def _mtime(p: Path | None) -> float:
    return p.stat().st_mtime if p is not None and p.exists() else 0.0


@lru_cache(maxsize=8)
def _load_rules(default: Path, override: Path | None, _mtime: float) -> dc.CardRules:
    raw = tomllib.loads(default.read_text(encoding="utf-8"))
    if override is not None:
        raw = dc.merge(raw, tomllib.loads(Path(override).read_text(encoding="utf-8")))
    return dc.rules_from_dict(raw)


def calendar(settings: Settings) -> WorkCalendar:
    path = settings.holidays_config or (RESOURCES / "holidays.toml")
    return _calendar(Path(path), _mtime(Path(path)))


@lru_cache(maxsize=4)
def _calendar(path: Path, _mtime: float) -> WorkCalendar:
    cfg = parse_config(path.read_text(encoding="utf-8")) if path.exists() else {}
    return WorkCalendar.from_sources(package=package_data(), config=cfg)


# --- event search ----------------------------------------------------------------

def event_out(e: Event) -> c.EventOut:
    return c.EventOut(seq=e.seq, at=e.at, actor=e.actor, window_no=e.window_no, type=e.type, data=e.data)


def _staff_clause(staff_no: str) -> Any:
    return or_(Event.staff_no == staff_no, Event.actor == f"staff:{staff_no}")


def search_query(*, start: datetime | None = None, end: datetime | None = None, window_no: int | None = None,
                 staff_no: str | None = None, type_: str | None = None, case_no: str | None = None,
                 ticket: str | None = None, before_seq: int | None = None) -> Select[tuple[Event]]:
    """Filters combine with AND. ``type_`` ending in ``.`` or ``*`` is a prefix
    (``ticket.`` = every ticket event)."""
    q = select(Event)
    if start is not None:
        q = q.where(Event.at >= start)
    if end is not None:
        q = q.where(Event.at < end)
    if window_no is not None:
        q = q.where(Event.window_no == window_no)
    if staff_no:
        q = q.where(_staff_clause(staff_no))
    if type_:
        if type_.endswith(("*", ".")):
            q = q.where(Event.type.startswith(type_.rstrip("*"), autoescape=True))
        else:
            q = q.where(Event.type == type_)
    if case_no:
        q = q.where(Event.case_no == case_no)
    if ticket:
        q = q.where(Event.ticket_no == ticket.upper())
    if before_seq is not None:
        q = q.where(Event.seq < before_seq)
    return q


def search(session: Session, *, limit: int = 200, **filters: Any) -> c.EventSearchOut:
    """Newest first, a page at a time (``before_seq`` continues from the last page)."""
    rows = session.scalars(search_query(**filters).order_by(Event.seq.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    out = [event_out(e) for e in rows[:limit]]
    return c.EventSearchOut(events=out, count=len(out), more=more, last_seq=events.last_seq(session),
                            names=staff_names(session, out))


def iter_search(session: Session, *, batch: int = 2000, cap: int = 100_000, **filters: Any) -> Iterable[Event]:
    """Oldest first, in bounded batches (exports)."""
    after, n = 0, 0
    while n < cap:
        rows = session.scalars(search_query(**filters).where(Event.seq > after).order_by(Event.seq)
                               .limit(batch)).all()
        if not rows:
            return
        for e in rows:
            yield e
        n += len(rows)
        after = rows[-1].seq
        session.expunge_all()


# --- timelines ---------------------------------------------------------------------

def case_timeline(session: Session, *, case_no: str, tz: ZoneInfo) -> c.TimelineOut:
    """Everything logged about a case, plus the queue events of the ticket it came from."""
    case = session.scalar(select(Case).where(Case.case_no == case_no))
    evs = list(session.scalars(select(Event).where(Event.case_no == case_no).order_by(Event.seq)))
    if case is None and not evs:
        raise NotFound(f"日志中没有办件 {case_no}。", code="case_not_found")
    summary: dict[str, Any] = {}
    if case is not None:
        if case.ticket_no:
            start, end = day_bounds(case.business_day, tz)
            tev = session.scalars(select(Event).where(Event.ticket_no == case.ticket_no, Event.at >= start,
                                                      Event.at < end, Event.type.startswith("ticket."))).all()
            seen = {e.seq for e in evs}
            evs = sorted(evs + [e for e in tev if e.seq not in seen], key=lambda e: e.seq)
        summary = {"matter": case.matter_name, "state": case.state, "due_date": _iso(case.due_date),
                   "accepted_at": _iso(case.accepted_at), "concluded_at": _iso(case.concluded_at),
                   "ticket": case.ticket_no, "staff_no": case.staff_no, "corrections": case.corrections}
    title = f"办件 {case_no}" + (f"（{case.matter_name}）" if case is not None else "")
    out = [event_out(e) for e in evs]
    shown = dict(summary)
    names = staff_names(session, out)
    if case is not None:
        shown["state_label"] = STATE_LABELS[CaseState(case.state)]
        if case.staff_no:
            shown["staff_no"] = show.staff(names.get(case.staff_no), case.staff_no)
    return c.TimelineOut(subject=case_no, title=title, events=out, summary=summary,
                         summary_text=show.pairs(shown, c.TIMELINE_SUMMARY_LABELS, tz), names=names)


def _iso(v: date | datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def staff_day(session: Session, *, staff_no: str, day: date, tz: ZoneInfo, now: datetime) -> c.TimelineOut:
    """A staff member's day: every event they did or that names them, with totals."""
    staff = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if staff is None:
        raise NotFound(f"没有工号 {staff_no}。", code="staff_not_found")
    start, end = day_bounds(day, tz)
    evs = session.scalars(search_query(start=start, end=end, staff_no=staff_no).order_by(Event.seq)).all()
    count: dict[str, int] = {}
    for e in evs:
        count[e.type] = count.get(e.type, 0) + 1
    duty_s = 0
    for d in session.scalars(select(Duty).where(Duty.staff_id == staff.id, Duty.started_at < end,
                                                or_(Duty.ended_at.is_(None), Duty.ended_at > start))):
        a, b = max(d.started_at, start), min(d.ended_at or now, end)
        duty_s += max(0, int((b - a).total_seconds()))
    pause_s = sum(int((min(p.ended_at or now, end) - p.started_at).total_seconds()) for p in session.scalars(
        select(Pause).where(Pause.staff_id == staff.id, Pause.started_at >= start, Pause.started_at < end)))
    summary = {"name": staff.name, "called": count.get("ticket.called", 0),
               "completed": count.get("ticket.completed", 0), "skipped": count.get("ticket.skipped", 0),
               "on_duty_minutes": duty_s // 60, "paused_minutes": pause_s // 60, "events": len(evs)}
    out = [event_out(e) for e in evs]
    names = staff_names(session, out)
    names[staff_no] = staff.name
    return c.TimelineOut(subject=staff_no, title=f"{show.staff(staff.name, staff_no)} {day.isoformat()} 的工作记录",
                         events=out, summary=summary, summary_text=show.pairs(summary, c.TIMELINE_SUMMARY_LABELS, tz),
                         names=names)


# --- the chain check ------------------------------------------------------------------

def check_chain(session: Session, *, actor: Actor, now: datetime) -> c.AuditCheckOut:
    """Verify the whole hash chain and log that (and what) the inspector checked."""
    r = events.verify(session)
    ev = events.append(session, kinds.AUDIT_CHECKED.type, actor=actor, at=now,
                       data={"ok": r.ok, "checked": r.checked, "last_seq": r.last_seq,
                             "first_bad_seq": r.first_bad_seq, "reason": r.reason, "staff_no": actor.staff_no})
    if not r.ok:
        log.warning("audit chain broken at seq %s: %s", r.first_bad_seq, r.reason)
    return c.AuditCheckOut(ok=r.ok, checked=r.checked, last_seq=r.last_seq, first_bad_seq=r.first_bad_seq,
                           reason=r.reason, checked_at=now, event_seq=ev.seq)


# --- loaders: tables -> facts ------------------------------------------------------------

def _staff_nos(session: Session) -> dict[int, str]:
    return {i: n for i, n in session.execute(select(Staff.id, Staff.staff_no))}


def ticket_facts(session: Session, day: date, *, cfg: dc.MinutesCfg, now: datetime) -> list[dc.TicketFact]:
    """Tickets of the day whose wait reached the yellow threshold (the filter runs in
    SQL: a busy day has thousands of tickets and a handful of long waits)."""
    staff = _staff_nos(session)
    limit = timedelta(minutes=cfg.yellow_minutes)
    wait = seconds_between(session, Ticket.queued_at, Ticket.called_at)
    rows = session.execute(
        select(Ticket.number, Ticket.prefix, Ticket.business_day, Ticket.queued_at, Ticket.called_at,
               Ticket.window_no, Ticket.staff_id)
        .where(Ticket.business_day == day,
               or_(wait >= limit.total_seconds() - 1,
                   Ticket.called_at.is_(None) & (Ticket.queued_at <= now - limit)))
    ).all()
    return [dc.TicketFact(n, p, d, q, ca, w, staff.get(sid or 0)) for n, p, d, q, ca, w, sid in rows
            if (ca or now) - q >= limit]


def pause_facts(session: Session, day: date, *, tz: ZoneInfo) -> list[dc.PauseFact]:
    start, end = day_bounds(day, tz)
    staff = _staff_nos(session)
    return [dc.PauseFact(p.window_no, staff.get(p.staff_id or 0), p.reason, p.started_at, p.ended_at)
            for p in session.scalars(select(Pause).where(Pause.started_at >= start, Pause.started_at < end))]


def post_facts(session: Session) -> list[dc.PostFact]:
    from ..models import Window
    return [dc.PostFact(window_no=w.window_no, staff_a=w.staff_a, staff_b=tuple(w.staff_b or ()))
            for w in session.scalars(select(Window).where(Window.staff_a.is_not(None), Window.active.is_(True)))
            if w.staff_a]


def duty_facts(session: Session, day: date, *, tz: ZoneInfo) -> list[dc.DutyFact]:
    start, end = day_bounds(day, tz)
    staff = _staff_nos(session)
    q = select(Duty).where(Duty.started_at < end, or_(Duty.ended_at.is_(None), Duty.ended_at > start))
    return [dc.DutyFact(staff.get(d.staff_id, "?"), d.window_no, d.started_at, d.ended_at) for d in session.scalars(q)]


def skip_facts(session: Session, day: date, *, tz: ZoneInfo) -> list[dc.RateFact]:
    """Calls and skips per clerk from the log (a requeued ticket's skip still counts)."""
    start, end = day_bounds(day, tz)
    rows = session.execute(
        select(Event.staff_no, Event.type, func.count(), func.max(Event.window_no))
        .where(Event.type.in_(("ticket.called", "ticket.skipped")), Event.at >= start, Event.at < end)
        .group_by(Event.staff_no, Event.type)
    ).all()
    calls: dict[str, list[int]] = {}
    windows: dict[str, int | None] = {}
    for staff_no, type_, n, w in rows:
        if not staff_no:
            continue
        calls.setdefault(staff_no, [0, 0])[0 if type_ == "ticket.called" else 1] += n
        windows[staff_no] = w
    return [dc.RateFact(s, t, f, windows.get(s)) for s, (t, f) in sorted(calls.items())]


def void_facts(session: Session, day: date) -> list[dc.RateFact]:
    rows = session.execute(
        select(Receipt.cashier_no, func.count(), func.sum(case((Receipt.void.is_(True), 1), else_=0)),
               func.max(Receipt.window_no))
        .where(Receipt.business_day == day).group_by(Receipt.cashier_no)
    ).all()
    return [dc.RateFact(s, int(n), int(v or 0), w) for s, n, v, w in rows]


def case_facts(session: Session, *, today: date, horizon: date | None, start: date | None = None,
               end: date | None = None, tz: ZoneInfo, case_no: str | None = None) -> list[dc.CaseFact]:
    """Open accepted cases due by ``horizon`` (clock not suspended), and cases concluded
    within [start, end]. With ``case_no``: that case only."""
    from ..models import Department
    depts = {d.id: d.name for d in session.scalars(select(Department))}
    cols = (Case.case_no, Case.due_date, Case.concluded_at, Case.matter_name, Case.department_id, Case.staff_no)
    queries = []
    if case_no is not None:
        queries.append(select(*cols).where(Case.case_no == case_no, Case.due_date.is_not(None),
                                           Case.closed_at.is_(None), Case.suspended_since.is_(None)))
    else:
        if horizon is not None:
            queries.append(select(*cols).where(
                Case.accepted_at.is_not(None), Case.concluded_at.is_(None), Case.closed_at.is_(None),
                Case.suspended_since.is_(None), Case.due_date.is_not(None), Case.due_date <= horizon))
        if start is not None and end is not None:
            a, _ = day_bounds(start, tz)
            _, b = day_bounds(end, tz)
            queries.append(select(*cols).where(Case.concluded_at >= a, Case.concluded_at < b,
                                               Case.due_date.is_not(None)))
    out: dict[str, dc.CaseFact] = {}
    for q in queries:
        for no, due, concluded, matter, dept, staff_no in session.execute(q):
            out[no] = dc.CaseFact(no, due, concluded.astimezone(tz).date() if concluded else None, matter,
                                  depts.get(dept or 0, ""), staff_no)
    return list(out.values())


def followup_facts(session: Session, *, start: datetime | None, end: datetime | None,
                   ident: str | None = None) -> list[dc.FollowupFact]:
    """差评 follow-ups opened in the period, or still open, or the one named."""
    staff = _staff_nos(session)
    q = select(RatingFollowup, Rating).join(Rating, Rating.id == RatingFollowup.rating_id)
    if ident is not None:
        q = q.where(RatingFollowup.id == int(ident) if ident.isdigit() else RatingFollowup.id == -1)
    else:
        q = q.where(or_(RatingFollowup.closed_at.is_(None),
                        (RatingFollowup.opened_at >= start) & (RatingFollowup.opened_at < end)))
    from ..domain.ratings import LEVEL_LABELS, RatingLevel
    out = []
    for fu, r in session.execute(q):
        try:
            label = LEVEL_LABELS[RatingLevel(r.level)]
        except ValueError:
            label = r.level
        due = fu.due_at or fu.rectify_due_at
        out.append(dc.FollowupFact(str(fu.id), r.rated_at, due, fu.closed_at, label, staff.get(r.staff_id or 0),
                                   r.window_no, r.case_no, flagged_late=fu.overdue_flagged_at is not None))
    return out


def complaint_facts(session: Session, *, start: datetime | None, end: datetime | None,
                    ident: str | None = None) -> list[dc.FollowupFact]:
    """Complaints with a deadline registered in the period, or still open, or the one named."""
    staff = _staff_nos(session)
    q = select(Complaint).where(Complaint.due_at.is_not(None))
    if ident is not None:
        q = q.where(Complaint.complaint_no == ident)
    else:
        q = q.where(or_(Complaint.closed_at.is_(None),
                        (Complaint.registered_at >= start) & (Complaint.registered_at < end)))
    return [dc.FollowupFact(x.complaint_no, x.registered_at, x.due_at, x.closed_at, "投诉",  # type: ignore[arg-type]
                            staff.get(x.about_staff_id or 0), x.window_no, x.case_no,
                            flagged_late=x.overdue_flagged_at is not None) for x in session.scalars(q)]


def inquiry_facts(session: Session, *, start: datetime | None, end: datetime | None,
                  ident: str | None = None) -> list[dc.FollowupFact]:
    """首问 referrals with a deadline: opened in the period, still open, or the one named.
    The card names whoever holds it now (the referee), else the first receiver."""
    staff = _staff_nos(session)
    q = select(Inquiry).where(Inquiry.due_at.is_not(None))
    if ident is not None:
        q = q.where(Inquiry.inquiry_no == ident)
    else:
        q = q.where(or_(Inquiry.closed_at.is_(None), (Inquiry.created_at >= start) & (Inquiry.created_at < end)))
    return [dc.FollowupFact(x.inquiry_no, x.created_at, x.due_at, x.closed_at, "首问",  # type: ignore[arg-type]
                            staff.get(x.referred_to_staff_id or x.first_staff_id or 0), x.window_no, None,
                            flagged_late=x.overdue_flagged_at is not None) for x in session.scalars(q)]


# --- cards ----------------------------------------------------------------------------

def compute_cards(session: Session, *, settings: Settings, start: date, end: date, now: datetime,
                  rules: Iterable[dc.Rule] | None = None) -> list[dc.Card]:
    """All cards of [start, end] (hall-local days), judged as of ``now``."""
    cfg = hallconfig.card_rules(session, settings=settings)
    tz = settings.tz
    today = now.astimezone(tz).date()
    wanted = set(rules or dc.Rule)
    cal = hallconfig.work_calendar(session, settings)
    out: list[dc.Card] = []
    d = start
    last = min(end, today)
    while d <= last:
        if dc.Rule.LONG_WAIT in wanted:
            out += dc.long_waits(ticket_facts(session, d, cfg=cfg.long_wait, now=now), cfg=cfg.long_wait, now=now)
        if dc.Rule.LONG_PAUSE in wanted:
            out += dc.long_pauses(pause_facts(session, d, tz=tz), cfg=cfg.long_pause, now=now, tz=tz)
        if dc.Rule.OFF_DUTY in wanted and cal.is_working_day(d):
            out += dc.off_duty(duty_facts(session, d, tz=tz), day=d, cfg=cfg.off_duty, tz=tz, now=now,
                               opening=hallconfig.opening_spans(session, settings=settings, day=d),
                               on_leave=frozenset(admin.on_leave(session, d)), posts=post_facts(session))
        at = min(day_bounds(d, tz)[1], now)
        if dc.Rule.SKIP_RATE in wanted:
            out += dc.skip_rates(skip_facts(session, d, tz=tz), cfg=cfg.skip_rate, day=d, at=at)
        if dc.Rule.VOID_RATE in wanted:
            out += dc.void_rates(void_facts(session, d), cfg=cfg.void_rate, day=d, at=at)
        d += timedelta(days=1)
    if dc.Rule.CASE_DEADLINE in wanted:
        horizon = cal.add_working_days(today, cfg.case_deadline.yellow_working_days) if end >= today else None
        facts = case_facts(session, today=today, horizon=horizon, start=start, end=end, tz=tz)
        out += dc.case_deadlines(facts, cfg=cfg.case_deadline, today=today, tz=tz,
                                 working_days_left=cal.working_days_between)
    if dc.Rule.BAD_RATING_FOLLOWUP in wanted:
        a, _ = day_bounds(start, tz)
        _, b = day_bounds(end, tz)
        out += dc.bad_rating_followups(followup_facts(session, start=a, end=b), cfg=cfg.bad_rating_followup,
                                       now=now, tz=tz)
    a, _ = day_bounds(start, tz)
    _, b = day_bounds(end, tz)
    if dc.Rule.COMPLAINT_OVERDUE in wanted:
        out += dc.complaints_overdue(complaint_facts(session, start=a, end=b), cfg=cfg.complaint_overdue,
                                     now=now, tz=tz)
    if dc.Rule.INQUIRY_OVERDUE in wanted:
        out += dc.inquiries_overdue(inquiry_facts(session, start=a, end=b), cfg=cfg.inquiry_overdue, now=now, tz=tz)
    return dc.sort_cards(out)


def find_card(session: Session, *, settings: Settings, key: str, now: datetime) -> dc.Card:
    """Recompute the one card a key names (a sign-off must be about a real card)."""
    rule, day, level, subject = dc.parse_key(key)
    cfg = hallconfig.card_rules(session, settings=settings)
    tz = settings.tz
    cal = hallconfig.work_calendar(session, settings)
    found: list[dc.Card]
    if rule is dc.Rule.CASE_DEADLINE:
        facts = case_facts(session, today=now.astimezone(tz).date(), horizon=None, tz=tz, case_no=subject)
        found = dc.case_deadlines(facts, cfg=cfg.case_deadline, today=now.astimezone(tz).date(), tz=tz,
                                  working_days_left=cal.working_days_between)
    elif rule is dc.Rule.BAD_RATING_FOLLOWUP:
        found = dc.bad_rating_followups(followup_facts(session, start=None, end=None, ident=subject),
                                        cfg=cfg.bad_rating_followup, now=now, tz=tz)
    elif rule is dc.Rule.COMPLAINT_OVERDUE:
        found = dc.complaints_overdue(complaint_facts(session, start=None, end=None, ident=subject),
                                      cfg=cfg.complaint_overdue, now=now, tz=tz)
    elif rule is dc.Rule.INQUIRY_OVERDUE:
        found = dc.inquiries_overdue(inquiry_facts(session, start=None, end=None, ident=subject),
                                     cfg=cfg.inquiry_overdue, now=now, tz=tz)
    else:
        found = compute_cards(session, settings=settings, start=day, end=day, now=now, rules=[rule])
    for card in found:
        if card.key == key:
            return card
    raise NotFound("找不到该红黄牌（可能已不再成立或编号有误）。", code="card_not_found")


def card_out(card: dc.Card, signoff: CardSignoff | None) -> c.CardOut:
    return c.CardOut(
        key=card.key, rule=card.rule, rule_label=dc.RULE_LABELS[card.rule], level=card.level,
        level_label=dc.LEVEL_LABELS[card.level], day=card.day, title=card.title, at=card.at, subject=card.subject,
        staff_no=card.staff_no, window_no=card.window_no, case_no=card.case_no, ticket=card.ticket,
        facts=dict(card.facts), evidence=dict(card.evidence), signed_off=signoff is not None,
        signed_by=signoff.staff_no if signoff else None, signed_at=signoff.signed_at if signoff else None,
        note=signoff.note if signoff else None,
    )


def list_cards(session: Session, *, settings: Settings, start: date, end: date, now: datetime,
               rule: dc.Rule | None = None, level: dc.Level | None = None,
               open_only: bool = False) -> c.CardsOut:
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_CARD_DAYS:
        from ..domain.errors import BadInput
        raise BadInput(f"一次最多查询 {MAX_CARD_DAYS} 天的红黄牌。", code="period_too_long")
    cards = compute_cards(session, settings=settings, start=start, end=end, now=now,
                          rules=[rule] if rule else None)
    if level is not None:
        cards = [k for k in cards if k.level == level]
    keys = [k.key for k in cards]
    signed: dict[str, CardSignoff] = {}
    for i in range(0, len(keys), 500):
        for so in session.scalars(select(CardSignoff).where(CardSignoff.card_key.in_(keys[i:i + 500]))):
            signed[so.card_key] = so
    outs = [card_out(k, signed.get(k.key)) for k in cards]
    if open_only:
        outs = [o for o in outs if not o.signed_off]
    nos = sorted({n for o in outs for n in (o.staff_no, o.signed_by) if n})
    names = {n: name for n, name in session.execute(select(Staff.staff_no, Staff.name)
                                                    .where(Staff.staff_no.in_(nos[:1000])))} if nos else {}
    return c.CardsOut(start=start, end=end, city=hallconfig.card_rules(session, settings=settings).city, cards=outs,
                      red=sum(o.level == dc.Level.RED for o in outs),
                      yellow=sum(o.level == dc.Level.YELLOW for o in outs),
                      open=sum(not o.signed_off for o in outs), names=names)


def evidence_events(session: Session, card: dc.Card, *, tz: ZoneInfo, limit: int = 500) -> list[c.EventOut]:
    """The log entries a card rests on, from the card's evidence filters."""
    ev = dict(card.evidence)
    filters: dict[str, Any] = {}
    if "day" in ev:
        filters["start"], filters["end"] = day_bounds(date.fromisoformat(ev["day"]), tz)
    if "from" in ev:
        filters["start"] = datetime.fromisoformat(ev["from"]) - timedelta(minutes=1)
        filters["end"] = datetime.fromisoformat(ev["to"]) + timedelta(minutes=1)
    for k in ("ticket", "case_no", "staff_no", "window_no"):
        if ev.get(k) is not None:
            filters[k] = ev[k]
    if ev.get("type"):
        filters["type_"] = ev["type"]
    if not filters:
        return []
    rows = session.scalars(search_query(**filters).order_by(Event.seq).limit(limit)).all()
    return [event_out(e) for e in rows]


def card_detail(session: Session, *, settings: Settings, key: str, now: datetime) -> c.CardDetailOut:
    card = find_card(session, settings=settings, key=key, now=now)
    so = session.scalar(select(CardSignoff).where(CardSignoff.card_key == key))
    evs = evidence_events(session, card, tz=settings.tz)
    return c.CardDetailOut(card=card_out(card, so), events=evs, names=staff_names(session, evs))


def sign_off(session: Session, *, settings: Settings, key: str, note: str, actor: Actor,
             now: datetime) -> c.SignoffOut:
    """The inspector signs a card off; the sign-off is an event in the chain."""
    card = find_card(session, settings=settings, key=key, now=now)
    if session.scalar(select(CardSignoff.id).where(CardSignoff.card_key == key)) is not None:
        raise Conflict("该红黄牌已经签阅。", code="already_signed_off")
    data: dict[str, Any] = {"card_key": key, "rule": card.rule.value, "level": card.level.value,
                            "day": card.day.isoformat(), "title": card.title, "note": note.strip(),
                            "staff_no": actor.staff_no, "about_staff_no": card.staff_no}
    if card.case_no:
        data["case_no"] = card.case_no
    if card.ticket:
        data["ticket"] = card.ticket
    ev = events.append(session, kinds.CARD_SIGNED_OFF.type, actor=actor, at=now, window_no=card.window_no, data=data)
    session.add(CardSignoff(card_key=key, rule=card.rule.value, level=card.level.value,
                            staff_no=actor.staff_no or actor.ident, note=note.strip(), signed_at=now,
                            event_seq=ev.seq))
    session.flush()
    return c.SignoffOut(key=key, signed_by=actor.staff_no or actor.ident, signed_at=now, event_seq=ev.seq)
