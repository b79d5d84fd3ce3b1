"""投诉 use cases: register (window, kiosk, supervision office, phone), assign, reply,
list, and flag the ones past their limit.

Events carry the complaint's number, links and a SHA-256 of its text, not the text or
the complainant: the stream reaches every client, and the person complained about
may be one of them. The hash still lets the audit prove the stored text unchanged.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..domain import complaints as dom
from ..domain.errors import BadInput, Conflict, Forbidden, NotFound
from ..contract.show import mask_name, mask_phone
from ..domain.roles import Role
from ..models.accountability import Complaint
from ..models.cases import Case
from ..settings import Settings
from . import events
from .actors import SYSTEM, Actor
from . import inquiries as isvc
from . import ratings as rsvc
from .inquiries import (aware, check_window, deadline, is_office, next_number, staff_by_no, staff_no_of,
                        workdays_left)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _channel(actor: Actor, wanted: dom.Channel | None) -> dom.Channel:
    """Where it was registered follows from who registered it; staff may say "phone"."""
    if actor.kind == "device":
        return dom.Channel.KIOSK
    default = dom.Channel.SUPERVISION if actor.has(Role.SUPERVISOR, Role.MANAGER) else dom.Channel.WINDOW
    if wanted is None:
        return default
    if wanted is dom.Channel.KIOSK:
        raise BadInput("工作人员登记的投诉不能标为“自助机”。", code="complaint_channel")
    if wanted is dom.Channel.SUPERVISION and not actor.has(Role.SUPERVISOR, Role.MANAGER):
        raise BadInput("只有监察室或大厅管理员可登记为“监察室”渠道。", code="complaint_channel")
    return wanted


def get(session: Session, complaint_no: str, *, for_update: bool = False) -> Complaint:
    q = select(Complaint).where(Complaint.complaint_no == complaint_no)
    if for_update:
        q = q.with_for_update()
    row = session.scalar(q)
    if row is None:
        raise NotFound(f"没有编号为 {complaint_no} 的投诉。", code="complaint_not_found")
    return row


def register(session: Session, *, settings: Settings, actor: Actor, now: datetime, body: c.ComplaintIn) -> Complaint:
    content = dom.check_content(body.content)
    dom.check_contact(anonymous=body.anonymous, phone=body.complainant_phone)
    channel = _channel(actor, body.channel)
    if body.case_no is not None and session.scalar(select(Case.id).where(Case.case_no == body.case_no)) is None:
        raise BadInput(f"办件编号 {body.case_no} 不存在，请核对。", code="unknown_case")
    about = staff_by_no(session, body.about_staff_no, what="被投诉人") if body.about_staff_no else None
    check_window(session, body.window_no)
    row = Complaint(
        complaint_no=next_number(session, Complaint.complaint_no, "T", settings=settings, now=now),
        channel=channel, registered_at=now, registered_by=actor.ident, anonymous=body.anonymous,
        complainant_name=None if body.anonymous else (body.complainant_name or "").strip() or None,
        complainant_phone=body.complainant_phone, content=content, case_no=body.case_no,
        about_staff_id=about.id if about else None, window_no=body.window_no, state=dom.ComplaintState.REGISTERED,
        due_at=deadline(settings, now, settings.complaint_reply_workdays, session),
    )
    session.add(row)
    session.flush()
    events.append(session, kinds.COMPLAINT_REGISTERED.type, actor=actor, at=now, window_no=body.window_no,
                  data={"complaint_no": row.complaint_no, "channel": str(channel), "case_no": row.case_no,
                        "staff_no": actor.staff_no, "about_staff_no": about.staff_no if about else None,
                        "anonymous": row.anonymous, "due_at": row.due_at.isoformat() if row.due_at else None,
                        "content_sha256": _sha(content)})
    return row


def assign(session: Session, *, settings: Settings, actor: Actor, now: datetime, complaint_no: str,
           body: c.ComplaintAssignIn) -> Complaint:
    row = get(session, complaint_no, for_update=True)
    to = staff_by_no(session, body.to_staff_no, what="承办人")
    if row.about_staff_id is not None and to.id == row.about_staff_id:
        raise Conflict("不能交由被投诉人本人办理。", code="assignee_is_subject")
    row.state = dom.step(dom.ComplaintState(row.state), dom.ComplaintAction.ASSIGN)
    if body.due_at is not None:
        due = aware(body.due_at, settings)
        if due <= now:
            raise BadInput("办理时限须晚于现在。", code="due_in_past")
        if row.due_at is not None and due > row.due_at:
            raise BadInput("交办时限不能超过投诉的答复时限。", code="due_beyond_limit")
        row.due_at = due
        row.overdue_flagged_at = None
    row.assignee_staff_id, row.assigned_at, row.assign_note = to.id, now, body.note.strip() or None
    session.flush()
    events.append(session, kinds.COMPLAINT_ASSIGNED.type, actor=actor, at=now, window_no=row.window_no,
                  data={"complaint_no": row.complaint_no, "staff_no": actor.staff_no,
                        "assignee_staff_no": to.staff_no, "case_no": row.case_no,
                        "due_at": row.due_at.isoformat() if row.due_at else None})
    return row


def reply(session: Session, *, settings: Settings, actor: Actor, now: datetime, complaint_no: str,
          body: c.ComplaintReplyIn) -> Complaint:
    """Record the reply given to the citizen: that is what closes a complaint."""
    row = get(session, complaint_no, for_update=True)
    if not (is_office(actor) or (actor.kind == "staff" and row.assignee_staff_id == actor.id)):
        raise Forbidden("只有承办人或监察室可以答复该投诉。", code="not_your_complaint")
    text = body.reply.strip()
    if not text:
        raise BadInput("请填写答复内容。", code="reply_required")
    row.state = dom.step(dom.ComplaintState(row.state), dom.ComplaintAction.REPLY)
    late = row.due_at is not None and now > row.due_at
    row.reply, row.reply_method, row.closed_at = text, body.method, now
    row.replied_by_staff_id = actor.id if actor.kind == "staff" else None
    session.flush()
    events.append(session, kinds.COMPLAINT_REPLIED.type, actor=actor, at=now, window_no=row.window_no,
                  data={"complaint_no": row.complaint_no, "staff_no": actor.staff_no, "case_no": row.case_no,
                        "method": body.method, "late": late, "reply_sha256": _sha(text)})
    return row


def _may_handle(row: Complaint, actor: Actor) -> None:
    if not (is_office(actor) or (actor.kind == "staff" and row.assignee_staff_id == actor.id)):
        raise Forbidden("只有承办人或监察室可以办理该投诉。", code="not_your_complaint")


def rectify(session: Session, *, settings: Settings, actor: Actor, now: datetime, complaint_no: str,
            body: c.ComplaintRectifyIn) -> Complaint:
    """整改: what was put right, recorded once before the reply (the reply can then say so)."""
    row = get(session, complaint_no, for_update=True)
    _may_handle(row, actor)
    text = body.note.strip()
    if not text:
        raise BadInput("请填写整改情况。", code="note_required")
    if row.rectified_at is not None:
        raise Conflict("该投诉的整改情况已记录。", code="already_rectified")
    row.state = dom.step(dom.ComplaintState(row.state), dom.ComplaintAction.RECTIFY)
    row.rectify_note, row.rectified_at = text, now
    session.flush()
    events.append(session, kinds.COMPLAINT_RECTIFIED.type, actor=actor, at=now, window_no=row.window_no,
                  data={"complaint_no": row.complaint_no, "staff_no": actor.staff_no, "case_no": row.case_no,
                        "note_sha256": _sha(text)})
    return row


def call_back(session: Session, *, settings: Settings, actor: Actor, now: datetime, complaint_no: str,
              body: c.ComplaintCallBackIn) -> Complaint:
    """回访 after the reply: whether the citizen finds it put right (three levels, if they say)."""
    row = get(session, complaint_no, for_update=True)
    _may_handle(row, actor)
    text = body.note.strip()
    if not text:
        raise BadInput("请填写回访情况。", code="note_required")
    if row.called_back_at is not None:
        raise Conflict("该投诉已回访过。", code="already_called_back")
    row.state = dom.step(dom.ComplaintState(row.state), dom.ComplaintAction.CALL_BACK)
    row.callback_note, row.called_back_at, row.callback_level = text, now, body.level
    session.flush()
    events.append(session, kinds.COMPLAINT_CALLED_BACK.type, actor=actor, at=now, window_no=row.window_no,
                  data={"complaint_no": row.complaint_no, "staff_no": actor.staff_no, "case_no": row.case_no,
                        "level": body.level, "note_sha256": _sha(text)})
    return row


def list_for(session: Session, *, actor: Actor, open_only: bool, limit: int = 200) -> list[Complaint]:
    """The office sees all; other staff see what they were assigned or registered."""
    q = select(Complaint)
    if not is_office(actor):
        q = q.where(or_(Complaint.assignee_staff_id == actor.id, Complaint.registered_by == actor.ident))
    if open_only:
        q = q.where(Complaint.closed_at.is_(None))
    return list(session.scalars(q.order_by(Complaint.closed_at.is_not(None), Complaint.due_at, Complaint.id.desc())
                                .limit(limit)))


def may_read(row: Complaint, actor: Actor) -> None:
    if is_office(actor) or row.registered_by == actor.ident or (
            actor.kind == "staff" and row.assignee_staff_id == actor.id):
        return
    raise Forbidden("您无权查看该投诉。", code="not_your_complaint")


def out(session: Session, row: Complaint, *, viewer: Actor, now: datetime, tz: Any = None) -> c.ComplaintOut:
    about_no, about_name = staff_no_of(session, row.about_staff_id)
    to_no, to_name = staff_no_of(session, row.assignee_staff_id)
    by_no, _ = staff_no_of(session, row.replied_by_staff_id)
    handles = is_office(viewer) or (viewer.kind == "staff" and row.assignee_staff_id == viewer.id)
    name, phone = row.complainant_name, row.complainant_phone
    if not handles:  # the kiosk's receipt and the registering clerk see them masked
        name = mask_name(name) if name else name
        phone = mask_phone(phone) if phone else phone
    state = dom.ComplaintState(row.state)
    acts: set[dom.ComplaintAction] = set(dom.allowed(state)) if handles else set()
    if not is_office(viewer):
        acts.discard(dom.ComplaintAction.ASSIGN)
    if row.rectified_at is not None:
        acts.discard(dom.ComplaintAction.RECTIFY)
    if row.called_back_at is not None:
        acts.discard(dom.ComplaintAction.CALL_BACK)
    return c.ComplaintOut(
        id=row.id, complaint_no=row.complaint_no, channel=dom.Channel(row.channel), registered_at=row.registered_at,
        registered_by=row.registered_by, anonymous=row.anonymous, complainant_name=name, complainant_phone=phone,
        content=row.content, case_no=row.case_no, about_staff_no=about_no, about_staff_name=about_name,
        window_no=row.window_no, state=state, assignee_staff_no=to_no, assignee_name=to_name,
        assigned_at=row.assigned_at, reply=row.reply, reply_method=row.reply_method, replied_by_staff_no=by_no,
        due_at=row.due_at, closed_at=row.closed_at,
        overdue=row.closed_at is None and row.due_at is not None and now > row.due_at, allowed=sorted(acts),
        workdays_left=workdays_left(row.due_at, now=now, tz=tz) if row.closed_at is None else None,
        rectify_note=row.rectify_note if handles else None, rectified_at=row.rectified_at,
        callback_note=row.callback_note if handles else None, called_back_at=row.called_back_at,
        callback_level=row.callback_level)


def sweep_overdue(session: Session, *, now: datetime, actor: Actor = SYSTEM) -> int:
    rows = session.scalars(
        select(Complaint).where(Complaint.closed_at.is_(None), Complaint.due_at < now,
                                Complaint.overdue_flagged_at.is_(None)).order_by(Complaint.id).with_for_update()
    ).all()
    for row in rows:
        row.overdue_flagged_at = now
        to_no, _ = staff_no_of(session, row.assignee_staff_id)
        data: dict[str, Any] = {"complaint_no": row.complaint_no, "staff_no": to_no, "assignee_staff_no": to_no,
                                "case_no": row.case_no, "state": row.state,
                                "due_at": row.due_at.isoformat() if row.due_at else None}
        events.append(session, kinds.COMPLAINT_OVERDUE.type, actor=actor, at=now, window_no=row.window_no, data=data)
    session.flush()
    return len(rows)


def sweep_all(session: Session, *, settings: Settings, now: datetime, actor: Actor = SYSTEM) -> c.SweepOut:
    """The whole area's sweep in one transaction: flag late referrals, 差评 follow-ups and
    complaints (each once per deadline), end lapsed 复评, recompute the badge stars."""
    flagged, lapsed = rsvc.sweep_followups(session, now=now, actor=actor)
    return c.SweepOut(inquiries=isvc.sweep_overdue(session, now=now, actor=actor), followups=flagged,
                      complaints=sweep_overdue(session, now=now, actor=actor), lapsed_rerates=lapsed,
                      stars_updated=rsvc.update_stars(session, settings=settings, now=now, actor=actor))
