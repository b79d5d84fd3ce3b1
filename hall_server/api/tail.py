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
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import select

from ..db import EVENT_CHANNEL, Database
from ..models import Event
from ..services.events import event_dict, last_seq

log = logging.getLogger(__name__)

Sink = Callable[[list[dict[str, Any]]], None]


class LogTail:
    """One thread per process: LISTEN, then read new events in seq order and hand each
    batch to every sink (the hub, the actor cache) in the order they were committed."""

    def __init__(self, db: Database, sinks: list[Sink], *, poll: float = 0.5, batch: int = 1000) -> None:
        if db.is_sqlite:
            raise ValueError("the log tail is for a shared PostgreSQL database")
        self.db = db
        self.sinks = sinks
        self.poll = poll
        self.batch = batch
        self.last = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dsn = db.write_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def start(self) -> None:
        """Begin after the current end of the log: a subscriber replays older events itself."""
        with self.db.read() as s:
            self.last = last_seq(s)
        self._thread = threading.Thread(target=self._run, name="event-log-tail", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.poll * 4 + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {EVENT_CHANNEL}")
                    self.drain()  # whatever was committed before LISTEN took effect
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self.poll, stop_after=1):
                            pass
                        self.drain()
            except Exception:  # a lost connection or a failed read: reconnect, read from ``last``
                if self._stop.is_set():
                    return
                log.exception("event log tail failed; reconnecting")
                self._stop.wait(1.0)

    def drain(self) -> None:
        """Read and hand on everything after ``last``, in seq order, in bounded batches."""
        while not self._stop.is_set():
            with self.db.read() as s:
                rows = s.scalars(select(Event).where(Event.seq > self.last)
                                 .order_by(Event.seq).limit(self.batch)).all()
                events = [event_dict(e) for e in rows]
            if not events:
                return
            for sink in self.sinks:
                try:
                    sink(events)
                except Exception:  # one failing sink must not starve the others
                    log.exception("event sink failed")
            self.last = events[-1]["seq"]
            if len(events) < self.batch:
                return
