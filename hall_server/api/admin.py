"""Admin: the hall's configuration over the API (the admin mode of the client uses it;
the CLI does part of the same). Writes are the admin's; the manager may read.
Nothing history refers to is deleted: departments, windows, categories, staff and
devices are disabled. Every change is a ``config.changed`` event with before/after."""
from __future__ import annotations

import secrets
from datetime import date

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain.errors import NotFound
from ..domain.roles import ALL_ROLES, Role
from ..models import Department
from ..services import admin as svc
from ..services import auth, catalog_check, hallconfig, photos
from ..services.actors import Actor
from .deps import AppContext, ctx, idempotent, require

router = APIRouter(prefix="/admin", tags=["admin"])
photo_router = APIRouter(tags=["admin"])  # read by window clients and the hall board

Admin = Depends(require(Role.ADMIN))
Reader = Depends(require(Role.ADMIN, Role.MANAGER))
StaffNoPath = Path(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_-]+$")
DeptCode = Path(min_length=1, max_length=32)
Prefix1 = Path(min_length=1, max_length=1, pattern=r"^[A-Z]$")
DeviceName = Path(min_length=1, max_length=60)
XLSX_MAX = 900_000


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
        cfg = svc.client_config(server_url=str(request.base_url).rstrip("/"), kind=d.kind, token=token,
                                window_no=d.window_no)
        return c.DeviceOut(name=d.name, kind=d.kind, window_no=d.window_no, token=token, config_text=cfg)
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
        svc.set_window_extras(s, window=w, led_address=body.led_address, staff_a=body.staff_a,
                              staff_b=list(body.staff_b))
        return c.WindowAdminOut(window_no=w.window_no, name=w.name, department_code=body.department_code,
                                categories=list(w.categories), is_fee_window=w.is_fee_window)
    return idempotent(request, c_, actor, run)


# --- hall profile ------------------------------------------------------------------------

