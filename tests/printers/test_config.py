"""One config string opens a device; a wrong one is a clear configuration error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from printers import (DeviceConfigError, open_board, open_device, open_evaluator, open_idcard_reader,
                      open_printer)
from printers.config import parse
from printers.evaluator import Evaluator
from printers.idcard import IdCardReader
from printers.ledboard import LedBoard, RawTextBoard
from printers.printer import Printer
from printers.transport import FileTransport, SerialTransport, TcpTransport


def test_parse_the_documented_examples() -> None:
    assert parse("escpos+serial:///dev/ttyUSB0?baudrate=19200&encoding=gb18030&width=80") == (
        "escpos", "serial", "/dev/ttyUSB0", {"baudrate": "19200", "encoding": "gb18030", "width": "80"})
    assert parse("escpos+tcp://192.0.2.10:9100") == ("escpos", "tcp", "192.0.2.10:9100", {})
    assert parse("led+serial:///dev/ttyS1?baudrate=9600") == ("led", "serial", "/dev/ttyS1", {"baudrate": "9600"})
    assert parse("sim:printer") == ("printer", "sim", "", {})
    assert parse("sim:led?address=3") == ("led", "sim", "", {"address": "3"})
    assert parse("escpos+serial://COM3")[2] == "COM3"
    assert parse("escpos+serial://?port=rfc2217://10.0.0.1:2217")[2] == "rfc2217://10.0.0.1:2217"


def test_serial_printer_from_config_is_not_opened_until_used() -> None:
    p = open_device("escpos+serial:///dev/ttyUSB0?baudrate=19200&encoding=gbk&width=58&qr=image&chinese_mode=0"
                    "&cut=partial&status=required&status_timeout=0.5")
    assert isinstance(p, Printer) and isinstance(p.transport, SerialTransport)
    assert not p.transport.is_open
    assert p.transport.baudrate == 19200
    assert (p.profile.encoding, p.profile.width_mm, p.profile.qr, p.profile.chinese_mode, p.profile.cut) == (
        "gbk", 58, "image", False, "partial")
    assert (p.status_mode, p.status_timeout) == ("required", 0.5)


def test_tcp_printer_defaults_to_port_9100() -> None:
    p = open_device("escpos+tcp://192.0.2.10")
    assert isinstance(p.transport, TcpTransport) and p.transport.port == 9100
    assert open_device("escpos+tcp://[::1]:9101").transport.host == "::1"


def test_other_devices_from_config(tmp_path: Path) -> None:
    led = open_device("led+serial:///dev/ttyS1?baudrate=9600&address=7&encoding=gb18030&flash=3&hold=10")
    assert isinstance(led, LedBoard) and (led.address, led.encoding, led.flash_s, led.hold_s) == (7, "gb18030", 3, 10)
    assert isinstance(open_device("led+tcp://192.0.2.20:4001?protocol=rawtext"), RawTextBoard)
    ev = open_device("evaluator+serial:///dev/ttyUSB1?address=2&timeout=0.4&retries=1")
    assert isinstance(ev, Evaluator) and ev.address == 2 and ev.link.timeout == 0.4 and ev.link.retries == 1
    idr = open_device("idcard+serial:///dev/ttyUSB2")
    assert isinstance(idr, IdCardReader) and idr.transport.baudrate == 115200  # type: ignore[attr-defined]
    f = open_device(f"escpos+file://{tmp_path}/out.bin")
    assert isinstance(f.transport, FileTransport)


@pytest.mark.parametrize("bad", [
    "", "printer", "escpos://x", "escpos+usb:///dev/x", "fax+serial:///dev/x", "sim:toaster",
    "escpos+serial:///dev/x?baudrate=fast", "escpos+serial:///dev/x?widht=80", "escpos+serial:///dev/x?width=76",
    "escpos+serial:///dev/x?status=maybe", "escpos+serial:///dev/x?encoding=utf8", "led+serial:///dev/x?address=0",
    "led+tcp://host", "escpos+tcp://host:notaport", "led+serial:///dev/x?protocol=vendorx",
    "escpos+serial:///dev/x?chinese_mode=perhaps", "escpos+serial:///dev/x?parity=Q", "escpos+serial://",
])
def test_bad_config_strings_are_config_errors(bad: str) -> None:
    with pytest.raises(DeviceConfigError) as e:
        open_device(bad)
    assert "设备配置有误" in str(e.value)


def test_typed_openers_check_the_kind() -> None:
    assert isinstance(open_printer("sim:printer"), Printer)
    assert isinstance(open_board("sim:led"), LedBoard)
    assert isinstance(open_evaluator("sim:evaluator"), Evaluator)
    assert isinstance(open_idcard_reader("sim:idcard"), IdCardReader)
    with pytest.raises(DeviceConfigError):
        open_printer("sim:led")
    with pytest.raises(DeviceConfigError):
        open_board("sim:printer")


def test_sim_options_reach_the_simulator_and_the_driver() -> None:
    p = open_device("sim:printer?width=58&encoding=gbk&paper_out=1")
    assert p.profile.width_mm == 58 and p.simulator.profile.encoding == "gbk" and p.simulator.paper_out
    assert open_device("sim:idcard?card=1").simulator.card.name == "李晓梅"


def test_printers_imports_neither_qt_nor_the_server() -> None:
    code = ("import sys, printers, printers.simulators, printers.preview, printers.slips, printers.idcard, "
            "printers.evaluator, printers.ledboard, printers.printer, printers.decode, printers.fonts; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'hall_server', "
            "'hall_client')); print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2], timeout=60)
    assert out.stdout.strip() == ""
