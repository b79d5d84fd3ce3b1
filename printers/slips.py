"""Slip layouts: queue ticket, fee receipt, acceptance / correction / rejection slips.

Each layout is a pure function ``(slip data, printer profile) -> EncodedSlip``: plain
dataclasses in, bytes out, no clock (times are passed in, already in the hall's time
zone) and no I/O, so every slip has a byte-exact golden test and prints identically on
the kiosk, in the demo and in the PNG preview.

Money is an integer number of 分. ``yuan()`` shows it as "¥120.00" and ``daxie()`` in
Chinese capital numerals (大写) following 《支付结算办法》 (附件一 正确填写票据和结算凭证的
基本规定) and 《会计基础工作规范》 第五十二条:
- 壹贰叁肆伍陆柒捌玖 拾佰仟 万亿 元角分 零 整, and 壹拾 (never a bare 拾);
- one 零 for a run of zeros inside the number ("陆仟零柒元");
- 零 after 元 when the 角 digit is 0 and 分 is not ("叁佰贰拾伍元零肆分"), and (the form
  the rule lists first) when the 元 digit is 0 and 角 is not ("壹仟陆佰捌拾元零叁角贰分");
- 整 after 元 or 角 when there is no 分 ("壹佰贰拾元整", "壹仟肆佰零玖元伍角整"); none after 分;
- amounts under one 元 start at 角/分 ("伍角整", "伍分"); zero is "零元整".
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from .escpos import Align, EncodedSlip, PrinterProfile, SlipWriter

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿")
MAX_FEN = 10**12 * 100 - 1  # 9999亿9999万9999元9角9分


def yuan(fen: int) -> str:
    """120_00 -> "¥120.00", 1234_50 -> "¥1,234.50"; a refund shows as "-¥5.00".

    A copy of ``hall_server.contract.show.yuan`` (printers may not import the server);
    tests/hall_server/contract/test_show.py keeps the two equal."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("money is an int number of 分")
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def _section(n: int) -> str:
    """0 < n < 10000 in capitals: one 零 per inner run of zeros, trailing zeros dropped."""
    out = []
    started = zero = False
    for pos in (3, 2, 1, 0):
        d = n // 10**pos % 10
        if d == 0:
            zero = zero or started
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[d] + _SMALL_UNITS[pos])
        started = True
    return "".join(out)


def _integer(n: int) -> str:
    """n > 0 yuan in capitals, by 4-digit sections (个, 万, 亿)."""
    sections = []
    while n:
        sections.append(n % 10000)
        n //= 10000
    parts: list[str] = []
    gap = False
    for i in reversed(range(len(sections))):
        sec = sections[i]
        if sec == 0:
            gap = gap or bool(parts)
            continue
        if parts and (gap or sec < 1000):
            parts.append("零")
        parts.append(_section(sec) + _BIG_UNITS[i])
        gap = False
    return "".join(parts)


