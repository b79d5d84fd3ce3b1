"""The background WAL checkpointer: commits never checkpoint while it runs, and what they
wrote still reaches the database file."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from hall_server.db import Database
from tests.conftest import wait_until


def _autocheckpoint(db: Database) -> int:
    with db.write() as s:
        return int(s.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def test_the_checkpointer_moves_the_wal_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "hall.sqlite3"
    db = Database(f"sqlite:///{path}")
    with db.write() as s:
        s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
    before = path.stat().st_size
    stop = db.start_checkpointer(interval=0.01)
    try:
        assert _autocheckpoint(db) == 100_000  # commits leave checkpoints to the thread
        with db.write() as s:  # ~2 MB, beyond SQLite's own 1000-page threshold
            s.execute(text("INSERT INTO t (body) VALUES (:b)"), [{"b": "办" * 2000} for _ in range(300)])
        assert wait_until(lambda: path.stat().st_size > before + 1_000_000)
        names = {t.name for t in threading.enumerate()}
        assert "wal-checkpointer" in names
    finally:
        stop()
    assert "wal-checkpointer" not in {t.name for t in threading.enumerate()}
    assert _autocheckpoint(db) == 1000  # back to SQLite's default without the thread
    db.dispose()
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 300
    con.close()


def test_the_checkpointer_is_a_no_op_without_sqlite() -> None:
    db = Database.__new__(Database)  # no engine needed (none could connect): the URL alone decides
    db.url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    stop = db.start_checkpointer(interval=0.01)
    assert "wal-checkpointer" not in {t.name for t in threading.enumerate()}
    assert db.autocheckpoint_pages == 1000
    stop()


def test_the_wal_stays_bounded_under_continuous_writes_and_reads(tmp_path: Path) -> None:
    """Readers always holding a snapshot keep a PASSIVE checkpoint from ever resetting the
    WAL (it grew with everything written); past ``truncate_bytes`` the checkpointer resets it."""
    path = tmp_path / "hall.sqlite3"
    db = Database(f"sqlite:///{path}")
    with db.write() as s:
        s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
    stop = db.start_checkpointer(interval=0.01, truncate_bytes=2**20)
    done = threading.Event()

    def reader() -> None:  # two overlapping readers: some snapshot is always open
        while not done.is_set():
            with db.read() as s:
                s.execute(text("SELECT count(*) FROM t")).scalar()

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for r in readers:
        r.start()
    wal = Path(f"{path}-wal")
    largest = 0
    try:
        for _ in range(300):  # ~30 MB of rows, 100 KB a commit
            with db.write() as s:
                s.execute(text("INSERT INTO t (body) VALUES (:b)"), [{"b": "x" * 1000} for _ in range(100)])
            largest = max(largest, wal.stat().st_size if wal.exists() else 0)
    finally:
        done.set()
        for r in readers:
            r.join(10)
        stop()
        db.dispose()
    assert largest < 12 * 2**20  # without the reset it ends near 30 MB (measured: 33 MB)
    assert largest < 64 * 2**20


def test_the_writer_resets_the_wal_between_its_batches_and_keeps_it_bounded(tmp_path: Path) -> None:
    """The server's way: the checkpointer copies in the background and says when the WAL is
    over its bound; the writer (on the loop) makes it start over between two batches, so a
    reset never waits on the low-priority thread while every write waits on the lock."""
    import asyncio

    from hall_server.writer import Writer
    path = tmp_path / "hall.sqlite3"
    db = Database(f"sqlite:///{path}")
    with db.write() as s:
        s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
    stop = db.start_checkpointer(interval=0.01, truncate_bytes=2**20)
    writer = Writer(db, on_loop=True)
    done = threading.Event()

    def reader() -> None:  # two overlapping readers of a request's size: some snapshot is always open
        while not done.is_set():
            with db.read() as s:
                s.execute(text("SELECT max(id) FROM t")).scalar()

    def insert(s) -> None:  # type: ignore[no-untyped-def]
        s.execute(text("INSERT INTO t (body) VALUES (:b)"), [{"b": "x" * 1000} for _ in range(100)])

    wal = Path(f"{path}-wal")
    largest = 0

    async def main() -> None:
        nonlocal largest
        for _ in range(300):  # ~30 MB of rows, 100 KB a commit
            await writer.run(insert, lean=True)  # on the loop, as the hot requests
            largest = max(largest, wal.stat().st_size if wal.exists() else 0)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        asyncio.run(main())
    finally:
        done.set()
        for r in readers:
            r.join(10)
        writer.stop()
        stop()
        db.dispose()
    assert db.wal_resets > 0
    assert largest < 12 * 2**20  # without a reset it ends near 30 MB


def test_a_failing_wal_reset_never_stops_the_writes(tmp_path: Path) -> None:
    """The reset is housekeeping: if SQLite refuses it, the batch it ran before still runs."""
    path = tmp_path / "hall.sqlite3"
    db = Database(f"sqlite:///{path}")
    with db.write() as s:
        s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    broken = sqlite3.connect(":memory:")
    broken.close()  # every statement on it raises sqlite3.ProgrammingError
    db._reset_conn = broken  # noqa: SLF001 - the connection the reset would use
    db.wal_reset_due = True
    try:
        with db.write_lock:
            db.reset_wal()
        assert db.wal_reset_due and db.wal_resets == 0  # not done; tried again later
        with db.write() as s:
            s.execute(text("INSERT INTO t DEFAULT VALUES"))
    finally:
        db._reset_conn = None  # noqa: SLF001
        db.dispose()
