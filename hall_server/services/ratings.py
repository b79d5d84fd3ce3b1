"""好差评 use cases: a rating from the evaluator facing a window or from the rate-later
QR link, the 差评 follow-up (回访 → 整改 → one 复评), the badge's star, and the sweep
that flags follow-ups running late.

One service is rated once: a rating's ``service_key`` is unique ("ticket:<id>"), whichever
path (evaluator or QR) comes first wins, the other gets ``already_rated``.
"""
from __future__ import annotations

import logging
import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..domain import ratings as dom
from ..domain.errors import Conflict, Forbidden, NotFound
from ..domain.inquiries import end_of_day
from ..domain.queue import TicketState, business_day
from ..models import Setting, Staff, Ticket, Window
from ..models.accountability import Rating, RatingFollowup
from ..models.cases import Case
from ..settings import Settings
from . import events, public_url
from .actors import SYSTEM, Actor
from .inquiries import deadline, staff_no_of, workdays_left

log = logging.getLogger(__name__)

SECRET_KEY = "rating_link_secret"  # hall_settings row made by migration 0004


class RatingLinkInvalid(NotFound):
    code = "rating_link_invalid"
    message = "评价链接无效，请核对二维码或到大厅咨询台评价。"


# --- the rate-later link -----------------------------------------------------------

# The secret is made once per database (migration 0004) and never changes, while every
# ticket issued reads it: kept per engine, i.e. per database this process talks to.
_SECRETS: "weakref.WeakKeyDictionary[Any, bytes]" = weakref.WeakKeyDictionary()


def secret(session: Session) -> bytes:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    cached = _SECRETS.get(engine)
    if cached is not None:
        return cached
    row = session.get(Setting, SECRET_KEY)
    if row is None or not row.value.get("secret"):
        raise RuntimeError("rating link secret missing: database not migrated to 0004")
    _SECRETS[engine] = value = bytes.fromhex(str(row.value["secret"]))
    return value


def link(session: Session, *, settings: Settings, ticket_id: int) -> c.RatingLinkOut:
    """The URL printed as a QR on the ticket or a notice, for rating later on a phone."""
    if session.get(Ticket, ticket_id) is None:
        raise NotFound("没有该号票。", code="ticket_not_found")
    return link_for_new(session, settings=settings, ticket_id=ticket_id)


def link_for_new(session: Session, *, settings: Settings, ticket_id: int) -> c.RatingLinkOut:
    """``link`` for a ticket written in this very transaction (no need to look it up)."""
    token = dom.rating_token(secret(session), ticket_id)
    return c.RatingLinkOut(ticket_id=ticket_id, token=token, url=page_url(settings, token, session=session))


PAGE_PATH = f"{c.API_PREFIX}/public/r/"  # the phone page (HTML); its JSON twin is /api/v1/rate/{token}


def page_url(settings: Settings, token: str, *, session: Session | None = None) -> str:
    """What the QR holds: the ticket's phone page (queue place, then the rating form), not
    the JSON endpoint (a phone's camera opens a browser). Built by ``public_url``, the one
    home of printed addresses; ~60 characters, so the kiosk ticket stays under 400 bytes."""
    return public_url.rating_url(settings=settings, token=token, session=session)


def _ticket_from_token(session: Session, token: str) -> Ticket:
    ticket_id = dom.parse_rating_token(secret(session), token)
    ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is None:
        raise RatingLinkInvalid()
    return ticket


def _service_key(ticket: Ticket) -> str:
    return f"ticket:{ticket.id}"


def _existing(session: Session, ticket: Ticket) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.service_key == _service_key(ticket)))


