"""Intake (受理) and the case lifecycle: load → domain rule → persist + events, one transaction.

Every decision a clerk takes on a case is an event carrying ``case_no``, ``matter_code``,
``ticket`` and ``staff_no``, so the case's whole history (ticket, intake, fees, rating)
is one query on the indexed ``events.case_no`` column.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..domain import cases as dc
from ..domain.catalog import FORM_LABELS, MaterialForm, MatterKind
from ..domain.errors import BadInput, Forbidden, NotFound
from ..contract.show import mask_id, mask_name, mask_phone
from ..domain.roles import Role
from ..domain.workdays import UNIT_LABELS, LimitUnit, WorkCalendar, package_data, parse_config
from ..models import Department, Event, Staff, Ticket
from ..models.cases import Case, CaseCounter, CaseNotice, Matter
from ..reports.notices import NoticeData, render
from ..settings import Settings
from . import auth, events
from . import catalog as catalog_svc
from . import public_url as public_urls
from . import ratings as ratings_svc
from .actors import Actor
from .names import staff_names
from .queue import current_ticket, require_on_duty

log = logging.getLogger(__name__)


# --- the working-day calendar ----------------------------------------------------

def _config_text(path: Path | None) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8")
    return resources.files("resources").joinpath("holidays.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _calendar(path: str) -> WorkCalendar:
    cfg = parse_config(_config_text(Path(path) if path else None))
    cal = WorkCalendar.from_sources(package=package_data(), config=cfg)
    log.info("working-day calendar covers %s..%s (provisional: %s)", min(cal.covered_years),
             max(cal.covered_years), sorted(cal.provisional_years))
    return cal


def calendar(settings: Settings, session: Session | None = None) -> WorkCalendar:
    """With a session: the holiday years the admin saved (``hallconfig``), else the file's."""
    if session is not None:
        from .hallconfig import work_calendar
        return work_calendar(session, settings)
    return _calendar(str(settings.holidays_config or ""))


def local_day(at: datetime, settings: Settings) -> date:
    return at.astimezone(settings.tz).date()


def _fmt_day(d: date | None) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日" if d else ""


def _fmt_at(at: datetime, settings: Settings) -> str:
    loc = at.astimezone(settings.tz)
    return f"{_fmt_day(loc.date())} {loc:%H:%M}"


# --- loading ---------------------------------------------------------------------

def get_case(session: Session, case_no: str) -> Case:
    case = session.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))
    if case is None:
        raise NotFound(f"没有编号为 {case_no} 的办件。", code="case_not_found")
    return case


def _next_case_no(session: Session, prefix: str, day: date) -> str:
    counter = session.get(CaseCounter, (day, prefix))
    if counter is None:
        counter = CaseCounter(business_day=day, prefix=prefix, last=0)
        session.add(counter)
        session.flush()
    counter.last += 1
    session.flush()
    return dc.format_case_no(prefix, day, counter.last)


def _dept(session: Session, dept_id: int | None) -> Department | None:
    return session.get(Department, dept_id) if dept_id else None


# --- the clock -------------------------------------------------------------------

def _recompute_due(case: Case, matter: Matter, cal: WorkCalendar, settings: Settings) -> None:
    """Due dates from acceptance, plus approved extensions and finished suspensions."""
    if case.accepted_at is None:
        return
    start = local_day(case.accepted_at, settings)
    unit = LimitUnit(case.limit_unit)
    extra = case.extended_days + case.suspended_days
    case.due_date = cal.due_date(start, case.limit_days, unit, extra_days=extra)
    if case.statutory_days:
        s_unit = LimitUnit(matter.statutory_unit)
        s_extra = case.extended_days + (case.suspended_days if s_unit == unit else 0)
        case.statutory_due_date = cal.due_date(start, case.statutory_days, s_unit, extra_days=s_extra)
    else:
        case.statutory_due_date = case.due_date


def clock(case: Case, *, settings: Settings, now: datetime) -> tuple[int | None, str]:
    """(days left in the limit's unit, text shown): what the clerk and citizen read."""
    state = dc.CaseState(case.state)
    unit = LimitUnit(case.limit_unit)
    label = UNIT_LABELS[unit]
    if state is dc.CaseState.CORRECTION:
        return None, "待补正材料：补正齐全受理后开始计算办理时限"
    if state in dc.CLOSED:
        return None, dc.STATE_LABELS[state]
    if case.due_date is None:
        return None, ""
    cal = calendar(settings)
    if state is dc.CaseState.SUSPENDED and case.suspended_since is not None:
        left = cal.days_left(local_day(case.suspended_since, settings), case.due_date, unit)
        return left, f"中止中（时限暂停计算），恢复后剩余 {left} {label}"
    left = cal.days_left(local_day(now, settings), case.due_date, unit)
    due = _fmt_day(case.due_date)
    if left > 0:
        return left, f"剩余 {left} {label}（{due}到期）"
    if left == 0:
        return 0, f"今日到期（{due}）"
    return left, f"已超期 {-left} {label}（{due}到期）"


