"""LED boards: the spec's vectors, a parser that resynchronises, retries that never act
twice, and the window strip / hall board in the hall's own words."""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers import open_device
from printers.errors import ChecksumError, DeviceRejected, DeviceTimeout, ProtocolError, UnsupportedCommand
from printers.framing import BROADCAST, Frame, FrameParser, decode_frames, encode_frame
from printers.ledboard import (BoardDriver, Command, Effect, HallBoard, LedBoard, Mode, RawTextBoard, StatusCode,
                               WindowStrip, call_text, encode_brightness, encode_call, encode_clear,
                               encode_idle_text, encode_ping, encode_show_text, encode_status, parse_board_info,
                               parse_board_status)
from printers.simulators import LedBoardSim, PtyPair, RawTextBoardSim, SerialSimHost, SimSerialPort, TcpSimServer
from printers.transport import SerialTransport

SPEC = (Path(__file__).parents[2] / "printers" / "LED_PROTOCOL.md").read_text(encoding="utf-8")


def h(s: str) -> bytes:
    return bytes.fromhex(s)


# ----------------------------------------------------------------------------- vectors (the spec's §6)

VECTORS = {
    "ping": (encode_ping(address=1, seq=1), "AA 55 01 01 01 00 00 49 FC"),
    "call": (encode_call(address=3, seq=7, window_no=3, text="请A001号到3号窗口"),
             "AA 55 03 07 03 00 15 00 03 05 00 C7 EB 41 30 30 31 BA C5 B5 BD 33 BA C5 B4 B0 BF DA 2A 43"),
    "idle": (encode_idle_text(address=3, seq=8, text="3号窗口 张三 为您服务"),
             "AA 55 03 08 05 00 15 33 BA C5 B4 B0 BF DA 20 D5 C5 C8 FD 20 CE AA C4 FA B7 FE CE F1 7E 6C"),
    "show": (encode_show_text(address=1, seq=9, text="A001 1号窗口\nB002 2号窗口"),
             "AA 55 01 09 02 00 1B 00 00 41 30 30 31 20 31 BA C5 B4 B0 BF DA 0A 42 30 30 32 20 32 BA C5 B4 B0 BF DA "
             "65 4D"),
    "clear": (encode_clear(address=BROADCAST, seq=10), "AA 55 FF 0A 04 00 00 72 0D"),
    "brightness": (encode_brightness(address=2, seq=11, level=12), "AA 55 02 0B 06 00 01 0C A5 25"),
    "status": (encode_status(address=2, seq=12), "AA 55 02 0C 07 00 00 EF 51"),
}


@pytest.mark.parametrize("name", list(VECTORS))
def test_encoders_produce_the_spec_vectors(name: str) -> None:
    got, expected = VECTORS[name]
    assert got == h(expected)
    assert expected in SPEC  # the document and the code say the same thing


def test_every_frame_in_the_spec_parses_with_a_good_crc() -> None:
    frames = re.findall(r"`(AA 55(?: [0-9A-F]{2})+)`", SPEC)
    assert len(frames) >= 10
    for f in frames:
        parsed = list(decode_frames(h(f)))
        assert len(parsed) == 1, f
        assert parsed[0].encode() == h(f)


def test_reply_vectors_decode_to_board_info_and_status() -> None:
    info = parse_board_info(next(decode_frames(h("AA 55 01 01 81 00 06 00 01 02 01 00 10 35 FF"))))
    assert (info.version, info.gb18030, info.brightness, info.lines, info.columns) == (1, False, True, 1, 16)
    st_ = parse_board_status(next(decode_frames(h(
        "AA 55 02 0C 87 00 14 00 03 0C C7 EB 41 30 30 31 BA C5 B5 BD 33 BA C5 B4 B0 BF DA 97 A5"))), "gb2312")
    assert (st_.mode, st_.brightness, st_.text) == (Mode.CALL, 12, "请A001号到3号窗口")


def test_frame_encoder_validates() -> None:
    with pytest.raises(ValueError):
        encode_frame(256, 0, 1)
    with pytest.raises(ValueError):
        encode_frame(1, 0, 1, b"x" * 1025)
    with pytest.raises(ValueError):
        encode_brightness(address=1, seq=1, level=16)


# ----------------------------------------------------------------------------- parser

def test_parser_finds_frames_in_garbage_and_after_a_truncated_frame() -> None:
    good = encode_call(address=3, seq=7, window_no=3, text="请A001号到3号窗口")
    ping = encode_ping(address=1, seq=1)
    stream = b"\x00\xaa\x13" + good[:9] + b"\xaa\x55\xff" + ping + good + b"\xaa"
    p = FrameParser()
    frames = p.feed(stream)
    assert [f.encode() for f in frames] == [ping, good]
    assert p.garbage_bytes > 0 and p.pending == 1  # a lone AA may start the next frame


