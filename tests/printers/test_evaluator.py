"""The evaluator: five national levels, one rating per armed transaction, reports that
survive lost frames, and timeouts that never hang the window."""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from printers import open_device
from printers.errors import DeviceTimeout, ProtocolError
from printers.evaluator import (Evaluator, Rating, State, arm_payload, encode_arm, encode_cancel, encode_query,
                                encode_result, encode_result_ack, parse_query_reply, parse_result)
from printers.framing import Frame, decode_frames
from printers.simulators import EvaluatorSim, PtyPair, SerialSimHost

SPEC = (Path(__file__).parents[2] / "printers" / "EVALUATOR_PROTOCOL.md").read_text(encoding="utf-8")
TXN = "A001-20261124"


def h(s: str) -> bytes:
    return bytes.fromhex(s)


def test_the_five_national_levels() -> None:
    assert [r.label for r in Rating] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [int(r) for r in Rating] == [5, 4, 3, 2, 1]
    assert [r.is_bad for r in Rating] == [False, False, False, True, True]
    assert Rating.from_label("基本满意") is Rating.BASIC
    for r in Rating:
        assert f"| `{int(r):02X}` | {r.label} |" in SPEC


@pytest.mark.parametrize("got, hexes", [
    (encode_arm(address=1, seq=1, txn_id=TXN, timeout_s=60, prompt="请评价"),
     "AA 55 01 01 10 00 16 00 3C 0D 41 30 30 31 2D 32 30 32 36 31 31 32 34 C7 EB C6 C0 BC DB 61 29"),
    (encode_result(address=1, seq=1, txn_id=TXN, rating=Rating.VERY_SATISFIED),
     "AA 55 01 01 20 00 0F 05 0D 41 30 30 31 2D 32 30 32 36 31 31 32 34 45 F0"),
    (encode_result_ack(address=1, seq=1), "AA 55 01 01 A0 00 01 00 1F 9A"),
    (encode_result(address=1, seq=2, txn_id=TXN, rating=None),
     "AA 55 01 02 20 00 0F 00 0D 41 30 30 31 2D 32 30 32 36 31 31 32 34 C4 B7"),
    (encode_query(address=1, seq=2), "AA 55 01 02 12 00 00 B8 7D"),
    (encode_cancel(address=1, seq=4), "AA 55 01 04 11 00 00 48 F5"),
])
def test_spec_vectors(got: bytes, hexes: str) -> None:
    assert got == h(hexes) and hexes in SPEC


def test_every_frame_in_the_spec_has_a_good_crc_and_the_replies_parse() -> None:
    frames = re.findall(r"`(AA 55(?: [0-9A-F]{2})+)`", SPEC)
    parsed = [next(decode_frames(h(f))) for f in frames]
    assert len(parsed) == len(frames) >= 8
    report = parse_result(parsed[2])
    assert (report.txn_id, report.rating, report.seq) == (TXN, Rating.VERY_SATISFIED, 1)
    q = parse_query_reply(next(f for f in parsed if f.command == 0x92))
    assert (q.state, q.rating, q.txn_id) == (State.RATED, Rating.VERY_SATISFIED, TXN)


def test_arm_payload_is_validated() -> None:
    for bad in dict(txn_id="", timeout_s=60), dict(txn_id="有中文", timeout_s=60), dict(txn_id="x" * 33, timeout_s=60), \
            dict(txn_id="A1", timeout_s=0), dict(txn_id="A1", timeout_s=601), dict(txn_id="A1", timeout_s=5,
                                                                                    prompt="长" * 40):
        with pytest.raises(ValueError):
            arm_payload(**bad)  # type: ignore[arg-type]


def test_malformed_reports_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError):
        parse_result(Frame(1, 1, 0x20, b"\x07\x02A1"))  # level 7
    with pytest.raises(ProtocolError):
        parse_result(Frame(1, 1, 0x20, b"\x05\x09A1"))  # length beyond the payload
    with pytest.raises(ProtocolError):
        parse_result(Frame(1, 1, 0x20, b""))


@pytest.fixture
def ev() -> Any:
    e = open_device("sim:evaluator?timeout=0.1&baudrate=115200")
    yield e
    e.simulator.close()
    e.close()


def test_arm_then_a_key_gives_the_rating(ev: Any) -> None:
    sim: EvaluatorSim = ev.simulator
    ev.arm(TXN, timeout=30)
    assert (sim.state, sim.txn_id, sim.timeout_s, sim.prompt) == ("armed", TXN, 30, "请对本次服务进行评价")
    assert ev.poll() is None and ev.state == State.ARMED
    assert sim.press(Rating.DISSATISFIED)
    assert ev.wait_result(2.0) is Rating.DISSATISFIED
    assert ev.state == State.RATED
    assert sim.acked == [1]


