"""The matter catalog over HTTP: search (window and kiosk), read, admin save, import, export."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from .. import contract as c
from ..domain.errors import BadInput
from ..domain.roles import ALL_ROLES, Role
from ..services import catalog as svc
from ..services.actors import Actor
from .deps import AppContext, ctx, require

router = APIRouter(tags=["catalog"])

MatterCode = Path(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 900_000  # the app refuses bodies over settings.max_body_bytes anyway


@router.get("/matters", response_model=list[c.MatterBrief])
def search(q: str = Query("", max_length=60), limit: int = Query(20, ge=1, le=200),
           actor: Actor = Depends(require(*ALL_ROLES)), c_: AppContext = Depends(ctx)) -> list[c.MatterBrief]:
    """Name, code or pinyin initials: ``sgxk`` finds 建设工程施工许可证核发."""
    with c_.db.read() as s:
        return svc.search(s, query=q, limit=limit)


@router.get("/matters/{code}", response_model=c.MatterOut)
def get(code: str = MatterCode, actor: Actor = Depends(require(*ALL_ROLES)),
        c_: AppContext = Depends(ctx)) -> c.MatterOut:
    with c_.db.read() as s:
        m = svc.get_matter(s, code, active_only=not actor.has(Role.ADMIN))
        return svc.matter_out(m, svc._dept_names(s))


@router.put("/matters/{code}", response_model=c.MatterOut)
def save(body: c.MatterIn, code: str = MatterCode, actor: Actor = Depends(require(Role.ADMIN)),
         c_: AppContext = Depends(ctx)) -> c.MatterOut:
    if body.code != code:
        raise BadInput("地址中的事项编码与内容不一致。", code="code_mismatch")
    with c_.db.write() as s:
        return svc.save_matter(s, body=body, actor=actor, now=c_.now())


@router.post("/catalog/import", response_model=c.CatalogImportOut)
async def import_catalog(request: Request, format: Literal["json", "xlsx"] = Query("json"),
                         actor: Actor = Depends(require(Role.ADMIN)),
                         c_: AppContext = Depends(ctx)) -> c.CatalogImportOut:
    """The file is the request body (JSON or xlsx bytes); all rows or none are saved."""
    raw = await request.body()
    if not raw:
        raise BadInput("导入文件为空。", code="bad_file")
    if len(raw) > MAX_IMPORT_BYTES:
        raise BadInput("导入文件过大。", code="bad_file")
    items = svc.parse_xlsx(raw) if format == "xlsx" else svc.parse_json(raw)
    # a whole catalog is one write: on the writer thread, so the loop keeps serving meanwhile
    return await c_.writer.run(lambda s: svc.import_matters(s, items=items, actor=actor, now=c_.now()))


@router.get("/catalog/export")
def export_catalog(format: Literal["json", "xlsx"] = Query("json"),
                   actor: Actor = Depends(require(Role.ADMIN, Role.MANAGER, Role.SUPERVISOR)),
                   c_: AppContext = Depends(ctx)) -> Response:
    with c_.db.read() as s:
        items = svc.export(s)
    if format == "xlsx":
        return Response(svc.to_xlsx(items), media_type=XLSX,
                        headers={"Content-Disposition": 'attachment; filename="catalog.xlsx"'})
    return Response(svc.to_json(items), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="catalog.json"'})