def test_parser_rejects_bad_crc_and_impossible_lengths() -> None:
    bad = bytearray(encode_ping(address=1, seq=1))
    bad[-1] ^= 1
    p = FrameParser()
    assert p.feed(bytes(bad)) == [] and p.crc_errors == 1
    assert p.feed(b"\xaa\x55\x01\x01\x01\xff\xff") == []  # 65535 > 1024: not a frame start
    assert p.feed(encode_ping(address=1, seq=2))[0].seq == 2


frames_st = st.builds(Frame, st.integers(1, 255), st.integers(0, 255), st.integers(0, 255),
                      st.binary(max_size=40))


@settings(database=None, deadline=None, max_examples=120)
@given(st.lists(st.tuples(st.binary(max_size=12), frames_st), max_size=6), st.integers(1, 17))
def test_parser_recovers_every_frame_from_garbage_in_any_chunking(parts: list[tuple[bytes, Frame]],
                                                                  chunk: int) -> None:
    stream = b"".join(g + f.encode() for g, f in parts)
    p = FrameParser()
    got = [f for i in range(0, len(stream), chunk) for f in p.feed(stream[i:i + chunk])]
    assert got == [f for _, f in parts]


# ----------------------------------------------------------------------------- driver against the simulator

@pytest.fixture
def board() -> Any:
    b = open_device("sim:led?address=3&timeout=0.1&baudrate=115200")
    yield b
    b.close()


def test_call_idle_clear_and_status(board: Any) -> None:
    sim: LedBoardSim = board.simulator
    board.call(3, "请A001号到3号窗口")
    assert sim.last_text() == "请A001号到3号窗口" and sim.calls == [(3, "请A001号到3号窗口")]
    board.idle("3号窗口 张三 为您服务")
    assert sim.last_text() == "3号窗口 张三 为您服务"
    board.brightness(3)
    status = board.status()
    assert (status.mode, status.brightness, status.text, status.ok) == (Mode.IDLE, 3, "3号窗口 张三 为您服务", True)
    board.clear()
    assert sim.last_text() == "" and board.status().mode == Mode.BLANK


def test_board_encoding_follows_its_ping(board: Any) -> None:
    board.call(3, "请王䶮到3号窗口")  # GB2312 board: the rare character is shown as □
    assert board.encoding == "gb2312" and board.simulator.last_text() == "请王□到3号窗口"
    b = open_device("sim:led?address=3&gb18030=1")
    b.call(3, "请王䶮到3号窗口")
    assert b.encoding == "gb18030" and b.simulator.last_text() == "请王䶮到3号窗口"


def test_a_dropped_frame_is_retried_with_the_same_seq(board: Any) -> None:
    sim: LedBoardSim = board.simulator
    sim.set(drop_next=2)
    board.call(3, "请A002号到3号窗口")
    assert sim.dropped == 2 and sim.last_text() == "请A002号到3号窗口"


def test_a_lost_reply_makes_a_retry_that_is_answered_but_not_executed_twice(board: Any) -> None:
    sim: LedBoardSim = board.simulator
    board.ping()
    sim.set(corrupt_next=1)
    board.call(3, "请A003号到3号窗口")
    assert sim.calls == [(3, "请A003号到3号窗口")]  # one call on the board, though asked twice
    assert sim.executed == 2  # ping + call


def test_garbage_and_truncated_replies_are_survived(board: Any) -> None:
    sim: LedBoardSim = board.simulator
    sim.set(garbage_next=1)
    board.call(3, "请A004号到3号窗口")
    sim.set(truncate_next=1)
    board.call(3, "请A005号到3号窗口")
    assert sim.last_text() == "请A005号到3号窗口"


def test_a_board_that_never_answers_is_a_timeout_within_its_bound(board: Any) -> None:
    board.simulator.set(silent=True)
    t0 = time.monotonic()
    with pytest.raises(DeviceTimeout) as e:
        board.call(3, "请A006号到3号窗口")
    assert time.monotonic() - t0 < 1.0  # 3 tries of 0.1 s + transmission
    assert "无应答" in str(e.value)
    board.simulator.set(silent=False)
    board.call(3, "请A006号到3号窗口")  # usable again


def test_only_damaged_replies_is_a_checksum_error(board: Any) -> None:
    board.ping()
    board.simulator.set(corrupt_next=3)
    with pytest.raises(ChecksumError):
        board.clear()


def test_only_garbage_is_a_protocol_error(board: Any) -> None:
    board.ping()
    board.simulator.set(truncate_next=3)
    with pytest.raises(ProtocolError):
        board.clear()


def test_board_status_errors_are_plain_chinese(board: Any) -> None:
    board.ping()
    board.simulator.set(fault_status=StatusCode.HARDWARE_FAULT)
    with pytest.raises(DeviceRejected) as e:
        board.call(3, "x")
    assert e.value.status == StatusCode.HARDWARE_FAULT and "报修" in str(e.value)
    board.simulator.set(fault_status=StatusCode.UNKNOWN_COMMAND)
    with pytest.raises(UnsupportedCommand):
        board.brightness(1)


