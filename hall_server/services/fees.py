"""一个窗口收费 use cases: configure items, raise and cancel notices, take payment, void,
refund, reprint, close the day, reconcile. Each loads, asks ``domain.fees``, persists and
appends its event in the caller's one transaction (``Database.write``); nothing commits here.

Receipt numbers come from a counter row (``ReceiptSeries.last``) read ``FOR UPDATE`` and
bumped in the same transaction as the receipt insert. Writers are serialised already
(``Database.write``), the row lock keeps it right if that ever changes, and a failed
payment rolls its number back with it: numbers are gap-free and never reused.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..domain import fees as d
from ..domain import queue as q
from ..domain.errors import BadInput, Conflict, Forbidden, NotFound
from ..domain.money import daxie, split_total, yuan
from ..domain.roles import Role
from ..models import Department, Staff, Window
from ..models.cases import Case, Matter
from ..models.fees import (
    DayClose, FeeAccount, FeeItem, NoticeCounter, NoticeLine, PaymentNotice, Receipt, ReceiptLine,
    ReceiptSeries,
)
from ..settings import Settings
from . import auth, events, public_url
from .actors import Actor

log = logging.getLogger(__name__)

RECEIPT_SERIES = "receipt"
REFUND_SERIES = "refund"


# --- configuration --------------------------------------------------------------------

def _department(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise NotFound(f"没有部门 {code}。", code="department_not_found")
    return dept


def _account(session: Session, code: str) -> FeeAccount:
    acc = session.scalar(select(FeeAccount).where(FeeAccount.code == code))
    if acc is None or not acc.active:
        raise NotFound(f"没有收款账户 {code}。", code="account_not_found")
    return acc


def add_account(session: Session, *, body: c.FeeAccountIn, actor: Actor, now: datetime) -> FeeAccount:
    dept = _department(session, body.department_code)
    if session.scalar(select(FeeAccount.id).where(FeeAccount.code == body.code)) is not None:
        raise Conflict(f"收款账户 {body.code} 已存在。", code="account_exists")
    acc = FeeAccount(code=body.code, name=body.name, bank=body.bank, account_no=body.account_no,
                     department_id=dept.id, active=True)
    session.add(acc)
    session.flush()
    events.append(session, kinds.FEE_ACCOUNT_ADDED.type, actor=actor, at=now,
                  data={"account": acc.code, "name": acc.name, "department": dept.code,
                        "bank": acc.bank, "account_no": acc.account_no})
    return acc


def add_item(session: Session, *, body: c.FeeItemIn, actor: Actor, now: datetime) -> FeeItem:
    dept = _department(session, body.department_code)
    acc = _account(session, body.account_code)
    if acc.department_id != dept.id:
        raise BadInput("收款账户不属于该部门。", code="account_department_mismatch")
    std = d.standard_from(body.standard.model_dump())
    if session.scalar(select(FeeItem.id).where(FeeItem.code == body.code)) is not None:
        raise Conflict(f"收费项目 {body.code} 已存在。", code="item_exists")
    _check_dates(body.valid_from, body.valid_to)
    item = FeeItem(code=body.code, name=body.name, matter_code=body.matter_code, department_id=dept.id,
                   account_id=acc.id, income_type=body.income_type.value, legal_basis=body.legal_basis,
                   unit=body.unit, standard=std.to_json(), active=True, updated_at=now,
                   valid_from=body.valid_from, valid_to=body.valid_to, exclusive_group=body.exclusive_group.strip())
    session.add(item)
    session.flush()
    events.append(session, kinds.FEE_ITEM_ADDED.type, actor=actor, at=now,
                  data={"item": item.code, "name": item.name, "matter_code": item.matter_code,
                        "department": dept.code, "account": acc.code, "income_type": item.income_type,
                        "standard": item.standard, "legal_basis": item.legal_basis,
                        "exclusive_group": item.exclusive_group})
    return item


def update_item(session: Session, *, code: str, body: c.FeeItemPatch, actor: Actor, now: datetime) -> FeeItem:
    """Changes apply to notices raised from now on; lines already raised keep their copy."""
    item = session.scalar(select(FeeItem).where(FeeItem.code == code))
    if item is None:
        raise NotFound(f"没有收费项目 {code}。", code="item_not_found")
    before = {"name": item.name, "legal_basis": item.legal_basis, "unit": item.unit,
              "standard": item.standard, "active": item.active, "account_id": item.account_id,
              "valid_from": _iso(item.valid_from), "valid_to": _iso(item.valid_to),
              "exclusive_group": item.exclusive_group or ""}
    if body.standard is not None:
        item.standard = d.standard_from(body.standard.model_dump()).to_json()
    if body.account_code is not None:
        acc = _account(session, body.account_code)
        if acc.department_id != item.department_id:
            raise BadInput("收款账户不属于该部门。", code="account_department_mismatch")
        item.account_id = acc.id
    for f in ("name", "legal_basis", "unit", "active", "valid_from", "valid_to"):
        v = getattr(body, f)
        if v is not None:
            setattr(item, f, v)
    if body.clear_dates:
        item.valid_from = item.valid_to = None
    if body.exclusive_group is not None:
        item.exclusive_group = body.exclusive_group.strip()
    _check_dates(item.valid_from, item.valid_to)
    item.updated_at = now
    after = {"name": item.name, "legal_basis": item.legal_basis, "unit": item.unit,
             "standard": item.standard, "active": item.active, "account_id": item.account_id,
             "valid_from": _iso(item.valid_from), "valid_to": _iso(item.valid_to),
             "exclusive_group": item.exclusive_group or ""}
    changed = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if changed:
        events.append(session, kinds.FEE_ITEM_UPDATED.type, actor=actor, at=now, data={"item": code, "changes": changed})
    return item


def item_out(session: Session, item: FeeItem) -> c.FeeItemOut:
    dept = session.get(Department, item.department_id)
    acc = session.get(FeeAccount, item.account_id)
    std = d.standard_from(item.standard)
    return c.FeeItemOut(code=item.code, name=item.name, matter_code=item.matter_code,
                        department=dept.name if dept else "", department_code=dept.code if dept else "",
                        account_code=acc.code if acc else "", account_name=acc.name if acc else "",
                        income_type=item.income_type, legal_basis=item.legal_basis, unit=item.unit,
                        standard=item.standard, standard_text=d.describe(std, item.unit),
                        whole_units=std.whole_units, active=item.active, valid_from=item.valid_from,
                        valid_to=item.valid_to, exclusive_group=item.exclusive_group or "")


def _iso(d_: date | None) -> str | None:
    return d_.isoformat() if d_ else None


def _check_dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise BadInput("停止执行日期不能早于执行日期。", code="bad_item_dates")


def check_in_force(item: FeeItem, day: date) -> None:
    """A price change keeps old receipts right: the old item ends, a new one starts; a
    notice on a day outside an item's dates is refused with the dates in Chinese."""
    if item.valid_from is not None and day < item.valid_from:
        raise BadInput(f"收费项目“{item.name}”自 {item.valid_from.isoformat()} 起执行，今天还不能收取。",
                       code="item_not_in_force")
    if item.valid_to is not None and day > item.valid_to:
        raise BadInput(f"收费项目“{item.name}”已于 {item.valid_to.isoformat()} 停止执行。", code="item_not_in_force")



