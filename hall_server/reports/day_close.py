"""日结单 on A4: what the cashier hands over with the cash and signs.

The same figures as the cashier's screen and the thermal slip (``GET /fees/day``): receipts
used (runs of numbers, voids, refunds), totals by method and by department/account, cash
expected against cash counted, the difference and the note that explains it. A day not
yet closed prints 【未日结 · 预览】 so a preview can never be filed as the close.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from .. import contract as c
from ..domain.fees import PAY_METHOD_LABELS, PayMethod
from ..contract import show
from ..contract.show import daxie, yuan
from .pdf import build, grid_table, kv_table, para, styles


def _difference(d: c.DayCloseOut) -> str:
    if d.difference_fen is None:
        return "—"
    if d.difference_fen == 0:
        return "无差额"
    return ("长款 " if d.difference_fen > 0 else "短款 ") + yuan(abs(d.difference_fen))


def pdf(d: c.DayCloseOut, *, hall_name: str, tz: ZoneInfo) -> bytes:
    st = styles()
    story: list[Flowable] = [para(hall_name, st.subtitle), para("收费日结单", st.title)]
    if not d.closed:
        story.append(para("【未日结 · 预览】", st.title))
    runs = "；".join(f"{a}–{b}" if a != b else a for rs in d.numbers.values() for a, b in rs)
    closed_at = show.local_time(d.closed_at, tz) if d.closed_at else "未日结"
    story.append(kv_table([
        ("营业日", f"{d.business_day.year}年{d.business_day.month}月{d.business_day.day}日"),
        ("收费员", f"{d.staff_name}（工号 {d.staff_no}）"),
        ("日结时间", closed_at),
        ("票据张数", f"{d.receipt_count} 张（其中作废 {d.void_count} 张）"),
        ("使用号码", runs or "无"),
        ("作废票据", "、".join(d.voids) or "无"),
        ("退费凭证", "、".join(d.refunds) or "无"),
        ("合计（小写）", yuan(d.total_fen)),
        ("合计（大写）", "人民币" + daxie(d.total_fen)),
    ]))
    story.append(Spacer(1, 4 * mm))
    story.append(para("按支付方式", st.subtitle))
    story.append(grid_table(["支付方式", "金额"],
                            [[PAY_METHOD_LABELS[PayMethod(k)], yuan(v)] for k, v in d.by_method.items()],
                            [60 * mm, 60 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(para("按部门和收款账户", st.subtitle))
    story.append(grid_table(["部门", "收款账户", "收入类型", "金额"],
                            [[a["department"], a["account"], a["income_type"], yuan(int(a["fen"]))]
                             for a in d.by_account] or [["无", "", "", ""]],
                            [50 * mm, 30 * mm, 55 * mm, 35 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(kv_table([
        ("应有现金", yuan(d.expected_cash_fen)),
        ("清点现金", "—" if d.counted_cash_fen is None else yuan(d.counted_cash_fen)),
        ("差额", _difference(d)),
        ("差额说明", d.note or ("—" if not d.difference_fen else "")),
        ("收费员签字", ""), ("复核人签字", ""),
    ]))
    title = f"日结单 {d.staff_no} {d.business_day:%Y-%m-%d}"
    return build(story, title=title, footer=f"{title} · {hall_name}")
