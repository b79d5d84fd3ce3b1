"""The fee panel's user actions, one keyword-only function each (as ``operations.py``):
the widgets call these, never HTTP directly. Amounts are integer 分 throughout."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hall_server.contract import CaseOut, DayCloseOut, FeeItemOut, NoticeOut, ReceiptOut
from hall_server.domain.fees import PAY_METHOD_LABELS, PayMethod

from . import documents
from .bridge import KnownError

OnErr = Callable[[KnownError], None]


# --- department window: notices -------------------------------------------------------------

def load_case_items(*, api: Any, case_no: str, on_ok: Callable[[CaseOut, list[FeeItemOut]], None],
                    on_error: OnErr) -> None:
    def got_case(case: CaseOut) -> None:
        api.get(f"/fees/items?matter_code={quote(case.matter_code)}", model=list[FeeItemOut],
                on_ok=lambda items: on_ok(case, items), on_error=on_error)
    api.get(f"/cases/{quote(case_no)}", model=CaseOut, on_ok=got_case, on_error=on_error)


def notices_of_case(*, api: Any, case_no: str, on_ok: Callable[[list[NoticeOut]], None], on_error: OnErr) -> Any:
    return api.get(f"/fees/notices?case_no={quote(case_no)}", model=list[NoticeOut], on_ok=on_ok, on_error=on_error)


def raise_notice(*, api: Any, case_no: str, lines: list[dict[str, str]], on_ok: Callable[[NoticeOut], None],
                 on_error: OnErr) -> Any:
    return api.post("/fees/notices", {"case_no": case_no, "lines": lines}, model=NoticeOut, idempotent=True,
                    on_ok=on_ok, on_error=on_error)


def cancel_notice(*, api: Any, notice_no: str, reason: str, on_ok: Callable[[NoticeOut], None],
                  on_error: OnErr) -> Any:
    return api.post(f"/fees/notices/{quote(notice_no)}/cancel", {"reason": reason}, model=NoticeOut, on_ok=on_ok,
                    on_error=on_error)


def correct_notice(*, api: Any, notice_no: str, reason: str, lines: list[dict[str, str]],
                   on_ok: Callable[[NoticeOut], None], on_error: OnErr) -> Any:
    return api.post(f"/fees/notices/{quote(notice_no)}/correct", {"reason": reason, "lines": lines},
                    model=NoticeOut, idempotent=True, on_ok=on_ok, on_error=on_error)


def open_notice_pdf(*, api: Any, notice_no: str, on_ok: Callable[[str], None], on_error: OnErr) -> Any:
    """The A4 缴费通知单 in the system PDF viewer."""
    return documents.open_pdf(api=api, path=f"/fees/notices/{quote(notice_no)}/pdf", name=f"缴费通知单_{notice_no}",
                              on_ok=on_ok, on_error=on_error)


# --- fee window: receipts ---------------------------------------------------------------------

def lookup_notice(*, api: Any, text: str, on_ok: Callable[[NoticeOut], None], on_error: OnErr) -> Any:
    return api.get(f"/fees/notices/lookup?q={quote(text.strip())}", model=NoticeOut, on_ok=on_ok, on_error=on_error)


def take_payment(*, api: Any, notice: str, method: PayMethod, tendered_fen: int | None, reference: str,
                 on_ok: Callable[[ReceiptOut], None], on_error: OnErr) -> Any:
    body: dict[str, Any] = {"notice": notice, "method": method.value, "reference": reference}
    if tendered_fen is not None:
        body["tendered_fen"] = tendered_fen
    return api.post("/fees/receipts", body, model=ReceiptOut, idempotent=True, on_ok=on_ok, on_error=on_error)


def void_receipt(*, api: Any, receipt_no: str, approver_no: str, password: str, reason: str,
                 on_ok: Callable[[ReceiptOut], None], on_error: OnErr) -> Any:
    return api.post(f"/fees/receipts/{quote(receipt_no)}/void",
                    {"approver_staff_no": approver_no, "approver_password": password, "reason": reason},
                    model=ReceiptOut, on_ok=on_ok, on_error=on_error)


def refund_receipt(*, api: Any, receipt_no: str, amount_fen: int, reason: str, approver_no: str, password: str,
                   method: PayMethod, reference: str, on_ok: Callable[[ReceiptOut], None], on_error: OnErr) -> Any:
    """退费 with the supervisor's 工号 and password typed at the cashier's PC."""
    body = {"approver_staff_no": approver_no, "approver_password": password, "amount_fen": amount_fen,
            "reason": reason, "method": method.value, "reference": reference}
    return api.post(f"/fees/receipts/{quote(receipt_no)}/refund", body, model=ReceiptOut, idempotent=True,
                    on_ok=on_ok, on_error=on_error)


def reprint_receipt(*, api: Any, receipt_no: str, on_ok: Callable[[ReceiptOut], None], on_error: OnErr) -> Any:
    return api.post(f"/fees/receipts/{quote(receipt_no)}/reprint", None, model=ReceiptOut, on_ok=on_ok,
                    on_error=on_error)


# --- fee window: the day ------------------------------------------------------------------------

def day_preview(*, api: Any, on_ok: Callable[[DayCloseOut], None], on_error: OnErr, day: date | None = None) -> Any:
    return api.get("/fees/day" + (f"?day={day.isoformat()}" if day else ""), model=DayCloseOut, on_ok=on_ok,
                   on_error=on_error)


def close_day(*, api: Any, counted_cash_fen: int, note: str, on_ok: Callable[[DayCloseOut], None],
              on_error: OnErr) -> Any:
    return api.post("/fees/day-close", {"counted_cash_fen": counted_cash_fen, "note": note}, model=DayCloseOut,
                    idempotent=True, on_ok=on_ok, on_error=on_error)


def open_day_pdf(*, api: Any, day: date | None, on_ok: Callable[[str], None], on_error: OnErr) -> Any:
    """The A4 日结单 (of ``day``, or the server's today) in the system PDF viewer."""
    path = "/fees/day/pdf" + (f"?day={day.isoformat()}" if day else "")
    name = f"日结单_{day:%Y%m%d}" if day else "日结单_今日"
    return documents.open_pdf(api=api, path=path, name=name, on_ok=on_ok, on_error=on_error)


# --- slips -------------------------------------------------------------------------------------

def receipt_slip(r: ReceiptOut, *, tz: ZoneInfo) -> Any:
    """The printers/slips.py layout for a receipt; a reprint says 重打 in its title. The
    thermal layout counts whole pieces, so an area line prints its quantity in the
    standard column and counts as one."""
    from printers import slips
    items = []
    for ln in r.lines:
        whole = ln.quantity.isdigit() and int(ln.quantity) >= 1
        std = ln.income_type if whole else f"{ln.income_type} {ln.quantity}{ln.unit}"
        items.append(slips.ReceiptItem(name=ln.item_name, standard=std, quantity=int(ln.quantity) if whole else 1,
                                       amount_fen=abs(ln.amount_fen)))
    title = "退费凭证" if r.kind == "refund" else "收费收据"
    marks = ("【作废】" if r.void else "") + (f"【重打 第{r.reprints}次】" if r.reprint else "")
    if r.void or r.reprint:
        title += "（作废）" if r.void else "（重打）"
    tip = f"{marks}缴费通知单 {r.notice_no} {r.method_label}"
    if r.kind == "refund":
        tip += f"；原票据 {r.refund_of}，审批人 {r.refund_approved_by}，原因：{r.refund_reason}"
    return slips.ReceiptSlip(hall_name=r.hall_name, receipt_no=r.receipt_no, payer=r.payer_name, items=tuple(items),
                             cashier_no=r.cashier_no, issued_at=r.issued_at.astimezone(tz).replace(tzinfo=None),
                             title=title, tip=tip + ("\n扫码查看办件进度" if r.case_url else ""),
                             qr_payload=r.case_url)


def day_slip(d: DayCloseOut, *, hall_name: str, now: datetime, tz: ZoneInfo) -> Any:
    """The 日结单 for the window's receipt printer, from the server's figures."""
    from printers import slips
    return slips.DayCloseSlip(
        hall_name=hall_name, staff_no=d.staff_no, staff_name=d.staff_name, business_day=d.business_day,
        printed_at=now.astimezone(tz).replace(tzinfo=None), closed=d.closed, receipt_count=d.receipt_count,
        void_count=d.void_count, runs=tuple(f"{a}–{b}" if a != b else a for rs in d.numbers.values() for a, b in rs),
        voids=tuple(d.voids), refunds=tuple(d.refunds),
        by_method=tuple((PAY_METHOD_LABELS[PayMethod(k)], v) for k, v in d.by_method.items() if v),
        by_account=tuple((f"{a['department']} {a['account']}", int(a["fen"])) for a in d.by_account),
        total_fen=d.total_fen, expected_cash_fen=d.expected_cash_fen, counted_cash_fen=d.counted_cash_fen,
        difference_fen=d.difference_fen, note=d.note)


__all__ = [
    "cancel_notice", "close_day", "correct_notice", "day_preview", "day_slip", "load_case_items", "lookup_notice",
    "notices_of_case", "open_day_pdf", "open_notice_pdf", "raise_notice", "receipt_slip", "refund_receipt",
    "reprint_receipt", "take_payment", "void_receipt",
]