def public_info(session: Session, *, settings: Settings, token: str) -> c.RateInfoOut:
    ticket = _ticket_from_token(session, token)
    rating = _existing(session, ticket)
    fu = session.scalar(select(RatingFollowup).where(RatingFollowup.rating_id == rating.id)) if rating else None
    window = session.scalar(select(Window).where(Window.window_no == ticket.window_no)) if ticket.window_no else None
    done = ticket.state == TicketState.DONE
    return c.RateInfoOut(
        hall_name=settings.hall_name, ticket=ticket.number, business_day=ticket.business_day,
        window_no=ticket.window_no, window_name=window.name if window else None, completed=done,
        rated=rating is not None, can_rate=done and rating is None,
        can_rerate=fu is not None and fu.state == dom.FollowupState.RERATE,
        levels=[c.LevelOut(level=lv, label=dom.LEVEL_LABELS[lv], bad=dom.is_bad(lv)) for lv in dom.LEVELS],
        reasons=[c.ReasonOut(code=k, label=v) for k, v in dom.REASONS.items()],
    )


# --- recording ------------------------------------------------------------------

def _record(session: Session, *, settings: Settings, ticket: Ticket, level: dom.RatingLevel, reasons: list[str],
            comment: str | None, channel: str, actor: Actor, now: datetime) -> Rating:
    if ticket.state != TicketState.DONE:
        raise Conflict("该号的服务尚未办结，办结后才能评价。", code="service_not_completed")
    if _existing(session, ticket) is not None:
        raise Conflict("这次服务已经评价过了，感谢您的反馈。", code="already_rated")
    clean = dom.check_reasons(reasons)
    case_no = session.scalar(select(Case.case_no).where(Case.ticket_id == ticket.id).order_by(Case.id.desc()).limit(1))
    staff_no, _ = staff_no_of(session, ticket.staff_id)
    r = Rating(service_key=_service_key(ticket), ticket_id=ticket.id, ticket_no=ticket.number,
               business_day=ticket.business_day, case_no=case_no, window_no=ticket.window_no,
               staff_id=ticket.staff_id, level=level, score=dom.SCORES[level], bad=dom.is_bad(level),
               reasons=clean, comment=(comment or "").strip() or None, channel=channel,
               device_name=actor.device_name, rated_at=now)
    session.add(r)
    session.flush()  # the unique service_key turns a concurrent twin into an IntegrityError
    # The level is in the log (the audit needs it); clerk-facing clients must ignore rating.*.
    events.append(session, kinds.RATING_RECORDED.type, actor=actor, at=now, window_no=r.window_no,
                  data={"rating_id": r.id, "ticket": r.ticket_no, "ticket_id": r.ticket_id, "case_no": case_no,
                        "staff_no": staff_no, "level": str(level), "bad": r.bad, "channel": channel,
                        "reasons": clean})
    if r.bad:
        _open_followup(session, r, settings=settings, staff_no=staff_no, now=now)
    return r


def _open_followup(session: Session, r: Rating, *, settings: Settings, staff_no: str | None,
                   now: datetime) -> RatingFollowup:
    cb = deadline(settings, now, settings.rating_callback_workdays, session)
    fix = deadline(settings, now, settings.rating_rectify_workdays, session)
    fu = RatingFollowup(rating_id=r.id, state=dom.FollowupState.CALLBACK, opened_at=now, callback_due_at=cb,
                        rectify_due_at=fix, due_at=cb)
    session.add(fu)
    session.flush()
    events.append(session, kinds.RATING_FOLLOWUP_OPENED.type, actor=SYSTEM, at=now, window_no=r.window_no,
                  data={"followup_id": fu.id, "rating_id": r.id, "ticket": r.ticket_no, "case_no": r.case_no,
                        "staff_no": staff_no, "callback_due_at": cb.isoformat(), "rectify_due_at": fix.isoformat()})
    return fu


