"""Our framed serial protocol (LED boards, the evaluator): frames, a resynchronising
parser, and a request/reply link with retries.

Frame (see LED_PROTOCOL.md, the normative text):

    AA 55 | address | seq | command | length (2, BE) | payload | CRC-16/MODBUS (2, LE)

The CRC covers address..payload. Replies echo the command with bit 7 set; address
0xFF is a broadcast that no device answers. The parser never trusts a length or a
sync pair blindly: a frame whose CRC fails is discarded one byte at a time, so a real
frame that begins inside garbage or inside a truncated frame is still found.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from .checksums import crc16_modbus
from .errors import ChecksumError, DeviceTimeout, ProtocolError
from .transport import Transport

log = logging.getLogger(__name__)

SYNC = b"\xaa\x55"
BROADCAST = 0xFF
REPLY_BIT = 0x80
MAX_PAYLOAD = 1024
HEADER_LEN = 7  # sync, address, seq, command, length
OVERHEAD = HEADER_LEN + 2


@dataclass(frozen=True)
class Frame:
    address: int
    seq: int
    command: int
    payload: bytes = b""

    @property
    def is_reply(self) -> bool:
        return bool(self.command & REPLY_BIT)

    @property
    def status(self) -> int:
        """A reply's status byte (first payload byte)."""
        if not self.payload:
            raise ProtocolError(f"reply to command {self.command & 0x7F:#04x} has no status byte")
        return self.payload[0]

    def encode(self) -> bytes:
        return encode_frame(self.address, self.seq, self.command, self.payload)


def encode_frame(address: int, seq: int, command: int, payload: bytes = b"") -> bytes:
    """One frame on the wire. Pure."""
    if not (0 <= address <= 0xFF and 0 <= seq <= 0xFF and 0 <= command <= 0xFF):
        raise ValueError("address, seq and command are bytes")
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    body = bytes([address, seq, command]) + len(payload).to_bytes(2, "big") + payload
    return SYNC + body + crc16_modbus(body).to_bytes(2, "little")


class FrameParser:
    """Incremental frame parser that resynchronises after garbage and bad CRCs."""

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self.max_payload = max_payload
        self._buf = bytearray()
        self.frames = 0
        self.crc_errors = 0
        self.garbage_bytes = 0

    def reset(self) -> None:
        """Forget a partial frame (before a retry: its tail will never come)."""
        self.garbage_bytes += len(self._buf)
        self._buf.clear()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        buf = self._buf
        buf += data
        out: list[Frame] = []
        while True:
            i = buf.find(SYNC)
            if i < 0:
                keep = 1 if buf[-1:] == SYNC[:1] else 0
                self.garbage_bytes += len(buf) - keep
                del buf[:len(buf) - keep]
                break
            if i:
                self.garbage_bytes += i
                del buf[:i]
            if len(buf) < HEADER_LEN:
                break
            length = buf[5] << 8 | buf[6]
            if length > self.max_payload:
                self.garbage_bytes += 1
                del buf[:1]
                continue
            total = HEADER_LEN + length + 2
            if len(buf) < total:
                # A damaged header may claim a long frame and swallow good ones behind
                # it: if a complete, valid frame starts later in the buffer, skip to it.
                j = self._later_frame(buf)
                if j < 0:
                    break
                self.garbage_bytes += j
                del buf[:j]
                continue
            body = bytes(buf[2:HEADER_LEN + length])
            crc = buf[HEADER_LEN + length] | buf[HEADER_LEN + length + 1] << 8
            if crc16_modbus(body) != crc:
                self.crc_errors += 1
                self.garbage_bytes += 1
                del buf[:1]
                continue
            out.append(Frame(body[0], body[1], body[2], body[5:]))
            self.frames += 1
            del buf[:total]
        return out


    def _later_frame(self, buf: bytearray) -> int:
        j = buf.find(SYNC, 1)
        while j >= 0:
            if len(buf) - j >= OVERHEAD:
                length = buf[j + 5] << 8 | buf[j + 6]
                end = j + HEADER_LEN + length + 2
                if length <= self.max_payload and end <= len(buf):
                    body = bytes(buf[j + 2:j + HEADER_LEN + length])
                    if crc16_modbus(body) == (buf[end - 2] | buf[end - 1] << 8):
                        return j
            j = buf.find(SYNC, j + 1)
        return -1


