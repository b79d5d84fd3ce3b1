"""What the phone pages show: my ticket's place in the queue and my case's progress,
read in one short transaction each and returned as the masked phone models.

Nothing here writes: the pages only read, and the rating itself goes through the
accountability service's existing public use case (``ratings.rate_public``).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain import ratings as dom_ratings
from ..domain import waits
from ..domain.errors import NotFound
from ..domain.fees import NoticeState
from ..domain.queue import STATE_LABELS, TicketState, business_day
from ..domain.workdays import UNIT_LABELS, LimitUnit
from ..models import Category, Ticket, Window
from ..models.cases import Case, Matter
from ..models.fees import PaymentNotice
from ..settings import Settings
from . import cases as cases_svc
from . import queue as queue_svc
from . import ratings as ratings_svc

RECENT_DAYS = 14  # service times older than this say little about today's pace


class TicketLinkInvalid(NotFound):
    code = "ticket_link_invalid"
    message = "号票链接无效，请核对号票上的二维码，或到大厅咨询台询问。"


def ticket_from_token(session: Session, token: str) -> Ticket:
    ticket_id = dom_ratings.parse_rating_token(ratings_svc.secret(session), token)
    ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is None:
        raise TicketLinkInvalid()
    return ticket


def _ahead(session: Session, t: Ticket) -> int:
    """Waiting tickets of the same category that the windows take first (priority, then
    queue time, then issue order: the same order ``domain.queue.pick_next`` ranks by)."""
    earlier = or_(Ticket.queued_at < t.queued_at, and_(Ticket.queued_at == t.queued_at, Ticket.id < t.id))
    if t.priority:
        before = and_(Ticket.priority.is_(True), earlier)
    else:
        before = or_(Ticket.priority.is_(True), earlier)
    q = select(func.count()).select_from(Ticket).where(
        Ticket.business_day == t.business_day, Ticket.state == TicketState.WAITING, Ticket.prefix == t.prefix,
        Ticket.id != t.id, before)
    return int(session.scalar(q) or 0)


def recent_durations(session: Session, *, prefix: str, now: datetime, settings: Settings) -> list[float]:
    """Minutes from call to completion of the category's last completed services."""
    since = business_day(now - timedelta(days=RECENT_DAYS), settings.tz)
    rows = session.execute(
        select(Ticket.called_at, Ticket.completed_at).where(
            Ticket.business_day >= since, Ticket.prefix == prefix, Ticket.state == TicketState.DONE,
            Ticket.called_at.is_not(None), Ticket.completed_at.is_not(None))
        .order_by(Ticket.completed_at.desc()).limit(waits.RECENT_SERVICES)).all()
    return [(done - called).total_seconds() / 60 for called, done in rows]


def ticket_status(session: Session, *, settings: Settings, token: str, now: datetime) -> c.TicketPhoneOut:
    t = ticket_from_token(session, token)
    state = TicketState(t.state)
    today = t.business_day == business_day(now, settings.tz)
    out: dict[str, object] = {}
    if state is TicketState.WAITING and today:
        ahead = _ahead(session, t)
        windows = queue_svc.serving_windows(session, t.prefix)
        configured = session.scalar(select(Category.service_minutes).where(
            Category.prefix == t.prefix)) or settings.default_service_minutes
        est = waits.estimate(ahead=ahead, windows=windows, configured=float(configured),
                             durations_min=recent_durations(session, prefix=t.prefix, now=now, settings=settings))
        out = {"ahead": ahead, "serving_windows": windows, "estimate_min": est.minutes, "estimate_basis": est.basis}
    if state in (TicketState.CALLED, TicketState.SERVING, TicketState.DONE) and t.window_no:
        w = session.scalar(select(Window).where(Window.window_no == t.window_no))
        out["window_no"] = t.window_no
        out["window_name"] = w.name if w else None
    rating = ratings_svc.public_info(session, settings=settings, token=token) if state is TicketState.DONE else None
    label = STATE_LABELS[state] if today or state is not TicketState.WAITING else "已失效（非当日号票）"
    shown = (state, out.get("ahead"), out.get("estimate_min"), out.get("window_no"),
             rating.rated if rating else None, today)
    return c.TicketPhoneOut(
        hall_name=settings.hall_name, number=t.number, category=t.prefix,
        category_name=queue_svc.category_name(session, t.prefix), state=state.value, state_label=label,
        business_day=t.business_day, today=today, rating=rating,
        version=hashlib.sha1(repr(shown).encode()).hexdigest()[:12], **out)  # type: ignore[arg-type]


def _limit_text(prefix: str, days: int, unit: str) -> str:
    return f"{prefix} {days} {UNIT_LABELS[LimitUnit(unit)]}" if days else ""


def case_status(session: Session, *, settings: Settings, now: datetime, case_no: str, code: str) -> c.CasePhoneOut:
    """The notice holder's view. The code check and its answer are the public lookup's
    own (``cases.public``): an unknown case and a wrong code read the same."""
    pub = cases_svc.public(session, settings=settings, now=now, case_no=case_no, code=code)
    case = session.scalar(select(Case).where(Case.case_no == pub.case_no))
    assert case is not None  # cases.public just found it
    matter = session.get(Matter, case.matter_id)
    fees = session.execute(select(PaymentNotice.state, func.sum(PaymentNotice.total_fen))
                           .where(PaymentNotice.case_id == case.id).group_by(PaymentNotice.state)).all()
    by_state = {s: int(v or 0) for s, v in fees}
    token = (dom_ratings.rating_token(ratings_svc.secret(session), case.ticket_id)
             if case.ticket_id and session.get(Ticket, case.ticket_id) is not None else None)
    statutory_unit = matter.statutory_unit if matter else case.limit_unit
    return c.CasePhoneOut(
        hall_name=settings.hall_name, case_no=pub.case_no, matter_name=pub.matter_name, department=pub.department,
        state_label=pub.state_label, applicant_name=pub.applicant_name, received_at=pub.received_at,
        accepted_at=pub.accepted_at, concluded_at=pub.concluded_at,
        promised_text=_limit_text("承诺", case.limit_days, case.limit_unit) if case.accepted_at else "",
        due_date=pub.due_date,
        statutory_text=_limit_text("法定", case.statutory_days or (matter.statutory_limit if matter else 0),
                                   statutory_unit),
        statutory_due_date=case.statutory_due_date, clock_text=pub.clock_text, to_correct=pub.to_correct,
        steps=[c.PhoneStep(at=s.at, label=s.label) for s in pub.progress],
        fees_owed_fen=by_state.get(NoticeState.UNPAID, 0), fees_paid_fen=by_state.get(NoticeState.PAID, 0),
        enquiry_phone=pub.enquiry_phone, complaint_phone=pub.complaint_phone, rating_token=token)

