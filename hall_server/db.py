"""Engines and transactions.

Writers are serialised: a process-wide lock (the server is the only writer), plus
``BEGIN IMMEDIATE`` on SQLite and a row lock on the event head on PostgreSQL. Every
state change appends to one hash chain, so writes are sequential by nature; making
that explicit removes retry loops and "database is locked" errors under load.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, String, bindparam, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from . import sql
from .models import EventHead

log = logging.getLogger(__name__)

# PostgreSQL: a commit that appended events rings this channel (api/tail.py listens)
EVENT_CHANNEL = "hall_events"
JOURNAL_SIZE_LIMIT = 48 * 2**20  # bytes the SQLite WAL file keeps after a reset (over the reset bound: see reset_wal)


def _sqlite_engine(url: str, *, immediate: bool, autocheckpoint: Callable[[], int] = lambda: 1000,
                   durable: bool = True) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           pool_size=20, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced at every commit, so an acknowledged write survives a power
        # cut (NORMAL only survives a crash of the process). With group commit one sync
        # serves a whole batch (measured: docs/server.md, "Group commit")
        cur.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint())}")
        # once a checkpoint has reset the WAL, its file is cut back to this size (else it
        # stays as large as it ever grew)
        cur.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        # a busy day's tickets and their indexes outgrow SQLite's default 2 MB page cache;
        # pages re-read from the OS cost CPU on every hot statement (per connection, 32 MB)
        cur.execute("PRAGMA cache_size=-32000")
        if immediate:
            # the writer's savepoints (one per write of a batch) keep the pages they change
            # in a sub-journal: a temp file by default, a syscall or two per statement. In
            # memory it is a few pages per write and an insert costs half (bench_writer.py;
            # docs/server.md "Writer CPU and the commit delay"). Writer connections only: a
            # report's big sort on a reading connection still spills to disk
            cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # on the driver's connection: SQLAlchemy's statement machinery cost more than the
        # statement, once per transaction (a writer batch, every read)
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# PostgreSQL, once per write transaction (prepared: SQLAlchemy's statement machinery cost
# ~0.5 ms of CPU per batch for these two): the head row, locked, and the doorbell
_HEAD_FOR_UPDATE = sql.Prepared(select(EventHead.seq, EventHead.hash).where(EventHead.id == 1).with_for_update())
_NOTIFY = sql.Prepared(select(func.pg_notify(EVENT_CHANNEL, bindparam("seq", type_=String))))


def background_priority() -> None:
    """Lower the calling thread's CPU priority to the least (nice 19), so that on a busy core
    the scheduler runs the event loop and the writer first and this thread in the gaps.
    Linux sets nice per thread; elsewhere (or if refused) the thread keeps its priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):  # not Linux, or not allowed: correct, only less smooth
        log.info("could not lower the checkpointer's priority", exc_info=True)


