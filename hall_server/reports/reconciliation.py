"""对账单 per department and collection account, as PDF (to sign) and xlsx (to check).

The xlsx keeps amounts as numbers in 元 with two decimals computed from integer 分
(``fen / 100`` only at the very edge, formatted ``#,##0.00``) plus the exact 分 column,
so a finance officer can sum in Excel and still compare to the 分 against the bank.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from .. import contract as c
from ..domain.money import daxie, yuan
from .pdf import build, grid_table, kv_table, para, styles
from . import cells

HEADER = ["部门", "收款账户", "账户名称", "收入类型", "收费笔数", "收费金额", "退费笔数", "退费金额", "净额"]


def _rows(r: c.ReconOut) -> list[list[str]]:
    return [[x.department, x.account_code, x.account_name, x.income_type, str(x.payments), yuan(x.paid_fen),
             str(x.refunds), yuan(x.refunded_fen), yuan(x.net_fen)] for x in r.rows]


def pdf(r: c.ReconOut, *, hall_name: str) -> bytes:
    st = styles()
    period = f"{r.start:%Y-%m-%d} 至 {r.end:%Y-%m-%d}"
    story: list[Flowable] = [para(hall_name, st.subtitle), para("一个窗口收费对账单", st.title),
                             para(f"期间：{period}" + (f"　部门：{r.department_code}" if r.department_code else "")
                                  , st.subtitle)]
    story.append(grid_table(HEADER, _rows(r) + [["合计", "", "", "", str(sum(x.payments for x in r.rows)),
                                                   yuan(r.total_paid_fen), str(sum(x.refunds for x in r.rows)),
                                                   yuan(r.total_refunded_fen), yuan(r.total_net_fen)]],
                            [24 * mm, 18 * mm, 26 * mm, 22 * mm, 12 * mm, 20 * mm, 12 * mm, 18 * mm, 20 * mm]))
    story += [Spacer(1, 4 * mm), kv_table([
        ("净额（大写）", "人民币" + daxie(r.total_net_fen)),
        ("作废票据", "、".join(r.voids) or "无"),
        ("未日结", "、".join(r.open_days) or "无（期间内各收费员均已日结）"),
        ("核对人签字", ""), ("部门确认签字", ""),
    ])]
    return build(story, title=f"对账单 {period}", footer=f"对账单 {period} · {hall_name}")


def xlsx(r: c.ReconOut, *, hall_name: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "对账单"
    cells.append(ws, [f"{hall_name} 一个窗口收费对账单"])
    cells.append(ws, [f"期间：{r.start:%Y-%m-%d} 至 {r.end:%Y-%m-%d}" + (f"  部门：{r.department_code}" if r.department_code else "")])
    cells.append(ws, [])
    head = ["部门", "部门编码", "收款账户", "账户名称", "收入类型", "收费笔数", "收费金额（元）", "退费笔数",
            "退费金额（元）", "净额（元）", "收费（分）", "退费（分）", "净额（分）"]
    cells.append(ws, head)
    bold = Font(bold=True)
    for cell in ws[4]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        cell.alignment = Alignment(horizontal="center")
    for x in r.rows:
        cells.append(ws, [x.department, x.department_code, x.account_code, x.account_name, x.income_type, x.payments,
                   x.paid_fen / 100, x.refunds, x.refunded_fen / 100, x.net_fen / 100,
                   x.paid_fen, x.refunded_fen, x.net_fen])
    cells.append(ws, ["合计", "", "", "", "", sum(x.payments for x in r.rows), r.total_paid_fen / 100,
               sum(x.refunds for x in r.rows), r.total_refunded_fen / 100, r.total_net_fen / 100,
               r.total_paid_fen, r.total_refunded_fen, r.total_net_fen])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in ws.iter_rows(min_row=5, max_row=ws.max_row):
        for cell in row[6:10]:
            cell.number_format = "#,##0.00"
    for col, width in zip("ABCDEFGHIJKLM", (24, 10, 14, 28, 18, 10, 16, 10, 16, 16, 14, 14, 14)):
        ws.column_dimensions[col].width = width
    cells.append(ws, [])
    cells.append(ws, ["净额（大写）", "人民币" + daxie(r.total_net_fen)])
    cells.append(ws, ["作废票据", "、".join(r.voids) or "无"])
    cells.append(ws, ["未日结", "、".join(r.open_days) or "无"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
