"""The printer driver: status never lies, faults are the right error within their timeout,
and the driver works again afterwards. One integration test per transport."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from printers import open_device
from printers.errors import (DeviceTimeout, PrinterCoverOpen, PrinterOffline, PrinterOutOfPaper, ProtocolError)
from printers.escpos import PrinterProfile
from printers.printer import Printer, PrinterStatus, interpret_status, valid_status_byte
from printers.simulators import PrinterSim, PtyPair, SerialSimHost, TcpSimServer
from printers.slips import ticket
from printers.transport import MemoryTransport


@pytest.mark.parametrize("s1, s2, s4, expected", [
    (0x12, None, 0x12, PrinterStatus.OK),
    (0x12, None, 0x1E, PrinterStatus.PAPER_LOW),
    (0x12, None, 0x72, PrinterStatus.PAPER_OUT),
    (0x1A, 0x32, 0x72, PrinterStatus.PAPER_OUT),
    (0x1A, 0x16, 0x12, PrinterStatus.COVER_OPEN),
    (0x1A, 0x52, 0x12, PrinterStatus.ERROR),
    (0x1A, 0x12, 0x12, PrinterStatus.OFFLINE),
    (0x1A, None, None, PrinterStatus.OFFLINE),
    (0x12, None, None, PrinterStatus.OK),
])
def test_status_bytes_are_interpreted(s1: int, s2: int | None, s4: int | None, expected: PrinterStatus) -> None:
    assert interpret_status(s1, s2, s4) == expected


def test_status_byte_pattern() -> None:
    assert valid_status_byte(0x12) and valid_status_byte(0x72) and valid_status_byte(0x1E)
    assert not valid_status_byte(0x10) and not valid_status_byte(0xFF) and not valid_status_byte(0x00)


@pytest.fixture
def printer() -> Any:
    p = open_device("sim:printer?status_timeout=0.2")
    yield p
    p.close()


def test_status_follows_the_printer_switches(printer: Any) -> None:
    sim: PrinterSim = printer.simulator
    assert printer.status() == PrinterStatus.OK
    sim.set(paper_near_end=True)
    assert printer.status() == PrinterStatus.PAPER_LOW
    sim.set(paper_out=True)
    assert printer.status() == PrinterStatus.PAPER_OUT
    sim.set(paper_out=False, paper_near_end=False, cover_open=True)
    assert printer.status() == PrinterStatus.COVER_OPEN
    assert printer.status().message == "打印机纸仓盖未合上"


def test_silence_is_unknown_never_paper_ok_and_comes_back_quickly(printer: Any) -> None:
    printer.simulator.set(online=False)
    t0 = time.monotonic()
    assert printer.status() == PrinterStatus.UNKNOWN
    assert time.monotonic() - t0 < 1.0


def test_a_ticket_is_printed_byte_for_byte(printer: Any, samples: Any) -> None:
    enc = ticket(samples.ticket(), printer.profile)
    result = printer.print_slip(enc)
    assert result.status == PrinterStatus.OK and result.data == enc.data
    sim: PrinterSim = printer.simulator
    assert sim.slips() == [enc.data]
    assert sim.last_slip() is not None and sim.last_slip().line_with("A001").size == (4, 4)  # type: ignore[union-attr]
    assert sim.status_queries == [1, 4, 1, 4]  # asked before and after


def test_print_slip_accepts_a_slip_dataclass(printer: Any, samples: Any) -> None:
    printer.print_slip(samples.receipt())
    assert "大写：人民币壹佰贰拾元整" in printer.simulator.decoded().texts


def test_out_of_paper_is_refused_before_printing_then_works_after_reloading(printer: Any, samples: Any) -> None:
    sim: PrinterSim = printer.simulator
    sim.set(paper_out=True)
    with pytest.raises(PrinterOutOfPaper) as e:
        printer.print_slip(samples.ticket())
    assert str(e.value) == "打印机缺纸，请更换纸卷后点击“重新打印”。号码已保留。"
    assert sim.received == b"" and sim.lost == b""
    sim.set(paper_out=False)
    assert printer.print_slip(samples.ticket()).status == PrinterStatus.OK
    assert len(sim.slips()) == 1


def test_paper_running_out_mid_ticket_is_reported_after_printing(printer: Any, samples: Any) -> None:
    sim: PrinterSim = printer.simulator
    sim.set(paper_left_bytes=100)
    with pytest.raises(PrinterOutOfPaper):
        printer.print_slip(samples.ticket())
    assert sim.lost  # the rest of the ticket never made it to paper
    sim.set(paper_out=False)
    printer.print_slip(samples.ticket())  # reprint
    assert len(sim.slips()) == 1


def test_cover_open_is_its_own_error(printer: Any, samples: Any) -> None:
    printer.simulator.set(cover_open=True)
    with pytest.raises(PrinterCoverOpen):
        printer.print_slip(samples.ticket())


def test_a_cutter_jam_is_a_printer_fault_with_its_own_words(printer: Any, samples: Any) -> None:
    printer.simulator.set(cutter_error=True)
    assert printer.status() == PrinterStatus.ERROR
    with pytest.raises(PrinterOffline) as e:
        printer.print_slip(samples.ticket())
    assert "切刀" in str(e.value) and e.value.code == "printer_offline"
    printer.simulator.set(cutter_error=False)
    assert printer.print_slip(samples.ticket()).status == PrinterStatus.OK


def test_silent_printer_optional_status_prints_and_says_unknown(printer: Any, samples: Any) -> None:
    printer.simulator.set(online=False)
    assert printer.print_slip(samples.ticket()).status == PrinterStatus.UNKNOWN


def test_silent_printer_with_required_status_times_out_within_bounds(samples: Any) -> None:
    p = open_device("sim:printer?status=required&status_timeout=0.2")
    p.simulator.set(online=False)
    t0 = time.monotonic()
    with pytest.raises(DeviceTimeout) as e:
        p.print_slip(samples.ticket())
    assert time.monotonic() - t0 < 1.0
    assert "打印机无应答" in str(e.value)
    p.simulator.set(online=True)
    assert p.print_slip(samples.ticket()).status == PrinterStatus.OK


def test_garbage_instead_of_status_is_unknown_for_the_dashboard_and_an_error_for_a_print(samples: Any) -> None:
    t = MemoryTransport(on_write=lambda d: t.inject(b"\xff\xfe" if d.startswith(b"\x10\x04") else b""))
    p = Printer(t, status_timeout=0.1)
    assert p.status() == PrinterStatus.UNKNOWN
    with pytest.raises(ProtocolError):
        p.print_slip(b"x\n")


def test_unplugged_mid_print_is_offline_and_the_next_print_reconnects(samples: Any) -> None:
    p = open_device("sim:printer?qr=image")
    sim: PrinterSim = p.simulator
    sim.set(unplug_after=1500)
    with pytest.raises(PrinterOffline) as e:
        p.print_slip(samples.ticket())
    assert "号码已保留" in str(e.value)
    assert p.status() == PrinterStatus.OFFLINE
    p.transport._port.replug()  # the cable goes back in
    sim.clear()
    assert p.print_slip(samples.ticket()).status == PrinterStatus.OK
    assert len(sim.slips()) == 1


def test_file_printer_prints_without_waiting_for_a_status(tmp_path: Path, samples: Any) -> None:
    out = tmp_path / "lp0"
    p = open_device(f"escpos+file://{out}?width=58")
    t0 = time.monotonic()
    assert p.print_slip(samples.ticket()).status == PrinterStatus.UNKNOWN
    assert p.status() == PrinterStatus.UNKNOWN
    assert time.monotonic() - t0 < 0.5
    p.close()
    assert out.read_bytes() == ticket(samples.ticket(), PrinterProfile(width_mm=58)).data


def test_missing_device_file_is_printer_offline(tmp_path: Path, samples: Any) -> None:
    p = open_device(f"escpos+file://{tmp_path}/no/such/dir/lp0")
    assert p.status() == PrinterStatus.UNKNOWN  # write-only: it cannot know
    with pytest.raises(PrinterOffline):
        p.print_slip(samples.ticket())


# ----------------------------------------------------------------------------- integration: TCP


def test_tcp_printer_prints_survives_a_pulled_cable_and_reconnects(samples: Any) -> None:
    sim = PrinterSim()
    with TcpSimServer(sim) as srv:
        p = open_device(f"escpos+tcp://{srv.address}?status_timeout=0.3")
        assert p.status() == PrinterStatus.OK
        p.print_slip(samples.ticket())
        assert sim.wait_for(lambda s: len(s.slips()) == 1)
        assert sim.last_slip().qr_payloads == ["https://zwfw.example.gov.cn/q/A001-20261124"]  # type: ignore[union-attr]

        sim.set(unplug_after=len(sim.received) + 50)
        t0 = time.monotonic()
        with pytest.raises(PrinterOffline):
            p.print_slip(samples.ticket(number="A002"))
        assert time.monotonic() - t0 < 2.0

        assert p.print_slip(samples.ticket(number="A003")).status == PrinterStatus.OK
        assert sim.wait_for(lambda s: any("A003" in x for x in s.decoded().texts))
        assert srv.connections == 2
        p.close()
    assert p.status() == PrinterStatus.OFFLINE  # nobody listening any more


def test_tcp_printer_that_accepts_but_never_answers(samples: Any) -> None:
    srv = socket.create_server(("127.0.0.1", 0))
    conns: list[socket.socket] = []
    th = threading.Thread(target=lambda: conns.append(srv.accept()[0]), daemon=True)
    th.start()
    p = open_device(f"escpos+tcp://127.0.0.1:{srv.getsockname()[1]}?status=required&status_timeout=0.2")
    try:
        t0 = time.monotonic()
        assert p.status() == PrinterStatus.UNKNOWN
        with pytest.raises(DeviceTimeout):
            p.print_slip(samples.ticket())
        assert time.monotonic() - t0 < 1.5
    finally:
        p.close()
        th.join(2)
        for c in conns:
            c.close()
        srv.close()


# ----------------------------------------------------------------------------- integration: pty


def test_serial_printer_over_a_socat_pty_pair_and_a_pulled_cable(pty_pair: PtyPair, samples: Any) -> None:
    sim = PrinterSim()
    host = SerialSimHost(sim, pty_pair.b).start()
    p = open_device(f"escpos+serial://{pty_pair.a}?baudrate=115200&status_timeout=0.5")
    try:
        assert p.status() == PrinterStatus.OK
        p.print_slip(samples.ticket())
        assert sim.wait_for(lambda s: len(s.slips()) == 1)
        assert sim.last_slip().texts[1] == "A001"  # type: ignore[union-attr]

        # the cable is pulled while the next (image-QR, ~5 KB) ticket is on its way
        sim.unplug_listeners.append(pty_pair.stop)
        sim.set(unplug_after=len(sim.received) + 600)
        big = ticket(samples.ticket(number="A002"), PrinterProfile(qr="image"))
        t0 = time.monotonic()
        with pytest.raises(PrinterOffline):
            p.print_slip(big)
        assert time.monotonic() - t0 < 3.0
        host.stop()

        # plugged back in: same port name, the driver reopens by itself
        sim.unplug_listeners.clear()
        pty_pair.start()
        host = SerialSimHost(sim, pty_pair.b).start()
        sim.clear()
        assert p.print_slip(samples.ticket(number="A003")).status == PrinterStatus.OK
        assert sim.wait_for(lambda s: len(s.slips()) == 1)
        assert sim.last_slip().texts[1] == "A003"  # type: ignore[union-attr]
    finally:
        p.close()
        host.stop()
