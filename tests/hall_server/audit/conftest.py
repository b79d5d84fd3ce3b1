"""Helpers of the tamper tests: what an insider with the database file would do."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from hall_server.domain import audit


def _drop_guards(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER IF EXISTS events_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS events_no_delete"))
    else:
        conn.execute(text("DROP TRIGGER IF EXISTS events_no_change ON events"))


class Insider:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def sql(self, stmt: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            _drop_guards(conn)
            conn.execute(text(stmt), params)

    def rewrite_from(self, seq: int, change: Callable[[dict[str, Any]], None]) -> None:
        """Change the event at ``seq`` and recompute every hash after it, head included:
        the chain on its own then verifies again."""
        with self.engine.begin() as conn:
            _drop_guards(conn)
            prev = conn.execute(text("SELECT hash FROM events WHERE seq = :s"), {"s": seq - 1}).scalar() \
                or audit.GENESIS
            rows = conn.execute(text("SELECT seq, at, actor, window_no, type, data, case_no, ticket_no, staff_no, "
                                     "hash_version FROM events WHERE seq >= :s ORDER BY seq"), {"s": seq}).all()
            for r in rows:
                row = dict(r._mapping)
                row["data"] = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
                if row["seq"] == seq:
                    change(row)
                at = row["at"]
                if isinstance(at, str):
                    from datetime import datetime
                    at = datetime.fromisoformat(at)
                h = audit.event_hash(seq=row["seq"], at=at, actor=row["actor"], window_no=row["window_no"],
                                     type=row["type"], data=row["data"], prev_hash=prev,
                                     version=row["hash_version"], case_no=row["case_no"],
                                     ticket_no=row["ticket_no"], staff_no=row["staff_no"])
                conn.execute(text("UPDATE events SET actor = :a, data = :d, staff_no = :sn, prev_hash = :p, "
                                  "hash = :h WHERE seq = :s"),
                             {"a": row["actor"], "d": json.dumps(row["data"], ensure_ascii=False),
                              "sn": row["staff_no"], "p": prev, "h": h, "s": row["seq"]})
                prev = h
            conn.execute(text("UPDATE event_head SET hash = :h WHERE id = 1"), {"h": prev})

    def delete_tail(self, n: int, *, move_head: bool) -> int:
        """Delete the last ``n`` events; with ``move_head`` also set the tip back (a careful insider)."""
        with self.engine.begin() as conn:
            _drop_guards(conn)
            last = int(conn.execute(text("SELECT max(seq) FROM events")).scalar())
            conn.execute(text("DELETE FROM events WHERE seq > :s"), {"s": last - n})
            if move_head:
                h = conn.execute(text("SELECT hash FROM events WHERE seq = :s"), {"s": last - n}).scalar()
                conn.execute(text("UPDATE event_head SET seq = :s, hash = :h WHERE id = 1"), {"s": last - n, "h": h})
        return last - n

    def dispose(self) -> None:
        self.engine.dispose()


@pytest.fixture
def insider(settings) -> Iterator[Insider]:  # type: ignore[no-untyped-def]
    i = Insider(settings.sqlalchemy_url)
    yield i
    i.dispose()


@pytest.fixture
def office_key(settings):  # type: ignore[no-untyped-def]
    """The office's key file where the server looks for it (the data folder of the test)."""
    from hall_server.services.anchors import write_key_file
    return write_key_file(settings.audit_key_path)


@pytest.fixture
def settings(db_url: str, tmp_path):  # type: ignore[no-untyped-def]
    """As everywhere, but without the server's own daily checkpoint racing the tests'
    (``run_once`` is tested directly)."""
    from hall_server.settings import Settings
    return Settings(argon2_time_cost=1, argon2_memory_kib=256, argon2_parallelism=1, data_dir=tmp_path,
                    database_url=db_url, audit_checkpoint_hours=0)
