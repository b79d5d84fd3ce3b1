"""A year of synthetic hall history for benchmarks: ~2 million tickets, ~500,000 cases,
with receipts, ratings and complaints, written straight into the tables statistics read.

Bulk inserts (Core ``insert`` with executemany, 20,000 rows a batch) into a database of
its own (a separate SQLite file by default): never the hall's real database. The event
log is not synthesised (millions of chained hashes would prove nothing here); figures
and rollups read the area tables, which is what the benchmark measures. Deterministic:
the same seed gives the same history.

    python -m hall_server.demo.history --db /tmp/hall-bench/hall.sqlite3 --days 365
"""
from __future__ import annotations

import argparse
import logging
import random
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .. import migrate
from ..db import Database
from ..models import Category, Staff, Ticket, Window
from ..models.accountability import Complaint, Rating
from ..models.cases import Case, Matter
from ..models.fees import PaymentNotice, Receipt, ReceiptSeries
from ..services.queue import recount_waiting
from ..settings import Settings

log = logging.getLogger(__name__)

BATCH = 20_000
LEVELS = (("very_satisfied", 5, False), ("satisfied", 4, False), ("basically_satisfied", 3, False),
          ("dissatisfied", 2, True), ("very_dissatisfied", 1, True))
LEVEL_WEIGHTS = (70, 20, 6, 3, 1)


@dataclass
class Sizes:
    tickets_per_day: int = 8300
    cases_per_day: int = 2050
    receipts_per_day: int = 300
    ratings_per_day: int = 3000
    complaints_per_day: int = 2


@dataclass
class GenReport:
    days: int = 0
    tickets: int = 0
    cases: int = 0
    receipts: int = 0
    ratings: int = 0
    complaints: int = 0
    seconds: float = 0.0


def _working_days(end: date, days: int) -> list[date]:
    from .. services.supervision import calendar  # the official calendar, 调休 included
    cal = calendar(Settings())
    out = []
    d = end - timedelta(days=days - 1)
    while d <= end:
        if cal.is_working_day(d):
            out.append(d)
        d += timedelta(days=1)
    return out


def _flush(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)
        rows.clear()


def generate(db: Database, *, end: date, days: int = 365, sizes: Sizes | None = None, seed: int = 7,
             tz: ZoneInfo = ZoneInfo("Asia/Shanghai"), today_until: time | None = time(11, 0)) -> GenReport:
    """Fill ``days`` calendar days up to ``end`` (working days only). ``end`` itself is
    "today": filled only up to ``today_until`` with some tickets still waiting."""
    sz = sizes or Sizes()
    rnd = random.Random(seed)
    rep = GenReport()
    t0 = _time.perf_counter()
    with db.write() as s:
        cats = [(c.prefix, c.service_minutes) for c in s.scalars(select(Category).where(Category.active.is_(True)))]
        windows = [(w.window_no, list(w.categories or []), w.department_id) for w in s.scalars(select(Window))]
        staff = [st.id for st in s.scalars(select(Staff).where(Staff.roles.contains("clerk")))]
        cashier = s.scalar(select(Staff).where(Staff.roles.contains("cashier")))
        matters = [(m.id, m.code, m.name, m.department_id, m.case_prefix, m.kind, m.promised_limit)
                   for m in s.scalars(select(Matter))]
        series = s.scalar(select(ReceiptSeries))
        assert cats and windows and staff and matters and series is not None and cashier is not None, \
            "seed the demo hall first"
        receipt_seq = series.last
        series_id, cashier_id, cashier_no = series.id, cashier.id, cashier.staff_no
    for day in _working_days(end, days):
        is_today = day == end
        with db.write() as s:
            _one_day(s, day=day, end=end, is_today=is_today, today_until=today_until, tz=tz, rnd=rnd, sz=sz, cats=cats,
                     windows=windows, staff=staff, matters=matters, rep=rep)
            receipt_seq = _fees(s, day=day, tz=tz, rnd=rnd, sz=sz, matters=matters, series_id=series_id,
                                cashier_id=cashier_id, cashier_no=cashier_no, seq=receipt_seq, rep=rep,
                                until=today_until if is_today else None)
            s.execute(ReceiptSeries.__table__.update().where(ReceiptSeries.id == series_id).values(last=receipt_seq))
        rep.days += 1
        if rep.days % 20 == 0:
            log.info("generated %d days (%d tickets)", rep.days, rep.tickets)
    rep.seconds = _time.perf_counter() - t0
    return rep


def _at(day: date, minutes: float, tz: ZoneInfo) -> datetime:
    """A time ``minutes`` after 09:00 local on ``day``, in UTC."""
    return (datetime.combine(day, time(9, 0), tz) + timedelta(minutes=minutes)).astimezone(timezone.utc)