# --- outputs ---------------------------------------------------------------------

def public_url(settings: Settings, case: Case) -> str:
    """The notice's progress QR: the case's phone page, built where every printed address is."""
    from sqlalchemy.orm import object_session
    return public_urls.case_url(settings=settings, case_no=case.case_no, code=case.query_code,
                                session=object_session(case))


def _checked(items: list[dict[str, Any]]) -> list[c.CheckedMaterialOut]:
    return [c.CheckedMaterialOut(**x) for x in items]


def _to_correct(items: list[dict[str, Any]]) -> list[c.CheckedMaterialOut]:
    return [c.CheckedMaterialOut(**x) for x in items
            if (x["required"] and x["status"] == dc.MaterialStatus.MISSING) or x["status"] == dc.MaterialStatus.DEFECTIVE]


def case_out(session: Session, case: Case, *, settings: Settings, now: datetime) -> c.CaseOut:
    left, text = clock(case, settings=settings, now=now)
    dept = _dept(session, case.department_id)
    notices = list(session.scalars(select(CaseNotice).where(CaseNotice.case_id == case.id).order_by(CaseNotice.id)))
    state = dc.CaseState(case.state)
    return c.CaseOut(
        id=case.id, case_no=case.case_no, query_code=case.query_code, matter_code=case.matter_code,
        matter_name=case.matter_name, department=dept.name if dept else "", kind=MatterKind(case.kind),
        state=state, state_label=dc.STATE_LABELS[state], ticket_no=case.ticket_no, window_no=case.window_no,
        staff_no=case.staff_no, applicant_kind=dc.ApplicantKind(case.applicant_kind),
        applicant_name=case.applicant_name,
        applicant_id_number=(mask_id(case.applicant_id_number) if case.applicant_kind == dc.ApplicantKind.PERSON
                             else case.applicant_id_number),  # a credit code is public information
        applicant_phone=mask_phone(case.applicant_phone), materials=_checked(case.materials),
        to_correct=_to_correct(case.materials) if state is dc.CaseState.CORRECTION else [],
        override_reason=case.override_reason, reject_reason=case.reject_reason, reject_basis=case.reject_basis,
        received_at=case.received_at, accepted_at=case.accepted_at, limit_days=case.limit_days,
        limit_unit=LimitUnit(case.limit_unit), extended_days=case.extended_days, suspended_days=case.suspended_days,
        suspended_since=case.suspended_since, due_date=case.due_date, statutory_due_date=case.statutory_due_date,
        days_left=left, clock_text=text, concluded_at=case.concluded_at, delivered_at=case.delivered_at,
        outcome_note=case.outcome_note, allowed=sorted(dc.allowed(state) - dc.INTAKE_ACTIONS
                                                       if state is not dc.CaseState.CORRECTION else dc.allowed(state)),
        notices=[c.NoticeRef(kind=n.kind, notice_no=n.notice_no, issued_at=n.issued_at,  # type: ignore[arg-type]
                             pdf_url=f"/api/v1/cases/{case.case_no}/notices/{n.notice_no}.pdf") for n in notices],
        public_url=public_url(settings, case),
    )


def case_brief(case: Case, *, settings: Settings, now: datetime) -> c.CaseBrief:
    left, text = clock(case, settings=settings, now=now)
    state = dc.CaseState(case.state)
    return c.CaseBrief(case_no=case.case_no, matter_code=case.matter_code, matter_name=case.matter_name, state=state,
                       state_label=dc.STATE_LABELS[state], applicant_name=mask_name(case.applicant_name),
                       ticket_no=case.ticket_no, received_at=case.received_at, due_date=case.due_date, days_left=left,
                       limit_unit=LimitUnit(case.limit_unit), clock_text=text, window_no=case.window_no,
                       staff_no=case.staff_no, accepted_at=case.accepted_at)


# --- events ----------------------------------------------------------------------

