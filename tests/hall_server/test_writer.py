"""Group commit (hall_server/writer.py): one transaction per batch, a failure is its own,
answers only after the commit and in chain order, and the loop never waits on a statement."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from hall_server.db import Database
from hall_server.domain.errors import Conflict
from hall_server.models import QueueCount
from hall_server.services import events
from hall_server.sql import Prepared
from hall_server.writer import Writer, plan

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    d = Database(db_url)
    yield d
    d.dispose()


def _append(note: str) -> "callable":  # type: ignore[valid-type]
    def fn(s: Session) -> int:
        return events.append(s, "test.note", actor="system", at=T0, data={"note": note}).seq
    return fn


def _fails_after_appending(s: Session) -> int:
    events.append(s, "test.note", actor="system", at=T0, data={"note": "never"})
    raise Conflict("这一条失败了。")


async def _ticks_then(release: threading.Event, n: int = 20) -> None:
    """Let the loop turn ``n`` times, then release whoever waits: proof the loop kept running."""
    for _ in range(n):
        await asyncio.sleep(0)
    release.set()


def _chain(db: Database) -> list[tuple[int, str]]:
    with db.read() as s:
        return [(r.seq, r.data.get("note")) for r in events.rows(s)]


@pytest.mark.parametrize("pending, max_batch, taken", [(0, 64, 0), (1, 64, 1), (63, 64, 63), (64, 64, 64),
                                                       (500, 64, 64), (5, 1, 1)])
def test_a_batch_takes_everything_waiting_up_to_its_bound(pending: int, max_batch: int, taken: int) -> None:
    assert plan(pending, max_batch=max_batch) == taken


@pytest.mark.parametrize("pending, last_batch, waited, taken", [
    (1, 1, 0.0, 1),      # an idle hall: the last batch was alone, so no waiting at all
    (3, 1, 0.0, 3),
    (1, 2, 0.0, 0),      # others are writing: a small batch waits for company
    (7, 30, 0.0019, 0),
    (7, 30, 0.002, 7),   # ... until the oldest has waited the delay
    (8, 30, 0.0, 8),     # ... or ``gather`` are there
    (100, 30, 0.0, 64),  # saturated: never waits, still bounded
])
def test_a_small_batch_waits_for_company_only_while_others_write(pending: int, last_batch: int, waited: float,
                                                                 taken: int) -> None:
    assert plan(pending, max_batch=64, last_batch=last_batch, waited=waited, delay=0.002, gather=8) == taken


def test_without_a_delay_nothing_waits() -> None:
    assert plan(1, max_batch=64, last_batch=30, waited=0.0, delay=0.0, gather=8) == 1


def _queue_while_held(db: Database, writer: Writer, fns: list, *, lean: bool = False) -> list:  # type: ignore[type-arg]
    """Submit every fn from its own thread while the writer is busy with a command that
    waits for them, so they all land in the next batch in a known order; returns each
    one's outcome (result or exception), in submission order."""
    started, release = threading.Event(), threading.Event()

    def blocker(s: Session) -> int:
        started.set()
        assert release.wait(30)
        return 0

    outcomes: list = [None] * len(fns)  # type: ignore[type-arg]

    def submit(i: int, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            outcomes[i] = writer.run_sync(fn, lean=lean)
        except Exception as e:  # noqa: BLE001 - the outcome under test
            outcomes[i] = e

    threads = [threading.Thread(target=writer.run_sync, args=(blocker,))]
    threads[0].start()
    assert started.wait(30)
    for i, fn in enumerate(fns):
        t = threading.Thread(target=submit, args=(i, fn))
        t.start()
        threads.append(t)
        assert writer.wait_until_pending(i + 1, 30)  # queued: the next one comes after it
    release.set()
    for t in threads:
        t.join(30)
    return outcomes


@pytest.mark.parametrize("lean", [False, True], ids=["orm-savepoint", "lean-savepoint"])
def test_a_failing_command_fails_alone_and_its_neighbours_commit(db: Database, lean: bool) -> None:
    writer = Writer(db)
    try:
        first = writer.run_sync(_append("first"))  # the thread runs; the next four share a batch
        out = _queue_while_held(db, writer, [_append("a"), _fails_after_appending, _append("b"), _append("c")],
                                lean=lean)
    finally:
        writer.stop()
    assert isinstance(out[1], Conflict)
    assert out[0] == first + 1 and out[2] == first + 2 and out[3] == first + 3
    assert _chain(db)[-4:] == [(first, "first"), (first + 1, "a"), (first + 2, "b"), (first + 3, "c")]
    with db.read() as s:
        assert events.last_seq(s) == first + 3
        assert events.verify(s).ok
    assert writer.stats.largest == 4  # one transaction for the four (the blocker's batch came first)
    # lean: no savepoints, and its event row was still kept in memory (sql.keeping):
    # nothing reached the database, so nothing needed taking back
    assert writer.stats.replays == 0


def _fails_before_writing(s: Session) -> int:
    events.tip(s)  # reads only
    raise Conflict("当前没有等候的号。")


def _breaks_a_statement(s: Session) -> int:
    s.execute(text("SELECT no_such_column FROM events"))
    return 0


_COUNT_ROW = Prepared(insert(QueueCount.__table__))
_ODD_DAY = date(1999, 1, 1)


def _fails_after_writing(s: Session) -> int:
    _COUNT_ROW.run(s, {"business_day": _ODD_DAY, "prefix": "Z", "priority": False, "waiting": 1})
    events.append(s, "test.note", actor="system", at=T0, data={"note": "never"})
    raise Conflict("这一条失败了。")


@pytest.mark.parametrize("failing, replays", [
    (_fails_before_writing, 0),  # nothing to take back: no rollback, no second run
    (_fails_after_writing, 1),  # it wrote: only rolling the whole batch back takes that back
    (_breaks_a_statement, 1),  # wrote nothing, but PostgreSQL aborts a transaction after a failed statement
], ids=["fails-before-writing", "fails-after-writing", "statement-fails"])
def test_without_savepoints_a_lean_failure_is_its_own_and_the_batch_runs_again_only_if_needed(
        db: Database, failing, replays: int) -> None:  # type: ignore[no-untyped-def]
    writer = Writer(db)
    try:
        first = writer.run_sync(_append("first"))
        out = _queue_while_held(db, writer, [_append("a"), failing, _append("b")], lean=True)
    finally:
        writer.stop()
    assert isinstance(out[1], Exception)
    assert out[0] == first + 1 and out[2] == first + 2
    assert [n for _, n in _chain(db)[-3:]] == ["first", "a", "b"]  # each once, in order
    assert writer.stats.replays == replays
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(QueueCount).where(QueueCount.business_day == _ODD_DAY)) == 0
        assert events.verify(s).ok