def rate_from_evaluator(session: Session, *, settings: Settings, actor: Actor, now: datetime,
                        body: c.RatingIn) -> Rating:
    """The evaluator rates the service its window just completed (or the one it names)."""
    if actor.kind != "device" or actor.window_no is None:
        raise Forbidden("评价器未绑定窗口，请联系管理员配置。", code="evaluator_unbound")
    if body.ticket_id is not None:
        ticket = session.get(Ticket, body.ticket_id)
        if ticket is None:
            raise NotFound("没有该号票。", code="ticket_not_found")
        if ticket.window_no != actor.window_no:
            raise Forbidden("只能评价本窗口办理的服务。", code="not_this_window")
    else:
        since = now - timedelta(minutes=settings.rating_evaluator_minutes)
        ticket = session.scalar(
            select(Ticket).where(Ticket.window_no == actor.window_no, Ticket.state == TicketState.DONE,
                                 Ticket.completed_at >= since)
            .order_by(Ticket.completed_at.desc(), Ticket.id.desc()).limit(1))
        if ticket is None:
            raise Conflict("本窗口暂无待评价的服务。", code="nothing_to_rate")
    return _record(session, settings=settings, ticket=ticket, level=body.level, reasons=body.reasons,
                   comment=body.comment, channel="evaluator", actor=actor, now=now)


def rate_public(session: Session, *, settings: Settings, token: str, now: datetime,
                body: c.PublicRatingIn) -> Rating:
    ticket = _ticket_from_token(session, token)
    actor = Actor(kind="system", id=None, name="扫码评价", roles=frozenset())
    return _record(session, settings=settings, ticket=ticket, level=body.level, reasons=body.reasons,
                   comment=body.comment, channel="qr", actor=actor, now=now)


def thanks(r: Rating) -> c.RatingOut:
    level = dom.RatingLevel(r.level)
    msg = "感谢您的评价！" if not r.bad else "感谢您的评价，我们将在规定时间内联系您回访并整改。"
    return c.RatingOut(id=r.id, level=level, level_label=dom.LEVEL_LABELS[level], ticket=r.ticket_no,
                       window_no=r.window_no, rated_at=r.rated_at, message=msg)


# --- the follow-up --------------------------------------------------------------------

def get_followup(session: Session, followup_id: int) -> RatingFollowup:
    fu = session.get(RatingFollowup, followup_id, with_for_update=True)
    if fu is None:
        raise NotFound("没有该差评整改记录。", code="followup_not_found")
    return fu


def _fu_event(session: Session, type_: str, fu: RatingFollowup, *, actor: Actor, now: datetime,
              **extra: Any) -> None:
    r = session.get(Rating, fu.rating_id)
    assert r is not None
    rated_no, _ = staff_no_of(session, r.staff_id)
    data = {"followup_id": fu.id, "rating_id": r.id, "ticket": r.ticket_no, "case_no": r.case_no,
            "staff_no": actor.staff_no or rated_no, "rated_staff_no": rated_no, "state": fu.state, **extra}
    events.append(session, type_, actor=actor, at=now, window_no=r.window_no, data=data)


def call_back(session: Session, *, settings: Settings, actor: Actor, now: datetime, followup_id: int,
              note: str) -> RatingFollowup:
    fu = get_followup(session, followup_id)
    late = fu.callback_due_at < now
    fu.state = dom.followup_step(dom.FollowupState(fu.state), dom.FollowupAction.CALL_BACK)
    fu.called_back_at, fu.callback_note, fu.handled_by_staff_id = now, note.strip(), actor.id
    fu.due_at = fu.rectify_due_at
    session.flush()
    _fu_event(session, kinds.RATING_FOLLOWUP_CALLED_BACK.type, fu, actor=actor, now=now, late=late,
              due_at=fu.due_at.isoformat())
    return fu


def rectify(session: Session, *, settings: Settings, actor: Actor, now: datetime, followup_id: int,
            note: str) -> RatingFollowup:
    fu = get_followup(session, followup_id)
    late = fu.rectify_due_at < now
    fu.state = dom.followup_step(dom.FollowupState(fu.state), dom.FollowupAction.RECTIFY)
    fu.rectified_at, fu.rectify_note = now, note.strip()
    fu.rerate_due_at = deadline(settings, now, settings.rating_rerate_workdays, session)
    fu.due_at = fu.rerate_due_at
    session.flush()
    _fu_event(session, kinds.RATING_FOLLOWUP_RECTIFIED.type, fu, actor=actor, now=now, late=late,
              rerate_due_at=fu.rerate_due_at.isoformat())
    return fu


