"""首问负责, 好差评 and 投诉 over HTTP. Thin: HTTP in, service call, HTTP out.

The rate-later link (``/rate/{token}``) is the one public part: no login, the token is
an unguessable per-service MAC printed as a QR code.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain.errors import Forbidden
from ..domain.ratings import LEVEL_LABELS, LEVELS, REASONS, is_bad
from ..domain.roles import ALL_ROLES, STAFF_ROLES, Role
from ..services import complaints as csvc
from ..services import inquiries as isvc
from ..services import public_url
from ..services import ratings as rsvc
from ..services.actors import Actor
from .deps import AppContext, ctx, current_actor, idempotent, require
from .ratelimit import phone_public

log = logging.getLogger(__name__)


def _sweep_once(c_: AppContext) -> None:
    with c_.db.write() as s:
        out = csvc.sweep_all(s, settings=c_.settings, now=c_.now())
    if any(out.model_dump().values()):
        log.info("accountability sweep: %s", out.model_dump())


async def _sweep_loop(c_: AppContext, every_s: float) -> None:
    """Deadlines pass without a request: flag them on a timer (each item once)."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await run_in_threadpool(_sweep_once, c_)
        except Exception:  # a failed round must not stop the next ones; it is logged loudly
            log.exception("accountability sweep failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    c_: AppContext = app.state.ctx
    minutes = c_.settings.accountability_sweep_minutes
    task = asyncio.create_task(_sweep_loop(c_, minutes * 60)) if minutes > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


router = APIRouter(tags=["accountability"], lifespan=_lifespan)

OFFICE = (Role.MANAGER, Role.SUPERVISOR, Role.ADMIN)
STAFF = tuple(sorted(STAFF_ROLES))
InquiryNo = Path(min_length=1, max_length=20)
ComplaintNo = Path(min_length=1, max_length=20)
Token = Path(min_length=1, max_length=60)


def evaluator_only(actor: Actor = Depends(current_actor)) -> Actor:
    """Only the evaluator facing the citizen rates: a clerk's token never may, so no clerk
    can rate on a citizen's behalf."""
    if Role.EVALUATOR not in actor.roles:
        raise Forbidden("评价只能由办事群众在评价器上或扫码完成，工作人员不能代为评价。",
                        code="forbidden_role")
    return actor


evaluator_only.allowed_roles = frozenset({Role.EVALUATOR})  # type: ignore[attr-defined]


# --- 首问负责 -----------------------------------------------------------------

@router.post("/inquiries", status_code=201, response_model=c.InquiryOut)
def log_inquiry(body: c.InquiryIn, request: Request, actor: Actor = Depends(require(*STAFF)),
                c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.InquiryOut:
        now = c_.now()
        inq = isvc.log_inquiry(s, settings=c_.settings, actor=actor, now=now, body=body)
        return isvc.out(s, inq, viewer=actor, now=now)
    return idempotent(request, c_, actor, run)


@router.get("/inquiries", response_model=c.InquiryList)
def list_inquiries(scope: Literal["mine", "inbox", "open", "all"] = "mine",
                   limit: int = Query(200, ge=1, le=1000), actor: Actor = Depends(require(*STAFF)),
                   c_: AppContext = Depends(ctx)) -> c.InquiryList:
    with c_.db.read() as s:
        now = c_.now()
        rows = isvc.list_for(s, actor=actor, scope=scope, limit=limit)
        return c.InquiryList(items=[isvc.out(s, r, viewer=actor, now=now, listing=True) for r in rows])


@router.get("/inquiries/{inquiry_no}", response_model=c.InquiryOut)
def get_inquiry(inquiry_no: str = InquiryNo, actor: Actor = Depends(require(*STAFF)),
                c_: AppContext = Depends(ctx)) -> c.InquiryOut:
    with c_.db.read() as s:
        return isvc.out(s, isvc.get(s, inquiry_no), viewer=actor, now=c_.now())


@router.post("/inquiries/{inquiry_no}/refer", response_model=c.InquiryOut)
def refer_inquiry(body: c.ReferralIn, inquiry_no: str = InquiryNo, actor: Actor = Depends(require(*STAFF)),
                  c_: AppContext = Depends(ctx)) -> c.InquiryOut:
    with c_.db.write() as s:
        now = c_.now()
        inq = isvc.refer(s, settings=c_.settings, actor=actor, now=now, inquiry_no=inquiry_no, body=body)
        return isvc.out(s, inq, viewer=actor, now=now)


@router.post("/inquiries/{inquiry_no}/answer", response_model=c.InquiryOut)
def answer_inquiry(body: c.InquiryAnswerIn, inquiry_no: str = InquiryNo, actor: Actor = Depends(require(*STAFF)),
                   c_: AppContext = Depends(ctx)) -> c.InquiryOut:
    with c_.db.write() as s:
        now = c_.now()
        inq = isvc.answer(s, settings=c_.settings, actor=actor, now=now, inquiry_no=inquiry_no, text=body.answer)
        return isvc.out(s, inq, viewer=actor, now=now)


# --- 好差评 ---------------------------------------------------------------------

@router.get("/ratings/levels", response_model=list[c.LevelOut])
def levels(actor: Actor = Depends(require(*ALL_ROLES))) -> list[c.LevelOut]:
    return [c.LevelOut(level=lv, label=LEVEL_LABELS[lv], bad=is_bad(lv)) for lv in LEVELS]


@router.get("/ratings/reasons", response_model=list[c.ReasonOut])
def reasons(actor: Actor = Depends(require(*ALL_ROLES))) -> list[c.ReasonOut]:
    return [c.ReasonOut(code=k, label=v) for k, v in REASONS.items()]


@router.post("/ratings", status_code=201, response_model=c.RatingOut)
def rate(body: c.RatingIn, request: Request, actor: Actor = Depends(evaluator_only),
         c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.RatingOut:
        return rsvc.thanks(rsvc.rate_from_evaluator(s, settings=c_.settings, actor=actor, now=c_.now(), body=body))
    return idempotent(request, c_, actor, run)


@router.get("/ratings/link", response_model=c.RatingLinkOut)
def rating_link(ticket_id: int = Query(ge=1),
                actor: Actor = Depends(require(Role.KIOSK, Role.CLERK, Role.CASHIER, Role.MANAGER, Role.ADMIN)),
                c_: AppContext = Depends(ctx)) -> c.RatingLinkOut:
    """The rate-later URL for a ticket, for the QR printed on the ticket or a notice."""
    with c_.db.read() as s:
        return rsvc.link(s, settings=c_.settings, ticket_id=ticket_id)


@router.get("/ratings", response_model=c.RatingList)
def list_ratings(bad_only: bool = False, staff_no: str | None = Query(None, max_length=20),
                 limit: int = Query(200, ge=1, le=1000), actor: Actor = Depends(require(*OFFICE)),
                 c_: AppContext = Depends(ctx)) -> c.RatingList:
    """Individual ratings: the office only; no clerk role may read them."""
    with c_.db.read() as s:
        now = c_.now()
        rows = rsvc.list_ratings(s, bad_only=bad_only, staff_no=staff_no, limit=limit)
        return c.RatingList(items=[rsvc.record_out(s, r, now=now, tz=c_.settings.tz) for r in rows])


@router.get("/ratings/followups", response_model=list[c.FollowupOut])
def list_followups(open_only: bool = True, limit: int = Query(200, ge=1, le=1000),
                   actor: Actor = Depends(require(*OFFICE)), c_: AppContext = Depends(ctx)) -> list[c.FollowupOut]:
    with c_.db.read() as s:
        now = c_.now()
        return [rsvc.followup_out(s, f, now=now, tz=c_.settings.tz) for f in rsvc.list_followups(s, open_only=open_only, limit=limit)]


@router.post("/ratings/followups/{followup_id}/call-back", response_model=c.FollowupOut)
def followup_call_back(body: c.FollowupStepIn, followup_id: int = Path(ge=1),
                       actor: Actor = Depends(require(*OFFICE)), c_: AppContext = Depends(ctx)) -> c.FollowupOut:
    with c_.db.write() as s:
        now = c_.now()
        fu = rsvc.call_back(s, settings=c_.settings, actor=actor, now=now, followup_id=followup_id, note=body.note)
        return rsvc.followup_out(s, fu, now=now, tz=c_.settings.tz)


@router.post("/ratings/followups/{followup_id}/rectify", response_model=c.FollowupOut)
def followup_rectify(body: c.FollowupStepIn, followup_id: int = Path(ge=1),
                     actor: Actor = Depends(require(*OFFICE)), c_: AppContext = Depends(ctx)) -> c.FollowupOut:
    with c_.db.write() as s:
        now = c_.now()
        fu = rsvc.rectify(s, settings=c_.settings, actor=actor, now=now, followup_id=followup_id, note=body.note)
        return rsvc.followup_out(s, fu, now=now, tz=c_.settings.tz)


@router.post("/ratings/followups/{followup_id}/rerate", response_model=c.FollowupOut)
def followup_rerate(body: c.RerateIn, followup_id: int = Path(ge=1),
                    actor: Actor = Depends(require(Role.MANAGER, Role.SUPERVISOR)),
                    c_: AppContext = Depends(ctx)) -> c.FollowupOut:
    """The re-rating the citizen gave on the phone, typed in by the office."""
    with c_.db.write() as s:
        now = c_.now()
        fu = rsvc.rerate_recorded(s, settings=c_.settings, actor=actor, now=now, followup_id=followup_id,
                                  level=body.level)
        return rsvc.followup_out(s, fu, now=now, tz=c_.settings.tz)


# --- the public rate-later link -------------------------------------------------

@router.get("/rate/{token}", response_model=c.RateInfoOut)
def rate_later_info(token: str = Token, _: None = Depends(phone_public),
                    c_: AppContext = Depends(ctx)) -> c.RateInfoOut:
    with c_.db.read() as s:
        return rsvc.public_info(s, settings=c_.settings, token=token)


@router.get("/public/r/{token}", response_class=RedirectResponse, status_code=308)
def rate_later_page(token: str = Token, _: None = Depends(phone_public)) -> RedirectResponse:
    """Links printed before the phone pages (issue 15) lead to the ticket's page, where
    the rating form now lives (``api/phone.py``)."""
    return RedirectResponse(public_url.TICKET_PAGE + quote(token, safe="-"), status_code=308)


@router.post("/rate/{token}", status_code=201, response_model=c.RatingOut)
def rate_later(body: c.PublicRatingIn, request: Request, token: str = Token, _: None = Depends(phone_public),
               c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.RatingOut:
        return rsvc.thanks(rsvc.rate_public(s, settings=c_.settings, token=token, now=c_.now(), body=body))
    return idempotent(request, c_, None, run)


@router.post("/rate/{token}/rerate", response_model=dict)
def rerate_later(body: c.RerateIn, token: str = Token, _: None = Depends(phone_public),
                 c_: AppContext = Depends(ctx)) -> dict[str, object]:
    with c_.db.write() as s:
        rsvc.rerate_public(s, settings=c_.settings, token=token, now=c_.now(), level=body.level)
    return {"ok": True, "message": "感谢您的复评！"}


# --- 投诉 ----------------------------------------------------------------------

@router.post("/complaints", status_code=201, response_model=c.ComplaintOut)
def register_complaint(body: c.ComplaintIn, request: Request,
                       actor: Actor = Depends(require(Role.KIOSK, *STAFF)),
                       c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.ComplaintOut:
        now = c_.now()
        row = csvc.register(s, settings=c_.settings, actor=actor, now=now, body=body)
        return csvc.out(s, row, viewer=actor, now=now, tz=c_.settings.tz)
    return idempotent(request, c_, actor, run)


@router.get("/complaints", response_model=c.ComplaintList)
def list_complaints(open_only: bool = False, limit: int = Query(200, ge=1, le=1000),
                    actor: Actor = Depends(require(*STAFF)), c_: AppContext = Depends(ctx)) -> c.ComplaintList:
    with c_.db.read() as s:
        now = c_.now()
        rows = csvc.list_for(s, actor=actor, open_only=open_only, limit=limit)
        return c.ComplaintList(items=[csvc.out(s, r, viewer=actor, now=now, tz=c_.settings.tz) for r in rows])


@router.get("/complaints/{complaint_no}", response_model=c.ComplaintOut)
def get_complaint(complaint_no: str = ComplaintNo, actor: Actor = Depends(require(*STAFF)),
                  c_: AppContext = Depends(ctx)) -> c.ComplaintOut:
    with c_.db.read() as s:
        row = csvc.get(s, complaint_no)
        csvc.may_read(row, actor)
        return csvc.out(s, row, viewer=actor, now=c_.now(), tz=c_.settings.tz)


@router.post("/complaints/{complaint_no}/assign", response_model=c.ComplaintOut)
def assign_complaint(body: c.ComplaintAssignIn, complaint_no: str = ComplaintNo,
                     actor: Actor = Depends(require(Role.MANAGER, Role.SUPERVISOR)),
                     c_: AppContext = Depends(ctx)) -> c.ComplaintOut:
    with c_.db.write() as s:
        now = c_.now()
        row = csvc.assign(s, settings=c_.settings, actor=actor, now=now, complaint_no=complaint_no, body=body)
        return csvc.out(s, row, viewer=actor, now=now, tz=c_.settings.tz)


@router.post("/complaints/{complaint_no}/reply", response_model=c.ComplaintOut)
def reply_complaint(body: c.ComplaintReplyIn, complaint_no: str = ComplaintNo,
                    actor: Actor = Depends(require(*STAFF)), c_: AppContext = Depends(ctx)) -> c.ComplaintOut:
    with c_.db.write() as s:
        now = c_.now()
        row = csvc.reply(s, settings=c_.settings, actor=actor, now=now, complaint_no=complaint_no, body=body)
        return csvc.out(s, row, viewer=actor, now=now, tz=c_.settings.tz)


@router.post("/complaints/{complaint_no}/rectify", response_model=c.ComplaintOut)
def rectify_complaint(body: c.ComplaintRectifyIn, complaint_no: str = ComplaintNo,
                      actor: Actor = Depends(require(*STAFF)), c_: AppContext = Depends(ctx)) -> c.ComplaintOut:
    """整改 recorded by the handler (assignee or office) before the reply."""
    with c_.db.write() as s:
        now = c_.now()
        row = csvc.rectify(s, settings=c_.settings, actor=actor, now=now, complaint_no=complaint_no, body=body)
        return csvc.out(s, row, viewer=actor, now=now, tz=c_.settings.tz)


@router.post("/complaints/{complaint_no}/call-back", response_model=c.ComplaintOut)
def call_back_complaint(body: c.ComplaintCallBackIn, complaint_no: str = ComplaintNo,
                        actor: Actor = Depends(require(*STAFF)), c_: AppContext = Depends(ctx)) -> c.ComplaintOut:
    """回访 after the reply: the citizen's view of the handling."""
    with c_.db.write() as s:
        now = c_.now()
        row = csvc.call_back(s, settings=c_.settings, actor=actor, now=now, complaint_no=complaint_no, body=body)
        return csvc.out(s, row, viewer=actor, now=now, tz=c_.settings.tz)


# --- the overdue sweep ------------------------------------------------------------

@router.post("/accountability/sweep", response_model=c.SweepOut)
def sweep(actor: Actor = Depends(require(*OFFICE)), c_: AppContext = Depends(ctx)) -> c.SweepOut:
    """Run the overdue sweep now (the server also runs it every
    ``accountability_sweep_minutes``). Idempotent."""
    with c_.db.write() as s:
        return csvc.sweep_all(s, settings=c_.settings, now=c_.now())
