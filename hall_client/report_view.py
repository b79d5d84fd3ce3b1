"""How a hall report reads on the manager's screen: headline figures, tables by
dimension and one chart, from the server's report models. Pure (no Qt), so the figures
a manager sees are checked without a screen.

Money is shown with the one money formatter of the domain (``yuan``); rates as
percentages with one decimal; waits in minutes.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hall_server.contract import (DailyReportOut, FiguresOut, KeyFigures, MonthlyReportOut, ReconOut,
                                  YearlyReportOut)
from hall_server.contract.show import percent, yuan

KIND_LABELS = {"daily": "日报", "monthly": "月报", "yearly": "年报", "recon": "收费对账"}


def rate(v: float | None) -> str:
    return percent(v)


def minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} 分钟"


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class ReportView:
    title: str
    figures: tuple[tuple[str, str], ...]  # (label, value as shown)
    tables: dict[str, Table] = field(default_factory=dict)  # by dimension label, first is the default
    chart: Chart | None = None
    notes: tuple[str, ...] = ()


def headline(t: FiguresOut) -> tuple[tuple[str, str], ...]:
    return (("取号", str(t.tickets)), ("办结（号）", str(t.served)), ("平均等候", minutes(t.avg_wait_s)),
            ("受理办件", str(t.cases_accepted)), ("办结办件", str(t.cases_concluded)),
            ("一次性办结率", rate(t.once_rate)), ("按时办结率", rate(t.on_time_rate)),
            ("收费金额", yuan(t.fees_fen)), ("收费票据", str(t.receipts)),
            ("评价", str(t.ratings)), ("满意率", rate(t.satisfaction_rate)), ("差评", str(t.ratings_bad)),
            ("投诉", str(t.complaints)))


KEYED_HEADERS = ("项目", "取号", "办结（号）", "平均等候", "受理办件", "办结办件", "收费金额", "满意率", "投诉")


def keyed_table(items: Sequence[KeyFigures]) -> Table:
    rows = tuple((k.label, str(f.tickets), str(f.served), minutes(f.avg_wait_s), str(f.cases_accepted),
                  str(f.cases_concluded), yuan(f.fees_fen), rate(f.satisfaction_rate), str(f.complaints))
                 for k in items for f in (k.figures,))
    return Table(KEYED_HEADERS, rows)


def daily(r: DailyReportOut) -> ReportView:
    hours = sorted(r.by_hour, key=lambda k: k.key)
    return ReportView(
        title=f"{r.hall_name} 日报（{r.day:%Y年%m月%d日}）",
        figures=headline(r.total) + (("红牌", str(r.cards_red)), ("黄牌", str(r.cards_yellow))),
        tables={"分部门": keyed_table(r.by_department), "分类别": keyed_table(r.by_category),
                "分窗口": keyed_table(r.by_window), "分时段": keyed_table(hours)},
        chart=Chart("分时段取号", tuple(f"{int(k.key)}时" for k in hours), tuple(float(k.figures.tickets) for k in hours)))


def monthly(r: MonthlyReportOut) -> ReportView:
    days = Table(("日期", "取号", "办结（号）", "平均等候", "受理办件", "办结办件", "收费金额", "满意率"),
                 tuple((f"{p.day:%m月%d日}", str(p.tickets), str(p.served), minutes(p.avg_wait_s),
                        str(p.cases_accepted), str(p.cases_concluded), yuan(p.fees_fen), rate(p.satisfaction_rate))
                       for p in r.by_day))
    y, m = r.month.split("-")
    return ReportView(
        title=f"{r.hall_name} 月报（{y}年{int(m)}月）", figures=headline(r.total),
        tables={"分部门": keyed_table(r.by_department), "分窗口": keyed_table(r.by_window), "逐日": days},
        chart=Chart("逐日取号", tuple(str(p.day.day) for p in r.by_day), tuple(float(p.tickets) for p in r.by_day)))


def yearly(r: YearlyReportOut) -> ReportView:
    depts = Table(("部门", "受理办件", "办结办件", "按时办结率", "一次性办结率", "评价", "满意率", "投诉"),
                  tuple((d.department, str(d.cases_accepted), str(d.cases_concluded), rate(d.on_time_rate),
                         rate(d.once_rate), str(d.ratings), rate(d.satisfaction_rate), str(d.complaints))
                        for d in r.departments))
    return ReportView(
        title=f"{r.hall_name} {r.year} 年度政务服务数据", figures=headline(r.total),
        tables={"分部门": depts, "分月": keyed_table(r.by_month)},
        chart=Chart("分月取号", tuple(k.label for k in r.by_month), tuple(float(k.figures.tickets) for k in r.by_month)))


def recon(r: ReconOut, hall_name: str = "") -> ReportView:
    rows = tuple((x.department, f"{x.account_name}（{x.account_code}）", x.income_type,
                  str(x.payments), yuan(x.paid_fen), str(x.refunds), yuan(x.refunded_fen), yuan(x.net_fen))
                 for x in r.rows)
    net: dict[str, int] = defaultdict(int)
    for x in r.rows:
        net[x.department] += x.net_fen
    notes = []
    if r.voids:
        notes.append("作废票据：" + "、".join(r.voids))
    if r.open_days:
        notes.append("尚未日结：" + "、".join(r.open_days))
    return ReportView(
        title=f"{hall_name} 收费对账（{r.start:%Y年%m月%d日} 至 {r.end:%Y年%m月%d日}）".strip(),
        figures=(("收款合计", yuan(r.total_paid_fen)), ("退款合计", yuan(r.total_refunded_fen)),
                 ("净额", yuan(r.total_net_fen)), ("收款笔数", str(sum(x.payments for x in r.rows))),
                 ("作废票据", str(len(r.voids))), ("未日结", str(len(r.open_days)))),
        tables={"分部门账户": Table(("部门", "账户", "收入类型", "收款笔数", "收款金额", "退款笔数", "退款金额", "净额"),
                                  rows)},
        chart=Chart("各部门净收款（元）", tuple(net), tuple(v / 100 for v in net.values())),
        notes=tuple(notes))


def view(kind: str, report: Any, *, hall_name: str = "") -> ReportView:
    if kind == "daily":
        return daily(report)
    if kind == "monthly":
        return monthly(report)
    if kind == "yearly":
        return yearly(report)
    return recon(report, hall_name)
