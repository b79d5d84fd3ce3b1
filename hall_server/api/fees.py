"""一个窗口收费 over HTTP: thin routers over ``services.fees``."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain.errors import BadInput
from ..domain.roles import Role
from ..reports import day_close as day_report
from ..reports import receipts as receipt_pdf
from ..reports import reconciliation as recon_report
from ..services import fees as svc
from ..services.actors import Actor
from .deps import AppContext, ctx, idempotent, require

router = APIRouter(prefix="/fees", tags=["fees"])

STAFF = (Role.CLERK, Role.CASHIER, Role.MANAGER, Role.SUPERVISOR, Role.ADMIN)
PUBLIC_SCREENS = (Role.KIOSK, Role.DISPLAY)  # 收费公开: the guide and the board show fees and their basis
FINANCE = (Role.CASHIER, Role.MANAGER, Role.SUPERVISOR, Role.ADMIN)
OVERSIGHT = (Role.MANAGER, Role.SUPERVISOR, Role.ADMIN)


# --- configuration (admin) ---------------------------------------------------------------

@router.get("/accounts", response_model=list[c.FeeAccountOut])
def accounts(actor: Actor = Depends(require(*STAFF)), c_: AppContext = Depends(ctx)) -> list[c.FeeAccountOut]:
    with c_.db.read() as s:
        return svc.list_accounts(s)


@router.post("/accounts", status_code=201, response_model=c.FeeAccountOut)
def add_account(body: c.FeeAccountIn, request: Request, actor: Actor = Depends(require(Role.ADMIN)),
                c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.FeeAccountOut:
        return svc.account_out(s, svc.add_account(s, body=body, actor=actor, now=c_.now()))
    return idempotent(request, c_, actor, run)


@router.get("/items", response_model=list[c.FeeItemOut])
def items(matter_code: str | None = Query(None, max_length=40), department: str | None = Query(None, max_length=32),
          include_inactive: bool = False, actor: Actor = Depends(require(*STAFF, *PUBLIC_SCREENS)),
          c_: AppContext = Depends(ctx)) -> list[c.FeeItemOut]:
    day = None if include_inactive else c_.now().astimezone(c_.settings.tz).date()  # a window sees what is in force
    with c_.db.read() as s:
        return svc.list_items(s, matter_code=matter_code, department_code=department, include_inactive=include_inactive,
                              in_force_on=day)


@router.post("/items", status_code=201, response_model=c.FeeItemOut)
def add_item(body: c.FeeItemIn, request: Request, actor: Actor = Depends(require(Role.ADMIN)),
             c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.FeeItemOut:
        return svc.item_out(s, svc.add_item(s, body=body, actor=actor, now=c_.now()))
    return idempotent(request, c_, actor, run)


@router.patch("/items/{code}", response_model=c.FeeItemOut)
def update_item(body: c.FeeItemPatch, code: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(Role.ADMIN)),
                c_: AppContext = Depends(ctx)) -> c.FeeItemOut:
    with c_.db.write() as s:
        return svc.item_out(s, svc.update_item(s, code=code, body=body, actor=actor, now=c_.now()))


@router.get("/series", response_model=list[c.SeriesOut])
def series(actor: Actor = Depends(require(*FINANCE)), c_: AppContext = Depends(ctx)) -> list[c.SeriesOut]:
    with c_.db.read() as s:
        return svc.list_series(s)


@router.put("/series/{code}", response_model=c.SeriesOut)
def save_series(body: c.SeriesIn, code: str = Path(min_length=1, max_length=20),
                actor: Actor = Depends(require(Role.ADMIN)), c_: AppContext = Depends(ctx)) -> c.SeriesOut:
    with c_.db.write() as s:
        svc.save_series(s, code=code, body=body, actor=actor, now=c_.now())
        return next(x for x in svc.list_series(s) if x.code == code)


# --- notices ---------------------------------------------------------------------------

@router.post("/notices", status_code=201, response_model=c.NoticeOut)
def raise_notice(body: c.NoticeIn, request: Request, actor: Actor = Depends(require(Role.CLERK)),
                 c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.NoticeOut:
        return svc.notice_out(s, svc.raise_notice(s, settings=c_.settings, body=body, actor=actor, now=c_.now()))
    return idempotent(request, c_, actor, run)


@router.get("/notices", response_model=list[c.NoticeOut])
def notices_of_case(case_no: str = Query(min_length=1, max_length=40), actor: Actor = Depends(require(*STAFF)),
                    c_: AppContext = Depends(ctx)) -> list[c.NoticeOut]:
    with c_.db.read() as s:
        return [svc.notice_out(s, n) for n in svc.notices_for_case(s, case_no)]


@router.get("/notices/lookup", response_model=c.NoticeOut)
def lookup(q: str = Query(min_length=1, max_length=80), actor: Actor = Depends(require(*STAFF)),
           c_: AppContext = Depends(ctx)) -> c.NoticeOut:
    """By typed number or the scanned QR text of the notice."""
    with c_.db.read() as s:
        return svc.notice_out(s, svc.lookup_notice(s, q))


@router.get("/notices/{notice_no}", response_model=c.NoticeOut)
def notice(notice_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(*STAFF)),
           c_: AppContext = Depends(ctx)) -> c.NoticeOut:
    with c_.db.read() as s:
        return svc.notice_out(s, svc.get_notice(s, notice_no))


@router.get("/notices/{notice_no}/pdf", response_class=Response)
def notice_pdf(notice_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(*STAFF)),
               c_: AppContext = Depends(ctx)) -> Response:
    with c_.db.read() as s:
        n = svc.notice_out(s, svc.get_notice(s, notice_no))
    pdf = receipt_pdf.notice_pdf(n, hall_name=c_.settings.hall_name, tz=c_.settings.tz)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{n.notice_no}.pdf"'})


@router.post("/notices/{notice_no}/cancel", response_model=c.NoticeOut)
def cancel(body: c.NoticeCancelIn, notice_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(Role.CLERK, Role.MANAGER)),
           c_: AppContext = Depends(ctx)) -> c.NoticeOut:
    with c_.db.write() as s:
        return svc.notice_out(s, svc.cancel_notice(s, notice_no=notice_no, reason=body.reason, actor=actor,
                                                   now=c_.now()))


@router.post("/notices/{notice_no}/correct", status_code=201, response_model=c.NoticeOut)
def correct(body: c.NoticeCorrectIn, request: Request, notice_no: str = Path(min_length=1, max_length=40),
            actor: Actor = Depends(require(Role.CLERK)), c_: AppContext = Depends(ctx)) -> JSONResponse:
    """更正: cancel the wrong notice and raise its replacement, linked, in one transaction."""
    def run(s: Session) -> c.NoticeOut:
        return svc.notice_out(s, svc.correct_notice(s, settings=c_.settings, notice_no=notice_no, body=body,
                                                    actor=actor, now=c_.now()))
    return idempotent(request, c_, actor, run)


# --- receipts ------------------------------------------------------------------------------

@router.post("/receipts", status_code=201, response_model=c.ReceiptOut)
def pay(body: c.PayIn, request: Request, actor: Actor = Depends(require(Role.CASHIER)),
        c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.ReceiptOut:
        r = svc.pay(s, settings=c_.settings, body=body, actor=actor, now=c_.now())
        return svc.receipt_out(s, r, settings=c_.settings)
    return idempotent(request, c_, actor, run)


@router.get("/receipts/{receipt_no}", response_model=c.ReceiptOut)
def receipt(receipt_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(*FINANCE)),
            c_: AppContext = Depends(ctx)) -> c.ReceiptOut:
    with c_.db.read() as s:
        return svc.receipt_out(s, svc.get_receipt(s, receipt_no), settings=c_.settings)


@router.get("/receipts/{receipt_no}/pdf", response_class=Response)
def receipt_as_pdf(receipt_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(*FINANCE)),
                   c_: AppContext = Depends(ctx)) -> Response:
    """The receipt as PDF, as issued (作废 shows); reprinting with 重打 goes through POST …/reprint."""
    with c_.db.read() as s:
        r = svc.receipt_out(s, svc.get_receipt(s, receipt_no), settings=c_.settings)
    return _pdf(r, c_)


def _pdf(r: c.ReceiptOut, c_: AppContext) -> Response:
    pdf = receipt_pdf.receipt_pdf(r, tz=c_.settings.tz)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{r.receipt_no}.pdf"'})


def _approve(c_: AppContext, actor: Actor, body: c.ApprovalIn, *, action: str, receipt_no: str) -> str:
    """Check the approver in its own transaction so a refusal (its count and its event) is kept."""
    failure: svc.ApprovalFailed | None = None
    approver = ""
    with c_.db.write() as s:
        try:
            approver = svc.approve(s, settings=c_.settings, staff_no=body.approver_staff_no,
                                   password=body.approver_password, actor=actor, now=c_.now(), action=action,
                                   receipt_no=receipt_no)
        except svc.ApprovalFailed as e:
            failure = e
    if failure is not None:
        raise failure
    return approver


@router.post("/receipts/{receipt_no}/void", response_model=c.ReceiptOut)
def void(body: c.VoidIn, receipt_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(Role.CASHIER)),
         c_: AppContext = Depends(ctx)) -> c.ReceiptOut:
    approver = _approve(c_, actor, body, action="void", receipt_no=receipt_no)
    with c_.db.write() as s:
        r = svc.void(s, settings=c_.settings, receipt_no=receipt_no, reason=body.reason, approver_no=approver,
                     actor=actor, now=c_.now())
        return svc.receipt_out(s, r, settings=c_.settings)


@router.post("/receipts/{receipt_no}/refund", status_code=201, response_model=c.ReceiptOut)
def refund(body: c.RefundIn, request: Request, receipt_no: str = Path(min_length=1, max_length=40),
           actor: Actor = Depends(require(Role.CASHIER)), c_: AppContext = Depends(ctx)) -> JSONResponse:
    approver = _approve(c_, actor, body, action="refund", receipt_no=receipt_no)

    def run(s: Session) -> c.ReceiptOut:
        r = svc.refund(s, settings=c_.settings, receipt_no=receipt_no, body=body, approver_no=approver,
                       actor=actor, now=c_.now())
        return svc.receipt_out(s, r, settings=c_.settings)
    return idempotent(request, c_, actor, run)


@router.post("/receipts/{receipt_no}/reprint", response_model=c.ReceiptOut)
def reprint(receipt_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(Role.CASHIER)),
            c_: AppContext = Depends(ctx)) -> c.ReceiptOut:
    """重打: logged and counted; the answer has ``reprint`` set so the slip says 重打."""
    with c_.db.write() as s:
        r = svc.reprint(s, receipt_no=receipt_no, actor=actor, now=c_.now())
        return svc.receipt_out(s, r, settings=c_.settings, reprint=True)


@router.post("/receipts/{receipt_no}/reprint/pdf", response_class=Response)
def reprint_pdf(receipt_no: str = Path(min_length=1, max_length=40), actor: Actor = Depends(require(Role.CASHIER)),
                c_: AppContext = Depends(ctx)) -> Response:
    with c_.db.write() as s:
        r = svc.reprint(s, receipt_no=receipt_no, actor=actor, now=c_.now())
        out = svc.receipt_out(s, r, settings=c_.settings, reprint=True)
    return _pdf(out, c_)


# --- day close and reconciliation ----------------------------------------------------------

@router.get("/day", response_model=c.DayCloseOut)
def day_preview(day: date | None = None, staff_no: str | None = Query(None, max_length=20),
                actor: Actor = Depends(require(*FINANCE)), c_: AppContext = Depends(ctx)) -> c.DayCloseOut:
    """The cashier's day so far (or a closed day): what 日结 will record."""
    with c_.db.read() as s:
        return svc.day_preview(s, settings=c_.settings, actor=actor, now=c_.now(), day=day, staff_no=staff_no)