def _event(session: Session, type_: str, case: Case, *, actor: Actor, now: datetime, **extra: Any) -> None:
    data: dict[str, Any] = {"case_no": case.case_no, "case_id": case.id, "matter_code": case.matter_code,
                            "state": case.state, "staff_no": actor.staff_no}
    if case.ticket_no:
        data["ticket"] = case.ticket_no
        data["ticket_id"] = case.ticket_id
    data.update(extra)
    events.append(session, type_, actor=actor, at=now, window_no=extra.pop("window_no", None) or case.window_no,
                  data=data)


def _applicant_data(case: Case) -> dict[str, Any]:
    """The log needs the name whole (supervision searches it); identifiers stay masked."""
    return {"applicant_kind": case.applicant_kind, "applicant_name": case.applicant_name,
            "applicant_id_number": (mask_id(case.applicant_id_number) if case.applicant_kind == "person"
                                    else case.applicant_id_number),
            "applicant_phone": mask_phone(case.applicant_phone)}


# --- notices ---------------------------------------------------------------------

def _notice(session: Session, case: Case, matter: Matter, kind: str, *, settings: Settings, actor: Actor,
            now: datetime) -> CaseNotice:
    dept = _dept(session, case.department_id)
    staff = session.get(Staff, actor.id) if actor.kind == "staff" and actor.id else None
    idx = case.corrections if kind == "correction" else 1
    no = dc.notice_no(case.case_no, kind, idx)
    received = [[m["name"], FORM_LABELS[MaterialForm(m["form"])], m["copies"]]
                for m in case.materials if m["status"] == dc.MaterialStatus.RECEIVED]
    to_correct = [[m.name, m.note or ("缺少，请补交" if m.status is dc.MaterialStatus.MISSING else "不符合要求")]
                  for m in _to_correct(case.materials)]
    data = NoticeData(
        kind=kind, hall_name=settings.hall_name, notice_no=no, case_no=case.case_no, query_code=case.query_code,
        applicant_name=case.applicant_name,
        applicant_id_masked=(mask_id(case.applicant_id_number) if case.applicant_kind == "person"
                             else case.applicant_id_number),
        matter_code=case.matter_code, matter_name=case.matter_name, department=dept.name if dept else settings.hall_name,
        issued_at=_fmt_at(now, settings), received_date=_fmt_day(local_day(case.received_at, settings)),
        legal_basis=matter.legal_basis, received=received, to_correct=to_correct,
        limit_text=catalog_svc.limit_text(matter).replace("承诺 ", ""),
        due_date=_fmt_day(case.due_date) if kind == "acceptance" else "",
        statutory_text=f"{matter.statutory_limit} {UNIT_LABELS[LimitUnit(matter.statutory_unit)]}",
        query_url=public_url(settings, case),
        rating_url=(ratings_svc.link(session, settings=settings, ticket_id=case.ticket_id).url  # rate-later QR
                    if case.ticket_id else ""),
        enquiry_phone=matter.enquiry_phone or settings.enquiry_phone,
        complaint_phone=matter.complaint_phone or settings.complaint_phone,
        staff=f"{staff.name}（{staff.staff_no}）" if staff else (actor.staff_no or actor.name),
        window_no=case.window_no, reason=case.reject_reason or "", reason_basis=case.reject_basis or "",
        override_reason=case.override_reason or "" if kind == "acceptance" else "", correction_index=idx,
    )
    n = CaseNotice(case_id=case.id, kind=kind, notice_no=no, issued_at=now, staff_no=actor.staff_no,
                   content=data.to_dict())
    session.add(n)
    session.flush()
    return n


def notice_pdf(session: Session, *, case_no: str, notice_no: str) -> tuple[str, bytes]:
    case = get_case(session, case_no)
    n = session.scalar(select(CaseNotice).where(CaseNotice.case_id == case.id, CaseNotice.notice_no == notice_no))
    if n is None:
        raise NotFound(f"办件 {case.case_no} 没有编号为 {notice_no} 的通知书。", code="notice_not_found")
    return n.notice_no, render(NoticeData.from_dict(n.content))


def slip(session: Session, *, case_no: str, settings: Settings) -> c.SlipOut:
    """The latest notice of the case, as fields for the window's thermal printer."""
    case = get_case(session, case_no)
    n = session.scalar(select(CaseNotice).where(CaseNotice.case_id == case.id).order_by(CaseNotice.id.desc()).limit(1))
    if n is None:
        raise NotFound("该办件还没有通知书。", code="notice_not_found")
    d = NoticeData.from_dict(n.content)
    from ..reports.notices import TITLES
    return c.SlipOut(kind=n.kind, hall_name=d.hall_name, title=TITLES[n.kind], notice_no=n.notice_no,  # type: ignore[arg-type]
                     case_no=case.case_no, query_code=case.query_code, matter_name=case.matter_name,
                     applicant_name=mask_name(case.applicant_name), issued_at=n.issued_at,
                     due_date=case.due_date if n.kind == "acceptance" else None, limit_text=d.limit_text,
                     to_correct=[f"{a}：{b}" for a, b in d.to_correct], reason=d.reason, query_url=d.query_url,
                     enquiry_phone=d.enquiry_phone, complaint_phone=d.complaint_phone, rating_url=d.rating_url)