def list_items(session: Session, *, matter_code: str | None = None, department_code: str | None = None,
               include_inactive: bool = False, in_force_on: date | None = None) -> list[c.FeeItemOut]:
    """``in_force_on``: only items whose 执行/停止执行 dates include that day (what a window offers)."""
    qy = select(FeeItem).order_by(FeeItem.matter_code, FeeItem.code)
    if in_force_on is not None:
        qy = qy.where(or_(FeeItem.valid_from.is_(None), FeeItem.valid_from <= in_force_on),
                      or_(FeeItem.valid_to.is_(None), FeeItem.valid_to >= in_force_on))
    if matter_code:
        qy = qy.where(FeeItem.matter_code == matter_code)
    if department_code:
        qy = qy.where(FeeItem.department_id == _department(session, department_code).id)
    if not include_inactive:
        qy = qy.where(FeeItem.active.is_(True))
    return [item_out(session, i) for i in session.scalars(qy)]


def account_out(session: Session, acc: FeeAccount) -> c.FeeAccountOut:
    dept = session.get(Department, acc.department_id)
    return c.FeeAccountOut(code=acc.code, name=acc.name, bank=acc.bank, account_no=acc.account_no,
                           department=dept.name if dept else "", department_code=dept.code if dept else "",
                           active=acc.active)


def list_accounts(session: Session) -> list[c.FeeAccountOut]:
    return [account_out(session, a) for a in session.scalars(select(FeeAccount).order_by(FeeAccount.code))]


SERIES_CODES = (RECEIPT_SERIES, REFUND_SERIES)


def save_series(session: Session, *, code: str, body: c.SeriesIn, actor: Actor, now: datetime) -> ReceiptSeries:
    """Configure a series. Once a number is used its prefix and width are fixed: changing
    them would make two receipts look alike or break the run an auditor counts."""
    if code not in SERIES_CODES:
        raise NotFound(f"票据号段须为 {'/'.join(SERIES_CODES)}。", code="series_not_found")
    s = session.scalar(select(ReceiptSeries).where(ReceiptSeries.code == code).with_for_update())
    clash = session.scalar(select(ReceiptSeries.code).where(ReceiptSeries.prefix == body.prefix,
                                                           ReceiptSeries.code != code))
    if clash is not None:
        raise Conflict(f"前缀 {body.prefix} 已用于号段 {clash}。", code="series_prefix_taken")
    if s is None:
        s = ReceiptSeries(code=code, name=body.name, prefix=body.prefix, width=body.width, last=0)
        session.add(s)
    elif s.last and (s.prefix, s.width) != (body.prefix, body.width):
        raise Conflict(f"号段 {code} 已使用到第 {s.last} 号，前缀和位数不能再改。", code="series_in_use")
    else:
        s.name, s.prefix, s.width = body.name, body.prefix, body.width
    if 10 ** s.width <= s.last + 1:
        raise BadInput("位数不足以容纳下一个号码。", code="series_too_narrow")
    session.flush()
    events.append(session, kinds.FEE_SERIES_SAVED.type, actor=actor, at=now,
                  data={"series": code, "name": s.name, "prefix": s.prefix, "width": s.width, "last": s.last})
    return s


def list_series(session: Session) -> list[c.SeriesOut]:
    return [c.SeriesOut(code=s.code, name=s.name, prefix=s.prefix, width=s.width, last=s.last,
                        next_no=d.format_receipt_no(s.prefix, s.last + 1, s.width))
            for s in session.scalars(select(ReceiptSeries).order_by(ReceiptSeries.code))]


def _next_receipt_no(session: Session, code: str) -> tuple[ReceiptSeries, int, str]:
    series = session.scalar(select(ReceiptSeries).where(ReceiptSeries.code == code).with_for_update())
    if series is None:
        raise Conflict("未配置票据号段，请联系管理员。", code="series_missing")
    series.last += 1
    session.flush()
    return series, series.last, d.format_receipt_no(series.prefix, series.last, series.width)


# --- notices -------------------------------------------------------------------------

def _case(session: Session, case_no: str) -> Case:
    case = session.scalar(select(Case).where(Case.case_no == case_no))
    if case is None:
        raise NotFound(f"找不到办件 {case_no}。", code="case_not_found")
    return case


