"""Fake devices that speak the exact wire protocols, for the tests and the demo.

A simulator is a device *core* (``feed(bytes)`` in, replies out through ``emit``) with
knobs for the faults we must survive, and a *host* that connects the core to a byte
pipe:

- ``SimSerialPort``: a pyserial ``loop://`` port with the device inside the loop (what
  the driver writes goes to the device, what the device says comes back); used for
  ``sim:printer`` etc. in-process, through the real ``SerialTransport``;
- ``SerialSimHost`` on one end of a socat pty pair (``PtyPair``): the driver opens the
  other end like a USB-serial adapter;
- ``TcpSimServer``: a loopback TCP port, like a network printer on 9100 or a
  serial-to-Ethernet box in front of an LED bus.

Several cores on one host share the line like boards on an RS-485 bus: each sees every
byte and answers only its own address.

Every core has ``wait_for(predicate, timeout)``, so tests wait on the device's state
instead of sleeping.
"""
from __future__ import annotations

import logging
import os
import queue
import selectors
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import serial
from serial.urlhandler import protocol_loop

from .decode import DecodedSlip, Tokenizer, decode
from .escpos import PrinterProfile
from .evaluator import Command as EvCommand
from .evaluator import Rating
from .evaluator import StatusCode as EvStatus
from .evaluator import check_txn_id, encode_result
from .framing import BROADCAST, REPLY_BIT, Frame, FrameParser, encode_frame
from .idcard import (FIND_CARD, PHOTO_LEN, READ_BASE, READ_SAM_ID, RESET_SAM, SAM_STATUS, SELECT_CARD, SW3, IdCard,
                     IdFrameParser, encode_base_info, encode_response, id_check_digit)
from .ledboard import CAP_BRIGHTNESS, CAP_GB18030, CAP_MULTILINE, MAX_BRIGHTNESS, PROTOCOL_VERSION
from .ledboard import Command as LedCommand
from .ledboard import Mode, StatusCode, encode_reply

log = logging.getLogger(__name__)

S = TypeVar("S", bound="DeviceSim")