# --- intake ----------------------------------------------------------------------

def _ticks(items: list[c.MaterialTickIn]) -> list[dc.Tick]:
    codes = [t.code for t in items]
    dup = sorted({x for x in codes if codes.count(x) > 1})
    if dup:
        raise BadInput(f"材料重复勾选：{'、'.join(dup)}。", code="duplicate_material")
    return [dc.Tick(t.code, t.status, t.note) for t in items]


def _decide(session: Session, case: Case, matter: Matter, check: dc.MaterialsCheck, decision: dc.IntakeDecision, *,
            reject_reason: str | None, reject_basis: str | None, settings: Settings, actor: Actor,
            now: datetime) -> None:
    """Apply one intake outcome to a new or returning case: state, clock, notice, event."""
    state = dc.CaseState(case.state)
    case.state = dc.step(state, decision.action)
    case.materials = [{"code": m.code, "name": m.name, "form": m.form, "copies": m.copies, "required": m.required,
                       "status": str(m.status), "note": m.note} for m in check.items]
    case.staff_no, case.updated_at = actor.staff_no, now
    base = {**_applicant_data(case), "matter_name": case.matter_name, "window_no": case.window_no,
            "resumed": state is dc.CaseState.CORRECTION}
    if decision.action is dc.CaseAction.ACCEPT:
        case.accepted_at = now
        case.override_reason = decision.override_reason
        case.limit_days, case.limit_unit = matter.promised_limit, matter.promised_unit
        case.statutory_days = matter.statutory_limit
        _recompute_due(case, matter, calendar(settings, session), settings)
        session.flush()
        n = _notice(session, case, matter, "acceptance", settings=settings, actor=actor, now=now)
        extra: dict[str, Any] = {"notice_no": n.notice_no, "due_date": case.due_date.isoformat() if case.due_date else None,
                                 "limit_days": case.limit_days, "limit_unit": case.limit_unit,
                                 "materials_received": len(check.received)}
        if decision.override_reason:
            extra["override_reason"] = decision.override_reason
            extra["overridden"] = [m.name for m in check.to_correct]
            log.warning("case %s accepted with missing materials by %s: %s", case.case_no, actor.staff_no,
                        decision.override_reason)
        _event(session, kinds.CASE_ACCEPTED.type, case, actor=actor, now=now, **base, **extra)
        if MatterKind(case.kind) is MatterKind.INSTANT:  # 即办件: concluded on the spot
            case.state = dc.step(dc.CaseState(case.state), dc.CaseAction.APPROVE)
            case.concluded_at = now
            case.outcome_note = "即办件，当场办结"
            session.flush()
            _event(session, kinds.CASE_CONCLUDED.type, case, actor=actor, now=now, outcome="approved", instant=True)
    elif decision.action is dc.CaseAction.REQUEST_CORRECTION:
        case.corrections += 1
        session.flush()
        n = _notice(session, case, matter, "correction", settings=settings, actor=actor, now=now)
        _event(session, kinds.CASE_CORRECTION.type, case, actor=actor, now=now, **base, notice_no=n.notice_no,
               to_correct=[m.name for m in check.to_correct], corrections=case.corrections)
    else:
        case.reject_reason, case.reject_basis = (reject_reason or "").strip(), (reject_basis or "").strip()
        case.closed_at = now
        session.flush()
        n = _notice(session, case, matter, "rejection", settings=settings, actor=actor, now=now)
        _event(session, kinds.CASE_REJECTED.type, case, actor=actor, now=now, **base, notice_no=n.notice_no,
               reason=case.reject_reason, basis=case.reject_basis)


