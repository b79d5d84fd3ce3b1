"""The receipt (收费票据) and the payment notice (缴费通知单) as PDF.

A receipt shows what an auditor checks: its number, the payer, every item with its
department, account and income type, the total in 小写 and 大写, how it was paid, who
took it; a voided receipt keeps its number and shows 作废 with the reason and approver;
a reprint shows 重打 so it can never pass for a second original.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from .. import contract as c
from ..domain.fees import PAY_METHOD_LABELS
from ..domain.money import daxie, yuan
from .pdf import build, cjk_font, grid_table, kv_table, para, qr, styles


def _local(dt: object, tz: ZoneInfo) -> str:
    from datetime import datetime
    assert isinstance(dt, datetime)
    return dt.astimezone(tz).strftime("%Y年%m月%d日 %H:%M")


def _stamp(text: str, colour: colors.Color) -> object:
    """A large diagonal word across the page (作废 / 重打)."""
    def draw(canvas: Canvas, page: int) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font(), 72)
        canvas.setFillColor(colour)
        canvas.setFillAlpha(0.35)
        canvas.translate(105 * mm, 170 * mm)
        canvas.rotate(30)
        canvas.drawCentredString(0, 0, text)
        canvas.restoreState()
    return draw


def receipt_pdf(r: c.ReceiptOut, *, tz: ZoneInfo) -> bytes:
    st = styles()
    title = "退费凭证" if r.kind == "refund" else "政务服务收费票据"
    marks = []
    if r.void:
        marks.append("作废")
    if r.reprint:
        marks.append(f"重打（第 {r.reprints} 次）")
    story: list[Flowable] = [para(r.hall_name or "政务服务中心", st.subtitle), para(title, st.title)]
    if marks:
        story.append(para("【" + "】【".join(marks) + "】", st.title))
    head = [
        ("票据号码", r.receipt_no),
        ("开票时间", _local(r.issued_at, tz)),
        ("缴费人", r.payer_name),
        ("办件编号", r.case_no),
        ("缴费通知单", r.notice_no),
    ]
    if r.refund_of:
        head.append(("原票据号码", r.refund_of))
    story += [kv_table(head), Spacer(1, 4 * mm)]
    rows = [[ln.item_code, ln.item_name, f"{ln.quantity}{ln.unit}" if ln.quantity else "", ln.department,
             ln.account_code, ln.income_type, yuan(ln.amount_fen)] for ln in r.lines]
    story.append(grid_table(["编码", "收费项目", "数量", "执收部门", "收款账户", "收入类型", "金额"], rows,
                            [18 * mm, 36 * mm, 16 * mm, 30 * mm, 24 * mm, 26 * mm, 20 * mm]))
    story.append(Spacer(1, 3 * mm))
    total = [("合计（小写）", yuan(r.amount_fen)), ("合计（大写）", "人民币" + daxie(r.amount_fen)),
             ("支付方式", PAY_METHOD_LABELS[r.method] + (f"（{r.reference}）" if r.reference else ""))]
    if r.tendered_fen is not None:
        total.append(("实收 / 找零", f"{yuan(r.tendered_fen)} / {yuan(r.change_fen)}"))
    total.append(("收款人", f"{r.cashier_name}（工号 {r.cashier_no}）" + (f"，{r.window_no} 号窗口" if r.window_no else "")))
    if r.kind == "refund":
        total.append(("退费原因", r.refund_reason or ""))
        total.append(("审批人", r.refund_approved_by or ""))
    if r.void:
        total.append(("作废原因", r.void_reason or ""))
        total.append(("作废审批人", r.void_approved_by or ""))
        if r.voided_at:
            total.append(("作废时间", _local(r.voided_at, tz)))
    story.append(kv_table(total))
    if r.case_url:  # the case's phone page (issue 15): the payer follows the case from here
        link = Table([[para(f"办件进度查询：扫描右侧二维码，或访问 {r.case_url}", st.small), qr(r.case_url, 24 * mm)]],
                     colWidths=[145 * mm, 27 * mm])
        link.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story += [Spacer(1, 3 * mm), link]
    stamp = _stamp("作废", colors.red) if r.void else (_stamp("重打", colors.blue) if r.reprint else None)
    return build(story, title=f"{title} {r.receipt_no}", footer=f"{r.receipt_no} · {r.hall_name}",
                 on_page=stamp)  # type: ignore[arg-type]


def notice_pdf(n: c.NoticeOut, *, hall_name: str, tz: ZoneInfo) -> bytes:
    st = styles()
    story: list[Flowable] = [para(hall_name, st.subtitle), para("缴费通知单", st.title)]
    head = kv_table([
        ("通知单号", n.notice_no), ("办件编号", n.case_no), ("事项", f"{n.matter_name}（{n.matter_code}）"),
        ("缴费人", n.payer_name), ("开具部门", n.department),
        ("开具时间", _local(n.raised_at, tz) + (f"，{n.window_no} 号窗口，工号 {n.raised_by}" if n.window_no else "")),
        ("状态", n.state_label),
    ], widths=(30 * mm, 105 * mm))
    t = Table([[head, qr(n.qr_text, 32 * mm)]], colWidths=[137 * mm, 35 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [t, Spacer(1, 4 * mm)]
    rows = [[str(ln.line_no), ln.item_name, ln.standard_text, f"{ln.quantity}{ln.unit}", ln.legal_basis,
             yuan(ln.amount_fen)] for ln in n.lines]
    story.append(grid_table(["序号", "收费项目", "收费标准", "数量", "收费依据", "金额"], rows,
                            [10 * mm, 30 * mm, 35 * mm, 18 * mm, 57 * mm, 20 * mm]))
    story += [Spacer(1, 3 * mm),
              kv_table([("合计（小写）", yuan(n.total_fen)), ("合计（大写）", "人民币" + daxie(n.total_fen))]),
              Spacer(1, 3 * mm),
              para("请持本通知单到综合收费窗口缴费（可出示二维码扫码查询）。收费员只按本单所列项目和金额收费。", st.small)]
    return build(story, title=f"缴费通知单 {n.notice_no}", footer=f"{n.notice_no} · {hall_name}")