def raise_notice(session: Session, *, settings: Settings, body: c.NoticeIn, actor: Actor, now: datetime,
                 replaces: str | None = None) -> PaymentNotice:
    """A department window raises a notice for its own fee items of the case's matter; the
    amounts come from the standards, the clerk gives only quantities."""
    if actor.window_no is None:
        raise Forbidden("请在本部门窗口上岗后开具缴费通知单。", code="not_at_window")
    window = session.scalar(select(Window).where(Window.window_no == actor.window_no))
    if window is None or window.department_id is None:
        raise Forbidden("只有部门窗口可以开具缴费通知单。", code="not_department_window")
    case = _case(session, body.case_no)
    if case.state in ("rejected", "withdrawn"):
        raise Conflict("该办件已不予受理或已撤回，不能开具缴费通知单。", code="case_closed")
    seen: set[str] = set()
    lines: list[tuple[FeeItem, int, int]] = []
    for ln in body.lines:
        if ln.item_code in seen:
            raise BadInput(f"收费项目 {ln.item_code} 重复，请合并数量。", code="duplicate_item")
        seen.add(ln.item_code)
        item = session.scalar(select(FeeItem).where(FeeItem.code == ln.item_code))
        if item is None or not item.active:
            raise NotFound(f"没有收费项目 {ln.item_code}。", code="item_not_found")
        if item.matter_code != case.matter_code:
            raise BadInput(f"收费项目“{item.name}”不属于该办件的事项。", code="item_not_for_matter")
        if item.department_id != window.department_id:
            raise Forbidden(f"收费项目“{item.name}”不属于本窗口的部门。", code="item_not_for_department")
        check_in_force(item, q.business_day(now, settings.tz))
        qty = d.parse_qty(ln.quantity)
        amount = d.line_amount(d.standard_from(item.standard), qty)
        lines.append((item, qty, amount))
    d.check_exclusive((it.name, it.exclusive_group) for it, _, _ in lines)
    total = sum(a for _, _, a in lines)
    if total <= 0:
        raise BadInput("缴费金额为零，无需开具缴费通知单。", code="zero_total")
    day = q.business_day(now, settings.tz)
    counter = session.get(NoticeCounter, day, with_for_update=True)
    if counter is None:
        counter = NoticeCounter(business_day=day, last=0)
        session.add(counter)
        session.flush()
    counter.last += 1
    notice = PaymentNotice(
        notice_no=d.format_notice_no(day, counter.last), case_id=case.id, case_no=case.case_no,
        matter_code=case.matter_code, payer_name=case.applicant_name, department_id=window.department_id,
        window_no=actor.window_no, raised_by=actor.staff_no or actor.ident, raised_at=now,
        state=d.NoticeState.UNPAID.value, total_fen=total, replaces=replaces)
    session.add(notice)
    session.flush()
    for i, (item, qty, amount) in enumerate(lines, 1):
        std = d.standard_from(item.standard)
        session.add(NoticeLine(
            notice_id=notice.id, line_no=i, fee_item_id=item.id, item_code=item.code, item_name=item.name,
            unit=item.unit, standard_text=d.describe(std, item.unit), legal_basis=item.legal_basis,
            income_type=item.income_type, department_id=item.department_id, account_id=item.account_id,
            qty_centi=qty, amount_fen=amount))
    session.flush()
    events.append(session, kinds.FEE_NOTICE_RAISED.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"case_no": case.case_no, "notice_no": notice.notice_no, "amount_fen": total,
                        "staff_no": actor.staff_no, "matter_code": case.matter_code,
                        "items": [{"item": it.code, "quantity": d.format_qty(qt), "amount_fen": a}
                                  for it, qt, a in lines]})
    return notice


def get_notice(session: Session, notice_no: str, *, for_update: bool = False) -> PaymentNotice:
    qy = select(PaymentNotice).where(PaymentNotice.notice_no == notice_no.strip().upper())
    if for_update:
        qy = qy.with_for_update()
    n = session.scalar(qy)
    if n is None:
        raise NotFound(f"找不到缴费通知单 {notice_no}。", code="notice_not_found")
    return n


def lookup_notice(session: Session, text: str) -> PaymentNotice:
    """By typed number or scanned QR; a QR whose amount disagrees with the stored notice
    (an altered or outdated print) is refused."""
    notice_no, qr_amount = d.parse_lookup(text)
    n = get_notice(session, notice_no)
    if qr_amount is not None and qr_amount != n.total_fen:
        raise Conflict("二维码中的金额与缴费通知单不符，请核对通知单。", code="qr_amount_mismatch")
    return n


def correct_notice(session: Session, *, settings: Settings, notice_no: str, body: c.NoticeCorrectIn, actor: Actor,
                   now: datetime) -> PaymentNotice:
    """更正: a wrong, unpaid notice is cancelled and a new one raised in its place, in one
    transaction; both stay, linked (``replaces``), so the trail shows what was wrong. A paid
    notice is not corrected: its money goes back through 退费 with approval."""
    old = cancel_notice(session, notice_no=notice_no, reason=f"更正：{body.reason}", actor=actor, now=now)
    new = raise_notice(session, settings=settings, body=c.NoticeIn(case_no=old.case_no, lines=body.lines),
                       actor=actor, now=now, replaces=old.notice_no)
    events.append(session, kinds.FEE_NOTICE_CORRECTED.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"case_no": old.case_no, "notice_no": new.notice_no, "replaces": old.notice_no,
                        "amount_fen": new.total_fen, "old_amount_fen": old.total_fen, "staff_no": actor.staff_no,
                        "reason": body.reason})
    return new