def test_boards_on_one_bus_answer_only_their_address_and_broadcast_reaches_all() -> None:
    sims = [LedBoardSim(1), LedBoardSim(2), LedBoardSim(3)]
    transport = SerialTransport(SimSerialPort(sims), baudrate=9600)
    boards = [LedBoard(transport, address=a) for a in (1, 2, 3)]
    link = boards[0].link
    for b in boards[1:]:
        b.link = link  # one bus, one link, one lock
    boards[1].call(2, "请A001号到2号窗口")
    assert [s.last_text() for s in sims] == ["", "请A001号到2号窗口", ""]
    everyone = LedBoard(link, address=BROADCAST)
    everyone.idle("暂停服务")
    everyone.brightness(2)
    assert [s.last_text() for s in sims] == ["暂停服务"] * 3 and all(s.brightness == 2 for s in sims)
    assert everyone.status().known is False


def test_window_strip_and_hall_board_words() -> None:
    strip_dev = open_device("sim:led?address=5")
    strip = WindowStrip(strip_dev, 5)
    assert strip.call("A001") == "请A001号到5号窗口" == call_text("A001", 5)
    assert strip_dev.simulator.last_text() == "请A001号到5号窗口"
    strip.on_duty("张三", "1001")
    assert strip_dev.simulator.last_text() == "5号窗口 张三（工号1001） 为您服务"
    strip.paused()
    assert strip_dev.simulator.last_text() == "5号窗口 暂停服务"

    hall_dev = open_device("sim:led?address=9&lines=4&columns=32")
    hall = HallBoard(hall_dev, lines=4, header="请以下号码到窗口办理")
    for n, w in (("A001", 1), ("B001", 2), ("A002", 3), ("A003", 1)):
        hall.push_call(n, w)
    assert hall_dev.simulator.last_text().split("\n") == [
        "请以下号码到窗口办理", "请A003号到1号窗口", "请A002号到3号窗口", "请B001号到2号窗口"]
    hall.board.show_text("第二行", line=2)
    assert hall_dev.simulator.last_text().split("\n")[1] == "第二行"
    assert isinstance(hall_dev, BoardDriver)


def test_raw_text_adapter_for_cheap_boards() -> None:
    b = open_device("sim:led?protocol=rawtext")
    sim: RawTextBoardSim = b.simulator
    assert isinstance(b, RawTextBoard) and isinstance(b, BoardDriver)
    WindowStrip(b, 3).call("A001")
    assert sim.last_text() == "请A001号到3号窗口"
    b.idle("3号窗口 张三 为您服务")
    b.clear()
    assert sim.lines == ["请A001号到3号窗口", "3号窗口 张三 为您服务", ""]
    with pytest.raises(UnsupportedCommand):
        b.brightness(5)
    assert b.status().known is False


def test_show_text_effects_and_lines_reach_the_board(board: Any) -> None:
    board.show_text("欢迎光临", effect=Effect.SCROLL)
    assert board.simulator.last_text() == "欢迎光临"
    with pytest.raises(DeviceRejected):
        board.show_text("x", line=9)  # a one-line board has no line 9


# ----------------------------------------------------------------------------- integration

def test_led_board_over_a_socat_pty_pair(pty_pair: PtyPair) -> None:
    sim = LedBoardSim(3)
    with SerialSimHost(sim, pty_pair.b, baudrate=9600):
        b = open_device(f"led+serial://{pty_pair.a}?baudrate=9600&address=3&timeout=0.3")
        try:
            WindowStrip(b, 3).call("A001")
            assert sim.last_text() == "请A001号到3号窗口"
            sim.set(drop_next=1)
            b.idle("3号窗口 张三 为您服务")
            assert sim.last_text() == "3号窗口 张三 为您服务" and sim.dropped == 1
        finally:
            b.close()


def test_led_bus_behind_a_serial_to_ethernet_box() -> None:
    sims = [LedBoardSim(1), LedBoardSim(2)]
    with TcpSimServer(sims) as srv:
        b2 = open_device(f"led+tcp://{srv.address}?address=2&timeout=0.3")
        try:
            b2.call(2, "请A009号到2号窗口")
            assert sims[1].last_text() == "请A009号到2号窗口" and sims[0].last_text() == ""
            sims[1].unplug()  # the box reboots: connection reset
            with pytest.raises(Exception) as e:
                b2.call(2, "请A010号到2号窗口")
            from printers.errors import DeviceError
            assert isinstance(e.value, DeviceError)
            b2.call(2, "请A011号到2号窗口")  # reconnects
            assert sims[1].wait_for(lambda s: s.last_text() == "请A011号到2号窗口")
        finally:
            b2.close()


def test_command_enum_matches_spec_table() -> None:
    for c in Command:
        assert f"| `{c.value:02X}` | {c.name} |" in SPEC
