"""Follow the event log of a shared PostgreSQL database, so that every server process's
subscribers receive every event, whichever process wrote it.

With one process the writer hands its committed events to the hub directly
(``Database.after_commit``). With several processes on one database that would reach
only the writer's own subscribers. So on PostgreSQL each process tails the ``events``
table instead: it reads ``seq > last`` in seq order after every wake-up, and a commit that
appended events sends a ``NOTIFY`` (``db.EVENT_CHANNEL``) as the wake-up. The NOTIFY is
only a doorbell: the rows are read from the table, so a lost notification (a dropped
listener connection, a restart) costs latency, never an event. A timer re-reads anyway
every ``poll`` seconds.

Why the read never skips an event: seqs are assigned under the row lock on the event head
(``SELECT … FOR UPDATE`` in ``Database.write``), and PostgreSQL makes a commit visible
before it releases that lock, so seq N+1 can only become visible after seq N. The hub's
subscribers still fill any gap from the log (``ws._stream``), as with one process.

The same table tail serves a fan-out process (``api/fanout.py``) that runs only the hub and
the event stream: on PostgreSQL with ``LogTail``, on SQLite with ``BellTail``, woken by the
writing process's ``Doorbell`` (SQLite has no NOTIFY; there is one writer process there).
"""
from __future__ import annotations

import logging
from select import select as wait_readable
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import select

from ..db import EVENT_CHANNEL, Database
from ..models import Event
from ..services.events import event_dict, last_seq

log = logging.getLogger(__name__)

Sink = Callable[[list[dict[str, Any]]], None]


class _TableTail:
    """Read new events from the ``events`` table in seq order after every wake-up and hand
    each batch to every sink (the hub, the actor cache) in the order they were committed.
    Subclasses say what wakes it; a timer re-reads anyway every ``poll`` seconds, so a lost
    wake-up costs latency, never an event."""

    thread_name = "event-log-tail"

    def __init__(self, db: Database, sinks: list[Sink], *, poll: float = 0.5, min_gap: float = 0.0,
                 batch: int = 1000) -> None:
        self.db = db
        self.sinks = sinks
        self.poll = poll
        # at most one read per ``min_gap`` seconds: wake-ups come once per commit (hundreds
        # a second), while a hub sends one frame per ``event_frame_ms`` anyway; on SQLite
        # every read is also a reader the writer's WAL reset has to wait for
        self.min_gap = min_gap
        self.batch = batch
        self.last = 0
        self.reads = 0  # table reads so far (the own-event hand-over saves most of them)
        # this process's own committed events, handed over by ``offer`` (seq -> event)
        self._own: dict[int, dict[str, Any]] = {}
        self._own_lock = threading.Lock()
        self._read_at = float("-inf")  # monotonic time the last read began
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin after the current end of the log: a subscriber replays older events itself."""
        with self.db.read() as s:
            self.last = last_seq(s)
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake_up()
        if self._thread is not None:
            self._thread.join(self.poll * 4 + 5)

    def _wake_up(self) -> None:
        """Cut the thread's current wait short (it may wait ``poll`` seconds for a signal)."""

    def _run(self) -> None:
        raise NotImplementedError

    def _pace(self) -> None:
        """Wait out the rest of ``min_gap`` since the last read began (wake-ups meanwhile
        are answered by the one read that follows). Counted from the read's start, not its
        end, so reads come every ``min_gap`` under load, not every ``min_gap`` + a read."""
        rest = self._read_at + self.min_gap - time.monotonic()
        if rest > 0:
            self._stop.wait(rest)

    def offer(self, events: list[dict[str, Any]]) -> None:
        """``Database.after_commit`` hook of this process: its own events, just committed.

        ``drain`` hands them on without reading them back from the table (reading, loading
        and encoding every event again cost ~0.1 ms of CPU per write at saturation). Only
        the seqs between are read — other processes' events. Why that is safe: seqs are
        given out under the head row's lock, so once this process's seq N is committed,
        every seq below N is committed and visible too."""
        with self._own_lock:
            for e in events:
                if e["seq"] > self.last:
                    self._own[e["seq"]] = e

    def _own_run(self) -> list[dict[str, Any]]:
        """Own events following ``last`` without a gap (may be none)."""
        out: list[dict[str, Any]] = []
        with self._own_lock:
            nxt = self.last + 1
            while nxt in self._own and len(out) < self.batch:
                out.append(self._own.pop(nxt))
                nxt += 1
        return out

    def _next_own(self) -> int | None:
        with self._own_lock:
            for seq in [q for q in self._own if q <= self.last]:
                del self._own[seq]  # read from the table before its offer came
            return min(self._own, default=None)

    def _read(self, before: int | None) -> list[dict[str, Any]]:
        self.reads += 1
        query = select(Event).where(Event.seq > self.last)
        if before is not None:  # the gap up to the next own event: other processes' events
            query = query.where(Event.seq < before)
        with self.db.read() as s:
            rows = s.scalars(query.order_by(Event.seq).limit(self.batch)).all()
        # encoded after the read transaction ends: on SQLite an open reader holds up the
        # writer's WAL reset (db.start_checkpointer), so it must be as short as possible
        return [event_dict(e) for e in rows]

    def drain(self, known: int | None = None) -> None:
        """Hand on everything after ``last``, in seq order, in bounded batches: this
        process's own events as offered, the rest read from the table.

        ``known``: the last seq the wake-up said is committed (the NOTIFY's payload). Once
        the own events reach it, nothing else can be there and the table is not read.
        ``None`` (a timer, a bell): read until the table has nothing more."""
        self._read_at = time.monotonic()
        while not self._stop.is_set():
            events = self._own_run()
            read = not events
            if read and known is not None and self.last >= known and self._next_own() is None:
                return
            if read:
                before = self._next_own()
                events = self._read(before)
                if not events and before is not None:
                    # cannot be (everything below an own event is committed): read it all
                    log.warning("events below seq %d not visible yet; reading on", before)
                    events = self._read(None)
            if not events:
                return
            for sink in self.sinks:
                try:
                    sink(events)
                except Exception:  # one failing sink must not starve the others
                    log.exception("event sink failed")
            self.last = events[-1]["seq"]
            if read and len(events) < self.batch and self._next_own() is None:
                return


