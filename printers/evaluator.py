"""The evaluator (评价器) at each window: five keys for the five national levels.

Protocol: ``EVALUATOR_PROTOCOL.md`` (same AA 55 framing as the LED boards). The host
*arms* the evaluator with a transaction id (the ticket or case being served); the
citizen presses one key; the evaluator *reports* the level with that transaction id,
or reports a timeout (level 0) when nobody pressed. Reports are repeated until the
host acknowledges them, so a lost frame never loses a rating, and a repeated report
is recognised (same seq) and counted once. Keys pressed while not armed are ignored by
the device: every rating belongs to a served transaction, and a clerk cannot make one
up by pressing keys.

The clerk never sees the individual rating: the driver hands it to the caller, which
sends it to the server and shows only "评价已提交".
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

from .errors import DeviceRejected, ProtocolError, UnsupportedCommand
from .escpos import encode_text
from .framing import REPLY_BIT, Frame, FramedLink, encode_frame
from .transport import Transport

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
MAX_TXN = 32
MAX_PROMPT = 64
MAX_ARM_SECONDS = 600
_TXN_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,32}$")


class Command(IntEnum):
    PING = 0x01
    ARM = 0x10
    CANCEL = 0x11
    QUERY = 0x12
    RESULT = 0x20  # evaluator -> host report; the host answers 0xA0


class StatusCode(IntEnum):
    OK = 0x00
    UNKNOWN_COMMAND = 0x01
    BAD_PAYLOAD = 0x02
    BUSY = 0x04
    HARDWARE_FAULT = 0x05


class Rating(IntEnum):
    """The five national levels (政务服务“好差评”); the value is the score."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASIC = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_bad(self) -> bool:
        """不满意 and 非常不满意 are 差评 and start a follow-up."""
        return self <= Rating.DISSATISFIED

    @classmethod
    def from_label(cls, label: str) -> "Rating":
        for r, text in _LABELS.items():
            if text == label:
                return r
        raise ValueError(label)


_LABELS = {
    Rating.VERY_SATISFIED: "非常满意",
    Rating.SATISFIED: "满意",
    Rating.BASIC: "基本满意",
    Rating.DISSATISFIED: "不满意",
    Rating.VERY_DISSATISFIED: "非常不满意",
}

NO_RATING = 0  # the level byte of a timeout report


class State(StrEnum):
    IDLE = "idle"
    ARMED = "armed"
    RATED = "rated"
    EXPIRED = "expired"  # armed, but nobody pressed in time


_DEVICE_STATES = {0: State.IDLE, 1: State.ARMED, 2: State.RATED, 3: State.EXPIRED}


@dataclass(frozen=True)
class Report:
    """A RESULT frame from the evaluator."""

    seq: int
    txn_id: str
    rating: Rating | None  # None: timed out

    @property
    def timed_out(self) -> bool:
        return self.rating is None


@dataclass(frozen=True)
class DeviceState:
    """The QUERY reply: what the evaluator is doing now."""

    state: State
    rating: Rating | None
    txn_id: str


@dataclass(frozen=True)
class EvaluatorInfo:
    version: int
    has_display: bool
    keys: int


# --------------------------------------------------------------------------- pure encoders


def check_txn_id(txn_id: str) -> bytes:
    if not _TXN_RE.match(txn_id):
        raise ValueError(f"transaction id must be 1..{MAX_TXN} of A-Z a-z 0-9 _ . : -, got {txn_id!r}")
    return txn_id.encode("ascii")


def arm_payload(*, txn_id: str, timeout_s: int, prompt: str = "") -> bytes:
    if not 1 <= timeout_s <= MAX_ARM_SECONDS:
        raise ValueError(f"timeout is 1..{MAX_ARM_SECONDS} s")
    txn = check_txn_id(txn_id)
    text, replaced = encode_text(prompt, "gb18030")
    if replaced:
        log.warning("evaluator prompt: replaced %s", "".join(r.char for r in replaced))
    if len(text) > MAX_PROMPT:
        raise ValueError(f"prompt is at most {MAX_PROMPT} bytes in GB18030")
    return timeout_s.to_bytes(2, "big") + bytes([len(txn)]) + txn + text


