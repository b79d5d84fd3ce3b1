"""Intake and cases over HTTP: 受理, 补正后续办, lifecycle actions, notices, history, lookup."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain.roles import Role
from ..services import auth
from ..services import cases as svc
from ..services.actors import Actor
from .deps import AppContext, ctx, idempotent, require
from .ratelimit import Guess, case_guess

router = APIRouter(tags=["cases"])

CaseNo = Path(min_length=6, max_length=24, pattern=r"^[A-Za-z]{1,4}\d{8}-\d{4,6}$")
STAFF_READ = (Role.CLERK, Role.CASHIER, Role.MANAGER, Role.SUPERVISOR, Role.ADMIN)
CASE_WORK = (Role.CLERK, Role.MANAGER)


@router.post("/cases", status_code=201, response_model=c.CaseOut)
def intake(body: c.IntakeIn, request: Request, actor: Actor = Depends(require(Role.CLERK)),
           c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.CaseOut:
        now = c_.now()
        case = svc.intake(s, settings=c_.settings, actor=actor, now=now, body=body)
        return svc.case_out(s, case, settings=c_.settings, now=now)
    return idempotent(request, c_, actor, run)


@router.post("/cases/{case_no}/resume", response_model=c.CaseOut)
def resume(body: c.ResumeIn, request: Request, case_no: str = CaseNo, actor: Actor = Depends(require(Role.CLERK)),
           c_: AppContext = Depends(ctx)) -> JSONResponse:
    """The applicant returned with the corrections listed on the 一次性告知书."""
    def run(s: Session) -> c.CaseOut:
        now = c_.now()
        case = svc.resume(s, settings=c_.settings, actor=actor, now=now, case_no=case_no, body=body)
        return svc.case_out(s, case, settings=c_.settings, now=now)
    return idempotent(request, c_, actor, run, status=200)


@router.post("/cases/{case_no}/actions", response_model=c.CaseOut)
def act(body: c.CaseActionIn, case_no: str = CaseNo, actor: Actor = Depends(require(*CASE_WORK)),
        c_: AppContext = Depends(ctx)) -> c.CaseOut:
    approver = _approve_extension(c_, actor, body, case_no) if body.action == "extend" else None
    with c_.db.write() as s:
        now = c_.now()
        case = svc.transition(s, settings=c_.settings, actor=actor, now=now, case_no=case_no, body=body,
                              approver_no=approver)
        return svc.case_out(s, case, settings=c_.settings, now=now)


def _approve_extension(c_: AppContext, actor: Actor, body: c.CaseActionIn, case_no: str) -> str:
    """§42 approval: the approver's password is hashed outside the writer lock (argon2 is
    slow on purpose), then checked and — when refused — its failure count and the
    ``case.extension_refused`` event are committed in their own transaction before the 403."""
    staff_no = (body.approver_staff_no or "").strip()
    verified = checked = None
    if staff_no and body.approver_password:
        with c_.db.read() as s:
            stored = auth.password_hash_of(s, staff_no)
        if stored is not None:
            if auth.check_password(c_.settings, stored, body.approver_password):
                verified = stored
            else:
                checked = stored
    failure: svc.ApprovalFailed | None = None
    approver = ""
    with c_.db.write() as s:
        try:
            approver = svc.approve_extension(s, settings=c_.settings, actor=actor, now=c_.now(), case_no=case_no,
                                             body=body, verified_hash=verified, checked_hash=checked)
        except svc.ApprovalFailed as e:
            failure = e
    if failure is not None:
        raise failure
    return approver


@router.get("/cases", response_model=c.CasePage)
def list_cases(state: c.CaseState | None = None, q: str | None = Query(None, max_length=60),
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
               open: bool = Query(False, description="only cases still to be worked, soonest due first"),
               mine: bool = Query(False, description="only my department's cases (我的办件)"),
               actor: Actor = Depends(require(*STAFF_READ)), c_: AppContext = Depends(ctx)) -> c.CasePage:
    with c_.db.read() as s:
        return svc.list_cases(s, settings=c_.settings, now=c_.now(), state=state, query=q, limit=limit, offset=offset,
                              open_only=open, mine=actor if mine else None)


@router.get("/cases/{case_no}", response_model=c.CaseOut)
def get(case_no: str = CaseNo, actor: Actor = Depends(require(*STAFF_READ)),
        c_: AppContext = Depends(ctx)) -> c.CaseOut:
    with c_.db.read() as s:
        return svc.case_out(s, svc.get_case(s, case_no), settings=c_.settings, now=c_.now())


@router.get("/cases/{case_no}/history", response_model=c.CaseHistoryOut)
def history(case_no: str = CaseNo, actor: Actor = Depends(require(*STAFF_READ)),
            c_: AppContext = Depends(ctx)) -> c.CaseHistoryOut:
    with c_.db.read() as s:
        return svc.history(s, settings=c_.settings, case_no=case_no, reader=actor)


@router.get("/cases/{case_no}/slip", response_model=c.SlipOut)
def slip(case_no: str = CaseNo, actor: Actor = Depends(require(Role.CLERK, Role.MANAGER)),
         c_: AppContext = Depends(ctx)) -> c.SlipOut:
    with c_.db.read() as s:
        return svc.slip(s, case_no=case_no, settings=c_.settings)


@router.get("/cases/{case_no}/notices/{notice_no}.pdf")
def notice_pdf(case_no: str = CaseNo, notice_no: str = Path(max_length=32, pattern=r"^[A-Za-z0-9-]+$"),
               actor: Actor = Depends(require(Role.CLERK, Role.MANAGER, Role.SUPERVISOR)),
               c_: AppContext = Depends(ctx)) -> Response:
    with c_.db.read() as s:
        no, pdf = svc.notice_pdf(s, case_no=case_no, notice_no=notice_no)
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{no}.pdf"'})


@router.get("/cases/{case_no}/public", response_model=c.CasePublicOut)
def public(case_no: str = CaseNo, code: str = Query(min_length=4, max_length=20),
           guess: Guess = Depends(case_guess), c_: AppContext = Depends(ctx)) -> c.CasePublicOut:
    """No token: the notice's QR code is scanned by the applicant's own phone. The query
    code printed on the notice is what protects the case (see ``services.cases.public``),
    and the per-source guess limit (``api.ratelimit``) what keeps it from being walked."""
    with c_.db.read() as s:
        out = svc.public(s, settings=c_.settings, now=c_.now(), case_no=case_no, code=code)
    guess.right()
    return out