def intake(session: Session, *, settings: Settings, actor: Actor, now: datetime, body: c.IntakeIn) -> Case:
    """受理 at the window, from the ticket being served there (if any)."""
    require_on_duty(session, body.window_no, actor)
    matter = catalog_svc.get_matter(session, body.matter_code)
    a = body.applicant
    applicant = dc.check_applicant(dc.Applicant(a.kind, a.name, a.id_number, a.phone, a.agent_name, a.agent_id_number))
    check = dc.check_materials(catalog_svc.materials_of(matter), _ticks(body.materials))
    decision = dc.decide_intake(check, dc.CaseAction(body.outcome), override_reason=body.override_reason,
                                reject_reason=body.reject_reason, reject_basis=body.reject_basis)
    ticket: Ticket | None = current_ticket(session, body.window_no)
    day = local_day(now, settings)
    case_no = _next_case_no(session, matter.case_prefix, day)
    case = Case(
        case_no=case_no, query_code=dc.query_code_from(secrets.token_bytes(16), dc.QUERY_CODE_LENGTH), matter_id=matter.id,
        matter_code=matter.code, matter_name=matter.name, department_id=matter.department_id, kind=matter.kind,
        state=str(dc.CaseState.NEW), business_day=day, ticket_id=ticket.id if ticket else None,
        ticket_no=ticket.number if ticket else None, window_no=body.window_no, staff_no=actor.staff_no,
        applicant_kind=str(applicant.kind), applicant_name=applicant.name, applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone, agent_name=applicant.agent_name, agent_id_number=applicant.agent_id_number,
        materials=[], corrections=0, received_at=now, limit_days=matter.promised_limit,
        limit_unit=matter.promised_unit, statutory_days=matter.statutory_limit, extended_days=0, suspended_days=0,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    _decide(session, case, matter, check, decision, reject_reason=body.reject_reason, reject_basis=body.reject_basis,
            settings=settings, actor=actor, now=now)
    return case


def resume(session: Session, *, settings: Settings, actor: Actor, now: datetime, case_no: str,
           body: c.ResumeIn) -> Case:
    """The applicant is back with the corrections: the same case, a new decision."""
    require_on_duty(session, body.window_no, actor)
    case = get_case(session, case_no)
    state = dc.CaseState(case.state)
    action = dc.CaseAction(body.outcome)
    if state is not dc.CaseState.CORRECTION:
        raise dc.IllegalCaseMove(state, action)
    matter = session.get(Matter, case.matter_id)
    assert matter is not None
    check = dc.check_materials(catalog_svc.materials_of(matter), _ticks(body.materials))
    decision = dc.decide_intake(check, action, override_reason=body.override_reason,
                                reject_reason=body.reject_reason, reject_basis=body.reject_basis)
    ticket = current_ticket(session, body.window_no)
    if ticket is not None:  # today's visit: the thread follows the latest ticket
        case.ticket_id, case.ticket_no = ticket.id, ticket.number
    case.window_no = body.window_no
    _event(session, kinds.CASE_RESUBMITTED.type, case, actor=actor, now=now,
           received=[m.name for m in check.received])
    _decide(session, case, matter, check, decision, reject_reason=body.reject_reason, reject_basis=body.reject_basis,
            settings=settings, actor=actor, now=now)
    return case


# --- lifecycle -------------------------------------------------------------------

_EVENT_OF = {
    dc.CaseAction.START_REVIEW: kinds.CASE_REVIEW_STARTED, dc.CaseAction.SUSPEND: kinds.CASE_SUSPENDED,
    dc.CaseAction.RESUME: kinds.CASE_RESUMED, dc.CaseAction.EXTEND: kinds.CASE_EXTENDED,
    dc.CaseAction.APPROVE: kinds.CASE_CONCLUDED, dc.CaseAction.REFUSE: kinds.CASE_CONCLUDED,
    dc.CaseAction.DELIVER: kinds.CASE_DELIVERED, dc.CaseAction.WITHDRAW: kinds.CASE_WITHDRAWN,
}


# §42: "经本行政机关负责人批准，可以延长十日" — a section head (监察/科长) or the hall's
# director signs in beside the clerk; the clerk cannot approve their own extension.
EXTENSION_APPROVER_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR})


class ApprovalFailed(Forbidden):
    """The approver's 工号/password did not check out. The API commits the refusal (its
    failure count and its ``case.extension_refused`` event) before answering."""
    code = "approval_failed"


def _check_extension(case: Case, body: c.CaseActionIn) -> None:
    """What an extension needs besides the approver, checked before any password is tried."""
    dc.step(dc.CaseState(case.state), dc.CaseAction.EXTEND)  # a closed case: 409 before the approver types
    if not body.days or not body.reason.strip():
        raise BadInput("延长时限须填写天数和理由（行政许可法第四十二条）。", code="reason_required")


