"""Byte pipes to devices: serial (pyserial), TCP, a file and in-memory.

Every device driver talks through this one small interface, so the same driver runs on
a USB-serial adapter, an RS-232 port, a serial-to-Ethernet box on port 9100, a
``/dev/usb/lp0`` file, a socat pty pair or a simulator in the same process.

Contract of ``read(n, timeout)``: return 1..n bytes as soon as any are available, or
``b""`` when none arrived within ``timeout`` seconds (or the transport has no back
channel). It never blocks longer than ``timeout``: no device can hang the caller.
Writes are bounded too (serial write timeout scaled by baud rate, socket send timeout).

Faults are mapped into the error tree: a port that cannot be opened or a link that
drops is ``DeviceOffline`` (and the transport closes itself, so the driver can simply
reopen it on the next call); a write that cannot complete in time is ``DeviceTimeout``.
"""
from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import Any

import serial

from .errors import DeviceError, DeviceOffline, DeviceTimeout

log = logging.getLogger(__name__)

try:  # pyserial's posix backend calls termios directly: a vanished pty or USB adapter
    import termios  # raises termios.error (EIO), which is not an OSError

    _TERMIOS_ERRORS: tuple[type[BaseException], ...] = (termios.error,)
except ImportError:  # pragma: no cover - Windows
    _TERMIOS_ERRORS = ()

#: everything the serial stack raises for a port that went away (or was never there);
#: each becomes a device error (DeviceOffline), the transport closes, the next use reopens
SERIAL_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, ValueError, *_TERMIOS_ERRORS)


class Transport(ABC):
    """A byte pipe to one device (or one bus)."""

    #: False for write-only links (a file, a parallel port): reads return b"" at once,
    #: and drivers report the device state as unknown instead of waiting.
    has_back_channel: bool = True

    def __init__(self, description: str) -> None:
        self.description = description

    @property
    @abstractmethod
    def is_open(self) -> bool: ...

    @abstractmethod
    def open(self) -> None:
        """Open the link; raises DeviceOffline when the device is not there."""

    @abstractmethod
    def close(self) -> None:
        """Close the link; idempotent."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send all of ``data`` or raise (DeviceOffline / DeviceTimeout)."""

    @abstractmethod
    def read(self, n: int, timeout: float) -> bytes:
        """1..n bytes as soon as available, or b"" after ``timeout`` seconds."""

    def discard_input(self) -> None:
        """Drop bytes already received (stale replies) before a new request."""
        while self.read(4096, 0.0):
            pass

    def transmit_time(self, nbytes: int) -> float:
        """Seconds the wire needs to carry ``nbytes`` (0 for links that are not slow)."""
        return 0.0

    def ensure_open(self) -> None:
        if not self.is_open:
            self.open()

    def __enter__(self) -> "Transport":
        self.ensure_open()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description}>"


def read_exactly(transport: Transport, n: int, timeout: float) -> bytes:
    """Up to ``n`` bytes, waiting at most ``timeout`` in total; fewer means time ran out."""
    deadline = time.monotonic() + timeout
    buf = bytearray()
    while len(buf) < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        chunk = transport.read(n - len(buf), remaining)
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


# --------------------------------------------------------------------------- serial


def _bits_per_byte(port: Any) -> int:
    try:
        parity = 0 if port.parity == serial.PARITY_NONE else 1
        stop = 2 if port.stopbits == serial.STOPBITS_TWO else 1
        return 1 + int(port.bytesize) + parity + stop
    except (AttributeError, TypeError, ValueError):
        return 10


