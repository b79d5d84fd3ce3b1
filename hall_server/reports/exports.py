"""Supervision exports: the searched log and the period's 红黄牌, as xlsx and PDF.

An export is evidence handed outside the system, so it states what was searched, when,
and the seq range it covers; times are shown in the hall's zone. Each event reads as the
catalogue's Chinese sentence (``contract/events.py``), with the staff's names; the xlsx
keeps the hash of each row so it can be checked against the chain. Personal data stays
as the log holds it (the log stores 身份证号 masked already).
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from .. import contract as c
from ..contract import events as kinds
from ..contract import show
from ..models import Event
from ..settings import Settings
from . import cells, pdf

HEAD_FILL = PatternFill("solid", fgColor="DDE6F1")
FILTER_LABELS = {"start": "起", "end": "止", "window_no": "窗口", "staff_no": "工号", "type_": "类型",
                 "case_no": "办件号", "ticket": "号票"}


def describe(filters: Mapping[str, Any], tz: Any) -> str:
    parts = []
    for k, label in FILTER_LABELS.items():
        v = filters.get(k)
        if v is None or v == "":
            continue
        if isinstance(v, datetime):
            v = show.local_minute(v, tz)
        elif k == "type_":
            v = kinds.type_filter_text(str(v))
        parts.append(f"{label}：{v}")
    return "；".join(parts) or "全部"


def _local(at: datetime, tz: Any) -> str:
    return show.local_time(at, tz)


def _who(e: Event, names: Mapping[str, str]) -> str:
    return kinds.actor_text(e.actor, names)


def supervision_xlsx(evs: Iterable[Event], cards: c.CardsOut, *, settings: Settings, now: datetime,
                     filters: Mapping[str, Any], names: Mapping[str, str] | None = None) -> bytes:
    tz = settings.tz
    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    ws.title = "事件日志"
    cells.append(ws, [f"{settings.hall_name} 监察导出（事件日志）"])
    ws["A1"].font = Font(bold=True, size=13)
    cells.append(ws, [f"查询条件：{describe(filters, tz)}；导出时间：{_local(now, tz)}"])
    names = names or {}
    head = ["序号", "时间", "操作者", "窗口", "事件", "经过", "办件号", "号票", "工号", "哈希"]
    cells.append(ws, head)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
    n = 0
    for e in evs:
        cells.append(ws, [e.seq, _local(e.at, tz), _who(e, names), e.window_no, kinds.label(e.type, e.data),
                   kinds.sentence(e, names=names, tz=tz), e.case_no, e.ticket_no, e.staff_no, e.hash])
        n += 1
    for col, width in zip("ABCDEFGHIJ", (8, 20, 18, 6, 18, 70, 22, 8, 8, 20)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    cs = wb.create_sheet("红黄牌")
    cells.append(cs, [f"红黄牌 {cards.start.isoformat()} 至 {cards.end.isoformat()}（规则：{cards.city}）"])
    cs["A1"].font = Font(bold=True, size=13)
    cells.append(cs, [f"红牌 {cards.red}，黄牌 {cards.yellow}，未签阅 {cards.open}"])
    chead = ["牌", "规则", "日期", "说明", "工号", "窗口", "办件号", "号票", "签阅人", "签阅时间", "签阅意见", "编号"]
    cells.append(cs, chead)
    for cell in cs[3]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
    for k in cards.cards:
        cells.append(cs, [k.level_label, k.rule_label, k.day.isoformat(), k.title, k.staff_no, k.window_no, k.case_no,
                   k.ticket, show.staff(names.get(k.signed_by or ""), k.signed_by) if k.signed_by else None,
                   _local(k.signed_at, tz) if k.signed_at else None, k.note, k.key])
    for col, width in zip("ABCDEFGHIJKL", (6, 18, 12, 50, 8, 6, 22, 8, 8, 20, 30, 40)):
        cs.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def supervision_pdf(evs: Iterable[Event], cards: c.CardsOut, *, settings: Settings, now: datetime,
                    filters: Mapping[str, Any], names: Mapping[str, str] | None = None) -> bytes:
    tz = settings.tz
    names = names or {}
    st = pdf.styles()
    title = f"{settings.hall_name}监察报告"
    story: list[Flowable] = [
        pdf.para(title, st.title),
        pdf.para(f"查询条件：{describe(filters, tz)}　导出时间：{_local(now, tz)}", st.subtitle),
        pdf.para(f"红黄牌（{cards.start.isoformat()} 至 {cards.end.isoformat()}，规则：{cards.city}）："
                 f"红牌 {cards.red}，黄牌 {cards.yellow}，未签阅 {cards.open}", st.body),
        Spacer(1, 2 * mm),
    ]
    rows = [[k.level_label, k.rule_label, k.title,
             f"{show.staff(names.get(k.signed_by or ''), k.signed_by)} {_local(k.signed_at, tz)[:16]}"
             if k.signed_at else "未签阅"] for k in cards.cards]
    if rows:
        story.append(pdf.grid_table(["牌", "规则", "说明", "签阅"], rows, [12 * mm, 30 * mm, 95 * mm, 33 * mm]))
    story += [Spacer(1, 5 * mm), pdf.para("事件日志", st.body), Spacer(1, 2 * mm)]
    erows = [[str(e.seq), _local(e.at, tz), kinds.label(e.type, e.data), kinds.sentence(e, names=names, tz=tz)]
             for e in evs]
    if erows:
        story.append(pdf.grid_table(["序号", "时间", "事件", "经过"], erows,
                                    [12 * mm, 24 * mm, 26 * mm, 108 * mm]))
    else:
        story.append(pdf.para("（没有符合条件的事件）", st.small))
    return pdf.build(story, title=title, footer=f"{settings.hall_name} · 监察导出 · {_local(now, tz)}")
