"""The simulators themselves: the loop:// port, pty pairs, TCP hosts and waiting without sleeps."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
import serial

from printers.simulators import (LedBoardSim, PrinterSim, PtyPair, SerialSimHost, SimSerialPort, TcpSimServer)
from printers.transport import SerialTransport, TcpTransport, read_exactly


def test_sim_serial_port_feeds_the_device_and_returns_its_answers() -> None:
    sim = PrinterSim()
    port = SimSerialPort(sim)
    port.open()
    port.timeout = 0.5
    port.write(b"hello\n\x10\x04\x04")
    assert port.read(1) == b"\x12"
    assert bytes(sim.received) == b"hello\n"
    sim.set(paper_out=True)
    port.write(b"\x10\x04\x04more\n")
    assert port.read(1) == b"\x7e"  # 0x12 | paper end 0x60 | near end 0x0c
    assert bytes(sim.lost) == b"more\n"
    port.unplug()
    with pytest.raises(serial.SerialException):
        port.write(b"x")
    with pytest.raises(serial.SerialException):
        port.read(1)
    port.close()


def test_powered_off_printer_takes_nothing_and_says_nothing() -> None:
    sim = PrinterSim()
    sim.set(online=False)
    t = SerialTransport(SimSerialPort(sim))
    t.open()
    t.write(b"x\n\x10\x04\x01")
    assert t.read(1, 0.05) == b"" and sim.received == b""


def test_wait_for_wakes_on_a_state_change_from_another_thread() -> None:
    sim = LedBoardSim(1)
    port = SimSerialPort(sim)
    t = SerialTransport(port)
    t.open()
    from printers.ledboard import encode_call
    threading.Timer(0.05, lambda: t.write(encode_call(address=1, seq=1, window_no=1, text="请A001号到1号窗口"))).start()
    assert sim.wait_for(lambda s: s.last_text() == "请A001号到1号窗口", 2.0)
    assert not sim.wait_for(lambda s: s.last_text() == "never", 0.05)


def test_pty_pair_is_a_null_modem_and_can_be_replugged(tmp_path: Path) -> None:
    if not PtyPair.available():
        pytest.skip("socat not installed")
    pair = PtyPair(tmp_path).start()
    try:
        with serial.Serial(pair.a, 115200, timeout=1) as a, serial.Serial(pair.b, 115200, timeout=1) as b:
            a.write(b"ping")
            assert b.read(4) == b"ping"
        pair.stop()
        assert not Path(pair.a).exists() or not Path(pair.a).resolve().exists()
        pair.start()
        with serial.Serial(pair.a, 115200, timeout=1) as a, serial.Serial(pair.b, 115200, timeout=1) as b:
            b.write(b"pong")
            assert a.read(4) == b"pong"
    finally:
        pair.close()


def test_serial_host_on_a_pty(pty_pair: PtyPair) -> None:
    sim = PrinterSim()
    with SerialSimHost(sim, pty_pair.b):
        t = SerialTransport(pty_pair.a, baudrate=115200)
        t.open()
        try:
            t.write(b"\x10\x04\x01")
            assert read_exactly(t, 1, 2.0) == b"\x12"
        finally:
            t.close()


def test_tcp_server_serves_one_client_at_a_time_and_drop_resets() -> None:
    sim = PrinterSim()
    with TcpSimServer(sim) as srv:
        t = TcpTransport(srv.host, srv.port)
        t.open()
        t.write(b"\x10\x04\x01")
        assert read_exactly(t, 1, 2.0) == b"\x12"
        srv.drop()
        from printers.errors import DeviceOffline
        with pytest.raises(DeviceOffline):
            read_exactly(t, 1, 2.0)
        t.open()
        t.write(b"\x10\x04\x04")
        assert read_exactly(t, 1, 2.0) == b"\x12"
        t.close()
