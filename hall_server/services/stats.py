"""Figures of the hall for any period, fast over years of history.

Closed business days are folded once into ``stats_days`` (additive per-day cells per
dimension); a period is then a SUM over those rows plus a live fold of today, read
straight from today's rows (a day is a few thousand tickets, indexed by day). The
rollup of a day is built the first time anyone asks for a period that needs it, in
its own short write transaction; a day's facts do not change once the day is over
(cases, receipts and ratings count on the day their timestamp falls on).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from ..db import Database
from ..domain import stats as st
from ..models import Category, Department, Ticket, UTCDateTime, Window
from ..models.accountability import Complaint, Rating
from ..models.cases import Case
from ..models.fees import PaymentNotice, Receipt
from ..models.supervision import StatsBuilt, StatsDay
from . import events

log = logging.getLogger(__name__)

def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a hall-local business day starts and ends at."""
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start, end


class Lookups:
    """Names the folds need, loaded once per request."""

    def __init__(self, session: Session) -> None:
        self.dept_code = {d.id: d.code for d in session.scalars(select(Department))}
        self.dept_name = {d.code: d.name for d in session.scalars(select(Department))}
        self.cat_dept = {c.prefix: self.dept_code.get(c.department_id or 0, "")
                         for c in session.scalars(select(Category))}
        self.cat_name = {c.prefix: c.name for c in session.scalars(select(Category))}
        self.window_dept = {w.window_no: self.dept_code.get(w.department_id or 0, "")
                            for w in session.scalars(select(Window))}


def seconds_between(session: Session, a: Any, b: Any) -> Any:
    """SQL for ``b - a`` in seconds on either database (NULL when either is NULL)."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(b) - func.julianday(a)) * 86400.0
    return func.extract("epoch", b - a)


def _ticket_aggregates(session: Session, day: date, start: datetime, group: list[Any]) -> list[Any]:
    """Counts and duration sums of the day's tickets, grouped in SQL: a day is thousands of
    rows and folding them in Python per request costs more than the answer is worth."""
    wait = seconds_between(session, Ticket.queued_at, Ticket.called_at)
    service = seconds_between(session, Ticket.started_at, Ticket.completed_at)
    # whole seconds per ticket, as ``Fold.ticket`` counts them
    wait_ok = case((wait >= 0, func.round(wait)), else_=None)
    service_ok = case((service >= 0, func.round(service)), else_=None)
    return session.execute(
        select(*group, func.count(), func.count(Ticket.called_at),
               func.sum(case((Ticket.state == "done", 1), else_=0)),
               func.sum(case((Ticket.state == "skipped", 1), else_=0)),
               func.count(wait_ok), func.sum(wait_ok), func.max(wait_ok),
               func.count(service_ok), func.sum(service_ok))
        .where(Ticket.business_day == day).group_by(*group)
    ).all()


def _agg_figures(row: Any, *, with_tickets: bool = True) -> st.Figures:
    n, called, served, skipped, wait_n, wait_s, wait_max, service_n, service_s = row
    return st.Figures(tickets=int(n) if with_tickets else 0, called=int(called), served=int(served or 0),
                      skipped=int(skipped or 0), wait_n=int(wait_n), wait_s=int(round(wait_s or 0)),
                      wait_max_s=int(round(wait_max or 0)), service_n=int(service_n), service_s=int(round(service_s or 0)))


def _tickets_into(session: Session, f: st.Fold, day: date, start: datetime, lk: "Lookups") -> None:
    """The queue figures of one day into the fold: by category/department/hour (of
    issue) and by window (of service). Matches ``Fold.ticket`` (a test holds them equal)."""
    # hours since local midnight (no DST in the hall's zone assumed on that day)
    since = seconds_between(session, literal(start, UTCDateTime()), Ticket.issued_at) / 3600
    hour = cast(since, Integer) if session.get_bind().dialect.name == "sqlite" else func.floor(since)
    for prefix, h, *rest in _ticket_aggregates(session, day, start, [Ticket.issued_prefix, hour]):
        fig = _agg_figures(rest)
        targets = f._cells((st.CATEGORY, prefix), (st.DEPARTMENT, lk.cat_dept.get(prefix, "")),
                           (st.HOUR, f"{int(h):02d}"))
        for cell in targets:
            cell.add(fig)
    for window_no, *rest in _ticket_aggregates(session, day, start, [Ticket.window_no]):
        if window_no is not None:
            f.cell(st.WINDOW, window_no).add(_agg_figures(rest, with_tickets=False))


def fold_day(session: Session, day: date, *, tz: ZoneInfo, lookups: Lookups | None = None,
             fold: st.Fold | None = None) -> st.Fold:
    """All figures of one business day, from the source tables."""
    lk = lookups or Lookups(session)
    f = fold or st.Fold(tz)
    start, end = day_bounds(day, tz)
    _tickets_into(session, f, day, start, lk)
    case_cols = (Case.department_id, Case.accepted_at, Case.concluded_at, Case.due_date, Case.corrections,
                 Case.window_no)
    for r in session.execute(select(*case_cols).where(Case.accepted_at >= start, Case.accepted_at < end)):
        f.case_accepted(st.CaseRow(lk.dept_code.get(r[0] or 0, ""), *r[1:]))
    for r in session.execute(select(*case_cols).where(Case.concluded_at >= start, Case.concluded_at < end)):
        f.case_concluded(st.CaseRow(lk.dept_code.get(r[0] or 0, ""), *r[1:]))
    for amount, void, window_no, kind, dept_id in session.execute(
            select(Receipt.amount_fen, Receipt.void, Receipt.window_no, Receipt.kind, PaymentNotice.department_id)
            .join(PaymentNotice, PaymentNotice.id == Receipt.notice_id).where(Receipt.business_day == day)):
        f.receipt(st.ReceiptRow(amount, void, window_no, kind, lk.dept_code.get(dept_id or 0, "")))
    for score, bad, window_no in session.execute(
            select(Rating.score, Rating.bad, Rating.window_no)
            .where(Rating.rated_at >= start, Rating.rated_at < end)):
        f.rating(st.RatingRow(score, bad, window_no, lk.window_dept.get(window_no or 0, "")))
    for window_no, in session.execute(
            select(Complaint.window_no).where(Complaint.registered_at >= start, Complaint.registered_at < end)):
        f.complaint(window_no=window_no, department=lk.window_dept.get(window_no or 0, ""))
    return f


# --- rollups -------------------------------------------------------------------------

def first_day(session: Session) -> date | None:
    """The oldest business day that has any ticket (index on business_day)."""
    return session.scalar(select(func.min(Ticket.business_day)))


def missing_days(session: Session, *, upto: date) -> list[date]:
    start = first_day(session)
    if start is None or start > upto:
        return []
    built = set(session.scalars(select(StatsBuilt.day).where(StatsBuilt.day >= start, StatsBuilt.day <= upto)))
    out, d = [], start
    while d <= upto:
        if d not in built:
            out.append(d)
        d += timedelta(days=1)
    return out


def build_day(session: Session, day: date, *, tz: ZoneInfo, now: datetime, lookups: Lookups | None = None) -> int:
    """(Re)build one day's rollup rows; returns how many cells were written."""
    f = fold_day(session, day, tz=tz, lookups=lookups)
    session.execute(delete(StatsDay).where(StatsDay.day == day))
    session.execute(delete(StatsBuilt).where(StatsBuilt.day == day))
    cells = [{"day": day, "dim": dim, "key": key, **fig.as_dict()} for (dim, key), fig in f.cells.items()]
    if cells:
        session.execute(insert(StatsDay), cells)
    session.add(StatsBuilt(day=day, built_at=now, last_seq=events.last_seq(session)))
    session.flush()
    return len(cells)