@router.get("/profile", response_model=c.HallProfile)
def profile(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> c.HallProfile:
    with c_.db.read() as s:
        return hallconfig.hall_profile(s, settings=c_.settings)


@router.put("/profile", response_model=c.HallProfile)
def save_profile(body: c.HallProfile, actor: Actor = Admin, c_: AppContext = Depends(ctx)) -> c.HallProfile:
    with c_.db.write() as s:
        return hallconfig.save_profile(s, settings=c_.settings, body=body, actor=actor, now=c_.now())


# --- departments -------------------------------------------------------------------------

@router.get("/departments", response_model=list[c.DepartmentOut])
def departments(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> list[c.DepartmentOut]:
    with c_.db.read() as s:
        return svc.list_departments(s)


@router.post("/departments", status_code=201, response_model=c.DepartmentOut)
def add_department(body: c.DepartmentIn, request: Request, actor: Actor = Admin,
                   c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.DepartmentOut:
        return svc.add_department(s, body=body, actor=actor, now=c_.now())
    return idempotent(request, c_, actor, run)


@router.patch("/departments/{code}", response_model=c.DepartmentOut)
def patch_department(body: c.DepartmentPatch, code: str = DeptCode, actor: Actor = Admin,
                     c_: AppContext = Depends(ctx)) -> c.DepartmentOut:
    with c_.db.write() as s:
        return svc.patch_department(s, code=code, body=body, actor=actor, now=c_.now())


# --- categories and windows ------------------------------------------------------------------

@router.get("/categories", response_model=list[c.CategoryRow])
def categories(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> list[c.CategoryRow]:
    with c_.db.read() as s:
        return svc.list_categories(s)


@router.patch("/categories/{prefix}", response_model=c.CategoryRow)
def patch_category(body: c.CategoryPatch, prefix: str = Prefix1, actor: Actor = Admin,
                   c_: AppContext = Depends(ctx)) -> c.CategoryRow:
    with c_.db.write() as s:
        return svc.patch_category(s, prefix=prefix, body=body, actor=actor, now=c_.now())


@router.get("/windows", response_model=list[c.WindowRow])
def windows(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> list[c.WindowRow]:
    with c_.db.read() as s:
        return svc.list_windows(s)


@router.patch("/windows/{window_no}", response_model=c.WindowRow)
def patch_window(body: c.WindowPatch, window_no: int = Path(ge=1, le=9999), actor: Actor = Admin,
                 c_: AppContext = Depends(ctx)) -> c.WindowRow:
    with c_.db.write() as s:
        return svc.patch_window(s, window_no=window_no, body=body, actor=actor, now=c_.now())


# --- staff ---------------------------------------------------------------------------------

@router.get("/staff", response_model=list[c.StaffRow])
def staff(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> list[c.StaffRow]:
    with c_.db.read() as s:
        return svc.list_staff(s, now=c_.now())


@router.patch("/staff/{staff_no}", response_model=c.StaffRow)
def patch_staff(body: c.StaffPatch, staff_no: str = StaffNoPath, actor: Actor = Admin,
                c_: AppContext = Depends(ctx)) -> c.StaffRow:
    with c_.db.write() as s:
        out = svc.patch_staff(s, staff_no=staff_no, body=body, actor=actor, now=c_.now())
    c_.actors.clear()  # roles or name changed: cached sign-ins must be resolved again
    return out


@router.post("/staff/{staff_no}/password", response_model=c.PasswordResetOut)
def reset_password(staff_no: str = StaffNoPath, actor: Actor = Admin,
                   c_: AppContext = Depends(ctx)) -> c.PasswordResetOut:
    """A new random one-time password, in the answer only (not idempotent on purpose: a
    retry makes another one, and the first never worked for anyone)."""
    password = "".join(secrets.choice("23456789abcdefghjkmnpqrstuvwxyz") for _ in range(10))
    with c_.db.write() as s:
        return svc.reset_password(s, settings=c_.settings, staff_no=staff_no, actor=actor, now=c_.now(),
                                  password=password)


@router.post("/staff/{staff_no}/photo", response_model=c.PhotoOut)
async def upload_photo(request: Request, staff_no: str = StaffNoPath, actor: Actor = Admin,
                       c_: AppContext = Depends(ctx)) -> c.PhotoOut:
    """The body is the JPEG or PNG file itself; it is scaled and stored as a JPEG."""
    jpeg, size = photos.scale(await request.body())
    # the writer thread, not the loop: a database that answers slowly must not freeze it
    return await c_.writer.run(lambda s: svc.set_photo(s, staff_no=staff_no, jpeg=jpeg, size=size,
                                                       actor=actor, now=c_.now()))


@router.get("/leaves", response_model=list[c.LeaveOut])
def leaves(staff_no: str | None = Query(None, max_length=20), start: date | None = Query(None),
           actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> list[c.LeaveOut]:
    with c_.db.read() as s:
        return svc.list_leaves(s, staff_no=staff_no, start=start)


@router.post("/staff/{staff_no}/leaves", status_code=201, response_model=c.LeaveOut)
def add_leave(body: c.LeaveIn, request: Request, staff_no: str = StaffNoPath, actor: Actor = Admin,
              c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.LeaveOut:
        return svc.add_leave(s, staff_no=staff_no, body=body, actor=actor, now=c_.now())
    return idempotent(request, c_, actor, run)


@router.post("/staff/{staff_no}/leaves/{day}/cancel", response_model=c.LeaveOut)
def cancel_leave(day: date, staff_no: str = StaffNoPath, actor: Actor = Admin,
                 c_: AppContext = Depends(ctx)) -> c.LeaveOut:
    with c_.db.write() as s:
        return svc.cancel_leave(s, staff_no=staff_no, day=day, actor=actor, now=c_.now())


@photo_router.get("/staff/{staff_no}/photo", response_class=Response,
                  responses={200: {"content": {"image/jpeg": {}}}, 404: {"model": c.ErrorOut}})
def staff_photo(staff_no: str = StaffNoPath, actor: Actor = Depends(require(*ALL_ROLES)),
                c_: AppContext = Depends(ctx)) -> Response:
    """The badge photo (image/jpeg); 404 when none was uploaded (show the placeholder)."""
    with c_.db.read() as s:
        jpeg = svc.photo(s, staff_no)
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-cache"})


# --- devices ---------------------------------------------------------------------------------

@router.get("/devices", response_model=list[c.DeviceRow])
def devices(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> list[c.DeviceRow]:
    with c_.db.read() as s:
        return svc.list_devices(s)


@router.patch("/devices/{name}", response_model=c.DeviceRow)
def patch_device(body: c.DevicePatch, name: str = DeviceName, actor: Actor = Admin,
                 c_: AppContext = Depends(ctx)) -> c.DeviceRow:
    with c_.db.write() as s:
        out = svc.patch_device(s, name=name, body=body, actor=actor, now=c_.now())
    c_.actors.clear()  # a renamed device's cached identity carries the old name
    return out


@router.post("/devices/{name}/retire", response_model=c.DeviceRow)
def retire_device(name: str = DeviceName, actor: Actor = Admin, c_: AppContext = Depends(ctx)) -> c.DeviceRow:
    with c_.db.write() as s:
        out = svc.retire_device(s, name=name, actor=actor, now=c_.now())
    c_.actors.clear()
    return out


# --- 红黄牌 thresholds and holidays -------------------------------------------------------------

@router.get("/cards", response_model=c.CardThresholds)
def cards(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> c.CardThresholds:
    with c_.db.read() as s:
        return hallconfig.card_thresholds(s, settings=c_.settings)


@router.put("/cards", response_model=c.CardThresholds)
def save_cards(body: c.CardThresholds, actor: Actor = Admin, c_: AppContext = Depends(ctx)) -> c.CardThresholds:
    with c_.db.write() as s:
        return hallconfig.save_cards(s, settings=c_.settings, body=body, actor=actor, now=c_.now())


@router.get("/holidays", response_model=c.HolidaysOut)
def holidays(actor: Actor = Reader, c_: AppContext = Depends(ctx)) -> c.HolidaysOut:
    with c_.db.read() as s:
        return hallconfig.holidays_out(s, settings=c_.settings)


@router.put("/holidays/{year}", response_model=c.HolidayYear)
def save_holidays(body: c.HolidayYear, year: int = Path(ge=2000, le=2100), actor: Actor = Admin,
                  c_: AppContext = Depends(ctx)) -> c.HolidayYear:
    if body.year != year:
        from ..domain.errors import BadInput
        raise BadInput("地址中的年份与内容不一致。", code="year_mismatch")
    with c_.db.write() as s:
        return hallconfig.save_year(s, settings=c_.settings, body=body, actor=actor, now=c_.now())


# --- catalog import preview -------------------------------------------------------------------

@router.post("/catalog/preview", response_model=c.CatalogPreviewOut)
async def catalog_preview(request: Request, actor: Actor = Admin,
                          c_: AppContext = Depends(ctx)) -> c.CatalogPreviewOut:
    """The xlsx file is the body; every row is checked and nothing is written."""
    from ..domain.errors import BadInput
    raw = await request.body()
    if not raw:
        raise BadInput("导入文件为空。", code="bad_file")
    if len(raw) > XLSX_MAX:
        raise BadInput("导入文件过大。", code="bad_file")
    with c_.db.read() as s:
        return catalog_check.preview_xlsx(s, raw)


@photo_router.get("/hall/profile", response_model=c.HallProfile)
def public_profile(actor: Actor = Depends(require(*ALL_ROLES)), c_: AppContext = Depends(ctx)) -> c.HallProfile:
    """The hall profile for every screen: the badge's 监督电话, the kiosk's opening hours."""
    with c_.db.read() as s:
        return hallconfig.hall_profile(s, settings=c_.settings)
