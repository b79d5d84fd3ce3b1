"""The working-day clock of 行政许可法: China's official calendar with 调休 make-up days.

Limits (法定时限 / 承诺时限) are counted in working days or natural days. Working days
follow the State Council's yearly schedule, where some weekends are working days (调休)
and some weekdays are holidays. The maintained ``chinesecalendar`` package holds the
published years; a TOML file (``resources/holidays.toml``) fills the years it does not
cover yet. This module stays pure: the caller hands it the configuration text.

Counting rules (民法典 §200–§204, applied to 行政许可法 limits):
- the day of acceptance is not counted; the limit starts the next day;
- N working days end on the N-th working day after acceptance;
- N natural days end N days after acceptance, and if that day is a rest day the limit
  ends on the next working day;
- suspended time (听证、检验、检测、鉴定、专家评审, §45) is not counted.
"""
from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

log = logging.getLogger(__name__)


class LimitUnit(StrEnum):
    WORKING = "working"  # 工作日
    NATURAL = "natural"  # 自然日


UNIT_LABELS: Mapping[LimitUnit, str] = {LimitUnit.WORKING: "个工作日", LimitUnit.NATURAL: "日"}


def _dates(items: Iterable[str]) -> set[date]:
    out: set[date] = set()
    for item in items:
        first, sep, last = str(item).partition("..")
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if sep else start
        if end < start:
            raise ValueError(f"bad date range {item!r}")
        d = start
        while d <= end:
            out.add(d)
            d += timedelta(days=1)
    return out


@dataclass(frozen=True)
class YearConfig:
    holidays: frozenset[date]
    workdays: frozenset[date]
    provisional: bool = False


def parse_config(text: str) -> dict[int, YearConfig]:
    """Parse ``holidays.toml`` (see the file's header for the format)."""
    raw = tomllib.loads(text)
    out: dict[int, YearConfig] = {}
    for year_s, body in (raw.get("years") or {}).items():
        year = int(year_s)
        hol = _dates(body.get("holidays", []))
        work = _dates(body.get("workdays", []))
        wrong = [d for d in hol | work if d.year != year]
        if wrong:
            raise ValueError(f"{year}: dates of another year: {sorted(wrong)[:3]}")
        if hol & work:
            raise ValueError(f"{year}: a day both holiday and workday: {sorted(hol & work)[:3]}")
        out[year] = YearConfig(frozenset(hol), frozenset(work), bool(body.get("provisional", False)))
    return out


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days. Build with ``from_sources`` in production, or
    directly with sets in tests."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # 调休: weekend days that are working days
    covered_years: frozenset[int] = frozenset()
    provisional_years: frozenset[int] = frozenset()
    _warned: set[int] = field(default_factory=set, compare=False, repr=False)

    @classmethod
    def from_sources(cls, *, package: tuple[Mapping[date, object], Mapping[date, object]] | None = None,
                     config: Mapping[int, YearConfig] | None = None) -> "WorkCalendar":
        """Merge the package's published years with the configured ones (config wins)."""
        hol: set[date] = set()
        work: set[date] = set()
        years: set[int] = set()
        if package is not None:
            p_hol, p_work = package
            hol |= set(p_hol)
            work |= set(p_work)
            years |= {d.year for d in p_hol}
        provisional: set[int] = set()
        for year, cfg in (config or {}).items():
            hol = {d for d in hol if d.year != year} | set(cfg.holidays)
            work = {d for d in work if d.year != year} | set(cfg.workdays)
            years.add(year)
            if cfg.provisional:
                provisional.add(year)
        return cls(frozenset(hol), frozenset(work), frozenset(years), frozenset(provisional))

    def covers(self, year: int) -> bool:
        return year in self.covered_years

    def is_working_day(self, d: date) -> bool:
        if d.year not in self.covered_years and d.year not in self._warned:
            self._warned.add(d.year)
            log.warning("working-day calendar has no data for %s: counting Mon-Fri only; "
                        "add the year to holidays.toml", d.year)
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def next_working_day(self, d: date) -> date:
        """``d`` itself when it is a working day, else the next one."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted).
        n == 0 gives ``start`` (an instant case is due the day it is accepted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d = start
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end == start:
            return 0
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        n = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n += 1
        return sign * n

    def due_date(self, start: date, limit: int, unit: LimitUnit, *, extra_days: int = 0) -> date:
        """Last day of a limit of ``limit`` units counted from ``start`` (not counted).

        ``extra_days`` (same unit) adds an approved extension (§42) and suspended time
        (§45) to the limit.
        """
        total = limit + extra_days
        if unit is LimitUnit.WORKING:
            return self.add_working_days(start, total)
        end = start + timedelta(days=total)
        return end if total == 0 else self.next_working_day(end)

    def days_left(self, today: date, due: date, unit: LimitUnit) -> int:
        """Days from today to the due day in the limit's unit; negative when overdue.
        0 means due today."""
        if unit is LimitUnit.WORKING:
            return self.working_days_between(today, due)
        return (due - today).days

    def suspended_days(self, since: date, until: date, unit: LimitUnit) -> int:
        """Days a suspension stopped the clock: from the day after ``since`` to ``until``
        inclusive, in the limit's unit."""
        if until <= since:
            return 0
        if unit is LimitUnit.WORKING:
            return self.working_days_between(since, until)
        return (until - since).days


def package_data() -> tuple[Mapping[date, object], Mapping[date, object]]:
    """The published years from the installed ``chinesecalendar`` (data, not I/O)."""
    from chinese_calendar import constants
    return constants.holidays, constants.workdays