def daxie(fen: int) -> str:
    """An amount in 分 in Chinese capital numerals: 12000 -> "壹佰贰拾元整"."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("money is an int number of 分")
    if not 0 <= fen <= MAX_FEN:
        raise ValueError(f"amount out of range for 大写: {fen} 分")
    whole, jiao, f = fen // 100, fen // 10 % 10, fen % 10
    if fen == 0:
        return "零元整"
    out = _integer(whole) + "元" if whole else ""
    if jiao == 0 and f == 0:
        return out + "整"
    if whole and (jiao == 0 or whole % 10 == 0):
        out += "零"
    if jiao:
        out += DIGITS[jiao] + "角"
    return out + (DIGITS[f] + "分" if f else "整")


# --------------------------------------------------------------------------- slip data


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class TicketSlip:
    """A queue ticket from the kiosk (取号凭条)."""

    hall_name: str
    number: str  # "A001": category prefix + number, printed large
    category_name: str
    waiting_ahead: int
    issued_at: datetime  # the hall's local time
    qr_payload: str = ""  # guide / progress lookup URL
    tip: str = "请留意叫号，过号需重新取号"

    def __post_init__(self) -> None:
        if self.waiting_ahead < 0:
            raise ValueError("waiting_ahead must be >= 0")
        if not self.number:
            raise ValueError("ticket number is empty")


@dataclass(frozen=True)
class ReceiptItem:
    name: str
    standard: str  # the fee standard as approved, e.g. "每件10元"
    quantity: int
    amount_fen: int  # this line's amount (quantity × standard), in 分

    def __post_init__(self) -> None:
        if isinstance(self.amount_fen, bool) or not isinstance(self.amount_fen, int) or self.amount_fen < 0:
            raise ValueError("amount_fen must be a non-negative int")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise ValueError("quantity must be a positive int")


@dataclass(frozen=True)
class ReceiptSlip:
    """A fee receipt (收费收据) from the fee window."""

    hall_name: str
    receipt_no: str
    payer: str
    items: tuple[ReceiptItem, ...]
    cashier_no: str  # 工号
    issued_at: datetime
    qr_payload: str = ""  # receipt verification URL
    total_fen: int | None = None  # if given, must equal the items' sum
    title: str = "收费收据"
    tip: str = "请妥善保管本收据，扫码可查验真伪"

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise ValueError("a receipt needs at least one item")
        s = sum(i.amount_fen for i in self.items)
        if self.total_fen is not None and self.total_fen != s:
            raise ValueError(f"total {self.total_fen} != sum of items {s}")
        object.__setattr__(self, "total_fen", s)

    @property
    def total(self) -> int:
        assert self.total_fen is not None
        return self.total_fen


@dataclass(frozen=True)
class _NoticeSlip:
    hall_name: str
    case_no: str
    matter_name: str
    applicant: str  # masked by the caller where the law does not need the full name
    issued_at: datetime
    query_url: str = ""
    notice_no: str = ""
    query_code: str = ""
    window_no: int | None = None
    clerk_no: str = ""
    enquiry_phone: str = ""
    complaint_phone: str = ""
    rating_url: str = ""  # rate-later page: a second QR under the progress one


@dataclass(frozen=True)
class AcceptanceSlip(_NoticeSlip):
    """受理回执: the case was accepted; when it is due and how to follow it."""

    due_date: date | None = None
    limit_text: str = ""  # e.g. "承诺时限 5 个工作日"
    title: str = "受理回执"
    tip: str = "扫码或凭办件编号、查询码查询办理进度"


@dataclass(frozen=True)
class CorrectionSlip(_NoticeSlip):
    """补正材料告知单: every missing material told at once (行政许可法 第三十二条)."""

    to_correct: tuple[str, ...] = field(default_factory=tuple)
    due_date: date | None = None  # bring them by
    reason: str = ""
    title: str = "补正材料告知单"
    tip: str = "以上材料一次性告知。补齐后请携带本单到窗口办理。"

    def __post_init__(self) -> None:
        object.__setattr__(self, "to_correct", tuple(self.to_correct))
        if not self.to_correct:
            raise ValueError("a correction slip lists at least one material")


@dataclass(frozen=True)
class RejectionSlip(_NoticeSlip):
    """不予受理 short slip (the full notice is the PDF): reason and how to appeal."""

    reason: str = ""
    title: str = "不予受理告知"
    tip: str = "如有异议，可依法申请行政复议或者提起行政诉讼。"


@dataclass(frozen=True)
class DayCloseSlip:
    """收费日结单 from the fee window's receipt printer: what the cashier hands over with
    the cash. Amounts in 分; labels (支付方式, 部门/账户) are already in Chinese."""

    hall_name: str
    staff_no: str
    staff_name: str
    business_day: date
    printed_at: datetime  # the hall's local time
    closed: bool  # False: a preview, printed 【未日结】
    receipt_count: int
    void_count: int
    runs: tuple[str, ...]  # "SF…01–SF…09"
    voids: tuple[str, ...]
    refunds: tuple[str, ...]
    by_method: tuple[tuple[str, int], ...]  # (label, fen)
    by_account: tuple[tuple[str, int], ...]  # (department account, fen)
    total_fen: int
    expected_cash_fen: int
    counted_cash_fen: int | None = None
    difference_fen: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("runs", "voids", "refunds", "by_method", "by_account"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.receipt_count < 0 or self.void_count < 0 or self.void_count > self.receipt_count:
            raise ValueError("receipt counts out of range")


def _signed_daxie(fen: int) -> str:
    return ("负" if fen < 0 else "") + daxie(abs(fen))


Slip = TicketSlip | ReceiptSlip | AcceptanceSlip | CorrectionSlip | RejectionSlip | DayCloseSlip


# --------------------------------------------------------------------------- layouts


def ticket(slip: TicketSlip, profile: PrinterProfile) -> EncodedSlip:
    """Hall name, the number large, category, people ahead, QR, time, tip; < 400 bytes."""
    big = 4 if profile.dots_per_line >= 512 else 3
    w = SlipWriter(profile).init()
    w.line(slip.hall_name, align=Align.CENTER, bold=True)
    w.line(slip.number, align=Align.CENTER, size=(big, big), bold=True)
    w.line(slip.category_name, align=Align.CENTER, size=(2, 2))
    ahead = f"您前面还有 {slip.waiting_ahead} 人等候" if slip.waiting_ahead else "您前面暂无人等候"
    w.line(ahead, align=Align.CENTER)
    if slip.qr_payload:
        w.qr(slip.qr_payload)
    w.line("取号时间 " + _ts(slip.issued_at), align=Align.CENTER)
    if slip.tip:
        w.line(slip.tip, align=Align.CENTER)
    return w.cut().build()


def receipt(slip: ReceiptSlip, profile: PrinterProfile) -> EncodedSlip:
    """Receipt number, payer, items with their standard, total in ¥ and 大写, 工号, time, QR."""
    from .escpos import pad_between  # local: keeps the public names of this module small
    w = SlipWriter(profile).init()
    w.line(slip.hall_name, align=Align.CENTER, bold=True)
    w.line(slip.title, align=Align.CENTER, size=(2, 2), bold=True)
    w.labelled("收据号：", slip.receipt_no)
    w.labelled("缴款人：", slip.payer)
    w.labelled("收款时间：", _ts(slip.issued_at))
    w.rule()
    cols = profile.columns
    for item in slip.items:
        w.line(pad_between(item.name, yuan(item.amount_fen), cols))
        w.line("  标准：" + item.standard + f"  ×{item.quantity}")
    w.rule()
    w.pair("合计", yuan(slip.total), size=(1, 2), bold=True)
    w.labelled("大写：", "人民币" + daxie(slip.total))
    w.labelled("收款员工号：", slip.cashier_no)
    if slip.qr_payload:
        w.qr(slip.qr_payload)
    if slip.tip:
        w.line(slip.tip, align=Align.CENTER)
    return w.cut().build()


def _notice_head(w: SlipWriter, s: _NoticeSlip, title: str) -> None:
    w.line(s.hall_name, align=Align.CENTER, bold=True)
    w.line(title, align=Align.CENTER, size=(2, 2), bold=True)
    if s.notice_no:
        w.labelled("文书编号：", s.notice_no)
    w.labelled("办件编号：", s.case_no)
    if s.query_code:
        w.labelled("查询码：", s.query_code)
    w.labelled("申请人：", s.applicant)
    w.labelled("事项：", s.matter_name)


def _notice_tail(w: SlipWriter, s: _NoticeSlip, tip: str) -> None:
    where = f"{s.window_no}号窗口" if s.window_no is not None else ""
    if s.clerk_no:
        where = (where + "  " if where else "") + f"工号 {s.clerk_no}"
    if where:
        w.labelled("经办：", where)
    w.labelled("时间：", _ts(s.issued_at))
    if s.enquiry_phone:
        w.labelled("咨询电话：", s.enquiry_phone)
    if s.complaint_phone:
        w.labelled("投诉电话：", s.complaint_phone)
    if s.query_url:
        w.qr(s.query_url)
    if tip:
        w.line(tip, align=Align.CENTER)
    if s.rating_url:
        w.line("扫码评价本次服务", align=Align.CENTER)
        w.qr(s.rating_url)


def acceptance(slip: AcceptanceSlip, profile: PrinterProfile) -> EncodedSlip:
    w = SlipWriter(profile).init()
    _notice_head(w, slip, slip.title)
    if slip.due_date is not None:
        w.labelled("承诺办结：", _day(slip.due_date), bold=True)
    if slip.limit_text:
        w.labelled("时限：", slip.limit_text)
    _notice_tail(w, slip, slip.tip)
    return w.cut().build()


def correction(slip: CorrectionSlip, profile: PrinterProfile) -> EncodedSlip:
    w = SlipWriter(profile).init()
    _notice_head(w, slip, slip.title)
    if slip.reason:
        w.labelled("说明：", slip.reason)
    w.line("请补正以下材料：", bold=True)
    w.numbered(slip.to_correct)
    if slip.due_date is not None:
        w.labelled("补正期限：", _day(slip.due_date) + "前", bold=True)
    _notice_tail(w, slip, slip.tip)
    return w.cut().build()


def rejection(slip: RejectionSlip, profile: PrinterProfile) -> EncodedSlip:
    w = SlipWriter(profile).init()
    _notice_head(w, slip, slip.title)
    if slip.reason:
        w.labelled("理由：", slip.reason)
    _notice_tail(w, slip, slip.tip)
    return w.cut().build()


def day_close(slip: DayCloseSlip, profile: PrinterProfile) -> EncodedSlip:
    """Numbers used, totals by method and account, cash expected/counted, difference, note."""
    w = SlipWriter(profile).init()
    w.line(slip.hall_name, align=Align.CENTER, bold=True)
    w.line("收费日结单", align=Align.CENTER, size=(2, 2), bold=True)
    if not slip.closed:
        w.line("【未日结 预览】", align=Align.CENTER, bold=True)
    w.labelled("营业日：", _day(slip.business_day))
    w.labelled("收费员：", f"{slip.staff_name} 工号 {slip.staff_no}")
    w.labelled("票据：", f"{slip.receipt_count} 张（作废 {slip.void_count} 张）")
    w.labelled("号码：", "；".join(slip.runs) or "无")
    if slip.voids:
        w.labelled("作废：", "、".join(slip.voids))
    if slip.refunds:
        w.labelled("退费：", "、".join(slip.refunds))
    w.rule()
    for label, fen in slip.by_method:
        w.pair(label, yuan(fen))
    w.rule()
    for label, fen in slip.by_account:
        w.pair(label, yuan(fen))
    w.rule()
    w.pair("合计", yuan(slip.total_fen), size=(1, 2), bold=True)
    w.labelled("大写：", "人民币" + _signed_daxie(slip.total_fen))
    w.pair("应有现金", yuan(slip.expected_cash_fen))
    if slip.counted_cash_fen is not None:
        w.pair("清点现金", yuan(slip.counted_cash_fen))
    if slip.difference_fen is not None:
        diff = slip.difference_fen
        w.pair("差额", "无差额" if diff == 0 else ("长款 " if diff > 0 else "短款 ") + yuan(abs(diff)), bold=bool(diff))
    if slip.note:
        w.labelled("说明：", slip.note)
    w.labelled("打印时间：", _ts(slip.printed_at))
    w.feed(1)
    w.line("收费员签字：")
    w.feed(1)
    w.line("复核人签字：")
    return w.cut().build()


@functools.singledispatch
def render(slip: object, profile: PrinterProfile) -> EncodedSlip:
    """Any slip dataclass to bytes for this printer."""
    raise TypeError(f"no layout for {type(slip).__name__}")


render.register(TicketSlip)(ticket)
render.register(ReceiptSlip)(receipt)
render.register(AcceptanceSlip)(acceptance)
render.register(CorrectionSlip)(correction)
render.register(RejectionSlip)(rejection)
render.register(DayCloseSlip)(day_close)


def render_all(slips: Sequence[Slip], profile: PrinterProfile) -> EncodedSlip:
    """Several slips as one job (a receipt and its acceptance slip, say)."""
    parts = [render(s, profile) for s in slips]
    return EncodedSlip(b"".join(p.data for p in parts), tuple(r for p in parts for r in p.replacements))


__all__ = [
    "AcceptanceSlip", "CorrectionSlip", "DayCloseSlip", "ReceiptItem", "ReceiptSlip", "RejectionSlip", "Slip",
    "TicketSlip",
    "acceptance", "correction", "day_close", "daxie", "receipt", "rejection", "render", "render_all", "ticket", "yuan",
]
