"""The hall manager's dashboard, device health, and the figures of the hall reports.

The dashboard is a snapshot with the seq it is valid at; the client then keeps it
current from the event stream. Device health: every client PC reports the hardware
it drives (printers, LED boards, evaluators, readers) with a heartbeat; a change of
status is an event, a heartbeat alone only refreshes ``last_seen_at`` (a heartbeat per
device per minute would drown the audit log). A device whose heartbeat stopped is
shown offline.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from .. import contract as c
from ..domain import stats as st
from ..models import Category, Device, Ticket, Window
from ..models.supervision import DeviceHealth
from ..settings import Settings
from . import events
from . import stats as svc_stats
from .actors import Actor
from .hall import snapshot

HEARTBEAT_TIMEOUT_S = 180  # three missed one-minute heartbeats
TREND_DAYS = 30


def figures_out(f: st.Figures) -> c.FiguresOut:
    return c.FiguresOut(
        tickets=f.tickets, served=f.served, skipped=f.skipped, called=f.called, avg_wait_s=f.avg_wait_s,
        max_wait_s=f.wait_max_s, avg_service_s=f.avg_service_s, cases_accepted=f.cases_accepted,
        cases_concluded=f.cases_concluded, cases_on_time=f.cases_on_time, cases_once=f.cases_once,
        once_rate=f.once_rate, on_time_rate=f.on_time_rate, fees_fen=f.fees_fen, receipts=f.receipts,
        voids=f.voids, ratings=f.ratings, ratings_good=f.ratings_good, ratings_bad=f.ratings_bad,
        satisfaction_rate=f.satisfaction_rate, complaints=f.complaints,
    )


def day_point(day: date, f: st.Figures) -> c.DayPoint:
    return c.DayPoint(day=day, tickets=f.tickets, served=f.served, avg_wait_s=f.avg_wait_s,
                      cases_accepted=f.cases_accepted, cases_concluded=f.cases_concluded, fees_fen=f.fees_fen,
                      satisfaction_rate=f.satisfaction_rate)


def keyed(cells: dict[st.Key, st.Figures], dim: str, labels: dict[str, str] | None = None,
          sort_int: bool = False) -> list[c.KeyFigures]:
    items = [(k, f) for (d, k), f in cells.items() if d == dim]
    items.sort(key=lambda kv: (int(kv[0]) if sort_int and kv[0].isdigit() else 0, kv[0]))
    return [c.KeyFigures(key=k, label=(labels or {}).get(k, k), figures=figures_out(f)) for k, f in items]


# --- device health ---------------------------------------------------------------------

def report_health(session: Session, *, reports: list[c.DeviceReport], actor: Actor, now: datetime) -> int:
    """Heartbeat plus status of the devices a client drives; returns how many changed."""
    changed = 0
    if actor.kind == "device":
        dev = session.scalar(select(Device).where(Device.name == actor.device_name))
        if dev is not None:
            dev.last_seen_at = now
    for r in reports:
        row = session.scalar(select(DeviceHealth).where(DeviceHealth.name == r.name))
        window_no = r.window_no if r.window_no is not None else actor.window_no
        if row is None:
            row = DeviceHealth(name=r.name, kind=r.kind, reporter=actor.ident, window_no=window_no,
                               status=r.status, detail=r.detail, last_seen_at=now, changed_at=now)
            session.add(row)
            is_change = True
        else:
            is_change = row.status != r.status or row.detail != r.detail
            row.kind, row.reporter, row.window_no, row.last_seen_at = r.kind, actor.ident, window_no, now
            if is_change:
                row.status, row.detail, row.changed_at = r.status, r.detail, now
        if is_change:
            changed += 1
            events.append(session, kinds.DEVICE_STATUS.type, actor=actor, at=now, window_no=window_no,
                          data={"device": r.name, "kind": r.kind, "status": r.status, "detail": r.detail,
                                "window_no": window_no, "reporter": actor.ident})
    session.flush()
    return changed


def device_status(reported: str, last_seen: datetime | None, now: datetime) -> str:
    if last_seen is None:
        return "unknown"
    if (now - last_seen).total_seconds() > HEARTBEAT_TIMEOUT_S:
        return "offline"
    return reported


def devices(session: Session, *, now: datetime) -> list[c.DeviceHealthOut]:
    """Reported hardware plus the registered kiosk/display/evaluator tokens."""
    out: list[c.DeviceHealthOut] = []
    seen: set[str] = set()
    for h in session.scalars(select(DeviceHealth).order_by(DeviceHealth.window_no, DeviceHealth.name)):
        seen.add(h.name)
        out.append(c.DeviceHealthOut(name=h.name, kind=h.kind, status=device_status(h.status, h.last_seen_at, now),  # type: ignore[arg-type]
                                     reported=h.status, detail=h.detail, window_no=h.window_no,
                                     reporter=h.reporter, last_seen_at=h.last_seen_at))
    for d in session.scalars(select(Device).where(Device.active.is_(True)).order_by(Device.name)):
        if d.name in seen:
            continue
        out.append(c.DeviceHealthOut(name=d.name, kind=d.kind, status=device_status("ok", d.last_seen_at, now),  # type: ignore[arg-type]
                                     reported="ok" if d.last_seen_at else "unknown", window_no=d.window_no,
                                     reporter=f"device:{d.name}", last_seen_at=d.last_seen_at))
    return out


# --- the dashboard ------------------------------------------------------------------------

def dashboard(session: Session, *, settings: Settings, now: datetime) -> c.DashboardOut:
    tz = settings.tz
    last = events.last_seq(session)
    hall = snapshot(session, settings=settings, now=now)
    day = hall.business_day
    lk = svc_stats.Lookups(session)
    today = svc_stats.fold_day(session, day, tz=tz, lookups=lk)
    waiting = session.execute(
        select(Ticket.prefix, Ticket.number, Ticket.queued_at)
        .where(Ticket.business_day == day, Ticket.state == "waiting").order_by(Ticket.queued_at, Ticket.id)
    ).all()
    longest: dict[str, int] = {}
    queues: dict[str, list[c.WaitingTicket]] = {}
    for prefix, number, queued in waiting:
        longest[prefix] = max(longest.get(prefix, 0), int((now - queued).total_seconds()))
        queues.setdefault(prefix, []).append(c.WaitingTicket(number=number, queued_at=queued))
    cats = []
    for k in hall.categories:
        f = today.get(st.CATEGORY, k.prefix)
        cats.append(c.CategoryLive(prefix=k.prefix, name=k.name, waiting=k.waiting,
                                   longest_wait_s=longest.get(k.prefix, 0), avg_wait_s=f.avg_wait_s,
                                   avg_service_s=f.avg_service_s, served=f.served, wait_n=f.wait_n,
                                   service_n=f.service_n, queue=queues.get(k.prefix, [])))
    wins = [c.WindowLive(window_no=w.window_no, name=w.name, state=w.state,
                         staff_no=w.badge.staff_no if w.badge else None, staff_name=w.badge.name if w.badge else None,
                         current=w.current.number if w.current else None, pause_reason=w.pause_reason,
                         served_today=today.get(st.WINDOW, str(w.window_no)).served)
            for w in hall.windows]
    trend_cells = svc_stats.by_day(session, start=day - timedelta(days=TREND_DAYS - 1), end=day, tz=tz, now=now,
                                   live=today)
    win_names = {str(w.window_no): f"{w.window_no} 号窗" for w in session.scalars(select(Window))}
    return c.DashboardOut(
        business_day=day, timezone=settings.timezone, now=now, last_seq=last, heartbeat_timeout_s=HEARTBEAT_TIMEOUT_S,
        today=figures_out(today.get(st.HALL)), categories=cats, windows=wins,
        by_hour=keyed(today.cells, st.HOUR, sort_int=True), by_window=keyed(today.cells, st.WINDOW, win_names, True),
        trend=[day_point(d, f) for d, f in trend_cells], devices=devices(session, now=now),
    )


# --- report figures ------------------------------------------------------------------------

def _labels(session: Session) -> dict[str, dict[str, str]]:
    lk = svc_stats.Lookups(session)
    return {
        st.CATEGORY: {p: f"{p} {n}" for p, n in lk.cat_name.items()},
        st.DEPARTMENT: dict(lk.dept_name),
        st.WINDOW: {str(w.window_no): w.name for w in session.scalars(select(Window))},
        st.HOUR: {f"{h:02d}": f"{h:02d}:00" for h in range(24)},
    }


def daily(session: Session, *, settings: Settings, day: date, now: datetime,
          cards: tuple[int, int] = (0, 0)) -> c.DailyReportOut:
    cells = svc_stats.period(session, start=day, end=day, tz=settings.tz, now=now)
    lb = _labels(session)
    return c.DailyReportOut(
        hall_name=settings.hall_name, day=day, total=figures_out(cells.get((st.HALL, ""), st.Figures())),
        by_category=keyed(cells, st.CATEGORY, lb[st.CATEGORY]),
        by_window=keyed(cells, st.WINDOW, lb[st.WINDOW], True),
        by_department=keyed(cells, st.DEPARTMENT, lb[st.DEPARTMENT]),
        by_hour=keyed(cells, st.HOUR, lb[st.HOUR], True), cards_red=cards[0], cards_yellow=cards[1],
    )


def month_bounds(month: str) -> tuple[date, date]:
    from ..domain.errors import BadInput
    try:
        first = date.fromisoformat(month + "-01")
    except ValueError:
        raise BadInput("月份格式应为 YYYY-MM。", code="bad_month") from None
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def monthly(session: Session, *, settings: Settings, month: str, now: datetime) -> c.MonthlyReportOut:
    start, end = month_bounds(month)
    tz = settings.tz
    live = svc_stats.live_fold(session, start=start, end=end, tz=tz, now=now)
    cells = svc_stats.period(session, start=start, end=end, tz=tz, now=now,
                             dims=(st.HALL, st.DEPARTMENT, st.WINDOW), live=live)
    lb = _labels(session)
    days = svc_stats.by_day(session, start=start, end=end, tz=tz, now=now, live=live)
    return c.MonthlyReportOut(
        hall_name=settings.hall_name, month=month, total=figures_out(cells.get((st.HALL, ""), st.Figures())),
        by_day=[day_point(d, f) for d, f in days], by_department=keyed(cells, st.DEPARTMENT, lb[st.DEPARTMENT]),
        by_window=keyed(cells, st.WINDOW, lb[st.WINDOW], True),
    )


def yearly(session: Session, *, settings: Settings, year: int, now: datetime) -> c.YearlyReportOut:
    tz = settings.tz
    live = svc_stats.live_fold(session, start=date(year, 1, 1), end=date(year, 12, 31), tz=tz, now=now)
    cells = svc_stats.period(session, start=date(year, 1, 1), end=date(year, 12, 31), tz=tz, now=now,
                             dims=(st.HALL, st.DEPARTMENT), live=live)
    lb = _labels(session)
    depts = []
    for (dim, key), f in sorted(cells.items()):
        if dim != st.DEPARTMENT:
            continue
        depts.append(c.DepartmentYear(department=lb[st.DEPARTMENT].get(key, key), cases_accepted=f.cases_accepted,
                                      cases_concluded=f.cases_concluded, on_time_rate=f.on_time_rate,
                                      once_rate=f.once_rate, ratings=f.ratings,
                                      satisfaction_rate=f.satisfaction_rate, complaints=f.complaints))
    months: list[c.KeyFigures] = []
    rows = _month_sums(session, year=year, tz=tz, now=now, live=live)
    for m, f in rows:
        months.append(c.KeyFigures(key=m, label=f"{int(m[5:])} 月", figures=figures_out(f)))
    return c.YearlyReportOut(hall_name=settings.hall_name, year=year,
                             total=figures_out(cells.get((st.HALL, ""), st.Figures())), departments=depts,
                             by_month=months)


def _month_sums(session: Session, *, year: int, tz: Any, now: datetime,
                live: st.Fold | None) -> list[tuple[str, st.Figures]]:
    out: dict[str, st.Figures] = {}
    for d, f in svc_stats.by_day(session, start=date(year, 1, 1), end=date(year, 12, 31), tz=tz, now=now,
                                 live=live):
        out.setdefault(f"{d.year}-{d.month:02d}", st.Figures()).add(f)
    return sorted(out.items())


def category_names(session: Session) -> dict[str, str]:
    return {k.prefix: k.name for k in session.scalars(select(Category))}
