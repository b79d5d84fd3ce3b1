"""Transports: every read is bounded by its timeout, faults map into the error tree,
and a transport that failed can be opened again."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.errors import DeviceOffline, DeviceTimeout
from printers.simulators import PrinterSim, SimSerialPort
from printers.transport import FileTransport, MemoryTransport, SerialTransport, TcpTransport, read_exactly


def _elapsed(fn) -> tuple[object, float]:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    r = fn()
    return r, time.monotonic() - t0


def test_memory_read_returns_what_is_there_or_nothing_after_the_timeout() -> None:
    a, b = MemoryTransport.pair()
    a.open()
    b.open()
    a.write(b"hello")
    assert b.read(3, 1.0) == b"hel"
    assert b.read(10, 1.0) == b"lo"
    got, took = _elapsed(lambda: b.read(10, 0.1))
    assert got == b"" and 0.09 <= took < 0.5


def test_memory_unplug_is_offline_until_replugged() -> None:
    t = MemoryTransport()
    t.open()
    t.unplug()
    with pytest.raises(DeviceOffline):
        t.write(b"x")
    with pytest.raises(DeviceOffline):
        t.open()
    t.replug()
    t.open()
    t.write(b"x")
    assert bytes(t.written) == b"x"


def test_read_exactly_collects_pieces_and_stops_at_the_deadline() -> None:
    t = MemoryTransport()
    t.open()
    t.inject(b"ab")
    timer = threading.Timer(0.05, lambda: t.inject(b"cd"))
    timer.start()
    assert read_exactly(t, 4, 2.0) == b"abcd"
    got, took = _elapsed(lambda: read_exactly(t, 4, 0.1))
    assert got == b"" and took < 0.5
    timer.join()


def test_serial_loop_url_echoes_and_read_times_out() -> None:
    t = SerialTransport("loop://", baudrate=9600)
    t.open()
    t.write(b"\x10\x04\x01")
    assert read_exactly(t, 3, 1.0) == b"\x10\x04\x01"
    got, took = _elapsed(lambda: t.read(1, 0.1))
    assert got == b"" and took < 0.6
    assert t.transmit_time(960) == pytest.approx(1.0)  # 8N1: 10 bits a byte
    t.close()
    t.close()  # idempotent


def test_serial_port_that_does_not_exist_is_offline_with_a_chinese_message() -> None:
    t = SerialTransport("/dev/ttyUSB_does_not_exist", baudrate=19200)
    with pytest.raises(DeviceOffline) as e:
        t.open()
    assert "数据线" in str(e.value) and "ttyUSB_does_not_exist" in e.value.detail
    with pytest.raises(DeviceOffline):
        t.read(1, 0.1)


def test_serial_unplugged_mid_use_then_replugged_opens_again() -> None:
    sim = PrinterSim()
    port = SimSerialPort(sim)
    t = SerialTransport(port, baudrate=9600)
    t.open()
    t.write(b"\x10\x04\x01")
    assert t.read(1, 1.0) == b"\x12"
    port.unplug()
    with pytest.raises(DeviceOffline):
        t.write(b"x")
    assert not t.is_open
    with pytest.raises(DeviceOffline):
        t.open()
    port.replug()
    t.open()
    t.write(b"\x10\x04\x04")
    assert t.read(1, 1.0) == b"\x12"


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    srv = socket.create_server(("127.0.0.1", 0))
    srv.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                try:
                    while data := conn.recv(4096):
                        if data == b"bye":
                            break
                        conn.sendall(data)
                except OSError:
                    pass

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    yield srv.getsockname()[:2]
    stop.set()
    th.join(3)
    srv.close()


def test_tcp_echo_timeout_and_peer_close(echo_server: tuple[str, int]) -> None:
    host, port = echo_server
    t = TcpTransport(host, port)
    t.open()
    t.write(b"abc")
    assert read_exactly(t, 3, 1.0) == b"abc"
    got, took = _elapsed(lambda: t.read(1, 0.1))
    assert got == b"" and took < 0.6
    t.write(b"bye")  # the server closes the connection
    with pytest.raises(DeviceOffline):
        read_exactly(t, 1, 2.0)
    assert not t.is_open
    t.open()  # and we can connect again
    t.write(b"x")
    assert t.read(1, 1.0) == b"x"
    t.close()


def test_tcp_connection_refused_is_offline_at_once() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = TcpTransport("127.0.0.1", port, connect_timeout=1.0)
    _, took = _elapsed(lambda: pytest.raises(DeviceOffline, t.open))
    assert took < 1.5


def test_tcp_device_that_never_reads_makes_a_write_time_out() -> None:
    srv = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    th = threading.Thread(target=lambda: accepted.append(srv.accept()[0]), daemon=True)
    th.start()
    t = TcpTransport("127.0.0.1", srv.getsockname()[1], write_timeout=0.3)
    t.open()
    th.join(2)
    try:
        with pytest.raises(DeviceTimeout):
            for _ in range(64):  # 64 MB at most; the socket buffers fill long before
                t.write(b"\0" * (1 << 20))
        assert not t.is_open  # half a command went out: only a new connection is clean
    finally:
        for c in accepted:
            c.close()
        srv.close()


def test_file_transport_appends_and_has_no_back_channel(tmp_path: Path) -> None:
    f = tmp_path / "lp0"
    t = FileTransport(f)
    assert not t.has_back_channel
    t.open()
    t.write(b"one")
    got, took = _elapsed(lambda: t.read(1, 5.0))
    assert got == b"" and took < 0.1
    t.close()
    t.open()
    t.write(b"two")
    t.close()
    assert f.read_bytes() == b"onetwo"
    with pytest.raises(DeviceOffline):
        FileTransport(tmp_path).open()  # a directory cannot be printed to


def test_a_device_node_that_stops_taking_bytes_times_out_instead_of_hanging(tmp_path: Path) -> None:
    import os
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a "printer" that never reads
    try:
        t = FileTransport(fifo, write_timeout=0.2)
        t.open()
        t0 = time.monotonic()
        with pytest.raises(DeviceTimeout):
            t.write(b"\0" * (1 << 20))
        assert time.monotonic() - t0 < 1.0
        t.close()
    finally:
        os.close(reader)