def _open_minutes(rnd: random.Random) -> float:
    """Arrivals over 09:00–12:00 and 13:30–17:00, busier in the morning."""
    if rnd.random() < 0.6:
        return rnd.uniform(0, 180)
    return rnd.uniform(270, 480)


def _one_day(s: Session, *, day: date, end: date, is_today: bool, today_until: time | None, tz: ZoneInfo,
             rnd: random.Random, sz: Sizes, cats: list[tuple[str, float]], windows: list[tuple[int, list[str], int | None]],
             staff: list[int], matters: list[tuple[Any, ...]], rep: GenReport) -> None:
    limit_min = ((today_until.hour - 9) * 60 + today_until.minute) if is_today and today_until else 10_000
    n = int(sz.tickets_per_day * rnd.uniform(0.8, 1.2))
    arrivals = sorted(_open_minutes(rnd) for _ in range(n))
    arrivals = [a for a in arrivals if a < limit_min]
    counters: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    cat_windows = {p: [w for w, cs, _ in windows if p in cs] for p, _ in cats}
    for a in arrivals:
        prefix, svc_min = cats[rnd.randrange(len(cats))]
        counters[prefix] = counters.get(prefix, 0) + 1
        seq = counters[prefix]
        issued = _at(day, a, tz)
        wait = rnd.expovariate(1 / 14.0)
        service = max(1.0, rnd.gauss(svc_min, svc_min / 3))
        called_m = a + wait
        win = rnd.choice(cat_windows.get(prefix) or [windows[0][0]])
        state, called, started, completed, skipped = "done", None, None, None, None
        if called_m >= limit_min:
            state = "waiting"
        else:
            called = _at(day, called_m, tz)
            if rnd.random() < 0.04:
                state, skipped = "skipped", _at(day, called_m + 2, tz)
            elif called_m + service >= limit_min:
                state, started = "serving", _at(day, called_m + 0.5, tz)
            else:
                started = _at(day, called_m + 0.5, tz)
                completed = _at(day, called_m + 0.5 + service, tz)
        rows.append({"business_day": day, "prefix": prefix, "issued_prefix": prefix, "seq": seq,
                     "number": f"{prefix}{seq:03d}", "state": state, "priority": False, "target_window_no": None,
                     "window_no": win if called else None, "staff_id": staff[win % len(staff)] if called else None,
                     "issued_at": issued, "queued_at": issued, "called_at": called, "started_at": started,
                     "completed_at": completed, "skipped_at": skipped, "requeues": 0, "recalls": 0,
                     "source": "kiosk-1", "citizen_name": None, "citizen_id_number": None, "wait_estimate_min": 0})
        if len(rows) >= BATCH:
            rep.tickets += len(rows)
            _flush(s, Ticket, rows)
    rep.tickets += len(rows)
    _flush(s, Ticket, rows)
    if is_today:  # today's not yet called are waiting: the queue counts (migration 0014) must know them
        recount_waiting(s, day)
    # cases: accepted today, concluded within their limit mostly (some late, some with corrections)
    ncases = int(sz.cases_per_day * rnd.uniform(0.8, 1.2) * (limit_min / 480 if is_today else 1))
    crows: list[dict[str, Any]] = []
    for i in range(ncases):
        mid, mcode, mname, dept, cprefix, kind, promised = matters[rnd.randrange(len(matters))]
        acc = _at(day, _open_minutes(rnd) if not is_today else rnd.uniform(0, max(1, limit_min - 1)), tz)
        limit = promised or 0
        due = day + timedelta(days=int(limit * 1.4))
        late = rnd.random() < 0.03
        concluded = None
        if kind == "instant" or limit == 0:
            concluded = acc + timedelta(minutes=rnd.uniform(5, 30))
            if is_today:
                concluded = None if rnd.random() < 0.5 else concluded
        else:
            span = (due - day).days + (rnd.randint(1, 5) if late else -rnd.randint(0, max(0, (due - day).days)))
            c_day = day + timedelta(days=max(0, span))
            if c_day < end:
                concluded = _at(c_day, rnd.uniform(0, 420), tz)
        crows.append({
            "case_no": f"{cprefix}{day:%Y%m%d}-{i + 1:04d}", "query_code": f"{rnd.randrange(10**6):06d}",
            "matter_id": mid, "matter_code": mcode, "matter_name": mname, "department_id": dept, "kind": kind,
            "state": "concluded" if concluded else "accepted", "business_day": day, "ticket_id": None,
            "ticket_no": None, "window_no": windows[rnd.randrange(len(windows))][0], "staff_no": None,
            "applicant_kind": "person", "applicant_name": "张*", "applicant_id_number": "110101********1234",
            "applicant_phone": "138****0000", "materials": [], "corrections": 1 if rnd.random() < 0.08 else 0,
            "received_at": acc, "accepted_at": acc, "limit_days": limit, "limit_unit": "working",
            "statutory_days": limit, "due_date": due, "statutory_due_date": due, "concluded_at": concluded,
            "updated_at": concluded or acc,
        })
        if len(crows) >= BATCH:
            rep.cases += len(crows)
            _flush(s, Case, crows)
    rep.cases += len(crows)
    _flush(s, Case, crows)
    # ratings and complaints
    nrat = int(sz.ratings_per_day * rnd.uniform(0.8, 1.2) * (limit_min / 480 if is_today else 1))
    rrows: list[dict[str, Any]] = []
    for i in range(nrat):
        level, score, bad = rnd.choices(LEVELS, LEVEL_WEIGHTS)[0]
        w = windows[rnd.randrange(len(windows))][0]
        rrows.append({"service_key": f"gen:{day:%Y%m%d}:{i}", "ticket_id": None, "ticket_no": None,
                      "business_day": day, "case_no": None, "window_no": w, "staff_id": None, "level": level,
                      "score": score, "bad": bad, "reasons": [], "comment": None, "channel": "evaluator",
                      "device_name": f"evaluator-{w}",
                      "rated_at": _at(day, rnd.uniform(0, max(1, min(limit_min, 480) - 1)), tz)})
    rep.ratings += len(rrows)
    _flush(s, Rating, rrows)
    for i in range(rnd.randint(0, sz.complaints_per_day * 2)):
        w = windows[rnd.randrange(len(windows))][0]
        s.execute(insert(Complaint), [{
            "complaint_no": f"TS{day:%Y%m%d}{i + 1:03d}", "channel": "kiosk",
            "registered_at": _at(day, rnd.uniform(0, 400), tz), "registered_by": "device:kiosk-1",
            "anonymous": True, "content": "（生成的投诉）", "window_no": w, "state": "closed"}])
        rep.complaints += 1


