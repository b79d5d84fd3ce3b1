"""The log tails (api/tail.py): events written through another database handle (another
process) reach this process's sinks in seq order, each once, and a missed wake-up (NOTIFY
on PostgreSQL, the writer's doorbell on SQLite) costs latency, never an event."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select

from hall_server.api.tail import BellTail, Doorbell, LogTail
from hall_server.db import Database
from hall_server.models import Event
from hall_server.services import events
from tests.conftest import PG_URL, free_port

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


def test_own_events_are_handed_on_without_reading_the_table_and_others_fill_the_gaps(db_url: str) -> None:
    """A process's own committed events come from its commits (``offer``); only the seqs
    between them — other processes' events — are read. Driven by hand (not started), so
    which wake-up says what is fixed."""
    mine, other = Database(db_url), Database(db_url)
    got: list[dict[str, Any]] = []
    tail = LogTail(mine, [got.extend], batch=4)
    mine.after_commit.append(tail.offer)  # as app.create_app registers it
    with mine.read() as s:
        tail.last = events.last_seq(s)
    start = tail.last
    try:
        _write(mine, 6)
        tail.drain(known=start + 6)  # the NOTIFY of the sixth commit
        assert tail.reads == 0
        _write(other, 3)  # another process: seqs start+7..start+9
        _write(mine, 2)
        tail.drain(known=start + 11)
        assert tail.reads == 1  # the gap only, once
        _write(other, 1)
        tail.drain(known=start + 12)  # nothing of ours: read
        tail.drain(known=start + 12)  # told again (a repeated wake-up): nothing to read
        with other.read() as s:  # what was handed on is what the table holds
            table = [events.event_dict(e) for e in s.scalars(select(Event).where(Event.seq > start)
                                                             .order_by(Event.seq))]
    finally:
        mine.dispose()
        other.dispose()
    assert [e["seq"] for e in got] == list(range(start + 1, start + 13))
    assert tail.reads == 2
    assert got == table


# --- SQLite: the fan-out process's tail, rung by the writing process ---------------------

@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:  # type: ignore[no-untyped-def]
    import shutil
    from pathlib import Path
    dst = tmp_path / "hall.sqlite3"
    shutil.copy(Path(sqlite_template.url.removeprefix("sqlite:///")), dst)
    return f"sqlite:///{dst}"


class _Sink:
    def __init__(self) -> None:
        self.got: list[int] = []
        self.arrived = threading.Condition()

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        with self.arrived:
            self.got.extend(e["seq"] for e in batch)
            self.arrived.notify_all()

    def wait_for(self, n: int) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.got) >= n, timeout=5.0)


def test_the_writers_doorbell_wakes_the_sqlite_tail_and_events_arrive_in_seq_order_once(sqlite_url: str) -> None:
    writer, reader = Database(sqlite_url), Database(sqlite_url)  # the server's and the fan-out's handles
    port = free_port()
    sink = _Sink()
    tail = BellTail(reader, [sink], port=port, poll=60.0, batch=7)  # only a ring can wake it in time
    ring = Doorbell(port)
    writer.after_commit.append(ring)
    tail.start()
    first = tail.last + 1
    try:
        _write(writer, 25)
        assert sink.wait_for(25)
    finally:
        tail.stop()
        ring.close()
        writer.dispose()
        reader.dispose()
    assert sink.got == list(range(first, first + 25))


def test_without_a_ring_the_sqlite_tail_still_reads_on_its_timer(sqlite_url: str) -> None:
    writer, reader = Database(sqlite_url), Database(sqlite_url)
    sink = _Sink()
    tail = BellTail(reader, [sink], port=None, poll=0.05)  # a lost ring (or none): the timer reads
    tail.start()
    first = tail.last + 1
    try:
        _write(writer, 5)
        assert sink.wait_for(5)
    finally:
        tail.stop()
        writer.dispose()
        reader.dispose()
    assert sink.got == list(range(first, first + 5))


def test_a_doorbell_nobody_answers_never_fails_a_write(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    ring = Doorbell(free_port())  # no fan-out process there (not started, or crashed)
    db.after_commit.append(ring)
    try:
        with db.read() as s:
            before = events.last_seq(s)
        _write(db, 3)
        with db.read() as s:
            assert events.last_seq(s) == before + 3
    finally:
        ring.close()
        db.dispose()


def test_a_busy_log_is_read_at_most_once_per_min_gap_and_nothing_is_lost(sqlite_url: str) -> None:
    """The fan-out process's tail paces itself at the frame interval: rings during a gap are
    answered by the one read after it (each read is one frame to every subscriber)."""
    writer, reader = Database(sqlite_url), Database(sqlite_url)
    port, gap = free_port(), 0.2
    sink = _Sink()
    arrivals: list[float] = []

    def timed(batch: list[dict[str, Any]]) -> None:
        arrivals.append(time.monotonic())
        sink(batch)

    tail = BellTail(reader, [timed], port=port, poll=60.0, min_gap=gap)
    ring = Doorbell(port)
    writer.after_commit.append(ring)
    tail.start()
    first = tail.last + 1
    try:
        while len(arrivals) < 4:  # rung after every write, far more often than once per gap
            _write(writer, 1)
        with writer.read() as s:  # the last writes arrive with the read after the next gap
            written = events.last_seq(s)
        assert sink.wait_for(written - first + 1)
    finally:
        tail.stop()
        ring.close()
        writer.dispose()
        reader.dispose()
    assert sink.got == list(range(first, written + 1))
    # a read begins at least ``gap`` after the one before; what it hands on follows by a read's time
    assert all(b - a > gap * 0.75 for a, b in zip(arrivals, arrivals[1:]))