def cancel_notice(session: Session, *, notice_no: str, reason: str, actor: Actor, now: datetime) -> PaymentNotice:
    n = get_notice(session, notice_no, for_update=True)
    if not actor.has(Role.MANAGER) and actor.window_no is not None:
        window = session.scalar(select(Window).where(Window.window_no == actor.window_no))
        if window is None or window.department_id != n.department_id:
            raise Forbidden("只能撤销本部门开具的缴费通知单。", code="not_own_department")
    elif not actor.has(Role.MANAGER):
        raise Forbidden("请在本部门窗口上岗后操作。", code="not_at_window")
    n.state = d.notice_step(d.NoticeState(n.state), d.NoticeAction.CANCEL).value
    n.cancelled_at, n.cancel_reason = now, reason
    events.append(session, kinds.FEE_NOTICE_CANCELLED.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"case_no": n.case_no, "notice_no": n.notice_no, "amount_fen": n.total_fen,
                        "staff_no": actor.staff_no, "reason": reason})
    return n


def notice_out(session: Session, n: PaymentNotice) -> c.NoticeOut:
    depts = {x.id: x for x in session.scalars(select(Department))}
    accs = {x.id: x.code for x in session.scalars(select(FeeAccount))}
    lines = session.scalars(select(NoticeLine).where(NoticeLine.notice_id == n.id).order_by(NoticeLine.line_no))
    receipts = list(session.scalars(select(Receipt).where(Receipt.notice_id == n.id).order_by(Receipt.id)))
    matter = session.scalar(select(Matter.name).where(Matter.code == n.matter_code)) or ""
    return c.NoticeOut(
        notice_no=n.notice_no, case_no=n.case_no, matter_code=n.matter_code, matter_name=matter,
        payer_name=n.payer_name, department=depts[n.department_id].name if n.department_id in depts else "",
        window_no=n.window_no, raised_by=n.raised_by, raised_at=n.raised_at, state=d.NoticeState(n.state),
        state_label=d.NOTICE_STATE_LABELS[d.NoticeState(n.state)], total_fen=n.total_fen,
        total_yuan=yuan(n.total_fen), total_daxie=daxie(n.total_fen), qr_text=d.notice_qr_text(n.notice_no, n.total_fen),
        lines=[c.NoticeLineOut(line_no=ln.line_no, item_code=ln.item_code, item_name=ln.item_name, unit=ln.unit,
                               quantity=d.format_qty(ln.qty_centi), standard_text=ln.standard_text,
                               legal_basis=ln.legal_basis, income_type=ln.income_type,
                               department=depts[ln.department_id].name if ln.department_id in depts else "",
                               account_code=accs.get(ln.account_id, ""), amount_fen=ln.amount_fen)
               for ln in lines],
        receipts=[r.receipt_no for r in receipts],
        paid_fen=sum(r.amount_fen for r in receipts if r.kind == "payment" and not r.void),
        refunded_fen=-sum(r.amount_fen for r in receipts if r.kind == "refund" and not r.void),
        cancel_reason=n.cancel_reason, replaces=n.replaces,
        replaced_by=session.scalar(select(PaymentNotice.notice_no).where(PaymentNotice.replaces == n.notice_no)),
    )


def notices_for_case(session: Session, case_no: str) -> list[PaymentNotice]:
    return list(session.scalars(select(PaymentNotice).where(PaymentNotice.case_no == case_no)
                                .order_by(PaymentNotice.id)))


# --- the cashier's day ------------------------------------------------------------------

def _cashier(session: Session, actor: Actor) -> Staff:
    if actor.kind != "staff" or not actor.has(Role.CASHIER):
        raise Forbidden("只有收费员可以办理收费。", code="not_cashier")
    if actor.window_no is not None:
        window = session.scalar(select(Window).where(Window.window_no == actor.window_no))
        if window is None or not window.is_fee_window:
            raise Forbidden(f"{actor.window_no} 号窗口不是收费窗口。", code="not_fee_window")
    staff = session.get(Staff, actor.id)
    assert staff is not None
    return staff


def _closed(session: Session, staff_id: int, day: date) -> DayClose | None:
    return session.scalar(select(DayClose).where(DayClose.staff_id == staff_id, DayClose.business_day == day))


def _require_open_day(session: Session, staff: Staff, day: date) -> None:
    if _closed(session, staff.id, day) is not None:
        raise Conflict("您今日已日结，不能再开具票据。", code="day_closed")


def pay(session: Session, *, settings: Settings, body: c.PayIn, actor: Actor, now: datetime) -> Receipt:
    staff = _cashier(session, actor)
    day = q.business_day(now, settings.tz)
    _require_open_day(session, staff, day)
    notice = lookup_notice(session, body.notice)
    session.refresh(notice, with_for_update=True)
    state = d.notice_step(d.NoticeState(notice.state), d.NoticeAction.PAY)
    t = d.tender(body.method, due_fen=notice.total_fen, tendered_fen=body.tendered_fen, reference=body.reference)
    series, seq, number = _next_receipt_no(session, RECEIPT_SERIES)
    notice.state = state.value
    r = Receipt(receipt_no=number, series_id=series.id, seq=seq, kind="payment", notice_id=notice.id,
                case_no=notice.case_no, amount_fen=notice.total_fen, method=t.method.value, reference=t.reference,
                tendered_fen=t.tendered_fen, change_fen=t.change_fen, cashier_id=staff.id,
                cashier_no=staff.staff_no, window_no=actor.window_no, issued_at=now, business_day=day,
                void=False, reprints=0)
    session.add(r)
    session.flush()
    for ln in session.scalars(select(NoticeLine).where(NoticeLine.notice_id == notice.id).order_by(NoticeLine.line_no)):
        session.add(ReceiptLine(receipt_id=r.id, notice_line_id=ln.id, department_id=ln.department_id,
                                account_id=ln.account_id, income_type=ln.income_type, item_code=ln.item_code,
                                item_name=ln.item_name, amount_fen=ln.amount_fen))
    session.flush()
    events.append(session, kinds.FEE_PAID.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"case_no": notice.case_no, "notice_no": notice.notice_no, "receipt_no": number,
                        "amount_fen": notice.total_fen, "method": t.method.value, "staff_no": staff.staff_no,
                        "change_fen": t.change_fen, "reference": t.reference})
    return r