def test_commands_waiting_together_share_one_commit_and_keep_their_order(db: Database) -> None:
    writer = Writer(db)
    try:
        writer.run_sync(_append("warm"))  # the chain has a head row before the test
        notes = [f"n{i}" for i in range(20)]
        out = _queue_while_held(db, writer, [_append(n) for n in notes])
    finally:
        writer.stop()
    assert out == sorted(out) and len(set(out)) == 20  # answer order is chain order
    assert [n for _, n in _chain(db)[-20:]] == notes
    assert writer.stats.batches == 3 and writer.stats.largest == 20  # warm, blocker, the twenty


def test_an_answer_is_given_only_after_its_commit(db: Database) -> None:
    """Whoever receives the answer can already read the write from another connection."""
    writer = Writer(db)
    seen: list[int] = []

    async def main() -> None:
        for i in range(5):
            seq = await writer.run(_append(f"x{i}"))
            with db.read() as s:
                seen.append(events.last_seq(s) - seq)
    try:
        asyncio.run(main())
    finally:
        writer.stop()
    assert seen == [0, 0, 0, 0, 0]


def test_the_event_loop_keeps_running_while_a_statement_is_slow(db: Database) -> None:
    """A write that takes long (here: one that waits until the loop has ticked 20 times)
    stalls the writer thread only; WebSockets and reads on the loop go on."""
    writer = Writer(db)
    release = threading.Event()

    def slow(s: Session) -> int:
        s.execute(text("SELECT 1"))
        assert release.wait(30), "the loop never ticked while the statement ran"
        return _append("slow")(s)

    async def main() -> int:
        seq, _ = await asyncio.gather(writer.run(slow), _ticks_then(release))
        return seq

    try:
        seq = asyncio.run(main())
    finally:
        writer.stop()
    assert _chain(db)[-1] == (seq, "slow")  # ``slow`` raises unless the loop turned meanwhile


