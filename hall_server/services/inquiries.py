"""首问负责 use cases: log an inquiry, refer it (转办), answer and close it, list what a
staff member answers for, and flag the overdue ones.

Also the helpers the three accountability services share: the working-day calendar,
deadlines, staff look-ups and the per-day numbering.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..domain import inquiries as dom
from ..domain.errors import BadInput, Forbidden, NotFound
from ..contract.show import mask_name, mask_phone
from ..domain.queue import business_day
from ..domain.roles import Role
from ..domain.workdays import WorkCalendar, package_data, parse_config
from ..models import Department, Staff, Window
from ..models.accountability import Inquiry
from ..models.cases import Matter
from ..settings import Settings
from . import events
from .actors import SYSTEM, Actor

log = logging.getLogger(__name__)

HOLIDAYS_FILE = Path(__file__).resolve().parents[2] / "resources" / "holidays.toml"
OFFICE_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.ADMIN)  # see everything of this area


# --- shared helpers -------------------------------------------------------------

@lru_cache(maxsize=1)
def calendar() -> WorkCalendar:
    """China's official calendar (chinesecalendar) plus the years in resources/holidays.toml."""
    config = None
    if HOLIDAYS_FILE.exists():
        config = parse_config(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    return WorkCalendar.from_sources(package=package_data(), config=config)


def deadline(settings: Settings, start: datetime, workdays: int, session: Session | None = None) -> datetime:
    """With a session, the holiday years the admin saved count too (``hallconfig``)."""
    if session is not None:
        from .hallconfig import work_calendar
        return dom.workday_deadline(start, workdays, calendar=work_calendar(session, settings), tz=settings.tz)
    return dom.workday_deadline(start, workdays, calendar=calendar(), tz=settings.tz)


def workdays_left(due: datetime | None, *, now: datetime, tz: Any) -> int | None:
    """Working days from the hall's today to the due day (0: due today; negative: late by
    that many working days), so a deadline reads as the office counts it."""
    if due is None or tz is None:
        return None
    # a deadline is the end of its last day (stored as the next midnight, exclusive)
    today, day = now.astimezone(tz).date(), (due - timedelta(microseconds=1)).astimezone(tz).date()
    n = calendar().working_days_between(today, day)
    return -1 if n == 0 and due < now else n


def aware(when: datetime, settings: Settings) -> datetime:
    """A time typed at a window without a zone means the hall's local time; stored as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=settings.tz)
    return when.astimezone(timezone.utc)


def staff_by_no(session: Session, staff_no: str, *, what: str = "工作人员") -> Staff:
    """A staff member named in a request body: unknown is bad input (422), not a missing page."""
    staff = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if staff is None or not staff.active:
        raise BadInput(f"找不到工号为 {staff_no} 的{what}，请核对工号。", code="unknown_staff")
    return staff


def staff_no_of(session: Session, staff_id: int | None) -> tuple[str | None, str | None]:
    if staff_id is None:
        return None, None
    s = session.get(Staff, staff_id)
    return (s.staff_no, s.name) if s else (None, None)


def check_window(session: Session, window_no: int | None) -> None:
    if window_no is not None and session.scalar(select(Window.id).where(Window.window_no == window_no)) is None:
        raise BadInput(f"没有 {window_no} 号窗口。", code="unknown_window")


def next_number(session: Session, column: Any, letter: str, *, settings: Settings, now: datetime) -> str:
    """``Q20261124-001``: per hall day; writers are serialised, the unique index guards the rest."""
    prefix = f"{letter}{business_day(now, settings.tz):%Y%m%d}-"
    n = session.scalar(select(func.count()).where(column.like(prefix + "%"))) or 0
    return f"{prefix}{n + 1:03d}"


def is_office(actor: Actor) -> bool:
    return actor.has(*OFFICE_ROLES)


# --- inquiries ---------------------------------------------------------------------

def get(session: Session, inquiry_no: str, *, for_update: bool = False) -> Inquiry:
    q = select(Inquiry).where(Inquiry.inquiry_no == inquiry_no)
    if for_update:
        q = q.with_for_update()
    inq = session.scalar(q)
    if inq is None:
        raise NotFound(f"没有编号为 {inquiry_no} 的咨询记录。", code="inquiry_not_found")
    return inq


def _is_receiver(inq: Inquiry, actor: Actor) -> bool:
    if actor.kind != "staff" or inq.state != dom.InquiryState.REFERRED:
        return False
    if inq.referred_to_staff_id is not None:
        return inq.referred_to_staff_id == actor.id
    return inq.referred_to_department_id is not None and inq.referred_to_department_id == actor.department_id


def _may_act(inq: Inquiry, actor: Actor) -> None:
    """The first person stays responsible; the receiver does the work; the office oversees."""
    if actor.kind == "staff" and (inq.first_staff_id == actor.id or _is_receiver(inq, actor)):
        return
    if is_office(actor):
        return
    raise Forbidden("您不是该咨询的首问人或转办接收人，不能处理。", code="not_your_inquiry")


def _apply_referral(session: Session, inq: Inquiry, ref: c.ReferralIn, *, settings: Settings,
                    actor: Actor, now: datetime) -> dict[str, Any]:
    given_due = aware(ref.due_at, settings) if ref.due_at else None
    dom.check_referral(to_staff=ref.to_staff_no is not None, to_department=ref.to_department_code is not None,
                       due_at=given_due, now=now)
    to_staff: Staff | None = None
    dept: Department | None = None
    if ref.to_staff_no is not None:
        to_staff = staff_by_no(session, ref.to_staff_no, what="转办接收人")
        if to_staff.id == actor.id:
            raise BadInput("不能转办给自己。", code="referral_target")
    else:
        dept = session.scalar(select(Department).where(Department.code == ref.to_department_code))
        if dept is None:
            raise BadInput(f"找不到部门“{ref.to_department_code}”，请核对部门代码。", code="unknown_department")
    due = given_due or deadline(settings, now, settings.inquiry_referral_workdays, session)
    inq.state = dom.step(dom.InquiryState(inq.state), dom.InquiryAction.REFER)
    inq.referred_to_staff_id = to_staff.id if to_staff else None
    inq.referred_to_department_id = dept.id if dept else None
    inq.referred_by_staff_id = actor.id if actor.kind == "staff" else None
    inq.referred_at, inq.referral_note, inq.due_at = now, ref.note.strip() or None, due
    inq.referrals += 1
    inq.overdue_flagged_at = None  # a new due time: a new chance to be late
    return {"to_staff_no": to_staff.staff_no if to_staff else None,
            "to_department_code": dept.code if dept else None, "due_at": due.isoformat(),
            "referrals": inq.referrals}


def log_inquiry(session: Session, *, settings: Settings, actor: Actor, now: datetime, body: c.InquiryIn) -> Inquiry:
    """Record a first inquiry: answered on the spot (closed), referred, or open for now."""
    if actor.kind != "staff" or actor.id is None:
        raise Forbidden("首问登记须由工作人员完成。", code="staff_only")
    action = dom.initial_action(answer=(body.answer or "").strip() or None, refer=body.refer is not None)
    window_no = body.window_no if body.window_no is not None else actor.window_no
    check_window(session, window_no)
    matter_name = body.matter_name
    if body.matter_code is not None:
        matter = session.scalar(select(Matter).where(Matter.code == body.matter_code))
        if matter is None:
            raise BadInput(f"事项编码“{body.matter_code}”不存在。", code="unknown_matter")
        matter_name = matter_name or matter.name
    inq = Inquiry(
        inquiry_no=next_number(session, Inquiry.inquiry_no, "Q", settings=settings, now=now),
        created_at=now, first_staff_id=actor.id, window_no=window_no,
        citizen_name=mask_name(body.citizen_name.strip()) if body.citizen_name else None,
        citizen_phone=body.citizen_phone, question=body.question.strip(), matter_code=body.matter_code,
        matter_name=matter_name, state=dom.InquiryState.OPEN,
    )
    if not inq.question:
        raise BadInput("请填写咨询的问题。", code="question_required")
    session.add(inq)
    extra: dict[str, Any] = {}
    if action is dom.InquiryAction.ANSWER:
        inq.answer = dom.require_answer(body.answer)
        inq.state = dom.step(dom.InquiryState.OPEN, action)
        inq.closed_at, inq.closed_by_staff_id = now, actor.id
    elif action is dom.InquiryAction.REFER:
        assert body.refer is not None
        extra = _apply_referral(session, inq, body.refer, settings=settings, actor=actor, now=now)
    session.flush()
    data: dict[str, Any] = {"inquiry_no": inq.inquiry_no, "staff_no": actor.staff_no,
                            "first_staff_no": actor.staff_no, "state": inq.state,
                            "matter_code": inq.matter_code, "citizen_name": inq.citizen_name}
    if inq.citizen_phone:
        data["citizen_phone"] = mask_phone(inq.citizen_phone)
    events.append(session, kinds.INQUIRY_LOGGED.type, actor=actor, at=now, window_no=window_no, data=data)
    if action is dom.InquiryAction.REFER:
        events.append(session, kinds.INQUIRY_REFERRED.type, actor=actor, at=now, window_no=window_no,
                      data={"inquiry_no": inq.inquiry_no, "staff_no": actor.staff_no,
                            "first_staff_no": actor.staff_no, **extra})
    elif action is dom.InquiryAction.ANSWER:
        events.append(session, kinds.INQUIRY_CLOSED.type, actor=actor, at=now, window_no=window_no,
                      data={"inquiry_no": inq.inquiry_no, "staff_no": actor.staff_no,
                            "first_staff_no": actor.staff_no, "late": False, "on_the_spot": True})
    return inq


def refer(session: Session, *, settings: Settings, actor: Actor, now: datetime, inquiry_no: str,
          body: c.ReferralIn) -> Inquiry:
    inq = get(session, inquiry_no, for_update=True)
    _may_act(inq, actor)
    extra = _apply_referral(session, inq, body, settings=settings, actor=actor, now=now)
    session.flush()
    first_no, _ = staff_no_of(session, inq.first_staff_id)
    events.append(session, kinds.INQUIRY_REFERRED.type, actor=actor, at=now, window_no=inq.window_no,
                  data={"inquiry_no": inq.inquiry_no, "staff_no": actor.staff_no, "first_staff_no": first_no,
                        **extra})
    return inq


def answer(session: Session, *, settings: Settings, actor: Actor, now: datetime, inquiry_no: str,
           text: str) -> Inquiry:
    """Close with the answer given; an empty answer is refused (refer it instead)."""
    inq = get(session, inquiry_no, for_update=True)
    _may_act(inq, actor)
    reply = dom.require_answer(text)
    inq.state = dom.step(dom.InquiryState(inq.state), dom.InquiryAction.ANSWER)
    late = dom.is_overdue(due_at=inq.due_at, closed_at=None, now=now)
    inq.answer, inq.closed_at = reply, now
    inq.closed_by_staff_id = actor.id if actor.kind == "staff" else None
    session.flush()
    first_no, _ = staff_no_of(session, inq.first_staff_id)
    events.append(session, kinds.INQUIRY_CLOSED.type, actor=actor, at=now, window_no=inq.window_no,
                  data={"inquiry_no": inq.inquiry_no, "staff_no": actor.staff_no, "first_staff_no": first_no,
                        "late": late, "on_the_spot": False})
    return inq


Scope = Literal["mine", "inbox", "open", "all"]


def list_for(session: Session, *, actor: Actor, scope: Scope, limit: int = 200) -> list[Inquiry]:
    """``mine``: what I answer for as first person (open first); ``inbox``: referred to me or
    my department and not closed; ``open``/``all``: the office's views."""
    q = select(Inquiry)
    if scope == "mine":
        q = q.where(Inquiry.first_staff_id == actor.id)
    elif scope == "inbox":
        conds = [Inquiry.referred_to_staff_id == actor.id]
        if actor.department_id is not None:
            conds.append(Inquiry.referred_to_department_id == actor.department_id)
        q = q.where(Inquiry.state == dom.InquiryState.REFERRED, or_(*conds))
    else:
        if not is_office(actor):
            raise Forbidden("只有大厅管理员和监察室可以查看全部咨询。", code="forbidden_role")
        if scope == "open":
            q = q.where(Inquiry.closed_at.is_(None))
    q = q.order_by(Inquiry.closed_at.is_not(None), Inquiry.due_at.is_(None), Inquiry.due_at, Inquiry.id.desc())
    return list(session.scalars(q.limit(limit)))


def out(session: Session, inq: Inquiry, *, viewer: Actor, now: datetime, listing: bool = False) -> c.InquiryOut:
    """``listing``: a row of a list, where a clerk or cashier sees the citizen's phone only
    for inquiries they own (first person or the named receiver); a department-wide
    referral shows it when one of its members opens the inquiry to call back."""
    first_no, first_name = staff_no_of(session, inq.first_staff_id)
    to_no, to_name = staff_no_of(session, inq.referred_to_staff_id)
    by_no, _ = staff_no_of(session, inq.referred_by_staff_id)
    closed_no, _ = staff_no_of(session, inq.closed_by_staff_id)
    dept = session.get(Department, inq.referred_to_department_id) if inq.referred_to_department_id else None
    involved = viewer.kind == "staff" and (inq.first_staff_id == viewer.id or _is_receiver(inq, viewer))
    mine = involved or is_office(viewer)
    owner = viewer.kind == "staff" and viewer.id in (inq.first_staff_id, inq.referred_to_staff_id)
    shown = (owner or is_office(viewer)) if listing else mine
    phone = inq.citizen_phone if (shown or not inq.citizen_phone) else mask_phone(inq.citizen_phone)
    state = dom.InquiryState(inq.state)
    return c.InquiryOut(
        id=inq.id, inquiry_no=inq.inquiry_no, created_at=inq.created_at, state=state,
        first_staff_no=first_no or "", first_staff_name=first_name or "", window_no=inq.window_no,
        citizen_name=inq.citizen_name, citizen_phone=phone, question=inq.question,
        matter_code=inq.matter_code, matter_name=inq.matter_name, answer=inq.answer,
        referred_to_staff_no=to_no, referred_to_staff_name=to_name,
        referred_to_department_code=dept.code if dept else None, referred_to_department=dept.name if dept else None,
        referred_by_staff_no=by_no, referred_at=inq.referred_at, referral_note=inq.referral_note,
        due_at=inq.due_at, closed_at=inq.closed_at, closed_by_staff_no=closed_no,
        overdue=dom.is_overdue(due_at=inq.due_at, closed_at=inq.closed_at, now=now),
        allowed=sorted(dom.allowed(state)) if mine else [],
    )


def sweep_overdue(session: Session, *, now: datetime, actor: Actor = SYSTEM) -> int:
    """Log ``inquiry.overdue`` once for each referral past its due time and still open."""
    rows = session.scalars(
        select(Inquiry).where(Inquiry.closed_at.is_(None), Inquiry.due_at.is_not(None), Inquiry.due_at < now,
                              Inquiry.overdue_flagged_at.is_(None)).order_by(Inquiry.id).with_for_update()
    ).all()
    for inq in rows:
        inq.overdue_flagged_at = now
        first_no, _ = staff_no_of(session, inq.first_staff_id)
        to_no, _ = staff_no_of(session, inq.referred_to_staff_id)
        dept = session.get(Department, inq.referred_to_department_id) if inq.referred_to_department_id else None
        events.append(session, kinds.INQUIRY_OVERDUE.type, actor=actor, at=now, window_no=inq.window_no,
                      data={"inquiry_no": inq.inquiry_no, "staff_no": first_no, "first_staff_no": first_no,
                            "to_staff_no": to_no, "to_department_code": dept.code if dept else None,
                            "due_at": inq.due_at.isoformat() if inq.due_at else None})
    if rows:
        session.flush()
        log.info("flagged %d overdue inquiries", len(rows))
    return len(rows)
