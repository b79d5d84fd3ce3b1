"""驻厅监察室 over HTTP: log search, timelines, chain check, 红黄牌, exports. Read-only
except the two acts an inspector leaves on record (a chain check, a sign-off)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain import cards as dc
from ..domain.errors import BadInput
from ..domain.roles import Role
from ..reports import exports
from ..services import anchors as anchor_svc
from ..services import supervision as svc
from ..services.actors import Actor
from ..services.names import all_staff_names
from .deps import AppContext, ctx, idempotent, require

router = APIRouter(prefix="/supervision", tags=["supervision"])

READERS = (Role.SUPERVISOR, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _aware(v: datetime | None, c_: AppContext) -> datetime | None:
    """A time without zone is the hall's local time (what an inspector types)."""
    if v is None:
        return None
    return v.replace(tzinfo=c_.settings.tz) if v.tzinfo is None else v


class Filters:
    def __init__(self, start: datetime | None = Query(None, alias="from"), end: datetime | None = Query(None, alias="to"),
                 window_no: int | None = Query(None, ge=1, le=9999),
                 staff_no: str | None = Query(None, max_length=20),
                 type: str | None = Query(None, max_length=60),
                 case_no: str | None = Query(None, max_length=40),
                 ticket: str | None = Query(None, max_length=10)) -> None:
        self.start, self.end, self.window_no, self.staff_no = start, end, window_no, staff_no
        self.type, self.case_no, self.ticket = type, case_no, ticket

    def kw(self, c_: AppContext) -> dict[str, object]:
        return {"start": _aware(self.start, c_), "end": _aware(self.end, c_), "window_no": self.window_no,
                "staff_no": self.staff_no, "type_": self.type, "case_no": self.case_no, "ticket": self.ticket}


@router.get("/events", response_model=c.EventSearchOut)
def search(f: Filters = Depends(), before_seq: int | None = Query(None, ge=1), limit: int = Query(200, ge=1, le=2000),
           actor: Actor = Depends(require(*READERS)), c_: AppContext = Depends(ctx)) -> c.EventSearchOut:
    with c_.db.read() as s:
        return svc.search(s, limit=limit, before_seq=before_seq, **f.kw(c_))


@router.get("/timeline/case/{case_no}", response_model=c.TimelineOut)
def case_timeline(case_no: str, actor: Actor = Depends(require(*READERS)),
                  c_: AppContext = Depends(ctx)) -> c.TimelineOut:
    with c_.db.read() as s:
        return svc.case_timeline(s, case_no=case_no[:40], tz=c_.settings.tz)


@router.get("/timeline/staff/{staff_no}", response_model=c.TimelineOut)
def staff_timeline(staff_no: str, day: date | None = None, actor: Actor = Depends(require(*READERS)),
                   c_: AppContext = Depends(ctx)) -> c.TimelineOut:
    d = day or c_.now().astimezone(c_.settings.tz).date()
    with c_.db.read() as s:
        return svc.staff_day(s, staff_no=staff_no[:20], day=d, tz=c_.settings.tz, now=c_.now())


@router.post("/audit-check", response_model=c.AuditCheckOut)
def audit_check(body: c.AuditCheckIn = Body(default_factory=c.AuditCheckIn), actor: Actor = Depends(require(*READERS)),
                c_: AppContext = Depends(ctx)) -> c.AuditCheckOut:
    """Verify the hash chain, the client's checkpoints and (deep) the business rows; the
    check itself is logged (``audit.checked``). See services/anchors.py."""
    cps = [anchor_svc.from_contract(cp) for cp in body.checkpoints]
    with c_.db.write() as s:
        return anchor_svc.integrity_check(s, checkpoints=cps, deep=body.deep, actor=actor, now=c_.now())


def _period(start: date | None, end: date | None, c_: AppContext) -> tuple[date, date]:
    today = c_.now().astimezone(c_.settings.tz).date()
    end = end or today
    start = start or end
    if end < start:
        raise BadInput("开始日期不能晚于结束日期。", code="bad_period")
    return start, end


@router.get("/cards", response_model=c.CardsOut)
def cards(start: date | None = Query(None, alias="from"), end: date | None = Query(None, alias="to"),
          rule: dc.Rule | None = None, level: dc.Level | None = None, open_only: bool = False,
          actor: Actor = Depends(require(*READERS, Role.MANAGER)), c_: AppContext = Depends(ctx)) -> c.CardsOut:
    a, b = _period(start, end, c_)
    with c_.db.read() as s:
        return svc.list_cards(s, settings=c_.settings, start=a, end=b, now=c_.now(), rule=rule, level=level,
                              open_only=open_only)


@router.get("/cards/detail", response_model=c.CardDetailOut)
def card_detail(key: str = Query(min_length=5, max_length=200), actor: Actor = Depends(require(*READERS)),
                c_: AppContext = Depends(ctx)) -> c.CardDetailOut:
    """One card opened on its evidence: the log entries it rests on."""
    with c_.db.read() as s:
        return svc.card_detail(s, settings=c_.settings, key=key, now=c_.now())


@router.post("/cards/signoff", status_code=201, response_model=c.SignoffOut)
def sign_off(body: c.SignoffIn, request: Request, actor: Actor = Depends(require(Role.SUPERVISOR)),
             c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.SignoffOut:
        return svc.sign_off(s, settings=c_.settings, key=body.key, note=body.note, actor=actor, now=c_.now())
    return idempotent(request, c_, actor, run)


def _attachment(body: bytes, media: str, name: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/export.xlsx")
def export_xlsx(f: Filters = Depends(), actor: Actor = Depends(require(*READERS)),
                c_: AppContext = Depends(ctx)) -> Response:
    """The searched events and the period's cards as a workbook (sheets 事件日志, 红黄牌)."""
    kw = f.kw(c_)
    now = c_.now()
    with c_.db.read() as s:
        start, end = _card_period(kw, c_)
        cards_ = svc.list_cards(s, settings=c_.settings, start=start, end=end, now=now)
        data = exports.supervision_xlsx(svc.iter_search(s, **kw), cards_, settings=c_.settings, now=now,
                                        filters=kw, names=all_staff_names(s))
    return _attachment(data, XLSX, f"supervision-{start}-{end}.xlsx")


@router.get("/export.pdf")
def export_pdf(f: Filters = Depends(), actor: Actor = Depends(require(*READERS)),
               c_: AppContext = Depends(ctx)) -> Response:
    kw = f.kw(c_)
    now = c_.now()
    with c_.db.read() as s:
        start, end = _card_period(kw, c_)
        cards_ = svc.list_cards(s, settings=c_.settings, start=start, end=end, now=now)
        data = exports.supervision_pdf(svc.iter_search(s, cap=5000, **kw), cards_, settings=c_.settings,
                                       now=now, filters=kw, names=all_staff_names(s))
    return _attachment(data, "application/pdf", f"supervision-{start}-{end}.pdf")


def _card_period(kw: dict[str, object], c_: AppContext) -> tuple[date, date]:
    tz = c_.settings.tz
    now = c_.now()
    end_t = kw.get("end")
    start_t = kw.get("start")
    end = (end_t - timedelta(microseconds=1)).astimezone(tz).date() if isinstance(end_t, datetime) \
        else now.astimezone(tz).date()
    start = start_t.astimezone(tz).date() if isinstance(start_t, datetime) else end
    if end < start:
        raise BadInput("开始时间不能晚于结束时间。", code="bad_period")
    if (end - start).days >= svc.MAX_CARD_DAYS:
        start = end - timedelta(days=svc.MAX_CARD_DAYS - 1)
    return start, end
