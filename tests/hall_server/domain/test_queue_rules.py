"""The ticket state machine and the queue's pure rules, including property tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.domain import queue as q
from hall_server.domain.errors import BadInput, Conflict

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def test_every_legal_move_is_in_the_table_and_nothing_else():
    assert q.step(q.TicketState.WAITING, q.Action.CALL) is q.TicketState.CALLED
    assert q.step(q.TicketState.CALLED, q.Action.START) is q.TicketState.SERVING
    assert q.step(q.TicketState.SERVING, q.Action.COMPLETE) is q.TicketState.DONE
    for s in q.TicketState:
        for a in q.Action:
            if (s, a) in q.TRANSITIONS:
                assert q.step(s, a) is q.TRANSITIONS[s, a]
            else:
                with pytest.raises(q.IllegalMove) as e:
                    q.step(s, a)
                assert e.value.status == 409 and e.value.code == "illegal_transition"
                assert q.STATE_LABELS[s] in e.value.message


def test_done_is_final():
    assert q.allowed(q.TicketState.DONE) == frozenset()


def test_buttons_ask_the_same_table():
    assert q.allowed(None) == {q.Action.CALL}
    assert q.allowed(q.TicketState.CALLED) == {q.Action.RECALL, q.Action.START, q.Action.SKIP, q.Action.TRANSFER}
    for s in q.TicketState:
        for a in q.allowed(s):
            q.step(s, a)  # never raises


def test_every_state_is_reachable_from_waiting_by_legal_moves_only():
    seen, frontier = {q.TicketState.WAITING}, [q.TicketState.WAITING]
    while frontier:
        s = frontier.pop()
        for a in q.allowed(s):
            n = q.step(s, a)
            if n not in seen:
                seen.add(n)
                frontier.append(n)
    assert seen == set(q.TicketState)


@given(st.lists(st.sampled_from(list(q.Action)), max_size=40))
def test_random_action_sequences_only_follow_the_table(actions):
    state = q.TicketState.WAITING
    for a in actions:
        before = state
        try:
            state = q.step(state, a)
        except q.IllegalMove:
            assert (before, a) not in q.TRANSITIONS
            assert state is before  # an illegal move changes nothing
        else:
            assert (before, a) in q.TRANSITIONS
            assert a in q.allowed(before)


def test_numbers_restart_at_local_midnight_not_utc():
    before = datetime(2026, 11, 24, 15, 59, tzinfo=timezone.utc)  # 23:59 Shanghai
    after = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)  # 00:00 Shanghai
    assert q.business_day(before, SH) == date(2026, 11, 24)
    assert q.business_day(after, SH) == date(2026, 11, 25)
    with pytest.raises(ValueError):
        q.business_day(datetime(2026, 11, 24, 9, 0), SH)


def test_numbers_never_wrap_after_999():
    assert q.format_number("A", 1) == "A001"
    assert q.format_number("A", 999) == "A999"
    assert q.format_number("A", 1000) == "A1000"
    with pytest.raises(ValueError):
        q.format_number("A", 0)


@given(st.integers(1, 100_000), st.integers(1, 100_000))
def test_distinct_sequence_numbers_give_distinct_ticket_numbers(a, b):
    assert (q.format_number("B", a) == q.format_number("B", b)) == (a == b)


def test_prefixes_exclude_letters_that_read_as_digits():
    assert q.validate_prefix("A") == "A"
    for bad in ("I", "O", "a", "AB", "", "1"):
        with pytest.raises(BadInput):
            q.validate_prefix(bad)


def cand(i, prefix="A", priority=False, minutes=0, target=None):  # type: ignore[no-untyped-def]
    return q.Candidate(i, prefix, priority, T0 + timedelta(minutes=minutes), target)


def test_window_serves_its_categories_in_configured_order():
    cs = [cand(1, "C", minutes=0), cand(2, "A", minutes=5)]
    assert q.pick_next(cs, window_no=3, categories=["A", "C"]).ticket_id == 2
    assert q.pick_next(cs, window_no=9, categories=["C", "A"]).ticket_id == 1


def test_transferred_to_this_window_first_then_priority_then_fifo():
    cs = [cand(1, minutes=0), cand(2, priority=True, minutes=9), cand(3, "B", minutes=20, target=1)]
    assert q.pick_next(cs, window_no=1, categories=["A"]).ticket_id == 3
    assert q.pick_next(cs[:2], window_no=1, categories=["A"]).ticket_id == 2
    assert q.pick_next([cand(5, minutes=3), cand(4, minutes=1)], window_no=1, categories=["A"]).ticket_id == 4


def test_a_ticket_sent_to_another_window_is_not_called_here():
    assert q.pick_next([cand(1, target=2)], window_no=1, categories=["A"]) is None
    assert q.pick_next([cand(1, "B")], window_no=1, categories=["A"]) is None


@given(st.lists(st.tuples(st.sampled_from("ABC"), st.booleans(), st.integers(0, 100),
                          st.one_of(st.none(), st.integers(1, 3))), max_size=30),
       st.integers(1, 3), st.permutations(["A", "B", "C"]))
def test_pick_next_picks_an_eligible_ticket_or_none(rows, window, cats):
    cs = [cand(i, p, pr, m, t) for i, (p, pr, m, t) in enumerate(rows)]
    served = cats[:2]
    pick = q.pick_next(cs, window_no=window, categories=served)
    eligible = [c for c in cs if c.target_window_no == window or (c.target_window_no is None and c.prefix in served)]
    assert (pick is None) == (not eligible)
    if pick is not None:
        assert pick in eligible
        if any(c.target_window_no == window for c in eligible):
            assert pick.target_window_no == window


def test_estimate_shares_people_ahead_among_open_windows():
    assert q.estimate_wait_minutes(waiting_ahead=0, serving_windows=2, service_minutes=10) == 0
    assert q.estimate_wait_minutes(waiting_ahead=4, serving_windows=2, service_minutes=10) == 20
    assert q.estimate_wait_minutes(waiting_ahead=1, serving_windows=0, service_minutes=10) == 10
    assert q.estimate_wait_minutes(waiting_ahead=1, serving_windows=50, service_minutes=1) == 1


def test_a_skipped_ticket_may_rejoin_once_within_the_time():
    w = timedelta(minutes=30)
    q.can_requeue(skipped_at=T0, requeues=0, now=T0 + w, window=w)
    with pytest.raises(Conflict) as e:
        q.can_requeue(skipped_at=T0, requeues=1, now=T0, window=w)
    assert e.value.code == "requeue_used"
    with pytest.raises(Conflict) as e:
        q.can_requeue(skipped_at=T0, requeues=0, now=T0 + w + timedelta(seconds=1), window=w)
    assert e.value.code == "requeue_expired"


@settings(max_examples=50)
@given(st.integers(0, 10_000), st.integers(0, 100), st.floats(0.5, 60))
def test_estimate_is_never_negative_and_zero_only_when_nobody_waits(ahead, windows, minutes):
    est = q.estimate_wait_minutes(waiting_ahead=ahead, serving_windows=windows, service_minutes=minutes)
    assert est >= 0 and (est == 0) == (ahead == 0)