def _fees(s: Session, *, day: date, tz: ZoneInfo, rnd: random.Random, sz: Sizes, matters: list[tuple[Any, ...]],
          series_id: int, cashier_id: int, cashier_no: str, seq: int, rep: GenReport, until: time | None) -> int:
    """Receipts of the day against one carrier notice (the stats read receipts only)."""
    case_id = s.scalar(select(Case.id).where(Case.business_day == day).limit(1))
    if case_id is None:
        return seq
    case = s.get(Case, case_id)
    assert case is not None
    notice = PaymentNotice(notice_no=f"JF{day:%Y%m%d}G", case_id=case_id, case_no=case.case_no,
                           department_id=case.department_id or 1, raised_by=cashier_no,
                           raised_at=_at(day, 0, tz), state="paid", total_fen=0)
    s.add(notice)
    s.flush()
    n = int(sz.receipts_per_day * rnd.uniform(0.8, 1.2) * (0.25 if until else 1))
    rows = []
    for _ in range(n):
        seq += 1
        void = rnd.random() < 0.01
        rows.append({"receipt_no": f"G{seq:010d}", "series_id": series_id, "seq": seq, "kind": "payment",
                     "notice_id": notice.id, "case_no": case.case_no, "amount_fen": rnd.choice((500, 2000, 8000, 55000)),
                     "method": "cash", "reference": "", "tendered_fen": None, "change_fen": 0,
                     "cashier_id": cashier_id, "cashier_no": cashier_no, "window_no": 12,
                     "issued_at": _at(day, rnd.uniform(0, 120), tz), "business_day": day, "void": void,
                     "void_reason": "录入错误" if void else None, "voided_at": None, "void_approved_by": None,
                     "refund_of_id": None, "refund_reason": None, "refund_approved_by": None, "reprints": 0,
                     "day_close_id": None})
    rep.receipts += len(rows)
    _flush(s, Receipt, rows)
    return seq


def prepare(url: str, *, now: datetime) -> Database:
    """Migrate and seed the demo hall in a fresh database, return it."""
    from . import seed
    migrate.upgrade(url)
    db = Database(url)
    with db.write() as s:
        seed(s, settings=Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=256),
             now=now - timedelta(days=400))
    return db


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成一年的大厅历史数据（基准测试用）")
    ap.add_argument("--db", default="/tmp/hall-bench/hall.sqlite3", help="SQLite file, or a database URL")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--end", default="2026-11-24", help="the last day (today), YYYY-MM-DD")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    url = a.db if "://" in a.db else f"sqlite:///{Path(a.db).resolve()}"
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    end = date.fromisoformat(a.end)
    db = prepare(url, now=datetime.combine(end, time(3, 0), timezone.utc))
    rep = generate(db, end=end, days=a.days)
    log.info("%s", rep)
    db.dispose()


if __name__ == "__main__":
    main()
