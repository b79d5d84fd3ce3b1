"""Intake and cases over HTTP: 受理, 补正后续办, lifecycle actions, notices, history, lookup."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain.roles import Role
from ..services import cases as svc
from ..services.actors import Actor
from .deps import AppContext, ctx, idempotent, public, require

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
    with c_.db.write() as s:
        now = c_.now()
        case = svc.transition(s, settings=c_.settings, actor=actor, now=now, case_no=case_no, body=body)
        return svc.case_out(s, case, settings=c_.settings, now=now)


@router.get("/cases", response_model=c.CasePage)
def list_cases(state: c.CaseState | None = None, q: str | None = Query(None, max_length=60),
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
               actor: Actor = Depends(require(*STAFF_READ)), c_: AppContext = Depends(ctx)) -> c.CasePage:
    with c_.db.read() as s:
        return svc.list_cases(s, settings=c_.settings, now=c_.now(), state=state, query=q, limit=limit, offset=offset)


@router.get("/cases/{case_no}", response_model=c.CaseOut)
def get(case_no: str = CaseNo, actor: Actor = Depends(require(*STAFF_READ)),
        c_: AppContext = Depends(ctx)) -> c.CaseOut:
    with c_.db.read() as s:
        return svc.case_out(s, svc.get_case(s, case_no), settings=c_.settings, now=c_.now())


@router.get("/cases/{case_no}/history", response_model=c.CaseHistoryOut)
def history(case_no: str = CaseNo, actor: Actor = Depends(require(*STAFF_READ)),
            c_: AppContext = Depends(ctx)) -> c.CaseHistoryOut:
    with c_.db.read() as s:
        return svc.history(s, settings=c_.settings, case_no=case_no)


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
def public(case_no: str = CaseNo, code: str = Query(min_length=4, max_length=8),
           _: None = Depends(public), c_: AppContext = Depends(ctx)) -> c.CasePublicOut:
    """No token: the notice's QR code is scanned by the applicant's own phone. The query
    code printed on the notice is what protects the case (see ``services.cases.public``)."""
    with c_.db.read() as s:
        return svc.public(s, settings=c_.settings, now=c_.now(), case_no=case_no, code=code)