def test_keys_pressed_while_not_armed_are_never_reported(ev: Any) -> None:
    sim: EvaluatorSim = ev.simulator
    assert not sim.press(Rating.VERY_DISSATISFIED)
    assert sim.reports_sent == 0
    assert ev.poll() is None and ev.state == State.IDLE


def test_only_the_first_key_counts(ev: Any) -> None:
    sim: EvaluatorSim = ev.simulator
    ev.arm(TXN, 30)
    assert sim.press(Rating.SATISFIED)
    assert not sim.press(Rating.VERY_DISSATISFIED)
    assert ev.wait_result(2.0) is Rating.SATISFIED


def test_nobody_presses_the_device_times_out_and_the_host_gets_none() -> None:
    e = open_device("sim:evaluator?time_scale=0.05")  # 1 device second = 50 ms
    try:
        e.arm(TXN, timeout=2)
        t0 = time.monotonic()
        assert e.wait_result(5.0) is None
        assert e.state == State.EXPIRED
        assert time.monotonic() - t0 < 2.0
    finally:
        e.simulator.close()


def test_host_gives_up_waiting_when_the_device_goes_silent(ev: Any) -> None:
    ev.grace_s = 0.0
    ev.arm(TXN, timeout=1)
    ev.simulator.silent = True
    t0 = time.monotonic()
    assert ev.wait_result(3.0) is None
    assert ev.state == State.EXPIRED and time.monotonic() - t0 < 2.0


def test_wait_result_returns_none_at_its_own_timeout_while_still_armed(ev: Any) -> None:
    ev.arm(TXN, timeout=60)
    t0 = time.monotonic()
    assert ev.wait_result(0.2) is None
    assert 0.15 < time.monotonic() - t0 < 1.0 and ev.state == State.ARMED


def test_a_lost_ack_makes_the_device_repeat_and_the_rating_counts_once() -> None:
    e = open_device("sim:evaluator?time_scale=0.02")
    sim: EvaluatorSim = e.simulator
    try:
        sim.ignore_acks = 2
        e.arm(TXN, timeout=60)
        sim.press(Rating.VERY_SATISFIED)
        assert e.wait_result(2.0) is Rating.VERY_SATISFIED  # first copy: its ack is lost
        assert sim.wait_for(lambda s: s.reports_sent >= 3, 3.0)  # so the device repeats
        assert e.poll() is Rating.VERY_SATISFIED  # the host acknowledges the copies, counts once
        assert sim.wait_for(lambda s: s.acked == [1], 1.0)  # the third copy's ack got through
        e.arm("A002-20261124", timeout=60)  # a repeat of the old report does not rate the new one
        assert e.poll() is None
    finally:
        sim.close()


def test_a_report_for_another_transaction_is_acknowledged_and_ignored(ev: Any) -> None:
    sim: EvaluatorSim = ev.simulator
    ev.arm(TXN, timeout=60)
    sim.emit(encode_result(address=1, seq=200, txn_id="B009-20261124", rating=Rating.VERY_DISSATISFIED))
    assert ev.wait_result(0.2) is None and ev.state == State.ARMED
    sim.press(Rating.BASIC)
    assert ev.wait_result(2.0) is Rating.BASIC


def test_cancel_and_query(ev: Any) -> None:
    ev.arm(TXN, timeout=60)
    q = ev.query()
    assert (q.state, q.txn_id, q.rating) == (State.ARMED, TXN, None)
    ev.cancel()
    assert ev.simulator.state == "idle" and ev.state == State.IDLE
    assert not ev.simulator.press(Rating.SATISFIED)
    assert ev.ping().keys == 5


def test_an_evaluator_that_never_answers_is_a_timeout(ev: Any) -> None:
    ev.simulator.silent = True
    t0 = time.monotonic()
    with pytest.raises(DeviceTimeout):
        ev.arm(TXN, 60)
    assert time.monotonic() - t0 < 1.5


def test_auto_rating_simulator_for_the_demo() -> None:
    e = open_device("sim:evaluator?auto_rate=5&auto_delay=1&time_scale=0.02")
    try:
        e.arm(TXN, 60)
        assert e.wait_result(2.0) is Rating.VERY_SATISFIED
    finally:
        e.simulator.close()


def test_evaluator_over_a_socat_pty_pair(pty_pair: PtyPair) -> None:
    sim = EvaluatorSim(time_scale=0.05)
    with SerialSimHost(sim, pty_pair.b, baudrate=9600):
        e = open_device(f"evaluator+serial://{pty_pair.a}?timeout=0.3")
        try:
            assert isinstance(e, Evaluator)
            e.arm(TXN, timeout=30)
            assert sim.wait_for(lambda s: s.state == "armed")
            sim.press(Rating.SATISFIED)
            assert e.wait_result(2.0) is Rating.SATISFIED
        finally:
            sim.close()
            e.close()
