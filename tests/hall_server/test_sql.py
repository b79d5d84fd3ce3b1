"""Prepared statements (``hall_server/sql.py``) read and write exactly what SQLAlchemy would,
on SQLite and PostgreSQL, and fail the way SQLAlchemy fails."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import cast

import pytest
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from hall_server.db import Database
from hall_server.models import Event, Idempotency, Ticket
from hall_server.sql import Prepared

T0 = datetime(2026, 11, 24, 1, 30, 15, 123456, tzinfo=timezone.utc)
_T = cast(Table, Ticket.__table__)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    d = Database(db_url)
    yield d
    d.dispose()


def _ticket(**kw: object) -> dict[str, object]:
    row: dict[str, object] = dict(
        business_day=date(2026, 11, 24), prefix="A", issued_prefix="A", seq=901, number="A901", state="waiting",
        priority=True, target_window_no=None, window_no=None, staff_id=None, issued_at=T0, queued_at=T0,
        called_at=None, started_at=None, completed_at=None, skipped_at=None, requeues=0, recalls=0,
        source="kiosk-1", citizen_name="张三", citizen_id_number=None, wait_estimate_min=7)
    row.update(kw)
    return row


def test_a_prepared_row_reads_as_the_orm_reads_it(db: Database) -> None:
    put = Prepared(insert(_T).returning(_T.c.id), dynamic=True)
    get = Prepared(select(_T).where(_T.c.id == bindparam("id")))
    with db.write() as s:
        new_id = put.scalar(s, _ticket())
        row = get.first(s, {"id": new_id})
    with db.read() as s:
        orm = s.get(Ticket, new_id)
        assert orm is not None
        for name in row._fields:  # aware UTC datetimes, dates, booleans, text: the same values
            assert getattr(row, name) == getattr(orm, name), name
    assert row.issued_at == T0 and row.priority is True and row.business_day == date(2026, 11, 24)


def test_a_broken_constraint_raises_sqlalchemys_integrity_error(db: Database) -> None:
    put = Prepared(insert(cast(Table, Idempotency.__table__)), dynamic=True)
    row = dict(key="k", principal="device:kiosk-1", route="POST /x", status=201, body="{}", request_hash=None,
               created_at=T0)
    with pytest.raises(IntegrityError), db.write() as s:  # the twin guard (api/deps.py) catches this class
        put.run(s, row)
        put.run(s, row)


def test_an_insert_that_leaves_a_python_default_unset_is_refused_loudly(db: Database) -> None:
    short = _ticket()
    del short["priority"]  # Ticket.priority has a Python-side default SQLAlchemy would fill in
    with pytest.raises(ValueError, match="priority"), db.write() as s:
        Prepared(insert(_T), dynamic=True).run(s, short)


def test_an_expanding_in_list_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="expand"), db.read() as s:
        Prepared(select(cast(Table, Event.__table__).c.seq).where(Event.seq.in_([1, 2]))).rows(s)