def encode_arm(*, address: int, seq: int, txn_id: str, timeout_s: int, prompt: str = "") -> bytes:
    return encode_frame(address, seq, Command.ARM, arm_payload(txn_id=txn_id, timeout_s=timeout_s, prompt=prompt))


def encode_cancel(*, address: int, seq: int) -> bytes:
    return encode_frame(address, seq, Command.CANCEL)


def encode_query(*, address: int, seq: int) -> bytes:
    return encode_frame(address, seq, Command.QUERY)


def result_payload(*, txn_id: str, rating: Rating | None) -> bytes:
    txn = check_txn_id(txn_id)
    return bytes([NO_RATING if rating is None else int(rating), len(txn)]) + txn


def encode_result(*, address: int, seq: int, txn_id: str, rating: Rating | None) -> bytes:
    """The evaluator's report (simulator, vendor test rigs)."""
    return encode_frame(address, seq, Command.RESULT, result_payload(txn_id=txn_id, rating=rating))


def encode_result_ack(*, address: int, seq: int) -> bytes:
    return encode_frame(address, seq, Command.RESULT | REPLY_BIT, bytes([StatusCode.OK]))


def _txn(p: bytes, at: int) -> tuple[str, int]:
    if len(p) <= at:
        raise ProtocolError("missing transaction id length")
    n = p[at]
    raw = p[at + 1:at + 1 + n]
    if len(raw) != n or not 1 <= n <= MAX_TXN:
        raise ProtocolError(f"bad transaction id field {p[at:].hex(' ')}")
    try:
        return raw.decode("ascii"), at + 1 + n
    except UnicodeDecodeError:
        raise ProtocolError("transaction id is not ASCII") from None


def _level(b: int) -> Rating | None:
    if b == NO_RATING:
        return None
    try:
        return Rating(b)
    except ValueError:
        raise ProtocolError(f"level {b} is not one of the five") from None


def parse_result(frame: Frame) -> Report:
    if frame.command != Command.RESULT:
        raise ProtocolError(f"not a RESULT frame: {frame.command:#04x}")
    p = frame.payload
    if not p:
        raise ProtocolError("empty RESULT")
    rating = _level(p[0])
    txn, _ = _txn(p, 1)
    return Report(frame.seq, txn, rating)


def parse_query_reply(frame: Frame) -> DeviceState:
    p = frame.payload
    if len(p) < 4:
        raise ProtocolError(f"QUERY reply too short: {p.hex(' ')}")
    state = _DEVICE_STATES.get(p[1])
    if state is None:
        raise ProtocolError(f"unknown evaluator state {p[1]}")
    txn = "" if p[3] == 0 else _txn(p, 3)[0]
    return DeviceState(state, _level(p[2]), txn)


# --------------------------------------------------------------------------- driver


