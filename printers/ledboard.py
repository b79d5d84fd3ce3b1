"""LED boards: the window strip over each window and the hall board (综合屏).

LED boards have no common protocol, so we wrote our own (``LED_PROTOCOL.md`` in this
folder, the normative text a board vendor implements) and put vendor protocols behind
the same ``BoardDriver`` interface as adapters. One adapter ships: ``RawTextBoard`` for
cheap boards that just display the GB2312 text lines they receive.

Layers, as everywhere in ``printers``:
- pure encoders ``encode_*`` (keyword-only, bytes out) and reply parsers;
- ``LedBoard``: one board address on a ``FramedLink`` (a serial line or RS-485 bus,
  shared by all boards on it), with retries;
- ``WindowStrip`` and ``HallBoard``: what the hall shows, in its own words
  (「请A001号到3号窗口」), on top of any ``BoardDriver``.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol, runtime_checkable

from .errors import DeviceRejected, ProtocolError, UnsupportedCommand
from .escpos import encode_text
from .framing import BROADCAST, REPLY_BIT, Frame, FramedLink, decode_frames, encode_frame
from .transport import Transport

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1


class Command(IntEnum):
    PING = 0x01
    SHOW_TEXT = 0x02
    CALL = 0x03
    CLEAR = 0x04
    IDLE_TEXT = 0x05
    BRIGHTNESS = 0x06
    STATUS = 0x07


class StatusCode(IntEnum):
    OK = 0x00
    UNKNOWN_COMMAND = 0x01
    BAD_PAYLOAD = 0x02
    TEXT_REJECTED = 0x03
    BUSY = 0x04
    HARDWARE_FAULT = 0x05


STATUS_TEXT = {
    StatusCode.UNKNOWN_COMMAND: "显示屏不支持该指令，请联系管理员核对显示屏型号设置。",
    StatusCode.BAD_PAYLOAD: "显示屏拒收了内容（格式有误），请联系管理员。",
    StatusCode.TEXT_REJECTED: "显示屏无法显示这段文字（过长或含无法显示的字），请联系管理员。",
    StatusCode.BUSY: "显示屏忙，请稍后重试。",
    StatusCode.HARDWARE_FAULT: "显示屏硬件故障（灯珠或模组），请联系管理员报修。",
}


class Mode(IntEnum):
    BLANK = 0
    IDLE = 1
    TEXT = 2
    CALL = 3


class Effect(IntEnum):
    STATIC = 0
    SCROLL = 1
    BLINK = 2


CAP_GB18030 = 0x01
CAP_BRIGHTNESS = 0x02
CAP_MULTILINE = 0x04

MAX_BRIGHTNESS = 15


@dataclass(frozen=True)
class BoardInfo:
    """The PING reply: what the board can do."""

    version: int
    gb18030: bool
    brightness: bool
    lines: int
    columns: int  # half-width characters per line


@dataclass(frozen=True)
class BoardStatus:
    """The STATUS reply (``known`` False for boards that cannot tell)."""

    code: int = StatusCode.OK
    mode: Mode = Mode.BLANK
    brightness: int = 0
    text: str = ""
    known: bool = True

    @property
    def ok(self) -> bool:
        return self.known and self.code == StatusCode.OK


# --------------------------------------------------------------------------- pure encoders


def _text(text: str, encoding: str) -> bytes:
    data, replaced = encode_text(text.replace("\r", ""), encoding)
    if replaced:
        log.warning("LED encoding %s cannot show %s; shown as %s", encoding,
                    ", ".join(r.codepoint for r in replaced), "".join(r.replaced_by for r in replaced))
    # encode_text refuses control characters; a line break is meaningful on a board
    return data


def _lines(text: str, encoding: str) -> bytes:
    return b"\n".join(_text(part, encoding) for part in text.split("\n"))


def show_text_payload(*, text: str, line: int = 0, effect: Effect = Effect.STATIC, encoding: str = "gb2312") -> bytes:
    if not 0 <= line <= 255:
        raise ValueError("line is 0 (whole display) or 1..255")
    return bytes([line, effect]) + _lines(text, encoding)


def call_payload(*, window_no: int, text: str, flash_s: int = 5, hold_s: int = 0, encoding: str = "gb2312") -> bytes:
    if not 0 <= window_no <= 0xFFFF:
        raise ValueError("window_no must fit in 2 bytes")
    if not (0 <= flash_s <= 255 and 0 <= hold_s <= 255):
        raise ValueError("flash_s and hold_s are 0..255 seconds")
    return window_no.to_bytes(2, "big") + bytes([flash_s, hold_s]) + _text(text, encoding)


def brightness_payload(level: int) -> bytes:
    if not 0 <= level <= MAX_BRIGHTNESS:
        raise ValueError(f"brightness is 0..{MAX_BRIGHTNESS}")
    return bytes([level])


def encode_ping(*, address: int, seq: int) -> bytes:
    return encode_frame(address, seq, Command.PING)


def encode_show_text(*, address: int, seq: int, text: str, line: int = 0, effect: Effect = Effect.STATIC,
                     encoding: str = "gb2312") -> bytes:
    return encode_frame(address, seq, Command.SHOW_TEXT,
                        show_text_payload(text=text, line=line, effect=effect, encoding=encoding))


def encode_call(*, address: int, seq: int, window_no: int, text: str, flash_s: int = 5, hold_s: int = 0,
                encoding: str = "gb2312") -> bytes:
    return encode_frame(address, seq, Command.CALL, call_payload(window_no=window_no, text=text, flash_s=flash_s,
                                                                 hold_s=hold_s, encoding=encoding))


def encode_clear(*, address: int, seq: int) -> bytes:
    return encode_frame(address, seq, Command.CLEAR)


def encode_idle_text(*, address: int, seq: int, text: str, encoding: str = "gb2312") -> bytes:
    return encode_frame(address, seq, Command.IDLE_TEXT, _lines(text, encoding))


def encode_brightness(*, address: int, seq: int, level: int) -> bytes:
    return encode_frame(address, seq, Command.BRIGHTNESS, brightness_payload(level))


def encode_status(*, address: int, seq: int) -> bytes:
    return encode_frame(address, seq, Command.STATUS)


def encode_reply(request: Frame, status: int, data: bytes = b"") -> bytes:
    """What a board sends back (used by the simulator and by vendors' test rigs)."""
    return encode_frame(request.address, request.seq, request.command | REPLY_BIT, bytes([status]) + data)


def parse_board_info(reply: Frame) -> BoardInfo:
    p = reply.payload
    if len(p) < 6:
        raise ProtocolError(f"PING reply too short: {p.hex(' ')}")
    return BoardInfo(version=p[1], gb18030=bool(p[2] & CAP_GB18030), brightness=bool(p[2] & CAP_BRIGHTNESS),
                     lines=p[3], columns=p[4] << 8 | p[5])


def parse_board_status(reply: Frame, encoding: str = "gb18030") -> BoardStatus:
    p = reply.payload
    if len(p) < 3:
        raise ProtocolError(f"STATUS reply too short: {p.hex(' ')}")
    try:
        mode = Mode(p[1])
    except ValueError:
        raise ProtocolError(f"STATUS reply has unknown mode {p[1]}") from None
    return BoardStatus(code=p[0], mode=mode, brightness=p[2], text=p[3:].decode(encoding, errors="replace"))


def call_text(ticket_no: str, window_no: int) -> str:
    """「请A001号到3号窗口」"""
    return f"请{ticket_no}号到{window_no}号窗口"


# --------------------------------------------------------------------------- drivers


@runtime_checkable
class BoardDriver(Protocol):
    """What the hall asks of any LED board, ours or a vendor's."""

    def show_text(self, text: str, *, line: int = 0) -> None: ...
    def call(self, window_no: int, text: str) -> None: ...
    def clear(self) -> None: ...
    def idle(self, text: str) -> None: ...
    def brightness(self, level: int) -> None: ...
    def status(self) -> BoardStatus: ...
    def close(self) -> None: ...


class LedBoard:
    """One board (one address) speaking our protocol.

    ``encoding`` None: GB2312 unless the board's PING says it takes GB18030 (asked once).
    Address 0xFF broadcasts to every board on the line; nothing is answered then.
    """

    def __init__(self, link: FramedLink | Transport, *, address: int = 1, encoding: str | None = None,
                 flash_s: int = 5, hold_s: int = 0, name: str = "") -> None:
        if not 1 <= address <= 0xFF:
            raise ValueError("board address is 1..254, or 255 to broadcast")
        self.link = link if isinstance(link, FramedLink) else FramedLink(link)
        self.address = address
        self.encoding = encoding
        self.flash_s, self.hold_s = flash_s, hold_s
        self.name = name or f"led@{address}"
        self.info: BoardInfo | None = None
        self.simulator: Any = None
        self._lock = threading.RLock()

    @property
    def broadcast(self) -> bool:
        return self.address == BROADCAST

    def _enc(self) -> str:
        if self.encoding is None:
            if self.broadcast:
                return "gb2312"
            self.ping()
        assert self.encoding is not None
        return self.encoding

    def _do(self, command: Command, payload: bytes = b"") -> Frame | None:
        with self._lock:
            reply = self.link.request(self.address, command, payload)
            if reply is None:
                return None
            code = reply.status
            if code != StatusCode.OK:
                try:
                    msg = STATUS_TEXT[StatusCode(code)]
                except ValueError:
                    msg = None
                if code == StatusCode.UNKNOWN_COMMAND:
                    raise UnsupportedCommand(f"{self.name}: command {command.name} unknown to the board",
                                             status=code, message=msg, device=self.name)
                raise DeviceRejected(f"{self.name}: {command.name} answered status {code:#04x}", status=code,
                                     message=msg, device=self.name)
            return reply

    def ping(self) -> BoardInfo:
        if self.broadcast:
            raise ValueError("cannot ping the broadcast address")
        reply = self._do(Command.PING)
        assert reply is not None
        self.info = parse_board_info(reply)
        if self.encoding is None:
            self.encoding = "gb18030" if self.info.gb18030 else "gb2312"
        return self.info

    def show_text(self, text: str, *, line: int = 0, effect: Effect = Effect.STATIC) -> None:
        self._do(Command.SHOW_TEXT, show_text_payload(text=text, line=line, effect=effect, encoding=self._enc()))

    def call(self, window_no: int, text: str) -> None:
        self._do(Command.CALL, call_payload(window_no=window_no, text=text, flash_s=self.flash_s,
                                            hold_s=self.hold_s, encoding=self._enc()))

    def clear(self) -> None:
        self._do(Command.CLEAR)

    def idle(self, text: str) -> None:
        self._do(Command.IDLE_TEXT, _lines(text, self._enc()))

    def brightness(self, level: int) -> None:
        self._do(Command.BRIGHTNESS, brightness_payload(level))

    def status(self) -> BoardStatus:
        if self.broadcast:
            return BoardStatus(known=False)
        reply = self._do(Command.STATUS)
        assert reply is not None
        return parse_board_status(reply, self.encoding or "gb18030")

    def close(self) -> None:
        self.link.close()


class RawTextBoard:
    """Adapter for cheap boards that display each GB2312 text line they receive.

    They have no addresses, no replies and no brightness control: ``call`` and
    ``idle`` both just show text (the adapter remembers the idle text to show it again
    after ``clear``), ``brightness`` raises UnsupportedCommand, ``status`` is unknown.
    """

    def __init__(self, transport: Transport, *, encoding: str = "gb2312", line_end: bytes = b"\r\n",
                 name: str = "led-raw") -> None:
        self.transport = transport
        self.encoding = encoding
        self.line_end = line_end
        self.name = name
        self.idle_text = ""
        self.simulator: Any = None
        self._lock = threading.RLock()

    def _send(self, text: str) -> None:
        with self._lock:
            self.transport.ensure_open()
            data = b"".join(_text(t, self.encoding) + self.line_end for t in text.split("\n"))
            self.transport.write(data)

    def show_text(self, text: str, *, line: int = 0) -> None:
        self._send(text)

    def call(self, window_no: int, text: str) -> None:
        self._send(text)

    def clear(self) -> None:
        self._send("")

    def idle(self, text: str) -> None:
        self.idle_text = text
        self._send(text)

    def brightness(self, level: int) -> None:
        raise UnsupportedCommand(f"{self.name}: raw text boards have no brightness command", device=self.name,
                                 message="该显示屏不支持调节亮度。")

    def status(self) -> BoardStatus:
        return BoardStatus(known=False)

    def close(self) -> None:
        self.transport.close()


class WindowStrip:
    """The strip over one window: the call, or who is on duty when idle."""

    def __init__(self, board: BoardDriver, window_no: int) -> None:
        self.board = board
        self.window_no = window_no

    def call(self, ticket_no: str) -> str:
        text = call_text(ticket_no, self.window_no)
        self.board.call(self.window_no, text)
        return text

    def on_duty(self, staff_name: str, staff_no: str = "") -> str:
        who = f"{staff_name}（工号{staff_no}）" if staff_no else staff_name
        text = f"{self.window_no}号窗口 {who} 为您服务"
        self.board.idle(text)
        return text

    def paused(self, reason: str = "暂停服务") -> str:
        text = f"{self.window_no}号窗口 {reason}"
        self.board.idle(text)
        return text


class HallBoard:
    """The hall board: a header and the most recent calls, newest first."""

    def __init__(self, board: BoardDriver, *, lines: int = 4, header: str = "") -> None:
        if lines < 1:
            raise ValueError("a board has at least one line")
        self.board = board
        self.lines = lines
        self.header = header
        self.recent: deque[str] = deque(maxlen=lines - (1 if header else 0) or 1)

    def show_lines(self, lines: Sequence[str]) -> None:
        """Replace the whole board in one frame (no half-updated board is ever seen)."""
        rows = list(lines)[: self.lines]
        self.board.show_text("\n".join(rows), line=0)

    def push_call(self, ticket_no: str, window_no: int) -> list[str]:
        self.recent.appendleft(call_text(ticket_no, window_no))
        rows = ([self.header] if self.header else []) + list(self.recent)
        self.show_lines(rows)
        return rows


__all__ = [
    "BoardDriver", "BoardInfo", "BoardStatus", "Command", "Effect", "HallBoard", "LedBoard", "Mode", "decode_frames",
    "RawTextBoard", "StatusCode", "WindowStrip", "brightness_payload", "call_payload", "call_text",
    "show_text_payload", "encode_brightness", "encode_call",
    "encode_clear", "encode_idle_text", "encode_ping", "encode_reply", "encode_show_text", "encode_status",
    "parse_board_info", "parse_board_status",
]
