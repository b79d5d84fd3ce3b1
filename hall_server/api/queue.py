"""Taking numbers and working a window's queue. Thin: HTTP in, service call, HTTP out.

The hot endpoints (issue, call-next, start/complete/recall/skip) are ``async def`` and
hand their write to the group-commit writer (``hall_server/writer.py``): the loop never
waits on PostgreSQL (its writer is a thread; SQLite's batches run on the loop, between two
turns of reading), and concurrent writes share one transaction and one commit. The
other writes here run in a worker thread and join the same batches (``run_sync``).
"""
from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain import queue as q
from ..domain.roles import Role
from ..services import queue as svc
from ..services import ratings
from ..services.actors import Actor
from ..services.hall import ticket_out
from .deps import AppContext, ctx, idempotent_async, require

router = APIRouter(tags=["queue"])

WindowNo = Path(ge=1, le=9999)
STAFF_AT_WINDOW = (Role.CLERK, Role.CASHIER)
ISSUERS = (Role.KIOSK, Role.CLERK, Role.MANAGER, Role.ADMIN)
# the window's moves, by the last part of their path; None is call-next
WINDOW_MOVES: dict[str, q.Action | None] = {"call-next": None, "recall": q.Action.RECALL, "start": q.Action.START,
                                             "complete": q.Action.COMPLETE, "skip": q.Action.SKIP}


def _answer(out: c.TicketOut) -> Response:
    """The hot endpoints return a ready Response: FastAPI passes it through instead of
    validating the model a second time against ``response_model`` and re-encoding it
    (the documented schema stays ``response_model``; the body is the same JSON)."""
    return Response(out.model_dump_json(), media_type="application/json")


def issue_write(c_: AppContext, actor: Actor, body: c.TicketIn) -> Callable[[Session], c.TicketOut]:
    """Taking a number, as one write for the group-commit writer (this route and the hot lane);
    lean (``Writer.run``): it writes through prepared statements only."""
    def run(s: Session) -> c.TicketOut:
        t, ahead, est = svc.issue_ticket(
            s, settings=c_.settings, prefix=body.category, priority=body.priority, actor=actor, now=c_.now(),
            citizen_name=body.id_card.name if body.id_card else None,
            citizen_id_number=body.id_card.id_number.upper() if body.id_card else None,
            priority_reason=body.priority_reason)
        out = ticket_out(t, category_name=svc.category_name(s, t.prefix), waiting_ahead=ahead, est=est)
        # the rate-later link rides on the answer, so the kiosk prints it without a second round trip
        return out.model_copy(update={"rating_url": ratings.link_for_new(s, settings=c_.settings, ticket_id=t.id).url})
    return run


async def window_move(c_: AppContext, actor: Actor, window_no: int, action: q.Action | None) -> Response:
    """call-next (``action`` None) or recall/start/complete/skip, once its batch committed."""
    def run(s: Session) -> c.TicketOut:
        if action is None:
            t = svc.call_next(s, settings=c_.settings, window_no=window_no, actor=actor, now=c_.now())
        else:
            t = svc.act(s, settings=c_.settings, window_no=window_no, action=action, actor=actor, now=c_.now())
        return ticket_out(t, category_name=svc.category_name(s, t.prefix))
    return _answer(await c_.writer.run(run, lean=True))


@router.post("/tickets", status_code=201, response_model=c.TicketOut)
async def issue(body: c.TicketIn, request: Request, actor: Actor = Depends(require(*ISSUERS)),
                c_: AppContext = Depends(ctx)) -> Response:
    return await idempotent_async(request, c_, actor, issue_write(c_, actor, body), lean=True)


@router.post("/tickets/requeue", response_model=c.TicketOut)
def requeue(body: c.RequeueIn, actor: Actor = Depends(require(Role.CLERK, Role.KIOSK, Role.MANAGER)),
            c_: AppContext = Depends(ctx)) -> c.TicketOut:
    with c_.db.write() as s:
        t = svc.requeue(s, settings=c_.settings, number=body.number, actor=actor, now=c_.now())
        return ticket_out(t)


def _move_route(path: str, action: q.Action | None) -> None:
    async def handler(window_no: int = WindowNo, actor: Actor = Depends(require(*STAFF_AT_WINDOW)),
                      c_: AppContext = Depends(ctx)) -> Response:
        return await window_move(c_, actor, window_no, action)
    handler.__name__ = "call_next" if action is None else f"window_{action.value}"
    router.add_api_route(f"/windows/{{window_no}}/{path}", handler, methods=["POST"], response_model=c.TicketOut)


for _p, _a in WINDOW_MOVES.items():
    _move_route(_p, _a)


@router.post("/windows/{window_no}/transfer", response_model=c.TicketOut)
def transfer(body: c.TransferIn, window_no: int = WindowNo, actor: Actor = Depends(require(*STAFF_AT_WINDOW)),
             c_: AppContext = Depends(ctx)) -> c.TicketOut:
    with c_.db.write() as s:
        t = svc.transfer(s, settings=c_.settings, window_no=window_no, to_category=body.to_category,
                         to_window=body.to_window, actor=actor, now=c_.now())
        return ticket_out(t)


@router.post("/windows/{window_no}/pause", response_model=dict)
def pause(body: c.PauseIn, window_no: int = WindowNo, actor: Actor = Depends(require(*STAFF_AT_WINDOW)),
          c_: AppContext = Depends(ctx)) -> dict[str, object]:
    with c_.db.write() as s:
        w = svc.pause(s, window_no=window_no, reason=body.reason, actor=actor, now=c_.now())
        return {"window_no": w.window_no, "paused": True, "reason": w.pause_reason}


@router.post("/windows/{window_no}/resume", response_model=dict)
def resume(window_no: int = WindowNo, actor: Actor = Depends(require(*STAFF_AT_WINDOW)),
           c_: AppContext = Depends(ctx)) -> dict[str, object]:
    with c_.db.write() as s:
        w = svc.resume(s, window_no=window_no, actor=actor, now=c_.now())
        return {"window_no": w.window_no, "paused": False}


@router.post("/windows/{window_no}/sign-out", response_model=dict)
def sign_out(window_no: int = WindowNo, actor: Actor = Depends(require(*STAFF_AT_WINDOW)),
             c_: AppContext = Depends(ctx)) -> dict[str, object]:
    """签退: ends the duty but keeps the token (the clerk may sign in elsewhere)."""
    with c_.db.write() as s:
        svc.end_duty(s, actor=actor, now=c_.now(), window_no=window_no)
    return {"window_no": window_no, "on_duty": False}


@router.post("/windows/{window_no}/sign-in", response_model=c.Badge)
def sign_in(window_no: int = WindowNo, actor: Actor = Depends(require(*STAFF_AT_WINDOW)),
            c_: AppContext = Depends(ctx)) -> c.Badge:
    """挂牌上岗 with an existing token (login without a window first)."""
    from ..models import Staff
    with c_.db.write() as s:
        staff = s.get(Staff, actor.id)
        assert staff is not None
        svc.start_duty(s, staff=staff, window_no=window_no, now=c_.now())
        return c.Badge(**svc.badge(s, staff))