class ApprovalFailed(Forbidden):
    """The approver's 工号/password did not check out: the caller commits the failure count."""
    code = "approval_failed"


def approve(session: Session, *, settings: Settings, staff_no: str, password: str, actor: Actor,
            now: datetime, action: str, receipt_no: str) -> str:
    """The supervisor signs in beside the cashier. Wrong passwords count towards the
    approver's lockout exactly like a sign-in, so approval cannot be guessed at, and every
    refusal is logged (``fee.approval_refused``): the API runs this in its own transaction
    and commits a refusal before answering, while the receipt stays untouched."""
    try:
        return _check_approver(session, settings=settings, staff_no=staff_no, password=password, actor=actor,
                               now=now)
    except ApprovalFailed as e:
        events.append(session, kinds.FEE_APPROVAL_REFUSED.type, actor=actor, at=now, window_no=actor.window_no,
                      data={"staff_no": actor.staff_no, "approver": staff_no[:20], "action": action,
                            "receipt_no": receipt_no[:40], "code": e.code})
        raise


def _check_approver(session: Session, *, settings: Settings, staff_no: str, password: str, actor: Actor,
                    now: datetime) -> str:
    approver = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if approver is None or not approver.active:
        raise ApprovalFailed("审批人工号或密码错误。")
    if approver.id == actor.id:
        raise ApprovalFailed("审批人不能是经办人本人。", code="self_approval")
    if auth.sign_in_blocked(session, settings=settings, staff=approver, now=now):  # throttle: services/auth.py
        raise ApprovalFailed("审批人账号已锁定，请稍后再试或联系管理员。", code="approver_locked")
    try:
        auth.hasher(settings).verify(approver.password_hash, password)
    except (VerificationError, InvalidHashError):
        try:
            auth.login(session, settings=settings, staff_no=staff_no, password=password, now=now)
        except auth.LoginFailed as e:  # counts the failure and may lock, as a sign-in does
            raise ApprovalFailed("审批人工号或密码错误。" if e.code == "login_failed" else e.message,
                                 code="approval_failed" if e.code == "login_failed" else "approver_locked") from None
        raise ApprovalFailed("审批人工号或密码错误。") from None  # pragma: no cover (hash changed meanwhile)
    if not approver.role_set & d.APPROVER_ROLES:
        raise ApprovalFailed(f"{approver.name}（{approver.staff_no}）无审批权限：须由科长（监察）或大厅主任审批。",
                             code="approver_not_allowed")
    approver.failed_logins = 0
    return approver.staff_no


def get_receipt(session: Session, receipt_no: str, *, for_update: bool = False) -> Receipt:
    qy = select(Receipt).where(Receipt.receipt_no == receipt_no.strip().upper())
    if for_update:
        qy = qy.with_for_update()
    r = session.scalar(qy)
    if r is None:
        raise NotFound(f"找不到票据 {receipt_no}。", code="receipt_not_found")
    return r


def _approver(session: Session, staff_no: str) -> Staff:
    """The approver checked by ``approve`` in this request: still active and still entitled."""
    approver = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if approver is None or not approver.active or not approver.role_set & d.APPROVER_ROLES:
        raise Forbidden("审批人无审批权限。", code="approver_not_allowed")
    return approver


def void(session: Session, *, settings: Settings, receipt_no: str, reason: str, approver_no: str, actor: Actor,
         now: datetime) -> Receipt:
    """作废: same day, before close, approved; the number stays, marked void; the notice
    becomes payable again (the payer pays afresh under a new number)."""
    _cashier(session, actor)
    approver = _approver(session, approver_no)
    if approver.id == actor.id:
        raise Forbidden("审批人不能是经办人本人。", code="self_approval")
    r = get_receipt(session, receipt_no, for_update=True)
    today = q.business_day(now, settings.tz)
    d.check_void(receipt_day=r.business_day, today=today,
                 day_closed=r.day_close_id is not None or _closed(session, r.cashier_id, r.business_day) is not None,
                 already_void=r.void, is_refund=r.kind == "refund")
    notice = session.get(PaymentNotice, r.notice_id, with_for_update=True)
    assert notice is not None
    notice.state = d.notice_step(d.NoticeState(notice.state), d.NoticeAction.VOID_RECEIPT).value
    r.void, r.void_reason, r.voided_at, r.void_approved_by = True, reason, now, approver.staff_no
    events.append(session, kinds.FEE_RECEIPT_VOIDED.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"case_no": r.case_no, "notice_no": notice.notice_no, "receipt_no": r.receipt_no,
                        "amount_fen": r.amount_fen, "staff_no": r.cashier_no, "voided_by": actor.staff_no,
                        "approved_by": approver.staff_no, "reason": reason})
    return r