class Evaluator:
    """The window's evaluator. Call from one worker thread.

    ``arm(txn_id, timeout)`` then ``wait_result(timeout)`` (blocking, bounded) or
    ``poll()`` (returns at once) -> a Rating, or None while nothing was pressed and
    after a timeout (``state`` tells which).
    """

    def __init__(self, link: FramedLink | Transport, *, address: int = 1, name: str = "evaluator",
                 grace_s: float = 3.0) -> None:
        self.link = link if isinstance(link, FramedLink) else FramedLink(link)
        self.address = address
        self.name = name
        self.grace_s = grace_s  # how long past its timeout we wait for the device's own timeout report
        self.state = State.IDLE
        self.txn_id = ""
        self.rating: Rating | None = None
        self.simulator: Any = None
        self._expires = 0.0
        self._seen: dict[int, Report] = {}
        self._lock = threading.RLock()

    def _check(self, reply: Frame | None, what: str) -> Frame:
        if reply is None:
            raise ProtocolError(f"{what}: no reply")
        code = reply.status
        if code == StatusCode.UNKNOWN_COMMAND:
            raise UnsupportedCommand(f"{self.name}: {what} unknown to the device", status=code, device=self.name)
        if code != StatusCode.OK:
            raise DeviceRejected(f"{self.name}: {what} answered {code:#04x}", status=code, device=self.name,
                                 message="评价器拒绝了指令，请重试；多次出现请联系管理员。")
        return reply

    def ping(self) -> EvaluatorInfo:
        r = self._check(self.link.request(self.address, Command.PING), "PING")
        p = r.payload
        if len(p) < 4:
            raise ProtocolError(f"PING reply too short: {p.hex(' ')}")
        return EvaluatorInfo(p[1], bool(p[2] & 1), p[3])

    def arm(self, txn_id: str, timeout: float = 60.0, prompt: str = "请对本次服务进行评价") -> None:
        """Ask the citizen to rate transaction ``txn_id`` within ``timeout`` seconds."""
        seconds = max(1, min(MAX_ARM_SECONDS, int(-(-timeout // 1))))
        payload = arm_payload(txn_id=txn_id, timeout_s=seconds, prompt=prompt)
        with self._lock:
            self._check(self.link.request(self.address, Command.ARM, payload), "ARM")
            self.state, self.txn_id, self.rating = State.ARMED, txn_id, None
            self._seen.clear()
            self._expires = time.monotonic() + seconds + self.grace_s
            log.info("%s: armed for %s, %d s", self.name, txn_id, seconds)

    def cancel(self) -> None:
        with self._lock:
            self._check(self.link.request(self.address, Command.CANCEL), "CANCEL")
            self.state, self.rating = State.IDLE, None

    def query(self) -> DeviceState:
        return parse_query_reply(self._check(self.link.request(self.address, Command.QUERY), "QUERY"))

    def _handle(self, frame: Frame) -> None:
        if frame.address != self.address or frame.command != Command.RESULT:
            log.debug("%s: ignoring frame %s", self.name, frame)
            return
        try:
            report = parse_result(frame)
        except ProtocolError as e:
            log.warning("%s: malformed report: %s", self.name, e.log_text())
            return  # not acknowledged: the device repeats it
        self.link.send(encode_result_ack(address=self.address, seq=frame.seq))
        if self._seen.get(frame.seq) == report:
            log.debug("%s: repeated report seq %d", self.name, frame.seq)
            return
        self._seen[frame.seq] = report
        if self.state != State.ARMED or report.txn_id != self.txn_id:
            log.info("%s: report for %s while waiting for %r: acknowledged, ignored",
                     self.name, report.txn_id, self.txn_id if self.state == State.ARMED else None)
            return
        if report.rating is None:
            self.state = State.EXPIRED
        else:
            self.state, self.rating = State.RATED, report.rating

    def _pump(self, timeout: float) -> None:
        """Handle every frame already here; wait for more only while still armed."""
        deadline = time.monotonic() + timeout
        while True:
            wait = max(0.0, deadline - time.monotonic()) if self.state == State.ARMED else 0.0
            frame = self.link.receive(wait)
            if frame is None:
                return
            self._handle(frame)

    def _take(self) -> Rating | None:
        if self.state == State.ARMED and time.monotonic() > self._expires:
            log.warning("%s: no report for %s after its timeout; treating as expired", self.name, self.txn_id)
            self.state = State.EXPIRED
        return self.rating if self.state == State.RATED else None

    def poll(self) -> Rating | None:
        """What arrived so far, without waiting."""
        with self._lock:
            self._pump(0.0)
            return self._take()

    def wait_result(self, timeout: float) -> Rating | None:
        """Wait at most ``timeout`` s for the rating; None if none (see ``state``)."""
        with self._lock:
            if self.state == State.ARMED:
                self._pump(max(0.0, min(timeout, self._expires - time.monotonic())))
            return self._take()

    def close(self) -> None:
        self.link.close()


__all__ = [
    "Command", "DeviceState", "Evaluator", "EvaluatorInfo", "Rating", "Report", "State", "StatusCode",
    "arm_payload", "encode_arm", "encode_cancel", "encode_query", "encode_result", "encode_result_ack",
    "parse_query_reply", "parse_result", "result_payload",
]
