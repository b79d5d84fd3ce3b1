"""Admin: staff, devices and token revocation over the API (the CLI does the same)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain.errors import NotFound
from ..domain.roles import Role
from ..models import Department
from ..services import auth
from ..services.actors import Actor
from .deps import AppContext, ctx, idempotent, require

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/staff", status_code=201, response_model=c.StaffOut)
def add_staff(body: c.StaffIn, request: Request, actor: Actor = Depends(require(Role.ADMIN)),
              c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.StaffOut:
        dept_id = None
        if body.department_code:
            dept_id = s.scalar(select(Department.id).where(Department.code == body.department_code))
            if dept_id is None:
                raise NotFound(f"没有部门 {body.department_code}。", code="department_not_found")
        st = auth.add_staff(s, settings=c_.settings, staff_no=body.staff_no, name=body.name,
                            password=body.password, roles=list(body.roles), department_id=dept_id,
                            post=body.post, photo_ref=body.photo_ref, actor=actor, now=c_.now())
        return c.StaffOut(staff_no=st.staff_no, name=st.name, roles=sorted(st.role_set), post=st.post)
    return idempotent(request, c_, actor, run)


@router.post("/devices", status_code=201, response_model=c.DeviceOut)
def add_device(body: c.DeviceIn, request: Request, actor: Actor = Depends(require(Role.ADMIN)),
               c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.DeviceOut:
        d, token = auth.add_device(s, name=body.name, kind=Role(body.kind), window_no=body.window_no,
                                   actor=actor, now=c_.now())
        return c.DeviceOut(name=d.name, kind=d.kind, window_no=d.window_no, token=token)
    return idempotent(request, c_, actor, run)


@router.post("/tokens/revoke", response_model=dict)
def revoke(body: c.RevokeIn, actor: Actor = Depends(require(Role.ADMIN)), c_: AppContext = Depends(ctx)) -> dict[str, int]:
    with c_.db.write() as s:
        n = auth.revoke(s, staff_no=body.staff_no, device=body.device, actor=actor, now=c_.now())
    return {"revoked": n}
