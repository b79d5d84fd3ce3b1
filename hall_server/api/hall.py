"""The hall snapshot, the event log over HTTP, and the audit chain check."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from .. import contract as c
from ..contract.events import masked as mask_event
from ..domain.roles import ALL_ROLES, Role
from ..models import Event
from ..services import events as ev
from ..services.actors import Actor
from ..services.hall import snapshot
from .deps import AppContext, ctx, public, require

router = APIRouter(tags=["hall"])

# who sees personal data unmasked in events (everyone else gets the masked form)
UNMASKED = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.MANAGER})


def sees_unmasked(actor: Actor) -> bool:
    return bool(actor.roles & UNMASKED)


@router.get("/hall", response_model=c.HallOut)
def hall(actor: Actor = Depends(require(*ALL_ROLES)), c_: AppContext = Depends(ctx)) -> c.HallOut:
    with c_.db.read() as s:
        return snapshot(s, settings=c_.settings, now=c_.now())


@router.get("/events/log", response_model=c.EventPage)
def event_log(after: int = Query(0, ge=0), limit: int = Query(500, ge=1, le=5000),
              actor: Actor = Depends(require(*ALL_ROLES)), c_: AppContext = Depends(ctx)) -> c.EventPage:
    """Events after a seq over plain HTTP: the resync path when a socket is not an option."""
    with c_.db.read() as s:
        rows = s.scalars(select(Event).where(Event.seq > after).order_by(Event.seq).limit(limit)).all()
        last = ev.last_seq(s)
    unmasked = sees_unmasked(actor)
    out = []
    for e in rows:
        etype, data = (e.type, e.data) if unmasked else mask_event(e.type, e.data)
        out.append(c.EventOut(seq=e.seq, at=e.at, actor=e.actor, window_no=e.window_no, type=etype, data=data))
    return c.EventPage(events=out, last_seq=last)


@router.get("/audit/verify", response_model=c.VerifyOut)
def verify(actor: Actor = Depends(require(Role.SUPERVISOR, Role.ADMIN)), c_: AppContext = Depends(ctx)) -> c.VerifyOut:
    with c_.db.read() as s:
        r = ev.verify(s)
    return c.VerifyOut(ok=r.ok, checked=r.checked, last_seq=r.last_seq, first_bad_seq=r.first_bad_seq, reason=r.reason)


@router.get("/health", response_model=dict)
def health(c_: AppContext = Depends(ctx), _: None = Depends(public)) -> dict[str, object]:
    with c_.db.read() as s:
        last = ev.last_seq(s)
    w = c_.writer.stats  # group commit since start: how many writes shared each commit
    return {"ok": True, "last_seq": last, "hall": c_.settings.hall_name,
            "writer": {"batches": w.batches, "writes": w.commands, "largest": w.largest,
                       "mean": round(w.mean, 2), "replays": w.replays}, "hot_lane": c_.lane_served}