def _rerate(session: Session, fu: RatingFollowup, level: dom.RatingLevel, *, channel: str, actor: Actor,
            now: datetime) -> RatingFollowup:
    if fu.state != dom.FollowupState.RERATE and fu.rerated_at is not None:
        raise Conflict("整改后只能复评一次，您已复评过。", code="already_rerated")
    fu.state = dom.followup_step(dom.FollowupState(fu.state), dom.FollowupAction.RERATE)
    fu.rerated_at, fu.rerate_level, fu.closed_at, fu.due_at = now, level, now, None
    session.flush()
    _fu_event(session, kinds.RATING_RERATED.type, fu, actor=actor, now=now, level=str(level), bad=dom.is_bad(level),
              channel=channel)
    _fu_event(session, kinds.RATING_FOLLOWUP_CLOSED.type, fu, actor=actor, now=now, outcome="rerated")
    return fu


def rerate_public(session: Session, *, settings: Settings, token: str, now: datetime,
                  level: dom.RatingLevel) -> RatingFollowup:
    """The one re-rating after rectification, from the same rate-later link."""
    ticket = _ticket_from_token(session, token)
    r = _existing(session, ticket)
    fu = session.scalar(select(RatingFollowup).where(RatingFollowup.rating_id == r.id)) if r else None
    if fu is None:
        raise Conflict("这次服务没有待复评的差评整改。", code="nothing_to_rerate")
    actor = Actor(kind="system", id=None, name="扫码评价", roles=frozenset())
    return _rerate(session, fu, level, channel="qr", actor=actor, now=now)


def rerate_recorded(session: Session, *, settings: Settings, actor: Actor, now: datetime, followup_id: int,
                    level: dom.RatingLevel) -> RatingFollowup:
    """The office types in the re-rating the citizen gave on the phone (three levels)."""
    return _rerate(session, get_followup(session, followup_id), dom.check_rerate_level(level), channel="phone",
                   actor=actor, now=now)


def followup_out(session: Session, fu: RatingFollowup, *, now: datetime, tz: Any = None) -> c.FollowupOut:
    handled_no, _ = staff_no_of(session, fu.handled_by_staff_id)
    state = dom.FollowupState(fu.state)
    return c.FollowupOut(
        id=fu.id, rating_id=fu.rating_id, state=state, opened_at=fu.opened_at, callback_due_at=fu.callback_due_at,
        called_back_at=fu.called_back_at, callback_note=fu.callback_note, rectify_due_at=fu.rectify_due_at,
        rectified_at=fu.rectified_at, rectify_note=fu.rectify_note, rerate_due_at=fu.rerate_due_at,
        rerated_at=fu.rerated_at, rerate_level=dom.RatingLevel(fu.rerate_level) if fu.rerate_level else None,
        handled_by_staff_no=handled_no, due_at=fu.due_at, closed_at=fu.closed_at,
        overdue=fu.closed_at is None and fu.due_at is not None and fu.due_at < now
        and state != dom.FollowupState.RERATE,
        allowed=sorted(dom.followup_allowed(state) - {dom.FollowupAction.LAPSE}),
        workdays_left=workdays_left(fu.due_at, now=now, tz=tz) if fu.closed_at is None else None,
    )


def record_out(session: Session, r: Rating, *, now: datetime, tz: Any = None) -> c.RatingRecordOut:
    staff_no, staff_name = staff_no_of(session, r.staff_id)
    fu = session.scalar(select(RatingFollowup).where(RatingFollowup.rating_id == r.id))
    level = dom.RatingLevel(r.level)
    return c.RatingRecordOut(
        id=r.id, level=level, level_label=dom.LEVEL_LABELS[level], score=r.score, bad=r.bad, reasons=r.reasons,
        comment=r.comment, channel="qr" if r.channel == "qr" else "evaluator", ticket=r.ticket_no,
        business_day=r.business_day, case_no=r.case_no, window_no=r.window_no, staff_no=staff_no,
        staff_name=staff_name, rated_at=r.rated_at, followup=followup_out(session, fu, now=now, tz=tz) if fu else None)


