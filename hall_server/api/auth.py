"""Sign-in (optionally at a window: 挂牌上岗), sign-out, who am I."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from .. import contract as c
from ..domain.errors import HallError, Unauthorized
from ..domain.roles import ALL_ROLES
from ..services import auth, queue
from ..services.actors import Actor
from .deps import AppContext, bearer, ctx, public, require

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=c.LoginOut)
def login(body: c.LoginIn, request: Request, c_: AppContext = Depends(ctx), _: None = Depends(public)) -> c.LoginOut:
    now = c_.now()
    failure: HallError | None = None
    out: c.LoginOut | None = None
    with c_.db.read() as s:
        stored = auth.password_hash_of(s, body.staff_no)
    ok = auth.check_password(c_.settings, stored, body.password)  # slow: outside the writer lock
    with c_.db.write() as s:
        try:
            res = auth.login(s, settings=c_.settings, staff_no=body.staff_no, password=body.password,
                             now=now, window_no=body.window_no,
                             verified_hash=stored if ok else None, checked_hash=None if ok else stored,
                             source=request.client.host if request.client else "")
            if body.window_no is not None:
                queue.start_duty(s, staff=res.staff, window_no=body.window_no, now=now)
            out = c.LoginOut(token=res.token, expires_at=res.expires_at, staff_no=res.staff.staff_no,
                             name=res.staff.name, roles=sorted(res.staff.role_set), window_no=body.window_no,
                             badge=c.Badge(**queue.badge(s, res.staff)))
        except auth.LoginFailed as e:
            failure = e  # keep the failure count: commit, then answer 401/429
    if failure is not None:
        raise failure
    assert out is not None
    return out


@router.post("/logout", status_code=200)
def logout(request: Request, actor: Actor = Depends(require(*ALL_ROLES)), c_: AppContext = Depends(ctx)) -> dict[str, bool]:
    """Sign out: ends the duty at the window (if any) and revokes this token."""
    token = bearer(request.headers.get("authorization", ""))
    with c_.db.write() as s:
        if actor.kind == "staff":
            queue.end_duty(s, actor=actor, now=c_.now())
        auth.revoke(s, token=token, actor=actor, now=c_.now())
    return {"ok": True}


@router.get("/me", response_model=c.MeOut)
def me(actor: Actor = Depends(require(*ALL_ROLES))) -> c.MeOut:
    if actor is None:
        raise Unauthorized()
    return c.MeOut(kind=actor.kind, name=actor.name, roles=sorted(actor.roles), staff_no=actor.staff_no,
                   device_name=actor.device_name, window_no=actor.window_no)