def refund(session: Session, *, settings: Settings, receipt_no: str, body: c.RefundIn, approver_no: str,
           actor: Actor, now: datetime) -> Receipt:
    """退费 after close: a new negative record with its own number, linked to the payment,
    split over the paid lines (or one line) so each account gives back its own share."""
    staff = _cashier(session, actor)
    approver = _approver(session, approver_no)
    if approver.id == actor.id:
        raise Forbidden("审批人不能是经办人本人。", code="self_approval")
    day = q.business_day(now, settings.tz)
    _require_open_day(session, staff, day)
    orig = get_receipt(session, receipt_no, for_update=True)
    voidable = (orig.business_day == day and orig.day_close_id is None
                and _closed(session, orig.cashier_id, orig.business_day) is None)
    paid_lines = list(session.scalars(select(ReceiptLine).where(ReceiptLine.receipt_id == orig.id)
                                      .order_by(ReceiptLine.id)))
    prior = session.scalars(select(Receipt.id).where(Receipt.refund_of_id == orig.id, Receipt.void.is_(False))).all()
    refunded_by_line: dict[int, int] = {}
    for rl in session.scalars(select(ReceiptLine).where(ReceiptLine.receipt_id.in_(prior))) if prior else []:
        refunded_by_line[rl.notice_line_id] = refunded_by_line.get(rl.notice_line_id, 0) - rl.amount_fen
    if body.item_code is not None:
        paid_lines = [pl for pl in paid_lines if pl.item_code == body.item_code]
        if not paid_lines:
            raise BadInput(f"该票据没有收费项目 {body.item_code}。", code="item_not_on_receipt")
    remaining = [pl.amount_fen - refunded_by_line.get(pl.notice_line_id, 0) for pl in paid_lines]
    d.check_refund(voidable=voidable, already_void=orig.void, is_refund=orig.kind == "refund",
                   paid_fen=sum(pl.amount_fen for pl in paid_lines),
                   refunded_fen=sum(refunded_by_line.get(pl.notice_line_id, 0) for pl in paid_lines),
                   amount_fen=body.amount_fen)
    shares = split_total(body.amount_fen, remaining)
    t = d.tender(body.method, due_fen=body.amount_fen, tendered_fen=None, reference=body.reference or "退费") \
        if body.method is not d.PayMethod.CASH else d.Tender(d.PayMethod.CASH, 0, None, body.reference.strip())
    series, seq, number = _next_receipt_no(session, REFUND_SERIES)
    notice = session.get(PaymentNotice, orig.notice_id)
    assert notice is not None
    r = Receipt(receipt_no=number, series_id=series.id, seq=seq, kind="refund", notice_id=orig.notice_id,
                case_no=orig.case_no, amount_fen=-body.amount_fen, method=t.method.value, reference=t.reference,
                tendered_fen=None, change_fen=0, cashier_id=staff.id, cashier_no=staff.staff_no,
                window_no=actor.window_no, issued_at=now, business_day=day, void=False, refund_of_id=orig.id,
                refund_reason=body.reason, refund_approved_by=approver.staff_no, reprints=0)
    session.add(r)
    session.flush()
    for pl, share in zip(paid_lines, shares):
        if share:
            session.add(ReceiptLine(receipt_id=r.id, notice_line_id=pl.notice_line_id, department_id=pl.department_id,
                                    account_id=pl.account_id, income_type=pl.income_type, item_code=pl.item_code,
                                    item_name=pl.item_name, amount_fen=-share))
    session.flush()
    events.append(session, kinds.FEE_REFUNDED.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"case_no": orig.case_no, "notice_no": notice.notice_no, "receipt_no": number,
                        "refund_of": orig.receipt_no, "amount_fen": -body.amount_fen, "method": t.method.value,
                        "staff_no": staff.staff_no, "approved_by": approver.staff_no, "reason": body.reason})
    return r


def reprint(session: Session, *, receipt_no: str, actor: Actor, now: datetime) -> Receipt:
    """重打: the same receipt, marked as a reprint, and counted; never a new number."""
    _cashier(session, actor)
    r = get_receipt(session, receipt_no, for_update=True)
    r.reprints += 1
    notice = session.get(PaymentNotice, r.notice_id)
    events.append(session, kinds.FEE_RECEIPT_REPRINTED.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"case_no": r.case_no, "notice_no": notice.notice_no if notice else "",
                        "receipt_no": r.receipt_no, "amount_fen": r.amount_fen, "staff_no": actor.staff_no,
                        "reprints": r.reprints})
    return r


def receipt_out(session: Session, r: Receipt, *, settings: Settings, reprint: bool = False) -> c.ReceiptOut:
    notice = session.get(PaymentNotice, r.notice_id)
    assert notice is not None
    depts = {x.id: x.name for x in session.scalars(select(Department))}
    accs = {x.id: x.code for x in session.scalars(select(FeeAccount))}
    nlines = {x.id: x for x in session.scalars(select(NoticeLine).where(NoticeLine.notice_id == notice.id))}
    cashier = session.get(Staff, r.cashier_id)
    orig = session.get(Receipt, r.refund_of_id) if r.refund_of_id else None
    lines = []
    for rl in session.scalars(select(ReceiptLine).where(ReceiptLine.receipt_id == r.id).order_by(ReceiptLine.id)):
        nl = nlines.get(rl.notice_line_id)
        lines.append(c.ReceiptLineOut(item_code=rl.item_code, item_name=rl.item_name,
                                      quantity=d.format_qty(nl.qty_centi) if nl else "", unit=nl.unit if nl else "",
                                      department=depts.get(rl.department_id, ""),
                                      account_code=accs.get(rl.account_id, ""), income_type=rl.income_type,
                                      amount_fen=rl.amount_fen))
    m = d.PayMethod(r.method)
    return c.ReceiptOut(
        receipt_no=r.receipt_no, kind=r.kind, notice_no=notice.notice_no, case_no=r.case_no,
        matter_code=notice.matter_code, payer_name=notice.payer_name, amount_fen=r.amount_fen,
        amount_yuan=yuan(r.amount_fen), amount_daxie=daxie(r.amount_fen), method=m,
        method_label=d.PAY_METHOD_LABELS[m], reference=r.reference, tendered_fen=r.tendered_fen,
        change_fen=r.change_fen, cashier_no=r.cashier_no, cashier_name=cashier.name if cashier else "",
        window_no=r.window_no, issued_at=r.issued_at, business_day=r.business_day, void=r.void,
        void_reason=r.void_reason, void_approved_by=r.void_approved_by, voided_at=r.voided_at,
        refund_of=orig.receipt_no if orig else None, refund_reason=r.refund_reason,
        refund_approved_by=r.refund_approved_by, reprints=r.reprints, reprint=reprint,
        hall_name=settings.hall_name, lines=lines, case_url=_case_url(session, notice.case_id, settings=settings))


