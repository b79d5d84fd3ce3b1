"""Hall figures as additive sums, so a day, a month or a year is one plain addition.

Every figure the dashboard and the reports show is either a count or a sum (waits,
service times, fees) or a ratio of two of them computed at the end. Keeping only
additive parts lets the server store one row per closed day and dimension
(``stats_days``) and answer a year with a SUM over a few thousand rows instead of two
million tickets. The folds here are pure: the service feeds them plain rows.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

METRICS: tuple[str, ...] = (
    "tickets", "served", "skipped", "called", "wait_n", "wait_s", "wait_max_s", "service_n", "service_s",
    "cases_accepted", "cases_concluded", "cases_on_time", "cases_once", "fees_fen", "receipts", "voids",
    "ratings", "ratings_good", "ratings_bad", "complaints",
)
MAX_METRICS = frozenset({"wait_max_s"})  # combined by max, not by sum

# dimensions of the rollup
HALL, CATEGORY, WINDOW, DEPARTMENT, HOUR = "hall", "category", "window", "department", "hour"
DIMS = (HALL, CATEGORY, WINDOW, DEPARTMENT, HOUR)


@dataclass(slots=True)
class Figures:
    tickets: int = 0
    served: int = 0
    skipped: int = 0
    called: int = 0
    wait_n: int = 0
    wait_s: int = 0
    wait_max_s: int = 0
    service_n: int = 0
    service_s: int = 0
    cases_accepted: int = 0
    cases_concluded: int = 0
    cases_on_time: int = 0
    cases_once: int = 0
    fees_fen: int = 0
    receipts: int = 0
    voids: int = 0
    ratings: int = 0
    ratings_good: int = 0
    ratings_bad: int = 0
    complaints: int = 0

    def add(self, other: "Figures") -> "Figures":
        for name in METRICS:
            a, b = getattr(self, name), getattr(other, name)
            setattr(self, name, max(a, b) if name in MAX_METRICS else a + b)
        return self

    def as_dict(self) -> dict[str, int]:
        return {n: getattr(self, n) for n in METRICS}

    # ratios: None when there is nothing to divide (a report shows "—", not 0 %)
    @property
    def avg_wait_s(self) -> float | None:
        return self.wait_s / self.wait_n if self.wait_n else None

    @property
    def avg_service_s(self) -> float | None:
        return self.service_s / self.service_n if self.service_n else None

    @property
    def once_rate(self) -> float | None:
        """一次性办结率: concluded without any 补正 notice, over all concluded."""
        return self.cases_once / self.cases_concluded if self.cases_concluded else None

    @property
    def on_time_rate(self) -> float | None:
        return self.cases_on_time / self.cases_concluded if self.cases_concluded else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 非常满意 + 满意 + 基本满意 over all ratings (好差评 convention)."""
        return self.ratings_good / self.ratings if self.ratings else None

    @property
    def skip_rate(self) -> float | None:
        return self.skipped / self.called if self.called else None


def from_mapping(m: Mapping[str, int | None]) -> Figures:
    return Figures(**{n: int(m.get(n) or 0) for n in METRICS})


assert tuple(f.name for f in fields(Figures)) == METRICS

Key = tuple[str, str]  # (dim, key)


@dataclass(frozen=True, slots=True)
class TicketRow:
    category: str  # the queue it was issued into
    state: str
    issued_at: datetime
    queued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    skipped_at: datetime | None
    window_no: int | None


@dataclass(frozen=True, slots=True)
class CaseRow:
    department: str
    accepted_at: datetime | None
    concluded_at: datetime | None
    due_date: date | None
    corrections: int
    window_no: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    amount_fen: int  # negative for a refund
    void: bool
    window_no: int | None = None  # the fee window that took (or paid back) the money
    kind: str = "payment"  # payment | refund
    department: str = ""  # the department whose notice it was raised on


@dataclass(frozen=True, slots=True)
class RatingRow:
    score: int
    bad: bool
    window_no: int | None = None
    department: str = ""


