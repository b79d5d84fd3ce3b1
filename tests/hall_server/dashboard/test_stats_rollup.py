"""The figures' arithmetic: the SQL aggregation equals the plain Python fold, a period
is the sum of its days, and ratios say "nothing to rate" rather than 0 %."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from hall_server.db import Database
from hall_server.domain import stats as st
from hall_server.models import Ticket
from hall_server.models.supervision import StatsDay
from hall_server.services import stats

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)


def _tickets(day: date, n: int, seed: int) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        issued = datetime.combine(day, time(9, 0), TZ).astimezone(timezone.utc) + timedelta(
            seconds=rnd.uniform(0, 8 * 3600))
        state = rnd.choice(["waiting", "done", "done", "skipped", "serving"])
        called = issued + timedelta(seconds=rnd.uniform(0, 3000)) if state != "waiting" else None
        started = called + timedelta(seconds=rnd.uniform(1, 30)) if state in ("done", "serving") else None
        completed = started + timedelta(seconds=rnd.uniform(60, 1500)) if state == "done" and started else None
        prefix = rnd.choice("ABCD")
        rows.append({"business_day": day, "prefix": prefix, "issued_prefix": prefix, "seq": i + 1,
                     "number": f"{prefix}{i + 1:03d}", "state": state, "priority": False,
                     "window_no": rnd.randint(1, 12) if called else None, "issued_at": issued, "queued_at": issued,
                     "called_at": called, "started_at": started, "completed_at": completed,
                     "skipped_at": called if state == "skipped" else None, "requeues": 0, "recalls": 0, "source": "t",
                     "wait_estimate_min": 0})
    return rows


def test_sql_aggregation_equals_the_python_fold(db_url):
    db = Database(db_url)
    try:
        rows = _tickets(DAY, 300, seed=3)
        with db.write() as s:
            s.execute(insert(Ticket), rows)
        with db.read() as s:
            lk = stats.Lookups(s)
            sql = stats.fold_day(s, DAY, tz=TZ, lookups=lk)
            ref = st.Fold(TZ)
            for t in s.execute(select(Ticket.issued_prefix, Ticket.state, Ticket.issued_at, Ticket.queued_at,
                                      Ticket.called_at, Ticket.started_at, Ticket.completed_at, Ticket.skipped_at,
                                      Ticket.window_no).where(Ticket.business_day == DAY)):
                ref.ticket(st.TicketRow(*t), department=lk.cat_dept.get(t[0], ""))
        keys = set(ref.cells) | set(sql.cells)
        for k in keys:
            assert sql.cells.get(k, st.Figures()).as_dict() == ref.cells.get(k, st.Figures()).as_dict(), k
        assert sql.get(st.HALL).tickets == 300
    finally:
        db.dispose()


def test_a_period_is_the_sum_of_its_days(db_url):
    db = Database(db_url)
    try:
        with db.write() as s:
            s.execute(insert(Ticket), _tickets(DAY - timedelta(days=1), 40, seed=1) + _tickets(DAY, 60, seed=2))
        now = datetime.combine(DAY + timedelta(days=1), time(10), TZ)
        assert stats.ensure_rollups(db, tz=TZ, now=now) >= 2
        assert stats.ensure_rollups(db, tz=TZ, now=now) == 0  # nothing left to build
        with db.read() as s:
            one = stats.period(s, start=DAY - timedelta(days=1), end=DAY - timedelta(days=1), tz=TZ, now=now)
            two = stats.period(s, start=DAY, end=DAY, tz=TZ, now=now)
            both = stats.period(s, start=DAY - timedelta(days=1), end=DAY, tz=TZ, now=now)
            assert s.scalar(select(StatsDay.tickets).where(StatsDay.day == DAY, StatsDay.dim == "hall")) == 60
        for key in both:
            expect = st.Figures().add(one.get(key, st.Figures())).add(two.get(key, st.Figures()))
            assert both[key].as_dict() == expect.as_dict(), key
        assert both[(st.HALL, "")].tickets == 100
    finally:
        db.dispose()


def test_ratios_are_none_when_there_is_nothing_to_rate():
    f = st.Figures()
    assert f.avg_wait_s is None and f.once_rate is None and f.satisfaction_rate is None
    assert st.rate_text(f.on_time_rate) == "—"
    g = st.Figures(cases_concluded=4, cases_once=3, ratings=8, ratings_good=6)
    assert g.once_rate == 0.75 and st.rate_text(g.satisfaction_rate) == "75.0%"


def test_money_is_shown_in_yuan_without_floats():
    assert st.yuan_text(123456789) == "¥1,234,567.89" and st.yuan_text(-5) == "-¥0.05"