def _case_url(session: Session, case_id: int, *, settings: Settings) -> str:
    """The paid case's phone page, printed as the receipt's QR: the payer follows the case."""
    case = session.get(Case, case_id)
    return public_url.case_url(settings=settings, case_no=case.case_no, code=case.query_code,
                               session=session) if case else ""


# --- day close ------------------------------------------------------------------------

def _day_rows(session: Session, staff_id: int, day: date) -> tuple[list[Receipt], list[d.ReceiptRow]]:
    receipts = list(session.scalars(select(Receipt).where(Receipt.cashier_id == staff_id, Receipt.business_day == day)
                                    .order_by(Receipt.series_id, Receipt.seq)))
    if not receipts:
        return [], []
    series = {s.id: s.code for s in session.scalars(select(ReceiptSeries))}
    depts = {x.id: x.name for x in session.scalars(select(Department))}
    accs = {x.id: x.code for x in session.scalars(select(FeeAccount))}
    by_receipt: dict[int, list[tuple[str, str, str, int]]] = {}
    ids = [r.id for r in receipts]
    for i in range(0, len(ids), 500):
        for rl in session.scalars(select(ReceiptLine).where(ReceiptLine.receipt_id.in_(ids[i:i + 500]))):
            by_receipt.setdefault(rl.receipt_id, []).append(
                (depts.get(rl.department_id, ""), accs.get(rl.account_id, ""), rl.income_type, rl.amount_fen))
    rows = [d.ReceiptRow(receipt_no=r.receipt_no, seq=r.seq, series=series.get(r.series_id, ""), amount_fen=r.amount_fen,
                         method=d.PayMethod(r.method), void=r.void, lines=tuple(by_receipt.get(r.id, ())))
            for r in receipts]
    return receipts, rows


def _day_out(staff: Staff, day: date, s: d.DaySummary, close: DayClose | None) -> c.DayCloseOut:
    return c.DayCloseOut(
        business_day=day, staff_no=staff.staff_no, staff_name=staff.name, closed=close is not None,
        closed_at=close.closed_at if close else None, receipt_count=s.count, void_count=s.void_count,
        total_fen=s.total_fen, by_method=s.by_method, by_account=s.by_account, numbers=s.numbers, voids=s.voids,
        refunds=s.refunds, expected_cash_fen=s.expected_cash_fen,
        counted_cash_fen=close.counted_cash_fen if close else None,
        difference_fen=close.difference_fen if close else None, note=close.note if close else "")


def day_preview(session: Session, *, settings: Settings, actor: Actor, now: datetime,
                day: date | None = None, staff_no: str | None = None) -> c.DayCloseOut:
    """What the day close will say (or said): a cashier sees their own, a manager anyone's."""
    if staff_no and staff_no != actor.staff_no:
        if not actor.has(Role.MANAGER, Role.SUPERVISOR, Role.ADMIN):
            raise Forbidden("只能查看本人的日结。", code="not_own_day")
        staff = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
        if staff is None:
            raise NotFound(f"找不到工号 {staff_no}。", code="staff_not_found")
    else:
        staff = session.get(Staff, actor.id)
        if staff is None:
            raise Forbidden("只有工作人员有日结。", code="not_cashier")
    day = day or q.business_day(now, settings.tz)
    _, rows = _day_rows(session, staff.id, day)
    return _day_out(staff, day, d.summarize(rows), _closed(session, staff.id, day))


def close_day(session: Session, *, settings: Settings, body: c.DayCloseIn, actor: Actor, now: datetime,
              day: date | None = None) -> c.DayCloseOut:
    """日结: totals by method and by department/account, numbers used, voids, cash counted
    against cash expected. Afterwards the day's receipts are frozen (no void, no new receipt)."""
    staff = _cashier(session, actor)
    today = q.business_day(now, settings.tz)
    day = day or today
    if day > today:
        raise BadInput("不能为将来的日期日结。", code="future_day")
    if _closed(session, staff.id, day) is not None:
        raise Conflict(f"{day:%Y-%m-%d} 已日结，不能重复日结。", code="already_closed")
    receipts, rows = _day_rows(session, staff.id, day)
    s = d.summarize(rows)
    diff = body.counted_cash_fen - s.expected_cash_fen
    if diff and not body.note.strip():
        raise BadInput(f"清点现金与应有现金相差 {yuan(diff)}，请填写差额说明后再日结。", code="difference_needs_note")
    close = DayClose(staff_id=staff.id, staff_no=staff.staff_no, business_day=day, closed_at=now,
                     window_no=actor.window_no, receipt_count=s.count, void_count=s.void_count,
                     total_fen=s.total_fen, expected_cash_fen=s.expected_cash_fen,
                     counted_cash_fen=body.counted_cash_fen, difference_fen=diff,
                     summary={"by_method": s.by_method, "by_account": s.by_account, "numbers": s.numbers,
                              "voids": s.voids, "refunds": s.refunds},
                     note=body.note)
    session.add(close)
    session.flush()
    for r in receipts:
        r.day_close_id = close.id
    session.flush()
    events.append(session, kinds.FEE_DAY_CLOSED.type, actor=actor, at=now, window_no=actor.window_no,
                  data={"staff_no": staff.staff_no, "business_day": day.isoformat(), "receipts": s.count,
                        "voids": s.void_count, "amount_fen": s.total_fen, "by_method": s.by_method,
                        "numbers": s.numbers, "expected_cash_fen": s.expected_cash_fen,
                        "counted_cash_fen": body.counted_cash_fen, "difference_fen": diff})
    if diff:
        log.warning("day close of %s on %s: cash difference %s", staff.staff_no, day, yuan(diff))
    return _day_out(staff, day, s, close)


