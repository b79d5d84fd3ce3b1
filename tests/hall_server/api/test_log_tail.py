"""The PostgreSQL log tail (api/tail.py): events written through another database handle
(another process) reach this process's sinks in seq order, each once, and a missed
NOTIFY costs latency, never an event."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

import pytest

from hall_server.api.tail import LogTail
from hall_server.db import Database
from hall_server.services import events
from tests.conftest import PG_URL

AT = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def backend() -> str:
    if not PG_URL:
        pytest.skip("HALL_TEST_PG_URL not set")
    return "pg"


def _write(db: Database, n: int) -> None:
    for i in range(n):
        with db.write() as s:
            events.append(s, "hall.note", actor="system", at=AT, data={"i": i})


def test_events_of_another_writer_reach_the_sinks_in_seq_order_exactly_once(db_url: str) -> None:
    mine, other = Database(db_url), Database(db_url)  # two processes' handles on one database
    got: list[int] = []
    arrived = threading.Condition()

    def sink(batch: list[dict[str, Any]]) -> None:
        with arrived:
            got.extend(e["seq"] for e in batch)
            arrived.notify_all()

    tail = LogTail(mine, [sink], poll=5.0)  # a long poll: only the NOTIFY can wake it in time
    tail.start()
    first = tail.last + 1
    try:
        _write(other, 15)
        _write(mine, 5)
        with arrived:
            assert arrived.wait_for(lambda: len(got) >= 20, timeout=4.0)
    finally:
        tail.stop()
        mine.dispose()
        other.dispose()
    assert got == list(range(first, first + 20))


def test_a_missed_notification_costs_latency_not_an_event(db_url: str) -> None:
    db = Database(db_url)
    got: list[int] = []
    tail = LogTail(db, [lambda b: got.extend(e["seq"] for e in b)], batch=7)
    with db.read() as s:
        tail.last = events.last_seq(s)  # not started: nobody listens, every NOTIFY is lost
    start = tail.last
    try:
        _write(db, 20)
        tail.drain()  # the next wake-up (the timer) reads the table in bounded batches
        _write(db, 3)
        tail.drain()
    finally:
        db.dispose()
    assert got == list(range(start + 1, start + 24))