@router.get("/day/pdf", response_class=Response)
def day_pdf(day: date | None = None, staff_no: str | None = Query(None, max_length=20),
            actor: Actor = Depends(require(*FINANCE)), c_: AppContext = Depends(ctx)) -> Response:
    """日结单 on A4, to sign and file with the cash: the same figures as ``GET /fees/day``."""
    with c_.db.read() as s:
        out = svc.day_preview(s, settings=c_.settings, actor=actor, now=c_.now(), day=day, staff_no=staff_no)
    pdf = day_report.pdf(out, hall_name=c_.settings.hall_name, tz=c_.settings.tz)
    name = f"日结单_{out.staff_no}_{out.business_day:%Y%m%d}"
    from urllib.parse import quote
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}.pdf"})


@router.post("/day-close", status_code=201, response_model=c.DayCloseOut)
def close_day(body: c.DayCloseIn, request: Request, day: date | None = None,
              actor: Actor = Depends(require(Role.CASHIER)), c_: AppContext = Depends(ctx)) -> JSONResponse:
    def run(s: Session) -> c.DayCloseOut:
        return svc.close_day(s, settings=c_.settings, body=body, actor=actor, now=c_.now(), day=day)
    return idempotent(request, c_, actor, run)


@router.get("/reconciliation", response_model=c.ReconOut)
def reconciliation(start: date, end: date, department: str | None = Query(None, max_length=32),
                   format: str = Query("json", pattern="^(json|pdf|xlsx)$"),
                   actor: Actor = Depends(require(*OVERSIGHT)), c_: AppContext = Depends(ctx)) -> Response:
    """Per department and account over [start, end] (hall business days), as JSON, PDF or xlsx."""
    with c_.db.read() as s:
        out = svc.reconcile(s, start=start, end=end, department_code=department)
    if format == "json":
        return JSONResponse(out.model_dump(mode="json"))
    name = f"对账单_{start:%Y%m%d}-{end:%Y%m%d}"
    if format == "pdf":
        data = recon_report.pdf(out, hall_name=c_.settings.hall_name)
        media = "application/pdf"
    elif format == "xlsx":
        data = recon_report.xlsx(out, hall_name=c_.settings.hall_name)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:  # pragma: no cover  (the pattern above)
        raise BadInput("格式须为 json、pdf 或 xlsx。")
    from urllib.parse import quote
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.{format}"})