def decode_frames(data: bytes) -> Iterator[Frame]:
    """All complete, valid frames in ``data`` (garbage and bad frames skipped)."""
    yield from FrameParser().feed(data)


class FramedLink:
    """One serial line or RS-485 bus speaking AA 55 frames.

    Several boards may share it (one ``LedBoard`` per address); the lock makes each
    request/reply exchange atomic on the bus. Frames a device sends on its own
    (evaluator reports) that arrive while waiting for a reply are kept in
    ``unsolicited`` for ``receive()``.
    """

    def __init__(self, transport: Transport, *, timeout: float = 0.5, retries: int = 2, name: str = "") -> None:
        self.transport = transport
        self.timeout = timeout
        self.retries = retries
        self.name = name or transport.description
        self.parser = FrameParser()
        self.unsolicited: deque[Frame] = deque(maxlen=64)
        self.lock = threading.RLock()
        self._seq = 0

    def next_seq(self) -> int:
        with self.lock:
            self._seq = (self._seq + 1) & 0xFF
            return self._seq

    def _absorb(self, frames: list[Frame], want: tuple[int, int, int] | None) -> Frame | None:
        found = None
        for f in frames:
            if want is not None and found is None and (f.address, f.seq, f.command) == want:
                found = f
            elif not f.is_reply:
                self.unsolicited.append(f)
            else:
                log.debug("%s: stray reply %s", self.name, f)
        return found

    def _drain(self) -> None:
        """Take in what already arrived: keep device reports, drop stale replies."""
        while True:
            chunk = self.transport.read(4096, 0.0)
            if not chunk:
                break
            self._absorb(self.parser.feed(chunk), None)
        self.parser.reset()

    def send(self, frame: bytes) -> None:
        with self.lock:
            self.transport.ensure_open()
            self.transport.write(frame)

    def request(self, address: int, command: int, payload: bytes = b"", *,
                timeout: float | None = None, retries: int | None = None) -> Frame | None:
        """Send a command and return the device's reply; None for a broadcast.

        Retries (same seq, so the device can tell a repeat from a new command) on
        silence or a damaged reply. After the last try: ChecksumError if only damaged
        replies came, ProtocolError if bytes came that were no frame, else DeviceTimeout.
        """
        timeout = self.timeout if timeout is None else timeout
        retries = self.retries if retries is None else retries
        with self.lock:
            self.transport.ensure_open()
            seq = self.next_seq()
            frame = encode_frame(address, seq, command, payload)
            if address == BROADCAST:
                self._drain()
                self.transport.write(frame)
                return None
            want = (address, seq, command | REPLY_BIT)
            crc0 = self.parser.crc_errors
            got_bytes = False
            for attempt in range(retries + 1):
                self._drain()
                self.transport.write(frame)
                wait = timeout + self.transport.transmit_time(len(frame) + OVERHEAD + 64)
                deadline = time.monotonic() + wait
                while True:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    chunk = self.transport.read(4096, remaining)
                    if not chunk:
                        break
                    got_bytes = True
                    reply = self._absorb(self.parser.feed(chunk), want)
                    if reply is not None:
                        if attempt:
                            log.info("%s: address %d command %#04x answered on try %d",
                                     self.name, address, command, attempt + 1)
                        return reply
                log.info("%s: no valid reply from address %d to command %#04x (try %d of %d)",
                         self.name, address, command, attempt + 1, retries + 1)
            detail = f"address {address} command {command:#04x} seq {seq}: no valid reply after {retries + 1} tries"
            if self.parser.crc_errors > crc0:
                raise ChecksumError(detail, device=self.name)
            if got_bytes:
                raise ProtocolError(detail, device=self.name)
            raise DeviceTimeout(detail, device=self.name)

    def receive(self, timeout: float) -> Frame | None:
        """The next frame a device sent on its own (a report), or None after ``timeout``."""
        with self.lock:
            if self.unsolicited:
                return self.unsolicited.popleft()
            self.transport.ensure_open()
            if not self.transport.has_back_channel:
                return None
            deadline = time.monotonic() + max(0.0, timeout)
            while True:
                chunk = self.transport.read(4096, max(0.0, deadline - time.monotonic()))
                if chunk:
                    self._absorb(self.parser.feed(chunk), None)
                    if self.unsolicited:
                        return self.unsolicited.popleft()
                    continue
                if time.monotonic() >= deadline:
                    return None

    def close(self) -> None:
        with self.lock:
            self.transport.close()
            self.parser.reset()
