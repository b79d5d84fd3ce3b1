"""The manager's dashboard, device heartbeats and the hall reports (JSON, PDF, xlsx)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from .. import contract as c
from ..domain.roles import ALL_ROLES, Role
from ..reports import hall_reports
from ..services import anchors as anchor_svc
from ..services import dashboard as svc
from ..services import stats as svc_stats
from ..services import supervision as sup
from ..services.actors import Actor
from .deps import AppContext, ctx, require

router = APIRouter(tags=["dashboard"])

VIEWERS = (Role.MANAGER, Role.ADMIN, Role.SUPERVISOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["json", "pdf", "xlsx"]


def _rollups(c_: AppContext) -> None:
    svc_stats.ensure_rollups(c_.db, tz=c_.settings.tz, now=c_.now())


@router.get("/dashboard", response_model=c.DashboardOut)
def dashboard(actor: Actor = Depends(require(*VIEWERS)), c_: AppContext = Depends(ctx)) -> c.DashboardOut:
    """Snapshot with ``last_seq``; keep it current from ``/events?after=last_seq``."""
    _rollups(c_)
    with c_.db.read() as s:
        return svc.dashboard(s, settings=c_.settings, now=c_.now())


@router.get("/devices/health", response_model=list[c.DeviceHealthOut])
def device_health(actor: Actor = Depends(require(*VIEWERS)), c_: AppContext = Depends(ctx)) -> list[c.DeviceHealthOut]:
    with c_.db.read() as s:
        return svc.devices(s, now=c_.now())


@router.post("/devices/health", response_model=dict)
def report_health(body: c.DeviceHealthIn, actor: Actor = Depends(require(*ALL_ROLES)),
                  c_: AppContext = Depends(ctx)) -> dict[str, int]:
    """Heartbeat of a client PC and the hardware it drives (idempotent by nature: a
    repeat only refreshes ``last_seen_at``)."""
    with c_.db.write() as s:
        changed = svc.report_health(s, reports=body.devices, actor=actor, now=c_.now())
    return {"received": len(body.devices), "changed": changed}


@router.post("/devices/retire", response_model=c.DeviceRetireOut)
def retire_device(body: c.DeviceRetireIn, actor: Actor = Depends(require(Role.MANAGER, Role.ADMIN)),
                  c_: AppContext = Depends(ctx)) -> c.DeviceRetireOut:
    """停用 a replaced or scrapped device: off the health list, its token (if any) revoked.
    Not idempotent by key: a second retire of the same name finds nothing and says so."""
    with c_.db.write() as s:
        return svc.retire_device(s, name=body.name, reason=body.reason, actor=actor, now=c_.now())


def _send(fmt: Format, model: object, pdf: bytes | None, xlsx: bytes | None, name: str) -> object:
    if fmt == "pdf":
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
    if fmt == "xlsx":
        return Response(xlsx, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return model


@router.get("/reports/daily", response_model=c.DailyReportOut)
def daily(day: date | None = None, format: Format = "json", actor: Actor = Depends(require(*VIEWERS)),
          c_: AppContext = Depends(ctx)) -> object:
    d = day or c_.now().astimezone(c_.settings.tz).date()
    _rollups(c_)
    with c_.db.read() as s:
        cards = sup.list_cards(s, settings=c_.settings, start=d, end=d, now=c_.now())
        rep = svc.daily(s, settings=c_.settings, day=d, now=c_.now(), cards=(cards.red, cards.yellow))
        rep = rep.model_copy(update={"checkpoints": anchor_svc.report_lines(s, day=d, tz=c_.settings.tz)})
    if format == "json":
        return rep
    return _send(format, rep, hall_reports.daily_pdf(rep) if format == "pdf" else None,
                 hall_reports.daily_xlsx(rep) if format == "xlsx" else None, f"daily-{d}")


@router.get("/reports/monthly", response_model=c.MonthlyReportOut)
def monthly(month: str | None = Query(None, pattern=r"^\d{4}-\d{2}$"), format: Format = "json",
            actor: Actor = Depends(require(*VIEWERS)), c_: AppContext = Depends(ctx)) -> object:
    m = month or c_.now().astimezone(c_.settings.tz).strftime("%Y-%m")
    _rollups(c_)
    with c_.db.read() as s:
        rep = svc.monthly(s, settings=c_.settings, month=m, now=c_.now())
    if format == "json":
        return rep
    return _send(format, rep, hall_reports.monthly_pdf(rep) if format == "pdf" else None,
                 hall_reports.monthly_xlsx(rep) if format == "xlsx" else None, f"monthly-{m}")


@router.get("/reports/yearly", response_model=c.YearlyReportOut)
def yearly(year: int | None = Query(None, ge=2000, le=2100), format: Format = "json",
           actor: Actor = Depends(require(*VIEWERS)), c_: AppContext = Depends(ctx)) -> object:
    """The figures a 政务公开 annual report quotes."""
    y = year or c_.now().astimezone(c_.settings.tz).year
    _rollups(c_)
    with c_.db.read() as s:
        rep = svc.yearly(s, settings=c_.settings, year=y, now=c_.now())
    if format == "json":
        return rep
    return _send(format, rep, hall_reports.yearly_pdf(rep) if format == "pdf" else None,
                 hall_reports.yearly_xlsx(rep) if format == "xlsx" else None, f"yearly-{y}")

