"""The hall snapshot: what a client needs to draw everything, with the seq it is valid at."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain import queue as q
from ..contract.show import mask_id, mask_name
from ..models import Category, Department, Duty, Event, Staff, Ticket, Window
from ..settings import Settings
from . import events
from .queue import TicketRow, badge, waiting_counts


def ticket_out(t: Ticket | TicketRow, *, category_name: str = "", waiting_ahead: int = 0, est: int = 0) -> c.TicketOut:
    # built, not validated: every value comes from a row the database holds (validating them
    # again was a tenth of a window move's CPU); the field list is the model's, defaults included
    return c.TicketOut.model_construct(
        id=t.id, number=t.number, category=t.prefix, category_name=category_name,
        state=q.TicketState(t.state), priority=t.priority, business_day=t.business_day,
        issued_at=t.issued_at, waiting_ahead=waiting_ahead, estimated_wait_min=est, window_no=t.window_no,
        citizen_name=mask_name(t.citizen_name) if t.citizen_name else None,
        citizen_id_number=mask_id(t.citizen_id_number) if t.citizen_id_number else None,
        allowed=sorted(q.allowed(q.TicketState(t.state))),
    )


def snapshot(session: Session, *, settings: Settings, now: datetime) -> c.HallOut:
    last = events.last_seq(session)  # read first: the snapshot is at least this new
    day = q.business_day(now, settings.tz)
    depts = {d.id: d.name for d in session.scalars(select(Department))}
    counts = waiting_counts(session, day)
    open_windows: dict[str, int] = {}
    windows = list(session.scalars(select(Window).order_by(Window.window_no)))
    duties = {d.window_no: d for d in session.scalars(select(Duty).where(Duty.ended_at.is_(None)))}
    staff = {s.id: s for s in session.scalars(select(Staff).where(Staff.id.in_([d.staff_id for d in duties.values()])))}
    current = {t.window_no: t for t in session.scalars(
        select(Ticket).where(Ticket.business_day == day, Ticket.state.in_(("called", "serving"))))}
    cats = list(session.scalars(select(Category).where(Category.active.is_(True)).order_by(Category.sort, Category.prefix)))
    cat_names = {k.prefix: k.name for k in cats}
    wout: list[c.WindowOut] = []
    for w in windows:
        duty = duties.get(w.window_no)
        cur = current.get(w.window_no)
        if duty is None:
            state = "offline"
        elif w.paused_at is not None:
            state = "paused"
        elif cur is not None:
            state = "serving" if cur.state == "serving" else "calling"
        else:
            state = "idle"
        if duty is not None and w.paused_at is None:
            for p in w.categories or []:
                open_windows[p] = open_windows.get(p, 0) + 1
        wout.append(c.WindowOut(
            window_no=w.window_no, name=w.name, department=depts.get(w.department_id or 0, ""),
            categories=list(w.categories or []), is_fee_window=w.is_fee_window, state=state,
            pause_reason=w.pause_reason, paused_since=w.paused_at,
            badge=c.Badge(**badge(session, staff[duty.staff_id])) if duty and duty.staff_id in staff else None,
            current=ticket_out(cur, category_name=cat_names.get(cur.prefix, "")) if cur else None,
        ))
    cout = [
        c.CategoryOut(prefix=k.prefix, name=k.name, department=depts.get(k.department_id or 0, ""),
                      waiting=counts.get(k.prefix, 0),
                      estimated_wait_min=q.estimate_wait_minutes(
                          waiting_ahead=counts.get(k.prefix, 0), serving_windows=open_windows.get(k.prefix, 0),
                          service_minutes=k.service_minutes))
        for k in cats
    ]
    recent = session.execute(
        select(Event.data, Event.window_no, Event.at).where(Event.type.in_(("ticket.called", "ticket.recalled")))
        .order_by(Event.seq.desc()).limit(10)
    ).all()
    calls = [c.CallOut(number=d.get("ticket", ""), window_no=wn or 0, at=at) for d, wn, at in recent]
    return c.HallOut(hall_name=settings.hall_name, timezone=settings.timezone, business_day=day, now=now,
                     last_seq=last, categories=cout, windows=wout, recent_calls=calls)
