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
from ..services import admin as svc
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


@router.post("/categories", status_code=201, response_model=c.CategoryAdminOut)
def add_category(body: c.CategoryIn, request: Request, actor: Actor = Depends(require(Role.ADMIN)),
                 c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.CategoryAdminOut:
        k = svc.add_category(s, prefix=body.prefix, name=body.name, department_code=body.department_code,
                             service_minutes=body.service_minutes, sort=body.sort, actor=actor, now=c_.now())
        return c.CategoryAdminOut(prefix=k.prefix, name=k.name, department_code=body.department_code,
                                  service_minutes=k.service_minutes, active=k.active)
    return idempotent(request, c_, actor, run)


@router.post("/windows", status_code=201, response_model=c.WindowAdminOut)
def add_window(body: c.WindowIn, request: Request, actor: Actor = Depends(require(Role.ADMIN)),
               c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.WindowAdminOut:
        w = svc.add_window(s, window_no=body.window_no, name=body.name, categories=list(body.categories),
                           department_code=body.department_code, is_fee_window=body.is_fee_window,
                           actor=actor, now=c_.now())
        return c.WindowAdminOut(window_no=w.window_no, name=w.name, department_code=body.department_code,
                                categories=list(w.categories), is_fee_window=w.is_fee_window)
    return idempotent(request, c_, actor, run)