def test_a_bug_in_one_command_is_raised_to_its_own_caller_only(db: Database) -> None:
    writer = Writer(db)

    def broken(s: Session) -> int:
        raise ZeroDivisionError

    try:
        out = _queue_while_held(db, writer, [_append("before"), broken, _append("after")])
    finally:
        writer.stop()
    assert isinstance(out[1], ZeroDivisionError)
    assert [n for _, n in _chain(db)[-2:]] == ["before", "after"]


def test_without_group_commit_each_write_commits_on_its_own(db: Database) -> None:
    writer = Writer(db, enabled=False)
    assert writer.run_sync(_append("one")) + 1 == writer.run_sync(_append("two"))
    assert asyncio.run(writer.run(_append("three"))) == _chain(db)[-1][0]
    assert writer.stats.batches == 0


def test_acknowledged_writes_are_synced_to_disk(db: Database) -> None:
    """SQLite synchronous=FULL (2); PostgreSQL synchronous_commit=on."""
    with db.write() as s:
        if db.is_sqlite:
            assert s.execute(text("PRAGMA synchronous")).scalar() == 2
        else:
            assert s.execute(text("SHOW synchronous_commit")).scalar() == "on"
    fast = Database(db.url, durable=False)
    try:
        with fast.write() as s:
            if fast.is_sqlite:
                assert s.execute(text("PRAGMA synchronous")).scalar() == 1
            else:
                assert s.execute(text("SHOW synchronous_commit")).scalar() == "off"
    finally:
        fast.dispose()


def test_a_stopped_writer_finishes_its_queue_and_starts_again_on_the_next_write(db: Database) -> None:
    """A server stopped and served again (the clients' reconnect tests) keeps writing."""
    writer = Writer(db)
    first = writer.run_sync(_append("before the stop"))
    writer.stop()
    try:
        assert writer.run_sync(_append("after the stop")) == first + 1
        assert asyncio.run(writer.run(_append("and from a loop"))) == first + 2
    finally:
        writer.stop()


# --- SQLite: the batches run on the event loop (``Writer(on_loop=True)``) -------------------

