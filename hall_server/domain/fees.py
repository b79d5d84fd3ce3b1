"""一个窗口收费: fee standards, notice and receipt rules, day-close arithmetic. Pure.

The amount of every line on a payment notice comes from the fee item's *standard*, never
from a clerk's keyboard. A standard is data (configured by the admin), not code: there is
no string to ``eval``. Three shapes cover the fees a hall collects:

* ``fixed``: a flat amount per piece (登记费 80 元/件); the quantity is a whole count;
* ``per_unit``: a unit price × quantity (工本费 10 元/本, 测绘费 1.36 元/m²);
* ``tiered``: progressive brackets by quantity (area), each slice at its own price, with a
  floor and a cap (e.g. 0–200 m² at 1.00 元, the rest at 0.80 元, at least 50 元, at most
  2,000 元).

Arithmetic is exact: quantities are integer hundredths of a unit (``qty_centi``: 120.55 m²
is 12055), prices are integer 分 per unit, and the product is a ``Fraction``. **Rounding
rule:** a line is rounded once, at the end, half up to whole 分 (四舍五入), *then* clamped to
the standard's minimum and maximum. Slices of a tiered line are summed unrounded, so the
order of brackets can never leak a 分.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .errors import BadInput, Conflict
from .money import MAX_FEN, ascii_digits, round_half_up

CENTI = 100  # quantity scale: hundredths of a unit
MAX_QTY_CENTI = 10**9  # ten million units: a typo guard, not a business rule
MAX_PRICE_FEN = 10**10


class StandardKind(StrEnum):
    FIXED = "fixed"
    PER_UNIT = "per_unit"
    TIERED = "tiered"


class IncomeType(StrEnum):
    """收入类型 on the non-tax revenue receipt (非税收入)."""
    ADMIN_FEE = "行政事业性收费"
    GOV_FUND = "政府性基金"
    FINE = "罚没收入"
    STATE_ASSET = "国有资源（资产）有偿使用收入"
    OTHER = "其他非税收入"


class PayMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    TRANSFER = "transfer"
    QR = "qr"


PAY_METHOD_LABELS: Mapping[PayMethod, str] = {
    PayMethod.CASH: "现金", PayMethod.CARD: "银行卡", PayMethod.TRANSFER: "转账", PayMethod.QR: "扫码支付",
}
# how this area's events read (label, sentence) is declared in contract/events.py


@dataclass(frozen=True)
class Tier:
    """A bracket: quantities up to ``upto_centi`` (None = no upper bound) at ``price_fen`` per unit."""
    upto_centi: int | None
    price_fen: int


@dataclass(frozen=True)
class Standard:
    """The configured standard of a fee item. Built from stored JSON by ``standard_from``."""
    kind: StandardKind
    price_fen: int = 0  # fixed: per piece; per_unit: per unit
    tiers: tuple[Tier, ...] = ()
    min_fen: int | None = None
    max_fen: int | None = None
    whole_units: bool = True  # quantity must be a whole number (pieces, certificates)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "price_fen": self.price_fen,
                "tiers": [{"upto_centi": t.upto_centi, "price_fen": t.price_fen} for t in self.tiers],
                "min_fen": self.min_fen, "max_fen": self.max_fen, "whole_units": self.whole_units}


def standard_from(data: Mapping[str, Any]) -> Standard:
    """Validate a standard as the admin configures it; every flaw is a plain-Chinese 422."""
    try:
        kind = StandardKind(data.get("kind"))
    except ValueError:
        raise BadInput("收费标准类型须为 fixed（定额）、per_unit（按单价）或 tiered（按面积分档）。",
                       code="bad_standard") from None
    price = _int(data.get("price_fen", 0), "单价")
    tiers_in = data.get("tiers") or []
    mn = data.get("min_fen")
    mx = data.get("max_fen")
    mn = None if mn is None else _int(mn, "最低收费")
    mx = None if mx is None else _int(mx, "最高收费")
    whole = bool(data.get("whole_units", kind is StandardKind.FIXED))
    if kind is StandardKind.FIXED:
        whole = True
    tiers: list[Tier] = []
    if kind is StandardKind.TIERED:
        if not tiers_in:
            raise BadInput("分档收费至少要有一档。", code="bad_standard")
        last = 0
        for i, t in enumerate(tiers_in):
            upto = t.get("upto_centi")
            tp = _int(t.get("price_fen", 0), "分档单价")
            if upto is None:
                if i != len(tiers_in) - 1:
                    raise BadInput("只有最后一档可以不设上限。", code="bad_standard")
            else:
                upto = _int(upto, "分档上限")
                if upto <= last:
                    raise BadInput("分档上限必须逐档递增。", code="bad_standard")
                last = upto
            tiers.append(Tier(upto, tp))
    elif price <= 0:
        raise BadInput("单价必须大于 0。", code="bad_standard")
    if mn is not None and mx is not None and mn > mx:
        raise BadInput("最低收费不能高于最高收费。", code="bad_standard")
    return Standard(kind=kind, price_fen=price, tiers=tuple(tiers), min_fen=mn, max_fen=mx, whole_units=whole)


def _int(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > MAX_PRICE_FEN:
        raise BadInput(f"{what}须为 0 到 {MAX_PRICE_FEN} 之间的整数（分）。", code="bad_standard")
    return v


def check_quantity(std: Standard, qty_centi: int) -> None:
    if isinstance(qty_centi, bool) or not isinstance(qty_centi, int) or qty_centi <= 0:
        raise BadInput("数量必须大于 0。", code="bad_quantity")
    if qty_centi > MAX_QTY_CENTI:
        raise BadInput("数量过大，请核对。", code="bad_quantity")
    if std.whole_units and qty_centi % CENTI:
        raise BadInput("该收费项目按件计，数量须为整数。", code="bad_quantity")


def exact_amount(std: Standard, qty_centi: int) -> Fraction:
    """The unrounded amount in 分 (before min/max): what the formula says, exactly."""
    q = Fraction(qty_centi, CENTI)
    if std.kind is StandardKind.TIERED:
        total = Fraction(0)
        lower = Fraction(0)
        for t in std.tiers:
            upper = Fraction(t.upto_centi, CENTI) if t.upto_centi is not None else None
            top = q if upper is None else min(q, upper)
            if top > lower:
                total += (top - lower) * t.price_fen
            if upper is None or q <= upper:
                break
            lower = upper
        return total
    return q * std.price_fen


def line_amount(std: Standard, qty_centi: int) -> int:
    """The amount of one notice line in 分: exact product, round half up once, then clamp."""
    check_quantity(std, qty_centi)
    fen = round_half_up(exact_amount(std, qty_centi))
    if std.min_fen is not None:
        fen = max(fen, std.min_fen)
    if std.max_fen is not None:
        fen = min(fen, std.max_fen)
    if fen > MAX_FEN:
        raise BadInput("金额超出范围，请核对数量。", code="bad_quantity")
    return fen


def describe(std: Standard, unit: str) -> str:
    """The standard as a person reads it on the notice (收费标准 column)."""
    from .money import yuan
    if std.kind is StandardKind.FIXED:
        s = f"{yuan(std.price_fen)}/{unit or '件'}"
    elif std.kind is StandardKind.PER_UNIT:
        s = f"{yuan(std.price_fen)}/{unit or '单位'}"
    else:
        parts = []
        lower = 0
        for t in std.tiers:
            hi = "以上" if t.upto_centi is None else f"–{_qty(t.upto_centi)}"
            parts.append(f"{_qty(lower)}{hi}{unit} {yuan(t.price_fen)}")
            lower = t.upto_centi or lower
        s = "；".join(parts)
    if std.min_fen is not None:
        s += f"，最低 {yuan(std.min_fen)}"
    if std.max_fen is not None:
        s += f"，最高 {yuan(std.max_fen)}"
    return s


def _qty(centi: int) -> str:
    return format_qty(centi)


def check_exclusive(items: Iterable[tuple[str, str]]) -> None:
    """Items of one exclusive group (登记费 住宅 / 非住宅) are never charged together: a
    property is one or the other. ``items`` are (name, group) in notice order; "" = no group."""
    seen: dict[str, str] = {}
    for name, group in items:
        if not group:
            continue
        if group in seen:
            raise BadInput(f"收费项目“{seen[group]}”与“{name}”互斥，不能在同一张缴费通知单上同时收取。",
                           code="exclusive_items")
        seen[group] = name


def format_qty(centi: int) -> str:
    """12055 -> '120.55', 200 -> '2'."""
    w, f = divmod(centi, CENTI)
    return str(w) if f == 0 else f"{w}.{f:02d}".rstrip("0")


def parse_qty(text: str) -> int:
    """'120.55' -> 12055; more than two decimals is an error (never rounded silently)."""
    t = text.strip()
    whole, _, frac = t.partition(".")
    if not ascii_digits(whole) or (frac and not ascii_digits(frac)) or len(frac) > 2 or len(whole) > 8:
        raise BadInput(f"数量“{text}”格式不正确（最多两位小数）。", code="bad_quantity")
    return int(whole) * CENTI + int((frac + "00")[:2])


# --- payment notices --------------------------------------------------------------

class NoticeState(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    CANCELLED = "cancelled"


class NoticeAction(StrEnum):
    PAY = "pay"
    VOID_RECEIPT = "void_receipt"  # the receipt is voided: the notice may be paid again
    CANCEL = "cancel"


NOTICE_TRANSITIONS: Mapping[tuple[NoticeState, NoticeAction], NoticeState] = {
    (NoticeState.UNPAID, NoticeAction.PAY): NoticeState.PAID,
    (NoticeState.UNPAID, NoticeAction.CANCEL): NoticeState.CANCELLED,
    (NoticeState.PAID, NoticeAction.VOID_RECEIPT): NoticeState.UNPAID,
}

NOTICE_STATE_LABELS: Mapping[NoticeState, str] = {
    NoticeState.UNPAID: "待缴费", NoticeState.PAID: "已缴费", NoticeState.CANCELLED: "已撤销",
}

_NOTICE_REFUSALS: Mapping[tuple[NoticeState, NoticeAction], tuple[str, str]] = {
    (NoticeState.PAID, NoticeAction.PAY): ("already_paid", "该缴费通知单已缴费，不能重复收费。"),
    (NoticeState.CANCELLED, NoticeAction.PAY): ("notice_cancelled", "该缴费通知单已撤销，不能收费。"),
    (NoticeState.PAID, NoticeAction.CANCEL): ("already_paid", "该缴费通知单已缴费，不能撤销；如需退费请走退费审批。"),
    (NoticeState.CANCELLED, NoticeAction.CANCEL): ("notice_cancelled", "该缴费通知单已撤销。"),
}


def notice_step(state: NoticeState, action: NoticeAction) -> NoticeState:
    """Next notice state; an illegal move raises a Conflict with the reason and changes nothing."""
    try:
        return NOTICE_TRANSITIONS[state, action]
    except KeyError:
        code, msg = _NOTICE_REFUSALS.get(
            (state, action), ("illegal_transition", f"缴费通知单当前状态为“{NOTICE_STATE_LABELS[state]}”，不能执行此操作。"))
        raise Conflict(msg, code=code) from None


def notice_allowed(state: NoticeState) -> frozenset[NoticeAction]:
    return frozenset(a for (s, a) in NOTICE_TRANSITIONS if s == state)


QR_PREFIX = "HALLFEE"


def notice_qr_text(notice_no: str, total_fen: int) -> str:
    """What the notice's QR code holds: number and amount, so a scan of a stale or edited
    print is caught (the amount must match the stored notice)."""
    return f"{QR_PREFIX}:{notice_no}:{total_fen}"


def parse_lookup(text: str) -> tuple[str, int | None]:
    """A typed notice number or a scanned QR text -> (notice_no, amount from the QR or None)."""
    t = text.strip()
    if t.upper().startswith(QR_PREFIX + ":"):
        parts = t.split(":")
        if len(parts) != 3 or not parts[2].isdigit():
            raise BadInput("无法识别的缴费二维码。", code="bad_qr")
        return parts[1].strip().upper(), int(parts[2])
    if not t:
        raise BadInput("请输入缴费通知单号或扫描二维码。", code="bad_qr")
    return t.upper(), None


def format_notice_no(day: date, seq: int) -> str:
    """JF20261124 + 4 digits (more when a day has more: never wraps)."""
    return f"JF{day:%Y%m%d}{seq:04d}"


def format_receipt_no(prefix: str, seq: int, width: int) -> str:
    return f"{prefix}{seq:0{width}d}"


# --- payment ----------------------------------------------------------------------

@dataclass(frozen=True)
class Tender:
    method: PayMethod
    change_fen: int
    tendered_fen: int | None
    reference: str


def tender(method: PayMethod, *, due_fen: int, tendered_fen: int | None, reference: str) -> Tender:
    """Check how the payer pays: cash needs enough tendered (change back), the others a
    reference the bank statement can be matched on (card trace no., transfer serial, QR order)."""
    ref = reference.strip()
    if method is PayMethod.CASH:
        if tendered_fen is None:
            raise BadInput("现金收费请输入实收金额。", code="tendered_missing")
        if tendered_fen < due_fen:
            raise BadInput("实收金额不足应收金额。", code="tendered_short")
        return Tender(method, tendered_fen - due_fen, tendered_fen, ref)
    if tendered_fen is not None and tendered_fen != due_fen:
        raise BadInput("非现金支付的金额须与应收金额一致。", code="tendered_mismatch")
    if not ref:
        label = {PayMethod.CARD: "刷卡凭证号", PayMethod.TRANSFER: "转账流水号", PayMethod.QR: "支付订单号"}[method]
        raise BadInput(f"请输入{label}。", code="reference_missing")
    return Tender(method, 0, None, ref)


# --- void and refund ----------------------------------------------------------------

APPROVER_ROLES = frozenset({"supervisor", "manager"})


def check_void(*, receipt_day: date, today: date, day_closed: bool, already_void: bool, is_refund: bool) -> None:
    """作废: only the same business day, before that day is closed, once."""
    if already_void:
        raise Conflict("该票据已作废。", code="already_void")
    if is_refund:
        raise Conflict("退费凭证不能作废。", code="refund_not_voidable")
    if day_closed:
        raise Conflict("该票据所在日已日结，不能作废；如需退款请走退费审批。", code="day_closed")
    if receipt_day != today:
        raise Conflict("只能作废当日开具的票据；往日票据请走退费审批。", code="not_same_day")


def check_refund(*, voidable: bool, already_void: bool, is_refund: bool, paid_fen: int,
                 refunded_fen: int, amount_fen: int) -> None:
    """退费: after close (before close a mistake is voided), never more than is left."""
    if already_void:
        raise Conflict("该票据已作废，不能退费。", code="already_void")
    if is_refund:
        raise Conflict("退费凭证不能再退费。", code="refund_of_refund")
    if voidable:
        raise Conflict("该票据当日尚未日结，请作废后重收，不能退费。", code="use_void")
    if amount_fen <= 0:
        raise BadInput("退费金额必须大于 0。", code="bad_amount")
    if amount_fen > paid_fen - refunded_fen:
        left = paid_fen - refunded_fen
        from .money import yuan
        raise BadInput(f"退费金额超过可退金额（可退 {yuan(left)}）。", code="refund_exceeds_paid")


# --- day close ------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceiptRow:
    """What the day close needs of one receipt (loaded by the service)."""
    receipt_no: str
    seq: int
    series: str
    amount_fen: int  # negative for a refund
    method: PayMethod
    void: bool
    lines: tuple[tuple[str, str, str, int], ...]  # (department, account, income type, fen)


@dataclass(frozen=True)
class DaySummary:
    count: int
    void_count: int
    total_fen: int  # valid receipts and refunds (net)
    by_method: dict[str, int]
    by_account: list[dict[str, Any]]  # department, account, income_type, fen
    numbers: dict[str, list[list[str]]]  # series -> contiguous runs [first, last]
    voids: list[str]
    refunds: list[str]
    expected_cash_fen: int


def summarize(rows: Iterable[ReceiptRow]) -> DaySummary:
    """Totals for a cashier's day: voided receipts count as used numbers but carry no money."""
    rows = sorted(rows, key=lambda r: (r.series, r.seq))
    by_method: dict[str, int] = {m.value: 0 for m in PayMethod}
    by_acc: dict[tuple[str, str, str], int] = {}
    runs: dict[str, list[list[str]]] = {}
    last: dict[str, int] = {}
    voids: list[str] = []
    refunds: list[str] = []
    total = 0
    for r in rows:
        s_runs = runs.setdefault(r.series, [])
        if s_runs and last[r.series] + 1 == r.seq:
            s_runs[-1][1] = r.receipt_no
        else:
            s_runs.append([r.receipt_no, r.receipt_no])
        last[r.series] = r.seq
        if r.void:
            voids.append(r.receipt_no)
            continue
        if r.amount_fen < 0:
            refunds.append(r.receipt_no)
        total += r.amount_fen
        by_method[r.method.value] += r.amount_fen
        for dept, acc, itype, fen in r.lines:
            by_acc[dept, acc, itype] = by_acc.get((dept, acc, itype), 0) + fen
    accounts = [{"department": d, "account": a, "income_type": t, "fen": f}
                for (d, a, t), f in sorted(by_acc.items())]
    return DaySummary(count=len(rows), void_count=len(voids), total_fen=total, by_method=by_method,
                      by_account=accounts, numbers=runs, voids=voids, refunds=refunds,
                      expected_cash_fen=by_method[PayMethod.CASH.value])