@dataclass
class Database:
    url: str
    # an acknowledged write survives power loss (SQLite synchronous=FULL, PostgreSQL
    # synchronous_commit=on); off only to measure what durability costs
    durable: bool = True
    read_engine: Engine = field(init=False)
    write_engine: Engine = field(init=False)
    write_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    after_commit: list[Callable[[list[Any]], None]] = field(default_factory=list, init=False)
    # WAL pages after which a committing connection checkpoints by itself (SQLite's default
    # 1000); raised while the background checkpointer runs, as a safety net only
    autocheckpoint_pages: int = field(default=1000, init=False)
    # SQLite: the WAL passed its bound; the writer resets it between two batches (``reset_wal``)
    wal_reset_due: bool = field(default=False, init=False)
    wal_resets: int = field(default=0, init=False)  # done by the writer since start
    writer_attached: bool = field(default=False, init=False)  # a group-commit writer calls ``reset_wal``
    _reset_conn: Any = field(default=None, init=False, repr=False)
    _reset_tried: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.url.startswith("sqlite"):
            self.read_engine = _sqlite_engine(self.url, immediate=False)
            self.write_engine = _sqlite_engine(self.url, immediate=True, durable=self.durable,
                                               autocheckpoint=lambda: self.autocheckpoint_pages)
        else:
            self.write_engine = create_engine(self.url, pool_size=20, max_overflow=20, pool_pre_ping=True)
            if not self.durable:
                @event.listens_for(self.write_engine, "connect")
                def _async_commit(dbapi_conn: Any, _rec: Any) -> None:
                    with dbapi_conn.cursor() as cur:
                        cur.execute("SET synchronous_commit = off")
                    dbapi_conn.commit()
            # a snapshot and its last seq must agree: one repeatable-read transaction
            self.read_engine = self.write_engine.execution_options(isolation_level="REPEATABLE READ")
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        for maker in (self._read, self._write):  # a kept driver cursor ends with its transaction
            event.listen(maker, "after_transaction_end", sql.forget)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A consistent read-only snapshot (never commits)."""
        with self._read() as s:  # close() ends the transaction and keeps loaded objects usable
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction of its own: commit on success, rollback on any error.

        The queue's hot endpoints and every creating POST go through the group-commit
        writer instead (``hall_server/writer.py``), which shares this lock: a block here
        runs between two batches.
        """
        with self.write_lock, self.transaction() as s:
            yield s

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The transaction both ``write()`` and a writer batch run in; the caller holds
        ``write_lock``.

        PostgreSQL: the first statement locks the chain's head row and reads the tip with
        it, so writers of other processes wait for this commit. The head row is moved once,
        just before the commit (``events.flush_tip``). Events appended in the block are
        published (``after_commit``) only once the commit succeeded, so subscribers never
        see an event the log does not hold; still under the lock, so in seq order.
        """
        from .services import events
        with self._write() as s:
            s.info["new_events"] = []
            try:
                if not self.is_sqlite:
                    head = _HEAD_FOR_UPDATE.first(s)
                    if head is not None:
                        events.seed_tip(s, int(head[0]), str(head[1]))
                yield s
                events.flush_tip(s)
                if not self.is_sqlite and s.info["new_events"]:
                    # delivered by PostgreSQL only if and when the commit succeeds; the
                    # payload is the last seq (the log tails read up to it: api/tail.py)
                    _NOTIFY.first(s, {"seq": str(s.info["new_events"][-1]["seq"])})
                s.commit()
            except BaseException:
                s.rollback()
                raise
            new = s.info.get("new_events", [])
            if new:
                for cb in self.after_commit:
                    try:
                        cb(new)
                    except Exception:  # a dead subscriber must not fail the write
                        log.exception("after-commit hook failed")

    def start_checkpointer(self, *, interval: float, safety_pages: int = 100_000,
                           truncate_bytes: int = 24 * 2**20) -> Callable[[], None]:
        """Checkpoint the SQLite WAL from a thread of its own; returns the stop function.

        By default SQLite checkpoints inside the commit that crosses 1000 WAL pages: at a
        peak hour that is several times a second, each copying ~4 MB into the database file
        and syncing it, while the writer (the event loop, see api/queue.py) waits. Those
        stalls were the benchmark's p99 (measured: p99 61–108 ms with them, 15–27 ms
        without, docs/server.md). A PASSIVE checkpoint never blocks readers or writers, and
        Python's sqlite3 releases the GIL while it runs. No-op on PostgreSQL.

        A PASSIVE checkpoint copies pages but does not make the WAL start over: SQLite
        rewinds it only when a write begins with every frame copied and no reader left in
        it, and under continuous writes the next batch's frames are always there before the
        copy ends (the file grew to 412 MB in 15 s of writes, issue #17). So once the WAL
        holds more than a quarter of ``truncate_bytes`` the writer resets it between two
        batches (``wal_reset_due``, ``reset_wal``): the file is reused from its start and
        stays well under ``truncate_bytes`` even when this thread, at nice 19, gets the core
        only every second or so (measured at 2,000 issues/s: 32–42 MB between resets with
        the whole bound, 1–3 ms a reset). Only if no writer is there (group commit off)
        does this thread reset it itself, under the writer lock, waiting for old readers up
        to 2 s and truncating the file to zero. With a writer it never takes the lock: at
        nice 19 it gets the core only when the loop is idle, and every write of the hall
        would wait for it meanwhile.

        How often it looks (``interval``, ``settings.wal_checkpoint_ms``) bounds the WAL: the
        writer resets it at most once per look, so the file reaches about one interval of
        writes beyond a quarter of ``truncate_bytes``. The window cycle at saturation writes
        ~100 MB of WAL a second (each batch rewrites ~110 pages: the events' and tickets'
        indexes); at 500 ms the WAL reached 61 MB, at 250 ms 33 MB, at 100 ms 15 MB but the
        issue's CPU per request rose from 0.27 to 0.30 ms (hot pages copied more often).

        The thread runs at the lowest CPU priority (``background_priority``): a checkpoint
        copying a few MB took the core from the loop and the writer and showed in the
        open-loop tail (measured at 1,000 issues/s: p99 22–25 ms with checkpoints held off,
        34–43 ms with them at normal priority; docs/server.md "Writer CPU and the commit delay").
        """
        if not self.is_sqlite:
            return lambda: None
        import sqlite3
        stop = threading.Event()
        self.autocheckpoint_pages = safety_pages
        self.write_engine.dispose()  # pooled connections pick the new threshold up

        def run() -> None:
            background_priority()
            conn = self._side_connection(busy_ms=2000)  # only TRUNCATE waits (for old readers); PASSIVE never does
            page = conn.execute("PRAGMA page_size").fetchone()[0]
            try:
                while not stop.wait(interval):
                    try:
                        frames = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
                        if frames * page <= truncate_bytes // 4:
                            self.wal_reset_due = False
                            continue
                        self.wal_reset_due = True  # the writer resets it between two batches
                        if not self.writer_attached:  # ... unless there is none (group commit off)
                            # under the writer lock: SQLite's busy handler is not fair, and a
                            # writer committing back to back would starve the reset for ever
                            with self.write_lock:
                                if conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                                    log.warning("WAL over %d bytes and still in use; retrying", truncate_bytes)
                                else:
                                    self.wal_reset_due = False
                    except (sqlite3.Error, OSError):
                        log.exception("WAL checkpoint failed (the next commit will checkpoint instead)")
            finally:
                conn.close()

        thread = threading.Thread(target=run, name="wal-checkpointer", daemon=True)
        thread.start()

        def halt() -> None:
            stop.set()
            thread.join(10)
            self.autocheckpoint_pages = 1000
            self.write_engine.dispose()
        return halt

    def reset_wal(self) -> None:
        """Make the SQLite WAL start over if it is due; the caller holds ``write_lock``.

        With no write in progress a PASSIVE checkpoint copies what came since the
        checkpointer's last one (1–3 ms), then a RESTART makes the next write reuse the file
        from its start (it does not truncate: freeing and re-growing the file cost more).
        The writer calls this between two batches, not the checkpointer thread: a TRUNCATE
        there held every write for 9–19 ms (copying up to half a second of frames, at nice
        19), a dozen times in 30 s at 2,000 issues/s — most of the open-loop p99. It waits
        at most 2 ms for readers still in the WAL (once everything is copied, new readers
        read the database file, and a request's read ends in a millisecond or two); if one
        is still there, a batch at least 10 ms later tries again."""
        if not self.wal_reset_due:
            return
        now = time.monotonic()
        if now - self._reset_tried < 0.01:
            return
        self._reset_tried = now
        import sqlite3
        try:
            if self._reset_conn is None:
                self._reset_conn = self._side_connection(busy_ms=2)
            self._reset_conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if not self._reset_conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()[0]:
                self.wal_reset_due = False
                self.wal_resets += 1
        except sqlite3.Error:  # the batch after it must run all the same; the next one retries
            log.exception("WAL reset failed")

    def _side_connection(self, *, busy_ms: int) -> Any:
        """A plain sqlite3 connection to the database file, outside the engines' pools, for
        checkpoints: they must not hold a pooled connection nor run inside its transaction."""
        import sqlite3
        conn = sqlite3.connect(str(self.write_engine.url.database), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        return conn

    def dispose(self) -> None:
        if self._reset_conn is not None:
            self._reset_conn.close()
            self._reset_conn = None
        self.read_engine.dispose()
        self.write_engine.dispose()