class SerialTransport(Transport):
    """A serial port through pyserial: a device path, or any pyserial URL
    (``loop://``, ``socket://``, ``rfc2217://``), or a ready pyserial object (the
    simulators hand one in)."""

    def __init__(self, port: str | serial.SerialBase, *, baudrate: int = 9600, bytesize: int = 8,
                 parity: str = "N", stopbits: float = 1, rtscts: bool = False, xonxoff: bool = False,
                 dsrdtr: bool = False, write_timeout: float | None = None) -> None:
        if isinstance(port, str):
            super().__init__(f"serial {port} {baudrate} {bytesize}{parity}{stopbits:g}")
            self._url: str | None = port
            self._port: Any = None  # a pyserial port (SerialBase subclass from serial_for_url)
        else:
            super().__init__(f"serial {port.port or type(port).__name__} {baudrate}")
            self._url = None
            self._port = port
            port.baudrate = baudrate
        self.baudrate = baudrate
        self._settings: dict[str, Any] = dict(
            baudrate=baudrate, bytesize=bytesize, parity=parity, stopbits=stopbits,
            rtscts=rtscts, xonxoff=xonxoff, dsrdtr=dsrdtr,
        )
        self._fixed_write_timeout = write_timeout
        self._timeout: float | None = -1.0
        self._write_timeout: float | None = -1.0
        self._lock = threading.RLock()

    @property
    def is_open(self) -> bool:
        return self._port is not None and bool(self._port.is_open)

    def open(self) -> None:
        with self._lock:
            if self.is_open:
                return
            try:
                if self._url is not None:
                    extra: dict[str, Any] = {}
                    if "://" not in self._url and os.name == "posix":
                        extra["exclusive"] = True  # two programs on one port garble both
                    self._port = serial.serial_for_url(self._url, do_not_open=True, **self._settings, **extra)
                assert self._port is not None
                self._port.timeout = 0
                self._port.write_timeout = None
                self._timeout = 0
                self._write_timeout = None
                self._port.open()
            except SERIAL_ERRORS as e:
                raise DeviceOffline(f"cannot open {self.description}: {e}") from None
            log.debug("opened %s", self.description)

    def close(self) -> None:
        with self._lock:
            port = self._port
            if port is not None:
                try:
                    port.close()
                except SERIAL_ERRORS as e:  # already gone
                    log.debug("close %s: %s", self.description, e)
            if self._url is not None:
                self._port = None

    def _gone(self, e: BaseException) -> DeviceOffline:
        self.close()
        return DeviceOffline(f"{self.description}: {e}")

    def _require(self) -> Any:
        if not self.is_open or self._port is None:
            raise DeviceOffline(f"{self.description} is not open")
        return self._port

    def transmit_time(self, nbytes: int) -> float:
        bits = _bits_per_byte(self._port) if self._port is not None else 10
        return nbytes * bits / float(self.baudrate)

    def write(self, data: bytes) -> None:
        with self._lock:
            port = self._require()
            wt = self._fixed_write_timeout
            if wt is None:
                # the wire needs transmit_time; allow twice that plus slack for flow control
                wt = 1.0 + 2.0 * self.transmit_time(len(data))
            try:
                if wt != self._write_timeout:
                    port.write_timeout = wt
                    self._write_timeout = wt
                n = port.write(data)
            except serial.SerialTimeoutException as e:
                try:
                    port.reset_output_buffer()
                except SERIAL_ERRORS:
                    pass
                raise DeviceTimeout(f"{self.description}: write of {len(data)} bytes: {e}") from None
            except SERIAL_ERRORS as e:
                raise self._gone(e) from None
            if n is not None and n < len(data):
                raise DeviceTimeout(f"{self.description}: wrote {n} of {len(data)} bytes")

    def read(self, n: int, timeout: float) -> bytes:
        with self._lock:
            port = self._require()
            timeout = max(0.0, timeout)
            try:
                if timeout != self._timeout:
                    port.timeout = timeout
                    self._timeout = timeout
                first: bytes = port.read(1)
                if not first:
                    return b""
                more = min(n - 1, port.in_waiting) if n > 1 else 0
                rest: bytes = port.read(more) if more > 0 else b""
                return first + rest
            except SERIAL_ERRORS as e:
                raise self._gone(e) from None

    def discard_input(self) -> None:
        with self._lock:
            port = self._require()
            try:
                port.reset_input_buffer()
            except SERIAL_ERRORS as e:
                raise self._gone(e) from None


# --------------------------------------------------------------------------- TCP