@pytest.fixture
def lite(sqlite_template, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """The migrated demo hall on SQLite, where the server runs its writer on the loop."""
    dst = tmp_path / "hall.sqlite3"
    dst.write_bytes(Path(sqlite_template.url.removeprefix("sqlite:///")).read_bytes())
    d = Database(f"sqlite:///{dst}")
    yield d
    d.dispose()


def _append_noting_thread(note: str, threads: list[int]) -> "callable":  # type: ignore[valid-type]
    def fn(s: Session) -> int:
        threads.append(threading.get_ident())
        return _append(note)(s)
    return fn


def test_the_server_runs_its_writer_on_the_loop_on_sqlite_only(db: Database) -> None:
    from hall_server.settings import Settings
    writer = Writer.configured(db, Settings(database_url=db.url))
    assert writer.on_loop is db.is_sqlite
    assert writer.max_batch == (16 if db.is_sqlite else 64)  # a batch on the loop holds every socket: kept short
    assert Writer.configured(db, Settings(database_url=db.url, writer_on_loop=False)).on_loop is False


def test_on_the_loop_the_writes_of_one_turn_share_one_commit_in_their_order(lite: Database) -> None:
    writer = Writer(lite, on_loop=True)
    threads: list[int] = []
    notes = [f"n{i}" for i in range(20)]

    async def main() -> tuple[int, list[int]]:
        await writer.run(_append("warm"), lean=True)
        return threading.get_ident(), await asyncio.gather(*(writer.run(_append_noting_thread(n, threads),
                                                                        lean=True) for n in notes))
    try:
        loop_thread, out = asyncio.run(main())
    finally:
        writer.stop()
    assert out == sorted(out) and len(set(out)) == 20  # answer order is chain order
    assert [n for _, n in _chain(lite)[-20:]] == notes
    assert writer.stats.batches == 2 and writer.stats.largest == 20  # warm, then the twenty together
    assert set(threads) == {loop_thread}  # no writer thread: the loop ran them


def test_on_the_loop_a_failing_command_fails_alone(lite: Database) -> None:
    writer = Writer(lite, on_loop=True)

    async def main() -> list:  # type: ignore[type-arg]
        await writer.run(_append("warm"), lean=True)
        return await asyncio.gather(*(writer.run(fn, lean=True) for fn in
                                      [_append("a"), _fails_after_appending, _append("b")]), return_exceptions=True)
    try:
        out = asyncio.run(main())
    finally:
        writer.stop()
    assert isinstance(out[1], Conflict) and out[2] == out[0] + 1
    assert [n for _, n in _chain(lite)[-3:]] == ["warm", "a", "b"]
    with lite.read() as s:
        assert events.verify(s).ok


def test_the_loop_never_waits_for_the_writer_lock(lite: Database) -> None:
    """A ``Database.write()`` block in another thread (an admin page, a sweep) holds the lock:
    the loop goes on serving (here: ticks 20 times) and the write runs once it is free."""
    writer = Writer(lite, on_loop=True)
    holding, release = threading.Event(), threading.Event()
    released: list[bool] = []

    def hold() -> None:
        with lite.write() as s:
            s.execute(text("SELECT 1"))
            holding.set()
            released.append(release.wait(10))  # False: the loop stood still meanwhile

    async def main() -> int:
        seq, _ = await asyncio.gather(writer.run(_append("after the lock"), lean=True), _ticks_then(release))
        return seq

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    try:
        seq = asyncio.run(main())
    finally:
        holder.join(30)
        writer.stop()
    assert released == [True], "the loop stood still while another thread held the writer lock"
    assert _chain(lite)[-1] == (seq, "after the lock")


def test_on_the_loop_only_lean_writes_run_there_every_other_in_the_writer_thread(lite: Database) -> None:
    """A catalog import or an admin page's write may take long: it must not hold the sockets."""
    writer = Writer(lite, on_loop=True)
    lean_threads: list[int] = []
    other_threads: list[int] = []

    async def main() -> int:
        await asyncio.gather(writer.run(_append_noting_thread("lean", lean_threads), lean=True),
                             writer.run(_append_noting_thread("other", other_threads)),
                             asyncio.to_thread(writer.run_sync, _append_noting_thread("sync", other_threads)))
        return threading.get_ident()
    try:
        loop_thread = asyncio.run(main())
    finally:
        writer.stop()
    assert sorted(n for _, n in _chain(lite)[-3:]) == ["lean", "other", "sync"]
    assert lean_threads == [loop_thread]
    assert len(other_threads) == 2 and loop_thread not in other_threads


def test_stopping_on_the_loop_commits_what_it_still_holds(lite: Database) -> None:
    writer = Writer(lite, on_loop=True)

    async def main() -> list[int]:
        tasks = [asyncio.ensure_future(writer.run(_append(f"s{i}"), lean=True)) for i in range(3)]
        await asyncio.sleep(0)  # each has queued its write; the batch has not run yet
        writer.stop()  # the server's shutdown: the queue is run now, not dropped
        return [await t for t in tasks]

    out = asyncio.run(main())
    assert [n for _, n in _chain(lite)[-3:]] == ["s0", "s1", "s2"] and out == sorted(out)
    assert writer.stats.batches == 1