@dataclass
class Fold:
    """Accumulates figures per (dimension, key) for one period."""
    tz: ZoneInfo
    cells: dict[Key, Figures] = field(default_factory=dict)

    def cell(self, dim: str, key: object) -> Figures:
        k = (dim, str(key))
        f = self.cells.get(k)
        if f is None:
            f = self.cells[k] = Figures()
        return f

    def _cells(self, *keys: tuple[str, object | None]) -> list[Figures]:
        out = [self.cell(HALL, "")]
        for dim, key in keys:
            if key is not None and key != "":
                out.append(self.cell(dim, key))
        return out

    def ticket(self, t: TicketRow, *, department: str = "") -> None:
        """A ticket counts on the day it was issued: issued, then called/served/skipped,
        its wait (queued → called) and its service (started → completed)."""
        hour = f"{t.issued_at.astimezone(self.tz).hour:02d}"
        targets = self._cells((CATEGORY, t.category), (DEPARTMENT, department), (HOUR, hour))
        win = self.cell(WINDOW, t.window_no) if t.window_no is not None else None
        wait = round((t.called_at - t.queued_at).total_seconds()) if t.called_at else None
        service = (round((t.completed_at - t.started_at).total_seconds())
                   if t.completed_at and t.started_at else None)
        for f in targets:
            f.tickets += 1
        for f in targets + ([win] if win else []):
            if t.called_at is not None:
                f.called += 1
            if wait is not None and wait >= 0:
                f.wait_n += 1
                f.wait_s += wait
                f.wait_max_s = max(f.wait_max_s, wait)
            if t.state == "done":
                f.served += 1
            if t.state == "skipped":
                f.skipped += 1
            if service is not None and service >= 0:
                f.service_n += 1
                f.service_s += service

    def case_accepted(self, c: CaseRow) -> None:
        for f in self._cells((DEPARTMENT, c.department), (WINDOW, c.window_no)):
            f.cases_accepted += 1

    def case_concluded(self, c: CaseRow) -> None:
        assert c.concluded_at is not None
        on_time = c.due_date is None or c.concluded_at.astimezone(self.tz).date() <= c.due_date
        for f in self._cells((DEPARTMENT, c.department), (WINDOW, c.window_no)):
            f.cases_concluded += 1
            f.cases_on_time += int(on_time)
            f.cases_once += int(c.corrections == 0)

    def receipt(self, r: ReceiptRow) -> None:
        """Money counts for the fee window that took it *and* the department that raised
        the notice (a department's figures show what it charged, though one window took
        it). ``receipts`` counts payment receipts only: a refund is money going back, not a
        receipt, so it lowers ``fees_fen`` (net) and adds no receipt."""
        for f in self._cells((WINDOW, r.window_no), (DEPARTMENT, r.department)):
            if r.kind == "payment":
                f.receipts += 1
                f.voids += int(r.void)
            if not r.void:
                f.fees_fen += r.amount_fen

    def rating(self, r: RatingRow) -> None:
        for f in self._cells((WINDOW, r.window_no), (DEPARTMENT, r.department)):
            f.ratings += 1
            f.ratings_good += int(not r.bad)
            f.ratings_bad += int(r.bad)

    def complaint(self, *, department: str = "", window_no: int | None = None) -> None:
        for f in self._cells((DEPARTMENT, department), (WINDOW, window_no)):
            f.complaints += 1

    def get(self, dim: str, key: str = "") -> Figures:
        return self.cells.get((dim, key)) or Figures()

    def by(self, dim: str) -> dict[str, Figures]:
        return {k: f for (d, k), f in self.cells.items() if d == dim}


def combine(cells: Iterable[tuple[str, str, Figures]]) -> dict[Key, Figures]:
    """Add per-day cells into one period."""
    out: dict[Key, Figures] = {}
    for dim, key, f in cells:
        acc = out.get((dim, key))
        if acc is None:
            out[(dim, key)] = Figures().add(f)
        else:
            acc.add(f)
    return out


def rate_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def minutes_text(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} 分钟"


def yuan_text(fen: int) -> str:
    """Money is kept in 分; shown the one way the hall shows money (``contract.show.yuan``:
    "¥1,234.50"), computed without floats."""
    from .money import yuan
    return yuan(fen)
