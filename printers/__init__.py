"""Hall hardware: thermal printers (ESC/POS), LED boards, the evaluator, the 身份证
reader, each a pure encoder/decoder plus a thin driver over a transport, and
simulators speaking the same wire protocols. No Qt, no server imports here.

    from printers import open_device
    printer = open_device("escpos+serial:///dev/ttyUSB0?baudrate=19200&width=80")
    printer.print_slip(TicketSlip(...))
"""
from __future__ import annotations

from .config import open_board, open_device, open_evaluator, open_idcard_reader, open_printer
from .errors import (ChecksumError, DeviceConfigError, DeviceError, DeviceOffline, DeviceRejected, DeviceTimeout,
                     IdCardInvalid, IdCardReadFailed, PrinterCoverOpen, PrinterOffline, PrinterOutOfPaper,
                     ProtocolError, UnsupportedCommand)

__all__ = [
    "ChecksumError", "DeviceConfigError", "DeviceError", "DeviceOffline", "DeviceRejected", "DeviceTimeout",
    "IdCardInvalid", "IdCardReadFailed", "PrinterCoverOpen", "PrinterOffline", "PrinterOutOfPaper",
    "ProtocolError", "UnsupportedCommand", "open_board", "open_device", "open_evaluator", "open_idcard_reader",
    "open_printer",
]
