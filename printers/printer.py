"""The thermal printer driver: status over DLE EOT, and printing a slip's bytes.

Why status is asked before *and* after printing: before, so a kiosk does not hand out
a number it cannot print; after, because paper that runs out mid-ticket or a cable
pulled mid-print must surface as an error the kiosk can act on ("重新打印", number kept).

Silence is never "paper OK": a printer that does not answer a status query within a
short timeout is reported as ``UNKNOWN``. Whether printing goes ahead then is the
device's ``status`` setting: ``optional`` (default: print and say unknown; fine for
printers without a back channel), ``required`` (refuse: raise DeviceTimeout), ``off``
(never ask; for write-only links).

Call it from one worker thread per device; a lock keeps a status poll from another
thread from interleaving with a print.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from .errors import (DeviceOffline, DeviceTimeout, PrinterCoverOpen, PrinterOffline,
                     PrinterOutOfPaper, ProtocolError)
from .escpos import (STATUS_OFFLINE_CAUSE, STATUS_PAPER, STATUS_PRINTER, EncodedSlip, PrinterProfile,
                     Replacement)
from .transport import Transport

log = logging.getLogger(__name__)

StatusMode = Literal["required", "optional", "off"]

CHUNK = 1024  # bytes per write: a pulled cable shows up mid-job, not only at the end


class PrinterStatus(StrEnum):
    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    ERROR = "error"  # cutter jam, head overheated, ...
    OFFLINE = "offline"  # unreachable, or the printer says it is offline
    UNKNOWN = "unknown"  # no answer: never assume "paper OK"

    @property
    def message(self) -> str:
        return _STATUS_TEXT[self]

    @property
    def can_print(self) -> bool:
        return self in (PrinterStatus.OK, PrinterStatus.PAPER_LOW, PrinterStatus.UNKNOWN)


_STATUS_TEXT = {
    PrinterStatus.OK: "打印机正常",
    PrinterStatus.PAPER_LOW: "打印纸即将用完，请准备更换纸卷",
    PrinterStatus.PAPER_OUT: "打印机缺纸",
    PrinterStatus.COVER_OPEN: "打印机纸仓盖未合上",
    PrinterStatus.ERROR: "打印机故障（切刀或打印头），请联系管理员",
    PrinterStatus.OFFLINE: "打印机未连接或未开机",
    PrinterStatus.UNKNOWN: "打印机状态未知（无应答）",
}

PRINTER_TIMEOUT_MSG = "打印机无应答，请检查打印机电源和数据线后点击“重新打印”。号码已保留。"
PRINTER_UNCONFIRMED_MSG = "打印机未确认打印结果，请查看凭条是否已打出；如未打出请点击“重新打印”。"


def valid_status_byte(b: int) -> bool:
    """DLE EOT answers have the fixed pattern 0xx1xx10 (bits 0, 7 clear; 1, 4 set)."""
    return (b & 0x93) == 0x12


def interpret_status(printer: int, offline_cause: int | None, paper: int | None) -> PrinterStatus:
    """Pure: the three DLE EOT answers (1, 2, 4) -> one status."""
    if paper is not None and paper & 0x60:
        return PrinterStatus.PAPER_OUT
    if printer & 0x08:
        if offline_cause is not None:
            if offline_cause & 0x04:
                return PrinterStatus.COVER_OPEN
            if offline_cause & 0x20:
                return PrinterStatus.PAPER_OUT
            if offline_cause & 0x40:
                return PrinterStatus.ERROR
        return PrinterStatus.OFFLINE
    if paper is not None and paper & 0x0C:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.OK


@dataclass(frozen=True)
class PrintResult:
    status: PrinterStatus  # after printing
    data: bytes  # exactly what was sent
    replacements: tuple[Replacement, ...] = ()


class Printer:
    """An ESC/POS printer on a transport, with its profile (paper width, encoding, QR)."""

    def __init__(self, transport: Transport, profile: PrinterProfile | None = None, *,
                 status_mode: StatusMode = "optional", status_timeout: float = 0.3,
                 name: str = "printer") -> None:
        if status_mode not in ("required", "optional", "off"):
            raise ValueError(f"status_mode={status_mode!r}")
        self.transport = transport
        self.profile = profile or PrinterProfile()
        self.status_mode: StatusMode = status_mode
        self.status_timeout = status_timeout
        self.name = name
        self.last_status = PrinterStatus.UNKNOWN
        self.simulator: Any = None  # set by open_device("sim:printer")
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ status
    def _query(self, cmd: bytes, timeout: float) -> int | None:
        """One DLE EOT n; the first well-formed answer byte, None on silence."""
        self.transport.write(cmd)
        deadline = time.monotonic() + timeout
        junk = bytearray()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            chunk = self.transport.read(1, remaining)
            if not chunk:
                break
            if valid_status_byte(chunk[0]):
                return chunk[0]
            junk += chunk
            if len(junk) > 64:
                break
        if junk:
            raise ProtocolError(f"status answer {bytes(junk[:16]).hex(' ')} is not DLE EOT data", device=self.name)
        return None

    def _status(self, extra_wait: float = 0.0) -> PrinterStatus:
        if self.status_mode == "off" or not self.transport.has_back_channel:
            return PrinterStatus.UNKNOWN
        self.transport.ensure_open()
        self.transport.discard_input()
        s1 = self._query(STATUS_PRINTER, self.status_timeout + extra_wait)
        if s1 is None:
            return PrinterStatus.UNKNOWN
        s4 = self._query(STATUS_PAPER, self.status_timeout)
        s2 = self._query(STATUS_OFFLINE_CAUSE, self.status_timeout) if s1 & 0x08 else None
        return interpret_status(s1, s2, s4)

    def status(self) -> PrinterStatus:
        """Ask the printer; never raises for a device condition (a dashboard polls this).

        Unreachable -> OFFLINE, silence or garbage -> UNKNOWN (garbage is logged)."""
        with self._lock:
            try:
                st = self._status()
            except DeviceOffline as e:
                log.info("%s: %s", self.name, e.log_text())
                st = PrinterStatus.OFFLINE
            except (ProtocolError, DeviceTimeout) as e:
                log.warning("%s: status query: %s", self.name, e.log_text())
                st = PrinterStatus.UNKNOWN
            self.last_status = st
            return st

    def _raise_for(self, st: PrinterStatus, *, after: bool) -> None:
        if st == PrinterStatus.PAPER_OUT:
            raise PrinterOutOfPaper("printer reports paper end", device=self.name)
        if st == PrinterStatus.COVER_OPEN:
            raise PrinterCoverOpen("printer reports cover open", device=self.name)
        if st == PrinterStatus.ERROR:
            raise PrinterOffline("printer reports an error (cutter, head)", device=self.name,
                                 message="打印机故障（切刀卡纸或打印头过热），请联系管理员处理后点击“重新打印”。号码已保留。")
        if st == PrinterStatus.OFFLINE:
            raise PrinterOffline("printer reports offline", device=self.name,
                                 message="打印机处于离线状态，请检查纸仓盖和纸卷后点击“重新打印”。号码已保留。")
        if st == PrinterStatus.UNKNOWN and self.status_mode == "required":
            raise DeviceTimeout("no answer to DLE EOT", device=self.name,
                                message=PRINTER_UNCONFIRMED_MSG if after else PRINTER_TIMEOUT_MSG)

    # ------------------------------------------------------------------ printing
    def render(self, slip: object) -> EncodedSlip:
        """A slip dataclass (TicketSlip, ReceiptSlip, ...) as bytes for this printer."""
        from .slips import render
        return render(slip, self.profile)

    def print_slip(self, data: bytes | EncodedSlip | object) -> PrintResult:
        """Print one job; raises PrinterOutOfPaper / PrinterCoverOpen / PrinterOffline /
        DeviceTimeout, each within its timeout; the next call reopens the link."""
        if isinstance(data, (bytes, bytearray, memoryview)):
            enc = EncodedSlip(bytes(data))
        elif isinstance(data, EncodedSlip):
            enc = data
        else:
            enc = self.render(data)
        with self._lock:
            try:
                self.transport.ensure_open()
                before = self._status()
                self.last_status = before
                self._raise_for(before, after=False)
                for i in range(0, len(enc.data), CHUNK):
                    self.transport.write(enc.data[i:i + CHUNK])
                after = self._status(extra_wait=self.transport.transmit_time(len(enc.data)))
                self.last_status = after
                self._raise_for(after, after=True)
            except DeviceOffline as e:
                self.last_status = PrinterStatus.OFFLINE
                if isinstance(e, PrinterOffline):
                    raise
                raise PrinterOffline(e.detail, device=self.name) from None
            except DeviceTimeout as e:
                if e.message == DeviceTimeout.message:  # a transport timeout: say it for a printer
                    e.message = PRINTER_TIMEOUT_MSG
                raise
            log.info("%s: printed %d bytes, status %s", self.name, len(enc.data), after.value)
            return PrintResult(after, enc.data, enc.replacements)

    def close(self) -> None:
        with self._lock:
            self.transport.close()

    def __enter__(self) -> "Printer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