class DeviceSim:
    """Base of the device cores: emit plumbing, unplug hooks, and ``wait_for``."""

    kind = "device"

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.RLock())
        self._emitters: list[Callable[[bytes], None]] = []
        self.unplug_listeners: list[Callable[[], None]] = []
        self.bytes_in = 0
        self.bytes_out = 0

    # -- plumbing
    def attach(self, emit: Callable[[bytes], None]) -> None:
        with self._cond:
            self._emitters.append(emit)

    def detach(self, emit: Callable[[bytes], None]) -> None:
        with self._cond:
            if emit in self._emitters:
                self._emitters.remove(emit)

    def emit(self, data: bytes) -> None:
        with self._cond:
            self.bytes_out += len(data)
            for fn in list(self._emitters):
                fn(data)

    def feed(self, data: bytes) -> None:
        with self._cond:
            self.bytes_in += len(data)
            self._feed(data)
            self._cond.notify_all()

    def _feed(self, data: bytes) -> None:
        raise NotImplementedError

    def changed(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def unplug(self) -> None:
        """Pull the cable: every host drops the link (reads/writes fail as on hardware)."""
        log.info("%s simulator: unplugged", self.kind)
        for fn in list(self.unplug_listeners):
            fn()

    def wait_for(self: S, predicate: Callable[[S], bool], timeout: float = 2.0) -> bool:
        """Block until ``predicate(self)`` holds (re-checked on every state change)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self) -> None:
        """Stop timers (evaluator); idempotent."""


# =========================================================================== printer


class PrinterSim(DeviceSim):
    """An ESC/POS thermal printer.

    Switches: ``online`` False = powered off (silent, takes nothing), ``paper_out``,
    ``paper_near_end``, ``cover_open``, ``cutter_error`` (it answers DLE EOT with those, and throws the
    print data away like a printer that stopped), ``paper_left_bytes`` /
    ``paper_left_cuts`` (paper runs out after that much printing), ``unplug_after`` (bytes of print data after which the cable
    is pulled). ``received`` is every print byte it took; ``slips()`` splits it at cuts.
    """

    kind = "printer"

    def __init__(self, profile: PrinterProfile | None = None) -> None:
        super().__init__()
        self.profile = profile or PrinterProfile()
        self.online = True
        self.paper_out = False
        self.paper_near_end = False
        self.cover_open = False
        self.cutter_error = False
        self.paper_left_cuts: int | None = None
        self.paper_left_bytes: int | None = None
        self.unplug_after: int | None = None
        self.received = bytearray()
        self.lost = bytearray()
        self.status_queries: list[int] = []
        self._slips: list[bytes] = []
        self._slip_start = 0
        self._tok = Tokenizer(strict=False)

    def set(self, **switches: Any) -> None:
        """Flip switches under the lock: ``sim.set(paper_out=True)``."""
        with self._cond:
            for k, v in switches.items():
                if not hasattr(self, k):
                    raise AttributeError(k)
                setattr(self, k, v)
            self._cond.notify_all()

    def status_byte(self, n: int) -> int:
        """The answer to DLE EOT n for the current switches."""
        b = 0x12
        stopped = self.paper_out or self.cover_open or self.cutter_error
        if n == 1:
            return b | (0x08 if stopped else 0)
        if n == 2:
            return (b | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
                    | (0x40 if self.cutter_error else 0))
        if n == 3:
            return b | (0x08 if self.cutter_error else 0)
        if n == 4:
            return b | (0x60 if self.paper_out else 0) | (0x0C if (self.paper_out or self.paper_near_end) else 0)
        return b

    def _feed(self, data: bytes) -> None:
        if not self.online:
            return
        for t in self._tok.feed(data):
            if t.kind == "realtime":
                if t.name == "DLE EOT":
                    self.status_queries.append(t.raw[2])
                    self.emit(bytes([self.status_byte(t.raw[2])]))
                continue
            if self.paper_out or self.cover_open or self.cutter_error:
                self.lost += t.raw
                continue
            self.received += t.raw
            if self.paper_left_bytes is not None:
                self.paper_left_bytes -= len(t.raw)
                if self.paper_left_bytes <= 0:
                    self.paper_left_bytes = None
                    self.paper_out = True
            if t.name == "GS V" or t.name in ("ESC i", "ESC m"):
                self._slips.append(bytes(self.received[self._slip_start:]))
                self._slip_start = len(self.received)
                if self.paper_left_cuts is not None:
                    self.paper_left_cuts -= 1
                    if self.paper_left_cuts <= 0:
                        self.paper_out = True
            if self.unplug_after is not None and len(self.received) >= self.unplug_after:
                self.unplug_after = None
                self.unplug()

    # -- what was printed
    def slips(self) -> list[bytes]:
        """Each printed slip's bytes (up to and including its cut)."""
        with self._cond:
            return list(self._slips)

    def decoded(self) -> DecodedSlip:
        """Everything printed so far, decoded as the printer's encoding."""
        with self._cond:
            return decode(bytes(self.received), encoding=self.profile.encoding, strict=False)

    def last_slip(self) -> DecodedSlip | None:
        s = self.slips()
        return decode(s[-1], encoding=self.profile.encoding, strict=False) if s else None

    def clear(self) -> None:
        with self._cond:
            self.received.clear()
            self.lost.clear()
            self._slips.clear()
            self._slip_start = 0
            self.status_queries.clear()


# =========================================================================== LED boards


class LedBoardSim(DeviceSim):
    """A board speaking our LED protocol (LED_PROTOCOL.md) at one address.

    Faults: ``drop_next`` (ignore that many frames: no action, no reply),
    ``corrupt_next`` (reply with a wrong CRC), ``garbage_next`` (noise before the
    reply), ``truncate_next`` (only half a reply), ``silent`` (never answers),
    ``fault_status`` (answer every command with this status, e.g. HARDWARE_FAULT).
    """

    kind = "led"

    def __init__(self, address: int = 1, *, lines: int = 1, columns: int = 16, gb18030: bool = False) -> None:
        super().__init__()
        self.address = address
        self.lines = lines
        self.columns = columns
        self.gb18030 = gb18030
        self.brightness = 8
        self.mode = Mode.BLANK
        self.text = ""
        self.idle_text = ""
        self.calls: list[tuple[int, str]] = []
        self.shown: list[str] = []  # every text the board showed, in order
        self.executed = 0
        self.dropped = 0
        self.drop_next = 0
        self.corrupt_next = 0
        self.garbage_next = 0
        self.truncate_next = 0
        self.silent = False
        self.fault_status: int | None = None
        self.parser = FrameParser()
        self._last: tuple[int, int, bytes, bytes] | None = None

    @property
    def encoding(self) -> str:
        return "gb18030" if self.gb18030 else "gb2312"

    def last_text(self) -> str:
        """What a person in the hall reads on the board now."""
        with self._cond:
            if self.mode in (Mode.CALL, Mode.TEXT):
                return self.text
            if self.mode == Mode.IDLE:
                return self.idle_text
            return ""

    def set(self, **switches: Any) -> None:
        with self._cond:
            for k, v in switches.items():
                if not hasattr(self, k):
                    raise AttributeError(k)
                setattr(self, k, v)

    def _show(self, mode: Mode, text: str) -> None:
        self.mode = mode
        if mode != Mode.IDLE:
            self.text = text
        self.shown.append(self.last_text())

    def _decode(self, raw: bytes) -> str:
        return raw.decode(self.encoding)

    def _execute(self, f: Frame) -> tuple[int, bytes]:
        p = f.payload
        c = f.command
        if self.fault_status is not None:
            return self.fault_status, b""
        try:
            if c == LedCommand.PING:
                caps = (CAP_GB18030 if self.gb18030 else 0) | CAP_BRIGHTNESS | (CAP_MULTILINE if self.lines > 1 else 0)
                return StatusCode.OK, bytes([PROTOCOL_VERSION, caps, self.lines]) + self.columns.to_bytes(2, "big")
            if c == LedCommand.SHOW_TEXT:
                if len(p) < 2 or p[0] > self.lines:
                    return StatusCode.BAD_PAYLOAD, b""
                text = self._decode(p[2:])
                if p[0] == 0:
                    self._show(Mode.TEXT, text)
                else:
                    rows = (self.text.split("\n") + [""] * self.lines)[: self.lines]
                    rows[p[0] - 1] = text
                    self._show(Mode.TEXT, "\n".join(rows).rstrip("\n"))
                return StatusCode.OK, b""
            if c == LedCommand.CALL:
                if len(p) < 4:
                    return StatusCode.BAD_PAYLOAD, b""
                text = self._decode(p[4:])
                self.calls.append((p[0] << 8 | p[1], text))
                self._show(Mode.CALL, text)
                return StatusCode.OK, b""
            if c == LedCommand.CLEAR:
                if p:
                    return StatusCode.BAD_PAYLOAD, b""
                self._show(Mode.BLANK, "")
                return StatusCode.OK, b""
            if c == LedCommand.IDLE_TEXT:
                self.idle_text = self._decode(p)
                self._show(Mode.IDLE, "")
                return StatusCode.OK, b""
            if c == LedCommand.BRIGHTNESS:
                if len(p) != 1 or p[0] > MAX_BRIGHTNESS:
                    return StatusCode.BAD_PAYLOAD, b""
                self.brightness = p[0]
                return StatusCode.OK, b""
            if c == LedCommand.STATUS:
                return StatusCode.OK, bytes([self.mode, self.brightness]) + self.last_text().encode(self.encoding)
        except UnicodeDecodeError:
            return StatusCode.TEXT_REJECTED, b""
        return StatusCode.UNKNOWN_COMMAND, b""

    def _feed(self, data: bytes) -> None:
        for f in self.parser.feed(data):
            self._handle(f)

    def _handle(self, f: Frame) -> None:
        if f.address not in (self.address, BROADCAST) or f.is_reply or self.silent:
            return
        if self.drop_next > 0:
            self.drop_next -= 1
            self.dropped += 1
            return
        key = (f.seq, f.command, f.payload)
        if f.address != BROADCAST and self._last is not None and self._last[:3] == key:
            reply = self._last[3]  # a retry: answer again, do not act twice
        else:
            status, data = self._execute(f)
            self.executed += 1
            if f.address == BROADCAST:
                self._last = None
                return
            reply = encode_reply(f, status, data)
            self._last = (*key, reply)
        if self.garbage_next > 0:
            self.garbage_next -= 1
            reply = b"\x55\xaa\x00\xff\x13" + reply
        if self.corrupt_next > 0:
            self.corrupt_next -= 1
            reply = reply[:-1] + bytes([reply[-1] ^ 0x5A])
        if self.truncate_next > 0:
            self.truncate_next -= 1
            reply = reply[: len(reply) // 2]
        self.emit(reply)


class RawTextBoardSim(DeviceSim):
    """A cheap board that shows each GB2312 line it receives (no replies)."""

    kind = "led-raw"

    def __init__(self, encoding: str = "gb2312") -> None:
        super().__init__()
        self.encoding = encoding
        self.lines: list[str] = []
        self._buf = bytearray()

    def _feed(self, data: bytes) -> None:
        self._buf += data
        while (i := self._buf.find(b"\n")) >= 0:
            raw = bytes(self._buf[:i]).rstrip(b"\r")
            del self._buf[: i + 1]
            self.lines.append(raw.decode(self.encoding, errors="replace"))

    def last_text(self) -> str:
        with self._cond:
            return self.lines[-1] if self.lines else ""


# =========================================================================== evaluator


class EvaluatorSim(DeviceSim):
    """An evaluator (EVALUATOR_PROTOCOL.md) with five keys.

    ``press(rating)`` is a citizen pressing a key; ``expire()`` ends the wait with no
    key. Reports repeat every ``resend_s`` until acknowledged (``ignore_acks`` drops
    acks to exercise that). ``time_scale`` shrinks the device's seconds for tests;
    ``auto_rate`` presses by itself ``auto_delay_s`` after arming (demo).
    """

    kind = "evaluator"

    def __init__(self, address: int = 1, *, time_scale: float = 1.0, resend_s: float = 1.0, max_resends: int = 10,
                 auto_rate: Rating | None = None, auto_delay_s: float = 2.0) -> None:
        super().__init__()
        self.address = address
        self.time_scale = time_scale
        self.resend_s = resend_s
        self.max_resends = max_resends
        self.auto_rate = auto_rate
        self.auto_delay_s = auto_delay_s
        self.state = "idle"
        self.txn_id = ""
        self.prompt = ""
        self.timeout_s = 0
        self.level = 0
        self.ignore_acks = 0
        self.silent = False
        self.reports_sent = 0
        self.acked: list[int] = []
        self.parser = FrameParser()
        self._seq = 0
        self._pending: bytes | None = None
        self._pending_seq = -1
        self._resends = 0
        self._timers: list[threading.Timer] = []
        self._closed = False

    def _timer(self, seconds: float, fn: Callable[[], object]) -> None:
        if self._closed:
            return
        t = threading.Timer(seconds * self.time_scale, fn)
        t.daemon = True
        self._timers.append(t)
        t.start()

    def _cancel_timers(self) -> None:
        for t in self._timers:
            t.cancel()
        self._timers.clear()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cancel_timers()

    def _report(self, level: int) -> None:
        self._seq = (self._seq + 1) & 0xFF
        rating = None if level == 0 else Rating(level)
        self._pending = encode_result(address=self.address, seq=self._seq, txn_id=self.txn_id, rating=rating)
        self._pending_seq = self._seq
        self._resends = 0
        self._send_pending()

    def _send_pending(self) -> None:
        with self._cond:
            if self._pending is None or self._closed:
                return
            self.reports_sent += 1
            self.emit(self._pending)
            if self._resends < self.max_resends:
                self._resends += 1
                self._timer(self.resend_s, self._send_pending)
            self._cond.notify_all()

    def press(self, rating: Rating | int) -> bool:
        """A key press; ignored (False) unless armed."""
        with self._cond:
            if self.state != "armed":
                return False
            self._cancel_timers()
            self.state, self.level = "rated", int(Rating(rating))
            self._report(self.level)
            self._cond.notify_all()
            return True

    def expire(self) -> bool:
        with self._cond:
            if self.state != "armed":
                return False
            self._cancel_timers()
            self.state, self.level = "expired", 0
            self._report(0)
            self._cond.notify_all()
            return True

    def _feed(self, data: bytes) -> None:
        for f in self.parser.feed(data):
            if f.address != self.address or self.silent:
                continue
            if f.command == EvCommand.RESULT | REPLY_BIT:
                if self.ignore_acks > 0:
                    self.ignore_acks -= 1
                elif f.seq == self._pending_seq:
                    self.acked.append(f.seq)
                    self._pending = None
                    self._cancel_timers()
                continue
            status, payload = self._execute(f)
            self.emit(encode_frame(f.address, f.seq, f.command | REPLY_BIT, bytes([status]) + payload))

    def _execute(self, f: Frame) -> tuple[int, bytes]:
        p = f.payload
        if f.command == EvCommand.PING:
            return EvStatus.OK, bytes([1, 0x01, 5])
        if f.command == EvCommand.ARM:
            if len(p) < 4:
                return EvStatus.BAD_PAYLOAD, b""
            timeout_s = p[0] << 8 | p[1]
            n = p[2]
            try:
                txn = p[3:3 + n].decode("ascii")
                check_txn_id(txn)
                prompt = p[3 + n:].decode("gb18030")
            except (UnicodeDecodeError, ValueError):
                return EvStatus.BAD_PAYLOAD, b""
            if not 1 <= timeout_s <= 600 or len(p) - 3 - n > 64:
                return EvStatus.BAD_PAYLOAD, b""
            self._cancel_timers()
            self._pending = None
            self.state, self.txn_id, self.prompt, self.timeout_s, self.level = "armed", txn, prompt, timeout_s, 0
            self._timer(timeout_s, self.expire)
            if self.auto_rate is not None:
                rate = self.auto_rate
                self._timer(self.auto_delay_s, lambda: self.press(rate))
            return EvStatus.OK, b""
        if f.command == EvCommand.CANCEL:
            self._cancel_timers()
            self._pending = None
            self.state, self.level = "idle", 0
            return EvStatus.OK, b""
        if f.command == EvCommand.QUERY:
            code = {"idle": 0, "armed": 1, "rated": 2, "expired": 3}[self.state]
            raw = self.txn_id.encode("ascii")
            return EvStatus.OK, bytes([code, self.level, len(raw)]) + raw
        return EvStatus.UNKNOWN_COMMAND, b""


# =========================================================================== 身份证 reader


def make_card(*, name: str, sex_code: str, nation_code: str, birth: date, address: str, id17: str, authority: str,
              valid_from: date, valid_until: date | None, card_type: str = "", photo_seed: int = 1,
              check: str | None = None) -> IdCard:
    """A test card; the check digit is computed unless ``check`` forces a (wrong) one."""
    from .idcard import NATIONS, SEXES
    number = id17 + (check if check is not None else id_check_digit(id17))
    photo = bytes((i * 31 + photo_seed * 17) & 0xFF for i in range(PHOTO_LEN))
    return IdCard(name=name, sex=SEXES[sex_code], sex_code=sex_code,
                  nation="" if card_type == "J" else NATIONS.get(nation_code, ""), nation_code=nation_code,
                  birth_date=birth, address=address, id_number=number, authority=authority, valid_from=valid_from,
                  valid_until=valid_until, photo=b"WLT" + photo[3:], card_type=card_type)


#: Fictional people for tests and the demo (numbers follow GB 11643; nobody real).
TEST_CARDS: tuple[IdCard, ...] = (
    make_card(name="张三", sex_code="1", nation_code="01", birth=date(1990, 3, 7), address="北京市东城区景山前街4号",
              id17="11010119900307003", authority="北京市公安局东城分局", valid_from=date(2015, 6, 1),
              valid_until=date(2035, 6, 1), photo_seed=1),
    make_card(name="李晓梅", sex_code="2", nation_code="03", birth=date(1985, 11, 21),
              address="广东省深圳市南山区粤海街道科苑路15号", id17="44030519851121002", authority="深圳市公安局南山分局",
              valid_from=date(2020, 1, 10), valid_until=date(2040, 1, 10), photo_seed=2),
    make_card(name="王䶮", sex_code="1", nation_code="01", birth=date(1958, 2, 14), address="上海市徐汇区漕溪北路88号",
              id17="31010419580214001", authority="上海市公安局徐汇分局", valid_from=date(2010, 5, 1),
              valid_until=None, photo_seed=3),
    make_card(name="陈家豪", sex_code="1", nation_code="", birth=date(1995, 6, 18), address="香港特别行政区",
              id17="81000019950618003", authority="深圳市公安局", valid_from=date(2019, 9, 1),
              valid_until=date(2024, 9, 1), card_type="J", photo_seed=4),
)


class IdCardReaderSim(DeviceSim):
    """A GA/T 467 reader. ``place(card)`` / ``remove()``; after a card is read it stays
    "halted" (find card fails) until it is taken off and put back, as on real readers.

    Faults: ``silent``, ``corrupt_next`` (wrong XOR), ``truncate_next`` (half an
    answer), ``garbage_next`` (noise first), ``read_fail_next`` (SW3 0x41),
    ``sam_fault`` (SW3 0x60 to everything).
    """

    kind = "idcard"

    def __init__(self, cards: Sequence[IdCard] = TEST_CARDS) -> None:
        super().__init__()
        self.cards = tuple(cards)
        self.card: IdCard | None = None
        self.selected = False
        self.halted = False
        self.reads = 0
        self.silent = False
        self.corrupt_next = 0
        self.truncate_next = 0
        self.garbage_next = 0
        self.read_fail_next = 0
        self.sam_fault = False
        self.sam_id = struct.pack("<HHIII", 5, 1, 20120318, 1234567, 987654321)
        self.parser = IdFrameParser()

    def set(self, **switches: Any) -> None:
        with self._cond:
            for k, v in switches.items():
                if not hasattr(self, k):
                    raise AttributeError(k)
                setattr(self, k, v)

    def place(self, card: IdCard | int = 0) -> IdCard:
        with self._cond:
            self.card = self.cards[card] if isinstance(card, int) else card
            self.selected = self.halted = False
            self._cond.notify_all()
            return self.card

    def remove(self) -> None:
        with self._cond:
            self.card = None
            self.selected = self.halted = False
            self._cond.notify_all()

    def _answer(self, cmd: tuple[int, int]) -> bytes:
        if self.sam_fault:
            return encode_response(SW3.SAM_SELFTEST_FAILED)
        present = self.card is not None and not self.halted
        if cmd == FIND_CARD:
            return encode_response(SW3.FIND_OK, b"\x00" * 4) if present else encode_response(SW3.FIND_FAILED)
        if cmd == SELECT_CARD:
            if present:
                self.selected = True
                return encode_response(SW3.SUCCESS, b"\x00" * 8)
            return encode_response(SW3.SELECT_FAILED)
        if cmd == READ_BASE:
            if not (present and self.selected) or self.read_fail_next > 0:
                self.read_fail_next = max(0, self.read_fail_next - 1)
                return encode_response(SW3.READ_FAILED)
            assert self.card is not None
            self.halted, self.selected = True, False
            self.reads += 1
            return encode_response(SW3.SUCCESS, encode_base_info(self.card))
        if cmd == READ_SAM_ID:
            return encode_response(SW3.SUCCESS, self.sam_id)
        if cmd in (SAM_STATUS, RESET_SAM):
            return encode_response(SW3.SUCCESS)
        return encode_response(SW3.COMMAND_ERROR)

    def _feed(self, data: bytes) -> None:
        for fr in self.parser.feed(data):
            if self.silent or len(fr.body) < 2:
                continue
            out = self._answer((fr.body[0], fr.body[1]))
            if self.garbage_next > 0:
                self.garbage_next -= 1
                out = b"\xaa\xaa\x00\x96\x13\x37" + out
            if self.corrupt_next > 0:
                self.corrupt_next -= 1
                out = out[:-1] + bytes([out[-1] ^ 0xFF])
            if self.truncate_next > 0:
                self.truncate_next -= 1
                out = out[: len(out) // 2]
            self.emit(out)


# =========================================================================== hosts


class SimSerialPort(protocol_loop.Serial):
    """pyserial's ``loop://`` with devices inside the loop.

    Bytes written go to the device cores; what they emit is what ``read`` returns.
    ``unplug()`` (or a core's own ``unplug``) makes the port fail like a pulled
    USB-serial adapter until ``replug()``.
    """

    def __init__(self, sims: DeviceSim | Iterable[DeviceSim], *, baudrate: int = 9600) -> None:
        self.sims = [sims] if isinstance(sims, DeviceSim) else list(sims)
        self.unplugged = False
        super().__init__(None, baudrate=baudrate)
        self.buffer_size = 0  # unbounded: a device must never block on an unread reply
        self.port = "loop://"
        for s in self.sims:
            s.attach(self._inject)
            s.unplug_listeners.append(self.unplug)

    def from_url(self, url: str) -> None:
        return None

    def _inject(self, data: bytes) -> None:
        if self.is_open and not self.unplugged and self.queue is not None:
            for b in data:
                self.queue.put(bytes([b]))

    def unplug(self) -> None:
        self.unplugged = True
        if self.queue is not None:
            try:
                self.queue.put_nowait(None)  # wake a blocked read
            except queue.Full:
                pass

    def replug(self) -> None:
        self.unplugged = False

    def open(self) -> None:
        if self.unplugged:
            raise serial.SerialException("simulated device unplugged")
        super().open()

    def read(self, size: int = 1) -> bytes:
        if self.unplugged:
            raise serial.SerialException("device reports readiness to read but returned no data (unplugged)")
        data: bytes = super().read(size)
        if self.unplugged:
            raise serial.SerialException("device disconnected")
        return data

    @property
    def in_waiting(self) -> int:
        if self.unplugged:
            raise serial.SerialException("device disconnected")
        n: int = super().in_waiting
        return n

    def write(self, data: Any) -> int:
        if not self.is_open:
            raise serial.PortNotOpenError()
        if self.unplugged:
            raise serial.SerialException("write failed: [Errno 5] Input/output error (unplugged)")
        data = bytes(data)
        for s in self.sims:
            s.feed(data)
        return len(data)


class _Pump:
    """A thread moving bytes between one open link and the device cores."""

    def __init__(self, sims: Sequence[DeviceSim], read: Callable[[], bytes], write: Callable[[bytes], object],
                 name: str) -> None:
        self.sims = sims
        self._read = read
        self._write = write
        self._wlock = threading.Lock()
        self.stop_event = threading.Event()
        for s in sims:
            s.attach(self.send)
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def send(self, data: bytes) -> None:
        if self.stop_event.is_set():
            return
        with self._wlock:
            try:
                self._write(data)
            except OSError as e:
                log.debug("simulator link write failed: %s", e)
                self.stop_event.set()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                data = self._read()
            except (OSError, serial.SerialException) as e:
                log.debug("simulator link closed: %s", e)
                break
            if data is None:
                break
            if data:
                for s in self.sims:
                    s.feed(data)
        self.stop_event.set()

    def stop(self) -> None:
        self.stop_event.set()
        for s in self.sims:
            s.detach(self.send)
        if threading.current_thread() is not self.thread:
            self.thread.join(2.0)


class SerialSimHost:
    """Device cores on a real serial port (one end of a pty pair, or a USB adapter)."""

    def __init__(self, sims: DeviceSim | Iterable[DeviceSim], port: str, *, baudrate: int = 115200) -> None:
        self.sims = [sims] if isinstance(sims, DeviceSim) else list(sims)
        self.port_name = port
        self.baudrate = baudrate
        self._port: serial.Serial | None = None
        self._pump: _Pump | None = None

    def start(self) -> "SerialSimHost":
        self._port = serial.Serial(self.port_name, self.baudrate, timeout=0.05)
        port = self._port

        def read() -> bytes:
            first: bytes = port.read(1)  # waits at most the port timeout
            n = port.in_waiting if first else 0
            return first + (port.read(n) if n else b"")

        self._pump = _Pump(self.sims, read, port.write, f"sim-serial-{Path(self.port_name).name}")
        return self

    def stop(self) -> None:
        if self._pump is not None:
            self._pump.stop()
            self._pump = None
        if self._port is not None:
            try:
                self._port.close()
            except (OSError, serial.SerialException):
                pass
            self._port = None

    def __enter__(self) -> "SerialSimHost":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PtyPair:
    """Two linked pseudo-terminals made by socat: a null-modem cable in software.

    ``a`` and ``b`` are stable symlinks in a private directory, so after ``stop()``
    (the cable is pulled: both ends fail) ``start()`` plugs it back at the same names.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._own_dir = directory is None
        self.dir = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="hall-pty-"))
        self.a = str(self.dir / "a")
        self.b = str(self.dir / "b")
        self.proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("socat") is not None

    def start(self, timeout: float = 5.0) -> "PtyPair":
        exe = shutil.which("socat")
        if exe is None:
            raise RuntimeError("socat is not installed (apt-get install socat)")
        for p in (self.a, self.b):
            Path(p).unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [exe, "-d", "-d", f"pty,raw,echo=0,link={self.a}", f"pty,raw,echo=0,link={self.b}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert self.proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        seen = b""
        try:
            while b"starting data transfer loop" not in seen:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise RuntimeError(f"socat did not start: {seen.decode(errors='replace')}")
                chunk = os.read(self.proc.stderr.fileno(), 4096)
                if not chunk:
                    raise RuntimeError(f"socat exited: {seen.decode(errors='replace')}")
                seen += chunk
        except BaseException:
            self.stop()
            raise
        finally:
            sel.close()
        return self

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            if proc.stderr is not None:
                proc.stderr.close()

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PtyPair":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class TcpSimServer:
    """Device cores behind a loopback TCP port (one client at a time, like a printer
    on 9100). ``drop()`` cuts the current connection with a reset."""

    def __init__(self, sims: DeviceSim | Iterable[DeviceSim], host: str = "127.0.0.1", port: int = 0) -> None:
        self.sims = [sims] if isinstance(sims, DeviceSim) else list(sims)
        self._srv = socket.create_server((host, port))
        self._srv.settimeout(0.1)
        self.host, self.port = self._srv.getsockname()[:2]
        self._stop = threading.Event()
        self._conn: socket.socket | None = None
        self._pump: _Pump | None = None
        self._lock = threading.Lock()
        self.connections = 0
        self.connected = threading.Event()
        for s in self.sims:
            s.unplug_listeners.append(self.drop)
        self._thread = threading.Thread(target=self._accept, name=f"sim-tcp-{self.port}", daemon=True)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> "TcpSimServer":
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._srv.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            self.drop()
            conn.settimeout(0.05)

            def read(c: socket.socket = conn) -> bytes:
                try:
                    data = c.recv(4096)
                except socket.timeout:
                    return b""
                if not data:
                    raise OSError("client closed")
                return data

            with self._lock:
                self._conn = conn
                self.connections += 1
                self._pump = _Pump(self.sims, read, conn.sendall, f"sim-tcp-conn-{self.port}")
            self.connected.set()

    def drop(self) -> None:
        """Reset the current connection (a pulled network cable / power cut)."""
        with self._lock:
            conn, pump = self._conn, self._pump
            self._conn = self._pump = None
        if pump is not None:
            pump.stop_event.set()
            for s in self.sims:
                s.detach(pump.send)
        if conn is not None:
            try:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            except OSError:
                pass
        if pump is not None and threading.current_thread() is not pump.thread:
            pump.thread.join(2.0)

    def stop(self) -> None:
        self._stop.set()
        self.drop()
        try:
            self._srv.close()
        except OSError:
            pass
        if self._thread.is_alive():
            self._thread.join(2.0)

    def __enter__(self) -> "TcpSimServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# =========================================================================== sim: configs


def open_simulated(kind: str, params: dict[str, str]) -> Any:
    """The driver for ``sim:KIND?params`` with its simulator in the same process,
    connected through a ``SimSerialPort`` and the real ``SerialTransport``.
    The driver's ``simulator`` attribute is the device core (switches, what it got)."""
    from .config import build_driver, printer_profile
    from .transport import SerialTransport

    p = dict(params)
    sim: DeviceSim
    if kind == "printer":
        sim = PrinterSim(printer_profile(dict(p)))  # a copy: the driver reads the same options
        for k in ("paper_out", "paper_near_end", "cover_open"):
            if k in p:
                setattr(sim, k, p.pop(k) in ("1", "true", "yes"))
        if "online" in p:
            sim.online = p.pop("online") in ("1", "true", "yes")
        device = "escpos"
    elif kind == "led":
        if p.get("protocol") == "rawtext":
            sim = RawTextBoardSim(p.get("encoding", "gb2312"))
        else:
            sim = LedBoardSim(int(p.get("address", "1")), lines=int(p.pop("lines", "1")),
                              columns=int(p.pop("columns", "16")), gb18030=p.pop("gb18030", "0") in ("1", "true"))
        device = "led"
    elif kind == "evaluator":
        auto = p.pop("auto_rate", "")
        sim = EvaluatorSim(int(p.get("address", "1")), time_scale=float(p.pop("time_scale", "1")),
                           auto_rate=Rating(int(auto)) if auto else None,
                           auto_delay_s=float(p.pop("auto_delay", "2")))
        device = "evaluator"
    elif kind == "idcard":
        sim = IdCardReaderSim()
        card = p.pop("card", "")
        if card != "":
            sim.place(int(card))
        device = "idcard"
    else:
        from .errors import DeviceConfigError
        raise DeviceConfigError(f"unknown simulator sim:{kind}; use printer, led, evaluator or idcard")
    baud = int(p.pop("baudrate", "115200" if kind == "idcard" else "9600"))
    port = SimSerialPort(sim, baudrate=baud)
    transport = SerialTransport(port, baudrate=baud)
    driver = build_driver(device, transport, p)
    driver.simulator = sim
    return driver


__all__ = [
    "DeviceSim", "EvaluatorSim", "IdCardReaderSim", "LedBoardSim", "PrinterSim", "PtyPair", "RawTextBoardSim",
    "SerialSimHost", "SimSerialPort", "TEST_CARDS", "TcpSimServer", "make_card", "open_simulated",
]