def ensure_rollups(db: Database, *, tz: ZoneInfo, now: datetime) -> int:
    """Fold every closed day that has no rollup yet. Cheap when nothing is missing
    (one read); the first call on a fresh copy of a long history does the work once."""
    yesterday = now.astimezone(tz).date() - timedelta(days=1)
    with db.read() as s:
        todo = missing_days(s, upto=yesterday)
    if not todo:
        return 0
    with db.write() as s:
        lk = Lookups(s)
        for d in todo:
            build_day(s, d, tz=tz, now=now, lookups=lk)
    log.info("built rollups for %d day(s), %s … %s", len(todo), todo[0], todo[-1])
    return len(todo)


_SUMS = [func.sum(getattr(StatsDay, n)) for n in st.METRICS if n not in st.MAX_METRICS]
_SUM_NAMES = [n for n in st.METRICS if n not in st.MAX_METRICS]


def _cells_from_rollup(session: Session, start: date, end: date, dims: Iterable[str]) -> dict[st.Key, st.Figures]:
    rows = session.execute(
        select(StatsDay.dim, StatsDay.key, func.max(StatsDay.wait_max_s), *_SUMS)
        .where(StatsDay.day >= start, StatsDay.day <= end, StatsDay.dim.in_(list(dims)))
        .group_by(StatsDay.dim, StatsDay.key)
    ).all()
    out: dict[st.Key, st.Figures] = {}
    for dim, key, wmax, *sums in rows:
        out[(dim, key)] = st.from_mapping({"wait_max_s": wmax, **dict(zip(_SUM_NAMES, sums))})
    return out


def period(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime,
           dims: Iterable[str] = st.DIMS, live: st.Fold | None = None) -> dict[st.Key, st.Figures]:
    """Figures of [start, end] (hall-local days): rollups for closed days, live for today.

    Days after today have no facts. Call ``ensure_rollups`` first (the API does).
    """
    dims = tuple(dims)
    today = now.astimezone(tz).date()
    out: dict[st.Key, st.Figures] = {}
    if start <= min(end, today - timedelta(days=1)):
        out = _cells_from_rollup(session, start, min(end, today - timedelta(days=1)), dims)
    if start <= today <= end:
        live = live or fold_day(session, today, tz=tz)
        for (dim, key), fig in live.cells.items():
            if dim in dims:
                out.setdefault((dim, key), st.Figures()).add(fig)
    return out


def live_fold(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime) -> st.Fold | None:
    """Today's fold when today is inside [start, end]: computed once per request."""
    today = now.astimezone(tz).date()
    return fold_day(session, today, tz=tz) if start <= today <= end else None


def by_day(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime,
           live: st.Fold | None = None) -> list[tuple[date, st.Figures]]:
    """Hall figures per day over [start, end] (the trend), today included live."""
    today = now.astimezone(tz).date()
    rows = session.execute(
        select(StatsDay).where(StatsDay.dim == st.HALL, StatsDay.day >= start,
                               StatsDay.day <= min(end, today - timedelta(days=1)))
    ).scalars().all()
    have = {r.day: st.from_mapping({n: getattr(r, n) for n in st.METRICS}) for r in rows}
    if start <= today <= end:
        have[today] = (live or fold_day(session, today, tz=tz)).get(st.HALL)
    out, d = [], start
    while d <= min(end, today):
        out.append((d, have.get(d, st.Figures())))
        d += timedelta(days=1)
    return out