class TcpTransport(Transport):
    """A raw TCP stream: network printers on port 9100, serial-to-Ethernet converters
    (RS-485 LED buses in big halls hang off one of these)."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = 3.0,
                 write_timeout: float = 5.0) -> None:
        super().__init__(f"tcp {host}:{port}")
        self.host, self.port = host, port
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout
        self._sock: socket.socket | None = None
        self._lock = threading.RLock()

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def open(self) -> None:
        with self._lock:
            if self._sock is not None:
                return
            try:
                sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
            except OSError as e:
                raise DeviceOffline(f"cannot connect {self.description}: {e}") from None
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            self._sock = sock
            log.debug("connected %s", self.description)

    def close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass

    def _require(self) -> socket.socket:
        if self._sock is None:
            raise DeviceOffline(f"{self.description} is not connected")
        return self._sock

    def write(self, data: bytes) -> None:
        with self._lock:
            sock = self._require()
            try:
                sock.settimeout(self.write_timeout)
                sock.sendall(data)
            except socket.timeout:
                # part of a command may have gone out: only a fresh connection is clean
                self.close()
                raise DeviceTimeout(f"{self.description}: send of {len(data)} bytes timed out") from None
            except OSError as e:
                self.close()
                raise DeviceOffline(f"{self.description}: {e}") from None

    def read(self, n: int, timeout: float) -> bytes:
        with self._lock:
            sock = self._require()
            try:
                sock.settimeout(max(0.0, timeout))
                data = sock.recv(n)
            except (socket.timeout, BlockingIOError):
                return b""
            except OSError as e:
                self.close()
                raise DeviceOffline(f"{self.description}: {e}") from None
            if not data:
                self.close()
                raise DeviceOffline(f"{self.description}: connection closed by the device")
            return data

    def discard_input(self) -> None:
        with self._lock:
            while self.read(4096, 0.0):
                pass


# --------------------------------------------------------------------------- file


class FileTransport(Transport):
    """Write-only: a printer device node (``/dev/usb/lp0``) or a capture file.

    There is no back channel, so status is always "unknown" for such a printer. On
    POSIX the node is opened non-blocking and writes wait with ``select`` up to
    ``write_timeout``: a USB printer that is off or out of paper stops taking bytes,
    and a plain blocking write would then hang the kiosk forever.
    """

    has_back_channel = False

    def __init__(self, path: str | os.PathLike[str], *, append: bool = True, write_timeout: float = 10.0) -> None:
        super().__init__(f"file {os.fspath(path)}")
        self.path = os.fspath(path)
        self.append = append
        self.write_timeout = write_timeout
        self._fd: int | None = None

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def open(self) -> None:
        if self._fd is not None:
            return
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if self.append else os.O_TRUNC)
        flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        try:
            self._fd = os.open(self.path, flags, 0o644)
        except OSError as e:
            raise DeviceOffline(f"cannot open {self.path}: {e}") from None

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def write(self, data: bytes) -> None:
        fd = self._fd
        if fd is None:
            raise DeviceOffline(f"{self.description} is not open")
        view = memoryview(data)
        deadline = time.monotonic() + self.write_timeout
        while view:
            try:
                n = os.write(fd, view)
            except BlockingIOError:
                n = 0
            except OSError as e:
                self.close()
                raise DeviceOffline(f"{self.description}: {e}") from None
            view = view[n:]
            if not view:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"{self.description}: device took {len(data) - len(view)} of {len(data)} bytes")
            if n == 0 and os.name == "posix":
                select.select([], [fd], [], min(remaining, 0.5))

    def read(self, n: int, timeout: float) -> bytes:
        if self._fd is None:
            raise DeviceOffline(f"{self.description} is not open")
        return b""

    def discard_input(self) -> None:
        return None


# --------------------------------------------------------------------------- memory


class MemoryTransport(Transport):
    """In-process pipe for tests: everything written is kept in ``written`` (and handed
    to ``on_write`` or a ``peer``); ``inject()`` makes bytes arrive from the "device".
    ``unplug()`` makes every call fail as a pulled cable would, ``replug()`` undoes it."""

    def __init__(self, description: str = "memory", *,
                 on_write: Callable[[bytes], None] | None = None) -> None:
        super().__init__(description)
        self.written = bytearray()
        self.on_write = on_write
        self.peer: MemoryTransport | None = None
        self._inbox = bytearray()
        self._cond = threading.Condition()
        self._open = False
        self._unplugged = False
        self.opens = 0

    @classmethod
    def pair(cls) -> tuple["MemoryTransport", "MemoryTransport"]:
        a, b = cls("memory-a"), cls("memory-b")
        a.peer, b.peer = b, a
        return a, b

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        if self._unplugged:
            raise DeviceOffline(f"{self.description}: unplugged")
        self._open = True
        self.opens += 1

    def close(self) -> None:
        with self._cond:
            self._open = False
            self._cond.notify_all()

    def unplug(self) -> None:
        with self._cond:
            self._unplugged = True
            self._open = False
            self._cond.notify_all()

    def replug(self) -> None:
        self._unplugged = False

    def inject(self, data: bytes) -> None:
        with self._cond:
            self._inbox += data
            self._cond.notify_all()

    def _check(self) -> None:
        if self._unplugged:
            self._open = False
            raise DeviceOffline(f"{self.description}: unplugged")
        if not self._open:
            raise DeviceOffline(f"{self.description} is not open")

    def write(self, data: bytes) -> None:
        self._check()
        self.written += data
        if self.peer is not None:
            self.peer.inject(bytes(data))
        if self.on_write is not None:
            self.on_write(bytes(data))

    def read(self, n: int, timeout: float) -> bytes:
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while True:
                self._check()
                if self._inbox:
                    out = bytes(self._inbox[:n])
                    del self._inbox[:n]
                    return out
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return b""
                self._cond.wait(remaining)

    def discard_input(self) -> None:
        with self._cond:
            self._check()
            self._inbox.clear()


__all__ = [
    "DeviceError", "FileTransport", "MemoryTransport", "SerialTransport", "TcpTransport",
    "Transport", "read_exactly",
]