def approve_extension(session: Session, *, settings: Settings, actor: Actor, now: datetime, case_no: str,
                      body: c.CaseActionIn, verified_hash: str | None, checked_hash: str | None) -> str:
    """Check the approver of an extension; returns the approver's 工号.

    The password was verified by the caller *outside* the write transaction (argon2 is
    slow and memory-hard; the writer lock must not wait on it): ``verified_hash`` is the
    hash it matched, ``checked_hash`` the hash it did not. A wrong password counts towards
    the approver's lockout exactly like a sign-in, so approvals cannot be guessed at, and
    every refusal is logged on the case."""
    case = get_case(session, case_no)
    _check_extension(case, body)
    staff_no = (body.approver_staff_no or "").strip()
    try:
        return _check_approver(session, settings=settings, actor=actor, now=now, staff_no=staff_no,
                               password=body.approver_password or "", verified_hash=verified_hash,
                               checked_hash=checked_hash)
    except ApprovalFailed as e:
        _event(session, kinds.CASE_EXTENSION_REFUSED.type, case, actor=actor, now=now, action="extend",
               approver=staff_no[:20], code=e.code)
        log.warning("extension of %s by %s: approval by %s refused (%s)", case.case_no, actor.staff_no,
                    staff_no[:20], e.code)
        raise


def _check_approver(session: Session, *, settings: Settings, actor: Actor, now: datetime, staff_no: str,
                    password: str, verified_hash: str | None, checked_hash: str | None) -> str:
    if not staff_no or not password:
        raise ApprovalFailed("延长时限须由科长或大厅主任输入工号和密码审批。", code="approval_required")
    approver = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if approver is None or not approver.active:
        raise ApprovalFailed("审批人工号或密码错误。")
    if approver.id == actor.id:
        raise ApprovalFailed("审批人不能是经办人本人。", code="self_approval")
    if auth.sign_in_blocked(session, settings=settings, staff=approver, now=now):  # throttle: services/auth.py
        raise ApprovalFailed("审批人账号已锁定，请稍后再试或联系管理员。", code="approver_locked")
    if verified_hash is None or verified_hash != approver.password_hash:
        if checked_hash is None or checked_hash != approver.password_hash:
            raise ApprovalFailed("审批人密码刚被修改，请重新输入。")  # changed between check and commit
        try:  # counts the failure and may lock the account, as a sign-in does
            auth.login(session, settings=settings, staff_no=staff_no, password=password, now=now,
                       checked_hash=checked_hash)
        except auth.LoginFailed as e:
            raise ApprovalFailed("审批人工号或密码错误。" if e.code == "login_failed" else e.message,
                                 code="approval_failed" if e.code == "login_failed" else "approver_locked") from None
        raise ApprovalFailed("审批人工号或密码错误。")  # pragma: no cover - login cannot pass a checked_hash
    if not approver.role_set & EXTENSION_APPROVER_ROLES:
        raise ApprovalFailed(f"{approver.name}（{approver.staff_no}）无审批权限：延长时限须由科长（监察）或大厅主任批准。",
                             code="approver_not_allowed")
    approver.failed_logins = 0
    return approver.staff_no


