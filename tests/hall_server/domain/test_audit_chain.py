"""The hash chain: any change to any row is found, at that row."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from hall_server.domain import audit

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def chain(n: int) -> list[audit.ChainRow]:
    rows, prev = [], audit.GENESIS
    for i in range(1, n + 1):
        at = T0 + timedelta(seconds=i)
        data = {"ticket": f"A{i:03d}", "n": i}
        h = audit.event_hash(seq=i, at=at, actor="staff:1001", window_no=1, type="ticket.called",
                             data=data, prev_hash=prev)
        rows.append(audit.ChainRow(i, at, "staff:1001", 1, "ticket.called", data, prev, h,
                                   ticket_no=data["ticket"], staff_no="1001"))
        prev = h
    return rows


def test_an_untouched_chain_verifies():
    r = audit.verify(chain(20))
    assert r.ok and r.checked == 20 and r.last_seq == 20 and r.first_bad_seq is None


def test_the_empty_chain_verifies():
    assert audit.verify([]).ok


@given(st.integers(1, 15), st.sampled_from(["data", "actor", "at", "window_no", "type"]))
def test_a_changed_row_is_named_by_its_seq(bad, field):
    rows = chain(15)
    r0 = rows[bad - 1]
    changed = {"data": {**r0.data, "n": -1}, "actor": "staff:9999", "at": r0.at + timedelta(microseconds=1),
               "window_no": 7, "type": "ticket.skipped"}[field]
    rows[bad - 1] = replace(r0, **{field: changed})
    r = audit.verify(rows)
    assert not r.ok and r.first_bad_seq == bad and r.checked == bad - 1


def test_a_deleted_row_is_a_gap_at_its_seq():
    rows = chain(10)
    del rows[4]
    r = audit.verify(rows)
    assert not r.ok and r.first_bad_seq == 5


def test_a_rehashed_row_still_breaks_the_next_link():
    rows = chain(10)
    r0 = rows[3]
    data = {**r0.data, "n": 0}
    h = audit.event_hash(seq=r0.seq, at=r0.at, actor=r0.actor, window_no=r0.window_no, type=r0.type,
                         data=data, prev_hash=r0.prev_hash)
    rows[3] = replace(r0, data=data, hash=h)
    r = audit.verify(rows)
    assert not r.ok and r.first_bad_seq == 5


def test_the_hash_does_not_depend_on_key_order_or_time_zone():
    a = audit.event_hash(seq=1, at=T0, actor="x", window_no=None, type="t", data={"a": 1, "b": 2}, prev_hash="0")
    b = audit.event_hash(seq=1, at=T0, actor="x", window_no=None, type="t", data={"b": 2, "a": 1}, prev_hash="0")
    assert a == b


def chain_v2(n: int, *, v1_first: int = 0) -> list[audit.ChainRow]:
    """A chain whose first ``v1_first`` rows are format v1 (as written before v2), then v2."""
    rows, prev = [], audit.GENESIS
    for i in range(1, n + 1):
        at = T0 + timedelta(seconds=i)
        data = {"ticket": f"A{i:03d}", "case_no": f"C{i}", "staff_no": "1001"}
        v = 1 if i <= v1_first else 2
        row = audit.ChainRow(i, at, "staff:1001", 1, "ticket.called", data, prev, "", f"C{i}", data["ticket"],
                             "1001", v)
        row = replace(row, hash=row.expected_hash())
        rows.append(row)
        prev = row.hash
    return rows


def test_a_chain_of_old_v1_rows_then_v2_rows_verifies():
    r = audit.verify(chain_v2(10, v1_first=4))
    assert r.ok and r.checked == 10


@given(st.integers(1, 10), st.sampled_from(["case_no", "ticket_no", "staff_no"]))
def test_an_edited_search_column_is_named_under_either_format(bad, field):
    rows = chain_v2(10, v1_first=5)
    rows[bad - 1] = replace(rows[bad - 1], **{field: "X9"})
    r = audit.verify(rows)
    assert not r.ok and r.first_bad_seq == bad


def test_a_v2_row_rewritten_as_v1_is_a_downgrade():
    rows = chain_v2(6, v1_first=2)
    r0 = replace(rows[3], hash_version=1, staff_no="1009")
    r0 = replace(r0, hash=r0.expected_hash())
    rows[3] = r0
    r = audit.verify(rows)
    assert not r.ok and r.first_bad_seq == 4 and "倒退" in r.reason


def test_the_writer_fills_and_hashes_the_search_columns(client, kiosk, settings):
    from sqlalchemy import create_engine, text
    r = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    assert r.status_code == 201
    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT hash_version, ticket_no FROM events ORDER BY seq DESC LIMIT 1")).one()
    finally:
        engine.dispose()
    assert row == (2, r.json()["number"])


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999),
                    timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=8))])))
def test_the_hashed_time_text_is_the_strftime_text_it_always_was(at: datetime) -> None:
    # chains written before the faster form must still verify: the same text, byte for byte
    assert audit.format_at(at) == at.strftime("%Y-%m-%dT%H:%M:%S.%f")
