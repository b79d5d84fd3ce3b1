"""The queue counts (migration 0014) always equal the waiting tickets counted one by one.

"Waiting ahead" at issue and the hall's waiting counts read ``queue_counts`` instead of
counting the day's queue; that is only right if every move into or out of ``waiting`` keeps
them in its own transaction. Proved on a migrated SQLite file and on PostgreSQL (when
HALL_TEST_PG_URL is set): a seeded random sequence of real queue operations through the
services (issue normal and 绿色通道 in three categories, call-next, recall, start, complete,
skip, requeue, transfer to a category or a window, pause, resume, days passing), and after
every step the counts equal the counted truth; every issue answers the same "waiting ahead"
as the count over the tickets did. Also: the migration starts the counts from the tickets
already waiting, and concurrent writers on PostgreSQL lose no update.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.orm import Session

from hall_server import migrate, sql
from hall_server.db import Database
from hall_server.domain import queue as q
from hall_server.domain.errors import HallError
from hall_server.domain.roles import Role
from hall_server.models import QueueCount, Staff, Ticket
from hall_server.services import events
from hall_server.services import queue as svc
from hall_server.services.actors import Actor
from hall_server.settings import Settings

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
CLERKS = {1: "1001", 3: "1003", 5: "1005", 9: "1009"}  # windows serving A / A,C / B / C
STEPS = 400


def _truth(s: Session) -> dict[tuple[date, str, bool], int]:
    """The waiting tickets counted one by one: what the counts must always say."""
    rows = s.execute(select(Ticket.business_day, Ticket.prefix, Ticket.priority, func.count())
                     .where(Ticket.state == q.TicketState.WAITING)
                     .group_by(Ticket.business_day, Ticket.prefix, Ticket.priority)).all()
    return {(d, p, bool(pr)): int(n) for d, p, pr, n in rows}


def _counts(s: Session) -> dict[tuple[date, str, bool], int]:
    rows = s.execute(select(QueueCount.business_day, QueueCount.prefix, QueueCount.priority, QueueCount.waiting))
    return {(d, p, bool(pr)): int(n) for d, p, pr, n in rows if n}


def _ahead_by_counting(s: Session, day: date, prefix: str, priority: bool) -> int:
    """"Waiting ahead" as issue computed it before the counts: a count over the tickets."""
    stmt = select(func.count()).select_from(Ticket).where(
        Ticket.business_day == day, Ticket.state == q.TicketState.WAITING, Ticket.prefix == prefix)
    if priority:
        stmt = stmt.where(Ticket.priority.is_(True))
    return int(s.scalar(stmt) or 0)


class Hall:
    """The seeded demo hall with four clerks on duty, driven through the queue services."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self.db = Database(url)
        self.settings = Settings(database_url=url, data_dir=data_dir, argon2_time_cost=1, argon2_memory_kib=256)
        self.now = T0
        self.actors: dict[int, Actor] = {}
        with self.db.write() as s:
            for w, no in CLERKS.items():
                staff = s.scalar(select(Staff).where(Staff.staff_no == no))
                assert staff is not None
                svc.start_duty(s, staff=staff, window_no=w, now=T0)
                self.actors[w] = Actor(kind="staff", id=staff.id, name=staff.name, roles=frozenset({Role.CLERK}),
                                       staff_no=no)
        self.kiosk = Actor(kind="device", id=1, name="kiosk-1", roles=frozenset({Role.KIOSK}), device_name="kiosk-1")

    def run(self, fn: Callable[[Session], Any]) -> Any:
        """One write transaction; a refused move (HallError) is part of a random day."""
        try:
            with self.db.write() as s:
                return fn(s)
        except HallError:
            return None

    def day(self) -> date:
        return q.business_day(self.now, self.settings.tz)


@pytest.fixture
def hall(db_url: str, tmp_path: Path) -> Iterator[Hall]:
    h = Hall(db_url, tmp_path)
    yield h
    h.db.dispose()


@pytest.mark.parametrize("seed", [17, 2026])
def test_the_counts_equal_the_waiting_tickets_after_every_move(hall: Hall, seed: int) -> None:
    rnd = random.Random(seed)
    windows = list(CLERKS)
    moves: dict[str, int] = {}
    for _ in range(STEPS):
        move = rnd.choices(["issue", "call", "act", "transfer", "requeue", "pause", "resume", "time"],
                           weights=[30, 18, 22, 8, 6, 3, 3, 4])[0]
        w = rnd.choice(windows)
        clerk = hall.actors[w]
        if move == "issue":
            prefix, priority = rnd.choice("ABC"), rnd.random() < 0.25
            with hall.db.read() as s:
                expected = _ahead_by_counting(s, hall.day(), prefix, priority)
            out = hall.run(lambda s: svc.issue_ticket(
                s, settings=hall.settings, prefix=prefix, priority=priority, actor=clerk if priority else hall.kiosk,
                now=hall.now, priority_reason="老年人" if priority else None))
            assert out is not None
            assert out[1] == expected, (prefix, priority, out[1], expected)
        elif move == "call":
            out = hall.run(lambda s: svc.call_next(s, settings=hall.settings, window_no=w, actor=clerk, now=hall.now))
        elif move == "act":
            action = rnd.choice([q.Action.RECALL, q.Action.START, q.Action.COMPLETE, q.Action.SKIP, q.Action.SKIP])
            out = hall.run(lambda s: svc.act(s, settings=hall.settings, window_no=w, action=action, actor=clerk,
                                             now=hall.now))
        elif move == "transfer":
            to_category, to_window = rnd.choice([(rnd.choice("ABC"), None), (None, rnd.choice(windows))])
            out = hall.run(lambda s: svc.transfer(s, settings=hall.settings, window_no=w, to_category=to_category,
                                                  to_window=to_window, actor=clerk, now=hall.now))
        elif move == "requeue":
            with hall.db.read() as s:
                skipped = list(s.scalars(select(Ticket.number).where(
                    Ticket.business_day == hall.day(), Ticket.state == q.TicketState.SKIPPED)))
            number = rnd.choice(skipped) if skipped else "A001"
            out = hall.run(lambda s: svc.requeue(s, settings=hall.settings, number=number, actor=clerk,
                                                 now=hall.now))
        elif move == "pause":
            out = hall.run(lambda s: svc.pause(s, window_no=w, reason="临时离岗", actor=clerk, now=hall.now))
        elif move == "resume":
            out = hall.run(lambda s: svc.resume(s, window_no=w, actor=clerk, now=hall.now))
        else:  # minutes, or past midnight: yesterday's waiting tickets stay counted on their day
            out = hall.now = hall.now + timedelta(minutes=rnd.choice([1, 3, 20, 60 * 16]))
        if out is not None:
            moves[move] = moves.get(move, 0) + 1
        with hall.db.read() as s:
            truth = _truth(s)
            assert _counts(s) == truth, move
            today = {}
            for (d, p, _), n in truth.items():
                if d == hall.day():
                    today[p] = today.get(p, 0) + n
            assert svc.waiting_counts(s, hall.day()) == today
    # the sequence really moved tickets every way (or the proof proves little)
    for move in ("issue", "call", "act", "transfer", "requeue", "time"):
        assert moves.get(move, 0) >= 3, moves