def list_ratings(session: Session, *, bad_only: bool, staff_no: str | None, limit: int) -> list[Rating]:
    q = select(Rating)
    if bad_only:
        q = q.where(Rating.bad.is_(True))
    if staff_no:
        q = q.join(Staff, Staff.id == Rating.staff_id).where(Staff.staff_no == staff_no)
    return list(session.scalars(q.order_by(Rating.id.desc()).limit(limit)))


def list_followups(session: Session, *, open_only: bool, limit: int) -> list[RatingFollowup]:
    q = select(RatingFollowup)
    if open_only:
        q = q.where(RatingFollowup.closed_at.is_(None))
    return list(session.scalars(q.order_by(RatingFollowup.due_at, RatingFollowup.id).limit(limit)))


# --- sweep: late follow-ups, lapsed re-ratings, stars -----------------------------

def sweep_followups(session: Session, *, now: datetime, actor: Actor = SYSTEM) -> tuple[int, int]:
    """Flag each follow-up step that ran past its deadline (once per step); a re-rating
    the citizen did not give in time ends the follow-up (the 差评 stands). Returns
    (flagged, lapsed)."""
    rows = session.scalars(
        select(RatingFollowup).where(RatingFollowup.closed_at.is_(None), RatingFollowup.due_at < now)
        .order_by(RatingFollowup.id).with_for_update()).all()
    flagged = lapsed = 0
    for fu in rows:
        if fu.state == dom.FollowupState.RERATE:
            fu.state = dom.followup_step(dom.FollowupState(fu.state), dom.FollowupAction.LAPSE)
            fu.closed_at, fu.due_at = now, None
            session.flush()
            _fu_event(session, kinds.RATING_FOLLOWUP_CLOSED.type, fu, actor=actor, now=now, outcome="rerate_lapsed")
            lapsed += 1
        elif fu.overdue_step != fu.state:
            fu.overdue_step, fu.overdue_flagged_at = fu.state, now
            session.flush()
            _fu_event(session, kinds.RATING_FOLLOWUP_OVERDUE.type, fu, actor=actor, now=now, step=fu.state,
                      due_at=fu.due_at.isoformat() if fu.due_at else None)
            flagged += 1
    return flagged, lapsed


def star_for(session: Session, *, settings: Settings, staff_id: int, now: datetime) -> tuple[float | None, int]:
    """Ratings of the last ``star_period_days`` up to the end of yesterday (hall time): a
    star that moved right after a citizen rated would tell the clerk the score."""
    today = business_day(now, settings.tz)
    end = end_of_day(today - timedelta(days=1), settings.tz)
    start = end - timedelta(days=settings.star_period_days)
    rows = session.execute(
        select(Rating.level, RatingFollowup.rerate_level)
        .outerjoin(RatingFollowup, RatingFollowup.rating_id == Rating.id)
        .where(Rating.staff_id == staff_id, Rating.rated_at >= start, Rating.rated_at < end)).all()
    # a re-rating after rectification replaces the 差评 in the star (the original stays in the log)
    levels = [dom.RatingLevel(rerate or level) for level, rerate in rows]
    return dom.star(levels, min_count=settings.star_min_ratings)


def update_stars(session: Session, *, settings: Settings, now: datetime, actor: Actor = SYSTEM) -> int:
    """Recompute every staff member's badge star; log the ones that changed."""
    changed = 0
    rated = set(session.scalars(select(Rating.staff_id).where(Rating.staff_id.is_not(None)).distinct()))
    for staff in session.scalars(select(Staff).order_by(Staff.id)):
        if staff.id not in rated and staff.star_rating is None:
            continue
        value, count = star_for(session, settings=settings, staff_id=staff.id, now=now)
        if value != staff.star_rating:
            staff.star_rating = value
            events.append(session, kinds.STAFF_STAR_UPDATED.type, actor=actor, at=now,
                          data={"staff_no": staff.staff_no, "star": value, "count": count,
                                "period_days": settings.star_period_days})
            changed += 1
    session.flush()
    return changed
