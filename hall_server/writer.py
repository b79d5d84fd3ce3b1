"""Group commit: one writer gathers concurrent writes into one transaction.

Every write appends to one hash chain, so writes are sequential by nature; what a second
writer could not add, a batch can: requests that arrive while a transaction commits wait
for the next one and share its commit (one chain-tip read, one head update, one sync of the
log to disk, one NOTIFY). That is what makes ``synchronous=FULL`` affordable: an
acknowledged write survives a power cut for the price of one fsync per batch, not per
request.

The rules (issue #17):
- each command runs inside a SAVEPOINT of the batch's transaction: one that fails rolls
  back to it and fails alone, its neighbours commit;
- an answer is handed back only after its batch committed (a crash before the commit
  loses only unacknowledged work);
- the chain's order is the order the commands were taken in, and their answers are
  decided in that order (futures are resolved in it, in one callback on the loop).

Where the batches run (``on_loop``):
- **PostgreSQL: a thread of its own.** The writer holds the database's writer lock for a
  batch, so a ``Database.write()`` block elsewhere (admin pages, background sweeps) runs
  between two batches, and the event loop never waits on a statement: a slow one stalls
  the writer, not the WebSockets (issue #17, part 4).
- **SQLite: the lean commands on the event loop itself** (the six peak-hour requests, a few
  prepared statements each). SQLite's statements are in-process and take microseconds;
  what a thread cost there was the two threads taking turns on one core — the writer gives
  the GIL up at every SQLite call and waits for it back while the loop parses requests, and
  every batch is a wake-up across threads both ways. On the loop a batch is one callback
  (``_flush``): the requests read in the same turn of the loop join it, the ones read while
  it runs make the next, at most ``max_batch`` (16 in the server: past capacity a longer
  batch kept the loop from reading and refusing). It never waits for the writer lock: held
  elsewhere, the batch is tried again a millisecond later. Every other write (a catalog
  import, an admin page, a creating POST from its worker thread) still goes to the thread,
  so a long one never holds the sockets (docs/server.md, "The writer on the loop").

``plan`` is pure (how many to take now); ``Writer._run_batch`` is the only code that
touches the session.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from . import sql
from .db import Database
from .settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


def plan(pending: int, *, max_batch: int, last_batch: int = 1, waited: float = 0.0, delay: float = 0.0,
         gather: int = 8) -> int:
    """How many queued commands the next batch takes now: all that wait, up to ``max_batch``;
    0 means wait for company first.

    Under a steady load below saturation the batches stay small (a request arrives, its
    batch of two commits at once), and every op pays a big share of a synced commit: that
    made the server busier at 80 % of its rate than at 100 % (docs/server.md, "Writer CPU
    and the commit delay"). So, like PostgreSQL's ``commit_delay``/``commit_siblings``, when the last batch
    had company (``last_batch > 1``: others are writing) and fewer than ``gather`` wait, the
    writer waits until ``gather`` are there or the oldest has waited ``delay`` seconds. An
    idle hall (batches of one) pays nothing; a saturated one never waits (``gather`` are
    always there)."""
    if pending == 0:
        return 0
    if pending < gather and last_batch > 1 and waited < delay:
        return 0
    return min(pending, max_batch)


@dataclass(eq=False)
class Command(Generic[T]):
    """One request's write: ``fn`` runs in the batch's session; ``done`` hands the outcome back."""
    fn: Callable[[Session], T]
    done: Callable[[T | None, BaseException | None], None]
    result: T | None = None
    error: BaseException | None = None
    loop: asyncio.AbstractEventLoop | None = None  # where the answer is delivered (None: any thread)
    # runs only prepared statements (hall_server/sql.py), never the ORM's unit of work: its
    # savepoint is a plain SAVEPOINT on the cursor, without the Session's nested transaction
    lean: bool = False
    submitted: float = 0.0  # time.monotonic() when queued (``plan``'s waited)


class _Replay(Exception):
    """A lean command failed after it wrote: without a savepoint only rolling the whole
    batch back takes its writes back."""


@dataclass
class BatchStats:
    """Since start: for the logs and the benchmark (``GET /api/v1/health`` shows them)."""
    batches: int = 0
    commands: int = 0
    largest: int = 0
    replays: int = 0  # batches run a second time with savepoints (``Writer._run_batch``)

    @property
    def mean(self) -> float:
        return self.commands / self.batches if self.batches else 0.0


class Writer:
    """The group-commit writer of one server process.

    ``enabled=False`` runs each command in a transaction of its own on the caller's
    thread (the way the server wrote before group commit; kept to measure the difference,
    ``HALL_GROUP_COMMIT=0``).
    """

    def __init__(self, db: Database, *, enabled: bool = True, max_batch: int = 64, delay: float = 0.0,
                 gather: int = 8, on_loop: bool = False) -> None:
        self.db = db
        self.enabled = enabled
        self.on_loop = on_loop  # batches run on the event loop of ``run`` (SQLite), not a thread
        db.writer_attached = db.writer_attached or enabled  # it resets the WAL (Database.reset_wal)
        self.max_batch = max_batch
        self.delay = delay  # seconds (``plan``)
        self.gather = gather
        self._last_batch = 1
        self.stats = BatchStats()
        self._queue: deque[Command[Any]] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._waiting_pending = 0  # someone blocks in ``wait_until_pending``: wake it on every submit
        # on the loop (``on_loop``): its queue, touched only on that loop's thread
        self._bound: asyncio.AbstractEventLoop | None = None
        self._here: deque[Command[Any]] = deque()
        self._flush_at: asyncio.Handle | None = None

    @classmethod
    def configured(cls, db: Database, settings: Settings) -> Writer:
        on_loop = db.is_sqlite and settings.writer_on_loop
        max_batch = settings.group_commit_max_batch
        if on_loop:
            max_batch = min(max_batch, settings.group_commit_loop_batch)
        return cls(db, enabled=settings.group_commit, max_batch=max_batch,
                   delay=settings.group_commit_delay_ms / 1000, gather=settings.group_commit_gather,
                   on_loop=on_loop)

    # --- submitting -------------------------------------------------------------------

    async def run(self, fn: Callable[[Session], T], *, lean: bool = False) -> T:
        """From the event loop: the result of ``fn`` once its batch has committed.

        ``lean``: ``fn`` writes only through prepared statements (``hall_server/sql.py``)
        and adds no ORM object; it then skips the Session's nested transaction, and with
        ``on_loop`` it runs on this loop (the rest goes to the writer thread)."""
        if not self.enabled:
            with self.db.write() as s:
                return fn(s)
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()

        def done(result: T | None, error: BaseException | None) -> None:
            if fut.cancelled():
                return  # the client went away; the write stands
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(result)  # type: ignore[arg-type]

        cmd = Command(fn, done, loop=loop, lean=lean)
        if self.on_loop and lean:
            self._take(cmd, loop)
        else:
            self._submit(cmd)
        # not shielded: if the request's task is cancelled (the client went away), the
        # command still runs and commits, and ``done`` leaves the cancelled future alone
        return await fut

    def run_sync(self, fn: Callable[[Session], T], *, lean: bool = False) -> T:
        """From a worker thread: blocks until the batch holding ``fn`` has committed
        (``lean`` as in ``run``)."""
        if not self.enabled or threading.current_thread() is self._thread:
            with self.db.write() as s:
                return fn(s)
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()

        def done(result: T | None, error: BaseException | None) -> None:
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(result)  # type: ignore[arg-type]

        self._submit(Command(fn, done, lean=lean))
        return fut.result()

    def _submit(self, cmd: Command[Any]) -> None:
        with self._wake:
            if self._stopping:
                raise RuntimeError("writer stopped")
            cmd.submitted = time.monotonic()
            self._queue.append(cmd)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-writer", daemon=True)
                self._thread.start()
            if len(self._queue) in (1, self.gather) or self._waiting_pending:
                self._wake.notify_all()

    def _take(self, cmd: Command[Any], loop: asyncio.AbstractEventLoop) -> None:
        """On the loop's thread: queue ``cmd`` for the batch that runs at the end of this turn
        of the loop (after the other requests read in it)."""
        if loop is not self._bound:  # a server started again on a new loop
            self._bound, self._flush_at = loop, None
        cmd.submitted = time.monotonic()
        self._here.append(cmd)
        if self._flush_at is None:
            self._flush_at = loop.call_soon(self._flush)

    def _flush(self) -> None:
        """One batch on the loop (``on_loop``): as ``_loop`` does on its thread."""
        self._flush_at = None
        loop, queue = self._bound, self._here
        if not queue or loop is None:
            return
        waited = time.monotonic() - queue[0].submitted
        n = plan(len(queue), max_batch=self.max_batch, last_batch=self._last_batch, waited=waited,
                 delay=self.delay, gather=self.gather)
        if n == 0:
            self._flush_at = loop.call_later(self.delay - waited, self._flush)
            return
        if not self.db.write_lock.acquire(blocking=False):  # a Database.write() elsewhere: never wait on the loop
            self._flush_at = loop.call_later(0.001, self._flush)
            return
        try:
            batch = [queue.popleft() for _ in range(n)]
            self._last_batch = n
            self.db.reset_wal()  # if the WAL is over its bound (Database.reset_wal)
            self._run_batch(batch)
        finally:
            self.db.write_lock.release()
        if queue:
            self._flush_at = loop.call_soon(self._flush)
        _deliver(batch)

    def _drain(self) -> None:
        """At shutdown, on the loop: run what the loop still holds, now."""
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        while self._here:
            batch = [self._here.popleft() for _ in range(min(len(self._here), self.max_batch))]
            with self.db.write_lock:
                self._run_batch(batch)
            _deliver(batch)

    def wait_until_pending(self, n: int, timeout: float) -> bool:
        """Block until at least ``n`` commands wait (tests and the benchmark line batches up)."""
        with self._wake:
            self._waiting_pending += 1
            try:
                return self._wake.wait_for(lambda: len(self._queue) >= n, timeout)
            finally:
                self._waiting_pending -= 1

    # --- the thread -------------------------------------------------------------------

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then end the thread (server shutdown). The next write after
        it starts a new thread (an app served again, as the tests' restarted servers are)."""
        if self._here:
            if _running() is self._bound:
                self._drain()
            else:  # a bug: only the loop that took them can answer them
                log.error("writer stopped off its loop with %d writes unrun", len(self._here))
        self._bound = None
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._wake:
            self._stopping = False
            self._thread = None

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._stopping:
                    self._wake.wait()
                if not self._queue:
                    return  # stopping and drained
                while True:
                    waited = time.monotonic() - self._queue[0].submitted
                    n = plan(len(self._queue), max_batch=self.max_batch, last_batch=self._last_batch,
                             waited=waited, delay=0.0 if self._stopping else self.delay, gather=self.gather)
                    if n:
                        break
                    self._wake.wait(self.delay - waited)
                batch = [self._queue.popleft() for _ in range(n)]
            self._last_batch = n
            with self.db.write_lock:
                self.db.reset_wal()  # if the WAL is over its bound (Database.reset_wal)
                self._run_batch(batch)
            self._answer(batch)

    def _run_batch(self, batch: list[Command[Any]]) -> None:
        """One transaction for the batch; a command's failure is its own. The caller holds the
        writer lock.

        Lean commands run without a savepoint first: almost every one that fails (nobody
        waiting, not on duty, a closed category) fails before it writes, so there is nothing
        to take back, and a SAVEPOINT and RELEASE per write were a fifth of a write's
        statements (two round trips of seven on PostgreSQL). Should one fail after writing,
        the batch is rolled back whole and run again with a savepoint around every command
        (``_Replay``): same order, same outcome for each, only slower."""
        try:
            if len(batch) == 1:  # alone: its failure rolls the transaction back, no SAVEPOINT needed
                self._run_alone(batch[0])
                return
            try:
                self._commit(batch, guarded=False)
            except _Replay:
                log.info("a write failed after writing; its batch of %d runs again with savepoints", len(batch))
                for cmd in batch:
                    cmd.result, cmd.error = None, None
                self.stats.replays += 1
                self._commit(batch, guarded=True)
        except BaseException as e:  # the commit itself failed: nobody's write stands
            log.exception("group commit of %d commands failed", len(batch))
            for cmd in batch:
                cmd.result, cmd.error = None, cmd.error or e
            if not isinstance(e, Exception):
                raise
            return
        self.stats.batches += 1
        self.stats.commands += len(batch)
        self.stats.largest = max(self.stats.largest, len(batch))

    def _commit(self, batch: list[Command[Any]], *, guarded: bool) -> None:
        """Run the batch in one transaction and commit it; ``guarded``: a SAVEPOINT around
        every command (else only around those that are not lean)."""
        from .services import events
        with self.db.transaction() as s:
            for cmd in batch:
                sql.keeping(s, cmd.lean)  # lean: event rows and count bumps go in at the commit
                m = events.mark(s)
                try:
                    if cmd.lean and not guarded:
                        before = sql.writes(s)
                        try:
                            cmd.result = cmd.fn(s)
                        except Exception as e:
                            if sql.writes(s) != before or isinstance(e, DBAPIError):
                                raise _Replay from e  # something to take back: only a rollback can
                            raise
                    elif cmd.lean:
                        with sql.savepoint(s):
                            cmd.result = cmd.fn(s)
                    else:
                        with s.begin_nested():
                            s.connection()  # the SAVEPOINT now: a prepared statement would not emit it
                            cmd.result = cmd.fn(s)
                except _Replay:
                    raise
                except Exception as e:  # noqa: BLE001 - handed to its own request
                    events.restore(s, m)
                    cmd.error = e

    def _run_alone(self, cmd: Command[Any]) -> None:
        try:
            with self.db.transaction() as s:
                sql.keeping(s, cmd.lean)
                cmd.result = cmd.fn(s)
        except Exception as e:  # noqa: BLE001 - handed to its own request
            cmd.error = e
        self.stats.batches += 1
        self.stats.commands += 1
        self.stats.largest = max(self.stats.largest, 1)

    @staticmethod
    def _answer(batch: list[Command[Any]]) -> None:
        """Hand the outcomes back in batch order: one wake-up per event loop, not per command."""
        by_loop: dict[asyncio.AbstractEventLoop | None, list[Command[Any]]] = {}
        for cmd in batch:
            by_loop.setdefault(cmd.loop, []).append(cmd)

        for loop, cmds in by_loop.items():
            if loop is None:
                _deliver(cmds)
                continue
            try:
                loop.call_soon_threadsafe(_deliver, cmds)
            except RuntimeError:  # that loop is closed (its server shut down): nobody waits
                log.warning("an answer's event loop is closed; %d answers dropped", len(cmds))


def _deliver(batch: list[Command[Any]]) -> None:
    for cmd in batch:
        cmd.done(cmd.result, cmd.error)


def _running() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