@pytest.mark.parametrize("seed", [5, 77])
def test_counts_kept_until_the_commit_still_equal_the_waiting_tickets_and_waiting_ahead_includes_them(
        hall: Hall, seed: int) -> None:
    """The writer's lean batches keep their count changes in the session (``sql.keeping``)
    and write them at the commit; "waiting ahead" must count them meanwhile. Batches of
    random hot moves, each in one transaction as the writer runs them (a refused move takes
    back what it kept, as ``Writer._commit`` does)."""
    rnd = random.Random(seed)
    windows = list(CLERKS)
    issued = 0
    for _ in range(12):
        with hall.db.write() as s:
            sql.keeping(s, True)
            for _ in range(16):
                w = rnd.choice(windows)
                clerk = hall.actors[w]
                m = events.mark(s)
                try:
                    move = rnd.choices(["issue", "call", "act"], weights=[45, 25, 30])[0]
                    if move == "issue":
                        prefix, priority = rnd.choice("ABC"), rnd.random() < 0.25
                        expected = _ahead_by_counting(s, hall.day(), prefix, priority)  # tickets: written at once
                        _, ahead, _ = svc.issue_ticket(
                            s, settings=hall.settings, prefix=prefix, priority=priority,
                            actor=clerk if priority else hall.kiosk, now=hall.now,
                            priority_reason="老年人" if priority else None)
                        assert ahead == expected, (prefix, priority, ahead, expected)
                        issued += 1
                    elif move == "call":
                        svc.call_next(s, settings=hall.settings, window_no=w, actor=clerk, now=hall.now)
                    else:
                        svc.act(s, settings=hall.settings, window_no=w, actor=clerk, now=hall.now,
                                action=rnd.choice([q.Action.START, q.Action.COMPLETE, q.Action.SKIP]))
                except HallError:
                    events.restore(s, m)
            assert sql.kept(s, svc._bump(s))  # the batch did keep count changes
        with hall.db.read() as s:
            assert _counts(s) == _truth(s)
    assert issued >= 50


def test_the_migration_starts_the_counts_from_the_tickets_already_waiting(db_url: str) -> None:
    command.downgrade(migrate.config(db_url), "0013")
    day = date(2026, 11, 24)
    rows = [dict(business_day=day - timedelta(days=i % 2), prefix="AB"[i % 2 ^ (i // 3) % 2],
                 issued_prefix="A", seq=i + 1, number=f"A{i + 1:03d}",
                 state=("waiting", "waiting", "called", "done", "skipped")[i % 5], priority=i % 4 == 0,
                 issued_at=T0, queued_at=T0, requeues=0, recalls=0, source="test", wait_estimate_min=0)
            for i in range(60)]
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(Ticket), rows)
    finally:
        engine.dispose()
    migrate.upgrade(db_url)
    db = Database(db_url)
    try:
        with db.read() as s:
            truth = _truth(s)
            assert len(truth) >= 6 and _counts(s) == truth
    finally:
        db.dispose()


def test_concurrent_writers_lose_no_count_on_postgresql(backend: str, db_url: str) -> None:
    """The upsert itself is atomic: writers outside the server's writer lock (several
    threads, each its own transactions, all starting on a row that does not exist yet)
    neither lose an increment nor fail on a duplicate key."""
    if backend != "pg":
        pytest.skip("SQLite has one writer at a time by construction (BEGIN IMMEDIATE)")
    engine = create_engine(db_url, pool_size=4)
    day, threads, each = date(2030, 1, 1), 4, 50
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            start.wait()
            for i in range(each):
                with Session(engine) as s, s.begin():
                    svc._count(s, day, "A", i % 2 == 0, +1)
        except BaseException as e:  # reported by the assertion below
            errors.append(e)

    workers = [threading.Thread(target=writer) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    try:
        assert not errors, errors
        with Session(engine) as s:
            assert {k: n for k, n in _counts(s).items() if k[0] == day} == {(day, "A", True): threads * each // 2, (day, "A", False): threads * each // 2}
    finally:
        engine.dispose()
