"""Daily, monthly and yearly hall reports as PDF (with charts) and xlsx.

Both formats are rendered from the same contract objects the JSON API returns, so a
figure in the PDF, the workbook and the screen cannot disagree. Charts are drawn with
reportlab.graphics (vector, no plotting library); workbooks keep numbers as numbers
(money in 元 with two decimals, rates as percentages) so they can be summed further.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from .. import contract as c
from ..domain.stats import minutes_text, rate_text, yuan_text
from . import cells, pdf

BAR = colors.HexColor("#2F6DB5")
BAR2 = colors.HexColor("#E08A2E")


# --- charts ----------------------------------------------------------------------------

def bar_chart(title: str, labels: Sequence[str], series: Sequence[Sequence[float]], *,
              width: float = 170 * mm, height: float = 62 * mm, names: Sequence[str] = ()) -> Drawing:
    """A vertical bar chart with Chinese labels (one or two series)."""
    font = pdf.cjk_font()
    d = Drawing(width, height)
    d.add(String(0, height - 10, title, fontName=font, fontSize=10))
    ch = VerticalBarChart()
    ch.x, ch.y, ch.width, ch.height = 28, 22, width - 40, height - 42
    ch.data = [list(s) or [0] for s in series] if labels else [[0]]
    ch.categoryAxis.categoryNames = list(labels) or [""]
    ch.categoryAxis.labels.fontName = font
    ch.categoryAxis.labels.fontSize = 7
    ch.categoryAxis.labels.angle = 0 if len(labels) <= 16 else 60
    ch.categoryAxis.labels.dy = -2 if len(labels) <= 16 else -8
    ch.valueAxis.labels.fontName = font
    ch.valueAxis.labels.fontSize = 7
    ch.valueAxis.valueMin = 0
    top = max([max(s) for s in series if s] + [1])
    ch.valueAxis.valueMax = top * 1.15
    ch.bars[0].fillColor = BAR
    if len(series) > 1:
        ch.bars[1].fillColor = BAR2
    ch.barSpacing = 1
    d.add(ch)
    for i, name in enumerate(names):
        x = width - 140 + i * 70
        d.add(String(x, height - 10, f"■ {name}", fontName=font, fontSize=8, fillColor=BAR if i == 0 else BAR2))
    return d


def line_chart(title: str, labels: Sequence[str], values: Sequence[float], *, width: float = 170 * mm,
               height: float = 55 * mm) -> Drawing:
    font = pdf.cjk_font()
    d = Drawing(width, height)
    d.add(String(0, height - 10, title, fontName=font, fontSize=10))
    ch = HorizontalLineChart()
    ch.x, ch.y, ch.width, ch.height = 28, 22, width - 40, height - 42
    ch.data = [list(values) or [0]]
    ch.categoryAxis.categoryNames = list(labels) or [""]
    ch.categoryAxis.labels.fontName = font
    ch.categoryAxis.labels.fontSize = 6
    ch.valueAxis.labels.fontName = font
    ch.valueAxis.labels.fontSize = 7
    ch.valueAxis.valueMin = 0
    ch.valueAxis.valueMax = max(list(values) + [1]) * 1.15
    ch.lines[0].strokeColor = BAR
    d.add(ch)
    return d


# --- shared pieces ------------------------------------------------------------------------

def summary_rows(f: c.FiguresOut) -> list[tuple[str, str]]:
    return [
        ("取号量", f"{f.tickets}"), ("办理完成", f"{f.served}"), ("过号", f"{f.skipped}"),
        ("平均等候", minutes_text(f.avg_wait_s)), ("最长等候", minutes_text(f.max_wait_s or None)),
        ("平均办理时长", minutes_text(f.avg_service_s)),
        ("受理办件", f"{f.cases_accepted}"), ("办结办件", f"{f.cases_concluded}"),
        ("按时办结率", rate_text(f.on_time_rate)), ("一次性办结率", rate_text(f.once_rate)),
        ("收费金额", yuan_text(f.fees_fen)), ("票据（作废）", f"{f.receipts}（{f.voids}）"),
        ("评价数", f"{f.ratings}"), ("满意率", rate_text(f.satisfaction_rate)), ("差评", f"{f.ratings_bad}"),
        ("投诉", f"{f.complaints}"),
    ]


TABLE_HEAD = ["项目", "取号", "办结", "平均等候", "平均办理", "受理", "办结件", "收费", "满意率"]
W = [32 * mm, 15 * mm, 15 * mm, 19 * mm, 19 * mm, 15 * mm, 15 * mm, 25 * mm, 15 * mm]


def _table_rows(items: Sequence[c.KeyFigures]) -> list[list[str]]:
    return [[k.label, str(k.figures.tickets), str(k.figures.served), minutes_text(k.figures.avg_wait_s),
             minutes_text(k.figures.avg_service_s), str(k.figures.cases_accepted), str(k.figures.cases_concluded),
             yuan_text(k.figures.fees_fen), rate_text(k.figures.satisfaction_rate)] for k in items]


def _section(title: str, items: Sequence[c.KeyFigures]) -> list[Flowable]:
    st = pdf.styles()
    if not items:
        return []
    return [Spacer(1, 4 * mm), pdf.para(title, st.body), pdf.grid_table(TABLE_HEAD, _table_rows(items), W)]


def _doc(title: str, subtitle: str, story: list[Flowable], hall: str) -> bytes:
    st = pdf.styles()
    head: list[Flowable] = [pdf.para(title, st.title), pdf.para(subtitle, st.subtitle)]
    return pdf.build(head + story, title=title, footer=f"{hall} · {title}")


# --- PDFs ---------------------------------------------------------------------------------

def daily_pdf(r: c.DailyReportOut) -> bytes:
    title = f"{r.hall_name}日报"
    story: list[Flowable] = [
        pdf.kv_table(summary_rows(r.total) + [("红黄牌", f"红牌 {r.cards_red}，黄牌 {r.cards_yellow}")]
                     + [("审计检查点", "\n".join(r.checkpoints) or "（当日无签名检查点）")],
                     widths=(40 * mm, 130 * mm)),
        Spacer(1, 4 * mm),
        bar_chart("分时段取号与办结", [k.key for k in r.by_hour],
                  [[k.figures.tickets for k in r.by_hour], [k.figures.served for k in r.by_hour]],
                  names=("取号", "办结")),
        bar_chart("各窗口办结量", [k.key for k in r.by_window], [[k.figures.served for k in r.by_window]]),
    ]
    story += _section("分业务类别", r.by_category)
    story += _section("分部门", r.by_department)
    story += _section("分窗口", r.by_window)
    return _doc(title, f"{r.day.isoformat()}", story, r.hall_name)


def monthly_pdf(r: c.MonthlyReportOut) -> bytes:
    title = f"{r.hall_name}月报"
    labels = [f"{p.day.day}" for p in r.by_day]
    story: list[Flowable] = [
        pdf.kv_table(summary_rows(r.total), widths=(40 * mm, 130 * mm)),
        Spacer(1, 4 * mm),
        bar_chart("每日取号与办结", labels, [[p.tickets for p in r.by_day], [p.served for p in r.by_day]],
                  names=("取号", "办结")),
        line_chart("每日平均等候（分钟）", labels, [round((p.avg_wait_s or 0) / 60, 1) for p in r.by_day]),
    ]
    story += _section("分部门", r.by_department)
    story += _section("分窗口", r.by_window)
    return _doc(title, r.month, story, r.hall_name)


YEAR_HEAD = ["部门", "受理", "办结", "按时办结率", "一次性办结率", "评价数", "满意率", "投诉"]
YEAR_W = [38 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm, 18 * mm, 14 * mm]


def _year_rows(r: c.YearlyReportOut) -> list[list[str]]:
    return [[d.department, str(d.cases_accepted), str(d.cases_concluded), rate_text(d.on_time_rate),
             rate_text(d.once_rate), str(d.ratings), rate_text(d.satisfaction_rate), str(d.complaints)]
            for d in r.departments]


def yearly_pdf(r: c.YearlyReportOut) -> bytes:
    title = f"{r.hall_name}{r.year} 年度政务服务数据"
    st = pdf.styles()
    story: list[Flowable] = [
        pdf.kv_table(summary_rows(r.total), widths=(40 * mm, 130 * mm)),
        Spacer(1, 4 * mm),
        bar_chart("各月受理与办结办件", [m.label for m in r.by_month],
                  [[m.figures.cases_accepted for m in r.by_month], [m.figures.cases_concluded for m in r.by_month]],
                  names=("受理", "办结")),
        Spacer(1, 4 * mm), pdf.para("分部门办件与评价", st.body),
        pdf.grid_table(YEAR_HEAD, _year_rows(r), YEAR_W),
    ]
    return _doc(title, "政务公开年度报告数据", story, r.hall_name)


# --- workbooks -------------------------------------------------------------------------------

HEAD_FILL = PatternFill("solid", fgColor="DDE6F1")
FIG_HEAD = ["项目", "取号", "办结", "过号", "平均等候(分钟)", "平均办理(分钟)", "受理办件", "办结办件",
            "按时办结率", "一次性办结率", "收费(元)", "评价数", "满意率", "差评", "投诉"]


def _fig_cells(f: c.FiguresOut) -> list[object]:
    return [f.tickets, f.served, f.skipped, _min(f.avg_wait_s), _min(f.avg_service_s), f.cases_accepted,
            f.cases_concluded, f.on_time_rate, f.once_rate, f.fees_fen / 100, f.ratings, f.satisfaction_rate,
            f.ratings_bad, f.complaints]


def _min(s: float | None) -> float | None:
    return None if s is None else round(s / 60, 1)


def _sheet(ws: Worksheet, title: str, head: Sequence[str], rows: Sequence[Sequence[object]],
           pct_cols: Sequence[int] = (), money_cols: Sequence[int] = ()) -> None:
    cells.append(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    cells.append(ws, list(head))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for r in rows:
        cells.append(ws, list(r))
    for col in pct_cols:
        for row in ws.iter_rows(min_row=3, min_col=col, max_col=col):
            row[0].number_format = "0.0%"
    for col in money_cols:
        for row in ws.iter_rows(min_row=3, min_col=col, max_col=col):
            row[0].number_format = "#,##0.00"
    for i, h in enumerate(head, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(str(h)) * 2 + 2)
    ws.column_dimensions["A"].width = 26
    ws.freeze_panes = "B3"


def _fig_sheet(wb: Workbook, name: str, title: str, items: Sequence[c.KeyFigures]) -> None:
    ws = wb.create_sheet(name)
    _sheet(ws, title, FIG_HEAD, [[k.label, *_fig_cells(k.figures)] for k in items],
           pct_cols=(9, 10, 13), money_cols=(11,))


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def summary_cells(f: c.FiguresOut) -> list[tuple[str, object, str]]:
    """The summary as workbook cells: (label, number, Excel format). Figures stay numbers
    (a finance officer sums them); the unit lives in the label or the format, never in the
    value, and a ratio with nothing to divide by is an empty cell, not the text "—"."""
    return [
        ("取号量", f.tickets, "0"), ("办理完成", f.served, "0"), ("过号", f.skipped, "0"),
        ("平均等候(分钟)", _min(f.avg_wait_s), "0.0"), ("最长等候(分钟)", _min(f.max_wait_s or None), "0.0"),
        ("平均办理时长(分钟)", _min(f.avg_service_s), "0.0"),
        ("受理办件", f.cases_accepted, "0"), ("办结办件", f.cases_concluded, "0"),
        ("按时办结率", f.on_time_rate, "0.0%"), ("一次性办结率", f.once_rate, "0.0%"),
        ("收费金额(元)", f.fees_fen / 100, "#,##0.00"), ("票据张数", f.receipts, "0"), ("作废票据", f.voids, "0"),
        ("评价数", f.ratings, "0"), ("满意率", f.satisfaction_rate, "0.0%"), ("差评", f.ratings_bad, "0"),
        ("投诉", f.complaints, "0"),
    ]


def _summary_sheet(wb: Workbook, title: str, f: c.FiguresOut, extra: Sequence[tuple[str, object]] = ()) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    cells = summary_cells(f)
    _sheet(ws, title, ["指标", "数值"], [[k, v] for k, v, _ in cells] + [list(e) for e in extra])
    for i, (_k, _v, fmt) in enumerate(cells, 3):
        ws.cell(row=i, column=2).number_format = fmt
    ws.column_dimensions["B"].width = 24


def daily_xlsx(r: c.DailyReportOut) -> bytes:
    wb = Workbook()
    _summary_sheet(wb, f"{r.hall_name}日报 {r.day.isoformat()}", r.total,
                   [("红牌", r.cards_red), ("黄牌", r.cards_yellow)])
    _fig_sheet(wb, "分类别", "分业务类别", r.by_category)
    _fig_sheet(wb, "分部门", "分部门", r.by_department)
    _fig_sheet(wb, "分窗口", "分窗口", r.by_window)
    _fig_sheet(wb, "分时段", "分时段", r.by_hour)
    return _save(wb)


def monthly_xlsx(r: c.MonthlyReportOut) -> bytes:
    wb = Workbook()
    _summary_sheet(wb, f"{r.hall_name}月报 {r.month}", r.total)
    ws = wb.create_sheet("每日")
    _sheet(ws, "每日数据", ["日期", "取号", "办结", "平均等候(分钟)", "受理办件", "办结办件", "收费(元)", "满意率"],
           [[p.day.isoformat(), p.tickets, p.served, _min(p.avg_wait_s), p.cases_accepted, p.cases_concluded,
             p.fees_fen / 100, p.satisfaction_rate] for p in r.by_day], pct_cols=(8,), money_cols=(7,))
    _fig_sheet(wb, "分部门", "分部门", r.by_department)
    _fig_sheet(wb, "分窗口", "分窗口", r.by_window)
    return _save(wb)


def yearly_xlsx(r: c.YearlyReportOut) -> bytes:
    wb = Workbook()
    _summary_sheet(wb, f"{r.hall_name}{r.year} 年度政务服务数据", r.total)
    ws = wb.create_sheet("分部门")
    _sheet(ws, "分部门办件与评价", YEAR_HEAD,
           [[d.department, d.cases_accepted, d.cases_concluded, d.on_time_rate, d.once_rate, d.ratings,
             d.satisfaction_rate, d.complaints] for d in r.departments], pct_cols=(4, 5, 7))
    _fig_sheet(wb, "分月", "分月", r.by_month)
    return _save(wb)
