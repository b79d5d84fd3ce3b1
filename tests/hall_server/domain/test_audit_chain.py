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
        rows.append(audit.ChainRow(i, at, "staff:1001", 1, "ticket.called", data, prev, h))
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
