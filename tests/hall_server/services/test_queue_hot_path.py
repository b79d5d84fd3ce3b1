"""The hot path does not grow with the day: with 20,000 tickets waiting, call-next's
candidates are index searches (migration 0013), not scans of the day's queue, and
"waiting ahead" and the waiting counts do not read the tickets at all (the queue counts,
migration 0014). Asserted on the query plans (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
PostgreSQL), never on timing."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert, text

from hall_server.db import Database
from hall_server.models import Ticket
from hall_server.services import queue as svc

DAY = date(2026, 11, 24)
WAITING = 20_000


def _fill(db: Database) -> None:
    t0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
    rows = [dict(business_day=DAY, prefix="ABCDE"[i % 5], issued_prefix="ABCDE"[i % 5], seq=i // 5 + 1,
                 number=f"{'ABCDE'[i % 5]}{i // 5 + 1:04d}", state="waiting", priority=i % 50 == 0,
                 target_window_no=(i % 12 + 1) if i % 500 == 0 else None, issued_at=t0 + timedelta(seconds=i),
                 queued_at=t0 + timedelta(seconds=i), requeues=0, recalls=0, source="bench", wait_estimate_min=0)
            for i in range(WAITING)]
    with db.write() as s:
        s.execute(insert(Ticket), rows)
        svc.recount_waiting(s, DAY)  # written around the services: count them as migration 0014 does
    with db.write_engine.connect() as c:  # planner statistics, as a live database has them
        c.exec_driver_sql("ANALYZE" if db.is_sqlite else "ANALYZE tickets")
        c.commit()


def _plan(db: Database, stmt: Any, params: dict[str, Any]) -> str:
    with db.read() as s:
        conn = s.connection()
        comp = getattr(stmt, "stmt", stmt).compile(dialect=conn.dialect)  # a sql.Prepared holds its statement
        bound = comp.construct_params(params)
        if db.is_sqlite:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(comp),
                                        tuple(bound[k] for k in comp.positiontup or ())).fetchall()
            return "\n".join(str(r[-1]) for r in rows)
        return "\n".join(str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + str(comp), bound).fetchall())


def test_waiting_ahead_counts_and_call_next_do_not_scan_the_day_at_20000_waiting(db_url: str) -> None:
    db = Database(db_url)
    try:
        _fill(db)
        ahead = _plan(db, svc._AHEAD, {"day": DAY, "p": "A", "pr": False})
        counts = _plan(db, svc._COUNTS_OF_DAY, {"day": DAY})
        candidates = _plan(db, svc._candidates_statement(3), {"day": DAY, "w": 3, "p0": "A", "p1": "B", "p2": "C"})
        with db.read() as s:
            assert svc.waiting_counts(s, DAY) == {p: WAITING // 5 for p in "ABCDE"}
    finally:
        db.dispose()
    # "waiting ahead" and the waiting counts: a few rows of queue_counts, never the tickets
    for plan in (ahead, counts):
        assert "queue_counts" in plan and "tickets" not in plan, plan
    # each served category's first: one seek in serving order, no sort of the day's queue
    assert candidates.count("ix_tickets_waiting_first") == 3, candidates
    assert "ix_tickets_target_state" in candidates, candidates
    for bad in ("TEMP B-TREE", "Seq Scan", "Sort ", "SCAN tickets"):
        assert bad not in candidates, (bad, candidates)