def transition(session: Session, *, settings: Settings, actor: Actor, now: datetime, case_no: str,
               body: c.CaseActionIn, approver_no: str | None = None) -> Case:
    """One lifecycle step. An extension needs ``approver_no``: the 工号 that
    ``approve_extension`` checked in this request (the API does both)."""
    case = get_case(session, case_no)
    action = dc.CaseAction(body.action)
    new_state = dc.step(dc.CaseState(case.state), action)  # illegal: raises, nothing changed
    matter = session.get(Matter, case.matter_id)
    assert matter is not None
    cal = calendar(settings, session)
    reason = body.reason.strip()
    extra: dict[str, Any] = {}
    if action is dc.CaseAction.SUSPEND:
        if body.suspend_kind is None or not reason:
            raise BadInput("中止须选择情形（听证、检验检测、鉴定或专家评审）并写明原因。", code="reason_required")
        case.suspended_since, case.suspend_kind = now, str(body.suspend_kind)
        extra = {"suspend_kind": str(body.suspend_kind), "reason": reason}
    elif action is dc.CaseAction.RESUME:
        assert case.suspended_since is not None
        days = cal.suspended_days(local_day(case.suspended_since, settings), local_day(now, settings),
                                  LimitUnit(case.limit_unit))
        case.suspended_days += days
        extra = {"suspended_days": days, "suspend_kind": case.suspend_kind}
        case.suspended_since, case.suspend_kind = None, None
        _recompute_due(case, matter, cal, settings)
    elif action is dc.CaseAction.EXTEND:
        _check_extension(case, body)
        approver = session.scalar(select(Staff).where(Staff.staff_no == approver_no)) if approver_no else None
        if approver is None or not approver.active or not approver.role_set & EXTENSION_APPROVER_ROLES:
            raise ApprovalFailed("延长时限须由科长或大厅主任输入工号和密码审批。", code="approval_required")
        if approver.id == actor.id:
            raise ApprovalFailed("审批人不能是经办人本人。", code="self_approval")
        assert body.days is not None
        case.extended_days += body.days
        _recompute_due(case, matter, cal, settings)
        extra = {"days": body.days, "unit": case.limit_unit, "reason": reason, "approved_by": approver.staff_no,
                 "approver_name": approver.name}
    elif action in (dc.CaseAction.APPROVE, dc.CaseAction.REFUSE):
        if action is dc.CaseAction.REFUSE and not reason:
            raise BadInput("不予许可须写明理由。", code="reason_required")
        case.concluded_at = now
        case.outcome_note = reason or body.note.strip() or None
        on_time = case.due_date is None or local_day(now, settings) <= case.due_date
        extra = {"outcome": "approved" if action is dc.CaseAction.APPROVE else "refused", "reason": reason,
                 "on_time": on_time}
    elif action is dc.CaseAction.DELIVER:
        case.delivered_at = now
        extra = {"note": body.note.strip()}
    elif action is dc.CaseAction.WITHDRAW:
        if not reason:
            raise BadInput("撤回须写明原因（申请人书面申请）。", code="reason_required")
        case.closed_at = now
        extra = {"reason": reason}
    case.state = str(new_state)
    case.updated_at = now
    session.flush()
    if case.due_date is not None:
        extra["due_date"] = case.due_date.isoformat()
    _event(session, _EVENT_OF[action].type, case, actor=actor, now=now, action=str(action), **extra)
    return case


# --- reading ---------------------------------------------------------------------

# a clerk's work list (我的办件): everything still to be done on a case, 补正 included
OPEN_STATES = frozenset({dc.CaseState.CORRECTION, dc.CaseState.ACCEPTED, dc.CaseState.IN_REVIEW,
                         dc.CaseState.SUSPENDED, dc.CaseState.APPROVED, dc.CaseState.REFUSED})


def list_cases(session: Session, *, settings: Settings, now: datetime, state: str | None = None,
               query: str | None = None, limit: int = 50, offset: int = 0, open_only: bool = False,
               mine: Actor | None = None) -> c.CasePage:
    """Newest first; ``open_only`` lists the cases still to be worked, soonest due first.
    ``mine``: the cases of that staff member's department (or, for staff without one, of
    the window they are signed in at) — the clerk's 我的办件."""
    q = select(Case)
    if state:
        q = q.where(Case.state == state)
    if open_only:
        q = q.where(Case.state.in_([str(x) for x in OPEN_STATES]))
    if mine is not None:
        if mine.department_id is not None:
            q = q.where(Case.department_id == mine.department_id)
        elif mine.window_no is not None:
            q = q.where(Case.window_no == mine.window_no)
        else:
            q = q.where(Case.staff_no == mine.staff_no)
    if query:
        like = f"%{query.strip()}%"
        q = q.where(or_(Case.case_no.ilike(like), Case.applicant_name.ilike(like), Case.matter_name.ilike(like),
                        Case.applicant_id_number == query.strip().upper()))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    order = ((Case.due_date.is_(None), Case.due_date, Case.id) if open_only else (Case.id.desc(),))
    rows = session.scalars(q.order_by(*order).limit(limit).offset(offset))
    return c.CasePage(cases=[case_brief(r, settings=settings, now=now) for r in rows], total=total)


# steps of the office's own, not the applicant's business (the public lookup leaves them out)
INTERNAL_CASE_EVENTS = frozenset({kinds.CASE_EXTENSION_REFUSED.type})

# Window staff read a case's history too, but never an individual rating (好差评 rules):
# they see that a rating was recorded, nothing of its level, and not the follow-up steps,
# which only a 差评 starts (their presence alone would tell the level).
RATING_READERS = frozenset({Role.MANAGER, Role.SUPERVISOR, Role.ADMIN})
CLERK_RATING_LABEL = "办事群众已评价（评价结果不向窗口人员显示）"
_CLERK_RATING_KEYS = ("case_no", "ticket")


def _label(ev: Event) -> str:
    return kinds.label(ev.type, ev.data)