class LogTail(_TableTail):
    """One thread per process on PostgreSQL: LISTEN, and read the table on each NOTIFY."""

    def __init__(self, db: Database, sinks: list[Sink], *, poll: float = 0.5, min_gap: float = 0.0,
                 batch: int = 1000) -> None:
        if db.is_sqlite:
            raise ValueError("the log tail is for a shared PostgreSQL database")
        super().__init__(db, sinks, poll=poll, min_gap=min_gap, batch=batch)
        self._dsn = db.write_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _wake_up(self) -> None:
        # a notification on the channel: every process's tail reads once more, ours sees the stop
        try:
            with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"NOTIFY {EVENT_CHANNEL}")
        except psycopg.Error:  # the database is gone: the thread stops at its next timeout
            log.warning("could not wake the log tail; it stops within %.0f s", self.poll)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {EVENT_CHANNEL}")
                    self.drain()  # whatever was committed before LISTEN took effect
                    while not self._stop.is_set():
                        known = None  # no notification (the timer): read the table
                        for note in conn.notifies(timeout=self.poll, stop_after=1):
                            known = _notified_seq(note.payload)
                        self._pace()  # notifications meanwhile: one read
                        self.drain(known)
            except Exception:  # a lost connection or a failed read: reconnect, read from ``last``
                if self._stop.is_set():
                    return
                log.exception("event log tail failed; reconnecting")
                self._stop.wait(1.0)


def _notified_seq(payload: str) -> int | None:
    """The last seq of the commit that sent a NOTIFY (``Database.transaction``); None for
    any other notification (a stop, another sender)."""
    try:
        return int(payload)
    except ValueError:
        return None


class BellTail(_TableTail):
    """The same tail for the SQLite file of this machine, woken by a :class:`Doorbell`.

    SQLite has no NOTIFY. The one writing process rings a UDP datagram to
    ``127.0.0.1:port`` after each commit that appended events; this thread waits on that
    socket (or ``poll`` seconds) and reads the table. The datagram carries nothing: any
    datagram only means "read again", so one from elsewhere costs a read, no more. With
    ``port=None`` it only polls.
    """

    thread_name = "event-bell-tail"

    def __init__(self, db: Database, sinks: list[Sink], *, port: int | None, poll: float = 0.5,
                 min_gap: float = 0.01, batch: int = 1000) -> None:
        super().__init__(db, sinks, poll=poll, min_gap=min_gap, batch=batch)
        self._sock: socket.socket | None = None
        if port is not None:  # bound now, so a ring between start and the first wait is kept
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._sock.bind(("127.0.0.1", port))
            self._sock.setblocking(False)

    def stop(self) -> None:
        super().stop()
        if self._sock is not None:
            self._sock.close()

    def _wake_up(self) -> None:
        if self._sock is None:
            return  # it waits on the stop event itself
        try:  # a ring of our own: the select returns, the loop sees the stop
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"", self._sock.getsockname())
        except OSError:
            log.warning("could not wake the bell tail; it stops within %.0f s", self.poll)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
                self._pace()  # rings meanwhile are answered by one read
                self._wait()
            except Exception:  # a failed read (a locked or busy file): read again from ``last``
                if self._stop.is_set():
                    return
                log.exception("event bell tail failed; reading again")
                self._stop.wait(0.2)

    def _wait(self) -> None:
        if self._sock is None:
            self._stop.wait(self.poll)
            return
        ready, _, _ = wait_readable([self._sock], [], [], self.poll)
        if ready:
            while True:  # every ring so far is answered by the one read that follows
                try:
                    self._sock.recv(64)
                except (BlockingIOError, InterruptedError):
                    return


class Doorbell:
    """``Database.after_commit`` hook of the writing process: ring the fan-out process's
    :class:`BellTail` after each commit that appended events. Costs one ``sendto`` on the
    writer thread; never raises (a fan-out process that is down must not fail a write)."""

    def __init__(self, port: int) -> None:
        self.addr = ("127.0.0.1", port)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setblocking(False)

    def __call__(self, events: list[Any]) -> None:
        try:
            self._sock.sendto(b"!", self.addr)
        except OSError:  # nobody listening yet, or the buffer is full (then a ring is pending anyway)
            pass

    def close(self) -> None:
        self._sock.close()
