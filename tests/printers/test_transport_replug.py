"""A cable pulled and plugged in again while the device is idle: whatever the serial
stack raises (pyserial gives ``termios.error`` EIO on a vanished pty/USB adapter) becomes
a device error, the transport closes, and the next use reopens the same port. Done with
a socat pty pair: socat killed (cable out), started again on the same link paths."""
from __future__ import annotations

import serial

import pytest

from printers.errors import DeviceError
from printers.simulators import PtyPair
from printers.transport import SerialTransport


def _echo_once(far: serial.Serial, data: bytes) -> None:
    far.timeout = 2.0
    got = far.read(len(data))
    far.write(got)


@pytest.mark.parametrize("first_call", ["discard_input", "read", "write"])
def test_a_port_pulled_while_idle_is_a_device_error_then_reopens(pty_pair: PtyPair, first_call: str) -> None:
    t = SerialTransport(pty_pair.a, baudrate=115200)
    t.open()
    far = serial.Serial(pty_pair.b, 115200, timeout=2.0)
    t.write(b"ping")
    _echo_once(far, b"ping")
    assert t.read(4, 2.0) == b"ping"
    far.close()

    pty_pair.stop()  # the cable is pulled while nothing is being sent
    calls = {"discard_input": lambda: t.discard_input(), "read": lambda: t.read(1, 0.2),
             "write": lambda: t.write(b"x")}
    failed = False
    for _ in range(3):  # the first call on a dead pty may still succeed (buffered); one must fail
        try:
            calls[first_call]()
            if first_call == "read":
                t.discard_input()
        except DeviceError:
            failed = True
            break
    assert failed and not t.is_open

    pty_pair.start()  # plugged in again, same device names
    far = serial.Serial(pty_pair.b, 115200, timeout=2.0)
    try:
        t.ensure_open()
        t.write(b"back")
        _echo_once(far, b"back")
        assert t.read(4, 2.0) == b"back"
    finally:
        far.close()
        t.close()