# --- reconciliation -------------------------------------------------------------------

def reconcile(session: Session, *, start: date, end: date, department_code: str | None = None) -> c.ReconOut:
    """Per department, account and income type over business days [start, end]: payments,
    refunds and net, from receipt lines (voided receipts carry no money but are listed)."""
    if end < start:
        raise BadInput("结束日期不能早于开始日期。", code="bad_range")
    if (end - start).days > 366 * 5:
        raise BadInput("对账期间最长 5 年。", code="bad_range")
    dept_filter = _department(session, department_code).id if department_code else None
    depts = {x.id: x for x in session.scalars(select(Department))}
    accs = {x.id: x for x in session.scalars(select(FeeAccount))}
    qy = (select(ReceiptLine.department_id, ReceiptLine.account_id, ReceiptLine.income_type, Receipt.kind,
                 func.count(func.distinct(Receipt.id)), func.sum(ReceiptLine.amount_fen))
          .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
          .where(Receipt.business_day >= start, Receipt.business_day <= end, Receipt.void.is_(False))
          .group_by(ReceiptLine.department_id, ReceiptLine.account_id, ReceiptLine.income_type, Receipt.kind))
    if dept_filter is not None:
        qy = qy.where(ReceiptLine.department_id == dept_filter)
    agg: dict[tuple[int, int, str], list[int]] = {}
    for dept_id, acc_id, itype, kind, n, fen in session.execute(qy):
        a = agg.setdefault((dept_id, acc_id, itype), [0, 0, 0, 0])
        if kind == "payment":
            a[0] += n
            a[1] += int(fen or 0)
        else:
            a[2] += n
            a[3] += int(fen or 0)
    rows: list[c.ReconRow] = []
    for (dept_id, acc_id, itype), (np_, paid, nr, ref) in sorted(
            agg.items(), key=lambda kv: (depts[kv[0][0]].code, accs[kv[0][1]].code, kv[0][2])):
        rows.append(c.ReconRow(department=depts[dept_id].name, department_code=depts[dept_id].code,
                               account_code=accs[acc_id].code, account_name=accs[acc_id].name, income_type=itype,
                               payments=np_, paid_fen=paid, refunds=nr, refunded_fen=ref, net_fen=paid + ref))
    vq = select(Receipt.receipt_no).where(Receipt.business_day >= start, Receipt.business_day <= end,
                                          Receipt.void.is_(True)).order_by(Receipt.receipt_no)
    if dept_filter is not None:
        vq = vq.join(PaymentNotice, PaymentNotice.id == Receipt.notice_id).where(PaymentNotice.department_id == dept_filter)
    voids = list(session.scalars(vq))
    used = session.execute(select(Receipt.cashier_no, Receipt.business_day, Receipt.cashier_id).distinct()
                           .where(Receipt.business_day >= start, Receipt.business_day <= end)).all()
    closed = {(sid, day) for sid, day in session.execute(
        select(DayClose.staff_id, DayClose.business_day).where(DayClose.business_day >= start,
                                                               DayClose.business_day <= end))}
    open_days = sorted(f"{no} {day:%Y-%m-%d}" for no, day, sid in used if (sid, day) not in closed)
    paid = sum(r.paid_fen for r in rows)
    ref = sum(r.refunded_fen for r in rows)
    return c.ReconOut(start=start, end=end, department_code=department_code, rows=rows, total_paid_fen=paid,
                      total_refunded_fen=ref, total_net_fen=paid + ref, voids=voids, open_days=open_days)


def day_closes(session: Session, *, day: date) -> Sequence[DayClose]:
    return session.scalars(select(DayClose).where(DayClose.business_day == day).order_by(DayClose.staff_no)).all()


def event_keys() -> dict[str, Any]:
    """The event types this area emits and their data keys (for the case history and docs)."""
    common = ["case_no", "notice_no", "receipt_no", "amount_fen", "staff_no"]
    return {
        "fee.notice_raised": ["case_no", "notice_no", "amount_fen", "staff_no", "matter_code", "items"],
        "fee.notice_cancelled": ["case_no", "notice_no", "amount_fen", "staff_no", "reason"],
        "fee.notice_corrected": ["case_no", "notice_no", "replaces", "amount_fen", "old_amount_fen", "staff_no",
                                 "reason"],
        "fee.paid": common + ["method", "change_fen", "reference"],
        "fee.receipt_voided": common + ["voided_by", "approved_by", "reason"],
        "fee.refunded": common + ["refund_of", "method", "approved_by", "reason"],
        "fee.receipt_reprinted": common + ["reprints"],
        "fee.approval_refused": ["staff_no", "approver", "action", "receipt_no", "code"],
        "fee.day_closed": ["staff_no", "business_day", "receipts", "voids", "amount_fen", "by_method", "numbers",
                           "expected_cash_fen", "counted_cash_fen", "difference_fen"],
        "fee.item_added": ["item", "name", "matter_code", "department", "account", "income_type", "standard",
                           "legal_basis"],
        "fee.item_updated": ["item", "changes"],
        "fee.account_added": ["account", "name", "department", "bank", "account_no"],
        "fee.series_saved": ["series", "name", "prefix", "width", "last"],
    }