def _ticket_window(session: Session, ticket_id: int | None, settings: Settings) -> tuple[Ticket, datetime, datetime] | None:
    t = session.get(Ticket, ticket_id) if ticket_id else None
    if t is None:
        return None
    start = datetime.combine(t.business_day, time(0), tzinfo=settings.tz).astimezone(timezone.utc)
    return t, start, start + timedelta(days=1)


def history(session: Session, *, settings: Settings, case_no: str, reader: Actor | None = None) -> c.CaseHistoryOut:
    """The case's whole thread from the log: every ticket it was handled under (the first
    visit and each 补正 return), intake decisions, lifecycle, and whatever other areas
    (fees, ratings, complaints) logged with this case_no, in log order.

    ``reader`` without a manager/supervisor/admin role (or none) gets the window staff's
    view: a rating shows only that it was recorded."""
    case = get_case(session, case_no)
    case_evs = list(session.scalars(select(Event).where(Event.case_no == case.case_no).order_by(Event.seq)))
    ticket_ids = {case.ticket_id} | {e.data.get("ticket_id") for e in case_evs if e.type.startswith("case.")}
    seen = {e.seq for e in case_evs}
    extra: list[Event] = []
    for tid in sorted(x for x in ticket_ids if isinstance(x, int)):
        tw = _ticket_window(session, tid, settings)
        if tw is None:
            continue
        t, start, end = tw
        q = select(Event).where(Event.ticket_no == t.number, Event.at >= start, Event.at < end,
                                or_(Event.type.like("ticket.%"), Event.type.like("rating.%")))
        extra += [e for e in session.scalars(q) if e.seq not in seen and _same_ticket(e, t)]
        seen |= {e.seq for e in extra}
    evs = sorted(case_evs + extra, key=lambda e: e.seq)
    restricted = reader is None or not (reader.roles & RATING_READERS)
    names = staff_names(session, evs)
    items: list[c.HistoryItem] = []
    for e in evs:
        if restricted and e.type.startswith("rating."):
            if e.type != "rating.recorded":
                continue
            items.append(c.HistoryItem(seq=e.seq, at=e.at, type=e.type, label=CLERK_RATING_LABEL, actor="",
                                       window_no=e.window_no,
                                       data={k: e.data[k] for k in _CLERK_RATING_KEYS if k in e.data}))
            continue
        items.append(c.HistoryItem(seq=e.seq, at=e.at, type=e.type, label=_label(e), actor=e.actor,
                                   window_no=e.window_no, data=e.data,
                                   detail=kinds.sentence(e, names=names, tz=settings.tz)))
    return c.CaseHistoryOut(case_no=case.case_no, ticket_no=case.ticket_no, items=items, restricted=restricted,
                            names=names)


def _same_ticket(e: Event, t: Ticket) -> bool:
    """Ticket numbers restart daily per category; within the day the number is unique,
    and an event that names its ticket id must name this one."""
    tid = e.data.get("ticket_id")
    return not isinstance(tid, int) or tid == t.id


def public(session: Session, *, settings: Settings, now: datetime, case_no: str, code: str) -> c.CasePublicOut:
    """What the notice's holder may see. A wrong code answers exactly like an unknown
    case, so sequential numbers reveal nothing."""
    case = session.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))
    if case is None or not hmac.compare_digest(case.query_code.encode(), dc.normalise_query_code(code).encode()):
        raise NotFound("办件编号或查询码不正确，请核对通知书上的编号和查询码。", code="case_not_found")
    left, text = clock(case, settings=settings, now=now)
    dept = _dept(session, case.department_id)
    matter = session.get(Matter, case.matter_id)
    steps = [c.ProgressStep(at=e.at, label=_label(e)) for e in session.scalars(
        select(Event).where(Event.case_no == case.case_no, Event.type.like("case.%")).order_by(Event.seq))
        if e.type not in INTERNAL_CASE_EVENTS]
    state = dc.CaseState(case.state)
    return c.CasePublicOut(
        case_no=case.case_no, matter_name=case.matter_name, department=dept.name if dept else "", state=state,
        state_label=dc.STATE_LABELS[state], applicant_name=mask_name(case.applicant_name),
        received_at=case.received_at, accepted_at=case.accepted_at, due_date=case.due_date, days_left=left,
        limit_unit=LimitUnit(case.limit_unit), clock_text=text, concluded_at=case.concluded_at,
        to_correct=[m.name for m in _to_correct(case.materials)] if state is dc.CaseState.CORRECTION else [],
        progress=steps,
        enquiry_phone=(matter.enquiry_phone if matter else "") or settings.enquiry_phone,
        complaint_phone=(matter.complaint_phone if matter else "") or settings.complaint_phone,
    )
