"""Signed checkpoints of the log (on demand, list, the office's JSON-lines file) and the
admin's lift of a sign-in lockout. The chain check itself is ``POST /supervision/audit-check``."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain.roles import Role
from ..services import anchors as svc
from ..services import auth
from ..services.actors import Actor
from .deps import AppContext, ctx, idempotent, require

router = APIRouter(tags=["audit"])

READERS = (Role.SUPERVISOR, Role.ADMIN)


@router.get("/supervision/checkpoints", response_model=c.CheckpointsOut)
def checkpoints(actor: Actor = Depends(require(*READERS)), c_: AppContext = Depends(ctx)) -> c.CheckpointsOut:
    """Every signed checkpoint (a supervision client keeps them all) and the office's key."""
    with c_.db.read() as s:
        cps = svc.stored(s)
        pk = svc.public_key(s)
    return c.CheckpointsOut(checkpoints=[svc.to_contract(cp) for cp in cps], public_key=pk,
                            key_id=svc.anchors.key_id(pk) if pk else None)


@router.post("/supervision/checkpoints", status_code=201, response_model=c.CheckpointOut)
def make_checkpoint(request: Request, actor: Actor = Depends(require(*READERS)),
                    c_: AppContext = Depends(ctx)) -> JSONResponse:
    """Sign a checkpoint now (besides the daily one)."""
    def run(s: Session) -> c.CheckpointOut:
        return svc.to_contract(svc.make_checkpoint(s, settings=c_.settings, actor=actor, now=c_.now()))
    return idempotent(request, c_, actor, run)


@router.get("/supervision/checkpoints.jsonl")
def export_checkpoints(actor: Actor = Depends(require(*READERS)), c_: AppContext = Depends(ctx)) -> Response:
    """The file the office keeps: one signed checkpoint per line; ``hall-server verify-audit
    --against`` reads it."""
    with c_.db.read() as s:
        body = svc.export_lines(s)
    return Response(body.encode("utf-8"), media_type="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="checkpoints.jsonl"'})


@router.post("/admin/staff/{staff_no}/unlock", response_model=c.UnlockOut)
def unlock(staff_no: str = Path(min_length=1, max_length=20), actor: Actor = Depends(require(Role.ADMIN)),
           c_: AppContext = Depends(ctx)) -> c.UnlockOut:
    """Lift a sign-in lockout (every source) and an account lock."""
    now = c_.now()
    with c_.db.write() as s:
        n = auth.unlock(s, staff_no=staff_no, actor=actor, now=now)
    return c.UnlockOut(staff_no=staff_no, locked=False, sources_cleared=n, at=now)


@router.post("/admin/staff/{staff_no}/lock", response_model=c.UnlockOut)
def lock(staff_no: str = Path(min_length=1, max_length=20), actor: Actor = Depends(require(Role.ADMIN)),
         c_: AppContext = Depends(ctx)) -> c.UnlockOut:
    """Lock an account until an admin unlocks it: no sign-in, and its tokens stop working."""
    now = c_.now()
    with c_.db.write() as s:
        auth.lock(s, staff_no=staff_no, actor=actor, now=now)
    return c.UnlockOut(staff_no=staff_no, locked=True, at=now)
