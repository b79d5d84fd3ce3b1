"""The pure hall state: snapshot + events, without Qt or a server."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from hall_client.state import HallState, SeqGap, apply, call_text
from hall_server.contract import Badge, CategoryOut, EventOut, HallOut, WindowOut

AT = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def snap(last_seq: int = 10) -> HallState:
    return HallState.from_snapshot(HallOut(
        hall_name="示范市政务服务中心", timezone="Asia/Shanghai", business_day=date(2026, 11, 24), now=AT,
        last_seq=last_seq,
        categories=[CategoryOut(prefix="A", name="工程建设审批", waiting=2), CategoryOut(prefix="B", name="不动产登记")],
        windows=[WindowOut(window_no=3, name="3 号窗", categories=["A"], state="idle",
                           badge=Badge(staff_no="1003", name="张伟"))],
        recent_calls=[]))


def ev(seq: int, type_: str, window_no: int | None = None, **data: object) -> EventOut:
    return EventOut(seq=seq, at=AT, actor="t", window_no=window_no, type=type_, data=dict(data))


def test_call_moves_a_ticket_from_the_queue_to_the_window():
    s = apply(snap(), ev(11, "ticket.called", 3, ticket="A001", category="A"))
    assert s.categories["A"].waiting == 1
    assert s.windows[3].current == "A001" and s.windows[3].state == "calling"
    assert s.recent_calls[0].number == "A001" and s.last_seq == 11


def test_ticket_walks_called_serving_done():
    s = snap()
    for i, (t, st) in enumerate([("ticket.called", "calling"), ("ticket.started", "serving"),
                                 ("ticket.completed", "idle")], start=11):
        s = apply(s, ev(i, t, 3, ticket="A001", category="A"))
        assert s.windows[3].state == st


def test_issue_and_requeue_count_as_waiting():
    s = apply(snap(), ev(11, "ticket.issued", None, ticket="A003", category="A"))
    s = apply(s, ev(12, "ticket.requeued", None, ticket="A001", category="A"))
    assert s.categories["A"].waiting == 4


def test_pause_and_duty_change_the_window_state():
    s = apply(snap(), ev(11, "window.paused", 3, reason="会议"))
    assert s.windows[3].state == "paused" and s.windows[3].pause_reason == "会议"
    s = apply(s, ev(12, "duty.ended", 3))
    assert s.windows[3].state == "offline"
    s = apply(s, ev(13, "duty.started", 3, badge={"staff_no": "1001", "name": "王建国"}))
    assert s.windows[3].state == "idle" and s.windows[3].badge.name == "王建国"


def test_a_missing_seq_is_a_gap_not_a_guess():
    with pytest.raises(SeqGap) as e:
        apply(snap(), ev(13, "ticket.issued", None, ticket="A003", category="A"))
    assert (e.value.expected, e.value.got) == (11, 13)


def test_events_already_in_the_snapshot_are_ignored():
    s = snap()
    assert apply(s, ev(10, "ticket.issued", None, ticket="A003", category="A")) is s


def test_unknown_event_types_only_move_the_seq():
    s = apply(snap(), ev(11, "case.accepted", 3, case_no="ZJ-1"))
    assert s.last_seq == 11 and s.categories == snap().categories


def test_call_text_is_what_the_led_and_voice_say():
    assert call_text("A001", 3) == "请A001号到3号窗口"
    assert call_text("A001", 3, spoken=True) == "请A001号到3号窗口办理"
