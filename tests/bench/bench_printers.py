"""Bytes, wire time and encoder time per slip (not a pytest test: prints a table).

    python tests/bench/bench_printers.py [--repeat N]

Wire time is computed for 8N1 (10 bits a byte) at 9600 / 19200 / 115200 baud: a pty
or the in-process simulator does not throttle, so measuring it would only show the
machine. "sim" is one ``Printer.print_slip`` through the in-process simulator (status before
and after, the whole job): the driver's own overhead; "pty" the same over a socat pty
pair (termios, kernel buffers, a simulator thread).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from printers import open_device  # noqa: E402
from printers.decode import decode  # noqa: E402
from printers.escpos import EncodedSlip, PrinterProfile  # noqa: E402
from printers.preview import preview_png  # noqa: E402
from printers.samples import ACCEPTANCE as ACCEPT  # noqa: E402
from printers.samples import CORRECTION as CORRECT  # noqa: E402
from printers.samples import RECEIPT, TICKET  # noqa: E402
from printers.slips import acceptance, correction, receipt, ticket  # noqa: E402

BAUDS = (9600, 19200, 115200)

P80, P58, P80_IMG = PrinterProfile(), PrinterProfile(width_mm=58), PrinterProfile(qr="image")

CASES: list[tuple[str, Callable[[], EncodedSlip], str]] = [
    ("ticket 80mm native QR", lambda: ticket(TICKET, P80), "sim:printer"),
    ("ticket 58mm native QR", lambda: ticket(TICKET, P58), "sim:printer?width=58"),
    ("ticket 80mm image QR", lambda: ticket(TICKET, P80_IMG), "sim:printer?qr=image"),
    ("receipt 80mm", lambda: receipt(RECEIPT, P80), "sim:printer"),
    ("receipt 58mm", lambda: receipt(RECEIPT, P58), "sim:printer?width=58"),
    ("acceptance 80mm", lambda: acceptance(ACCEPT, P80), "sim:printer"),
    ("correction 80mm", lambda: correction(CORRECT, P80), "sim:printer"),
]


class Row(NamedTuple):
    name: str
    nbytes: int
    w9600: float
    w19200: float
    w115200: float
    encode_us: float
    decode_us: float
    sim_ms: float
    pty_ms: float | None


def median_us(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (python-escpos import, glyph cache)
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1e6


def driver_ms(config: str, slip: EncodedSlip, repeat: int) -> float:
    p = open_device(config + ("&" if "?" in config else "?") + "baudrate=115200")
    try:
        return median_us(lambda: p.print_slip(slip), repeat) / 1000
    finally:
        p.close()


def pty_ms(slip: EncodedSlip, repeat: int) -> float | None:
    """print_slip over a socat pty pair (real termios, kernel buffers, the simulator in a thread)."""
    from printers.simulators import PrinterSim, PtyPair, SerialSimHost
    if not PtyPair.available():
        return None
    pair = PtyPair().start()
    sim = PrinterSim()
    host = SerialSimHost(sim, pair.b).start()
    p = open_device(f"escpos+serial://{pair.a}?baudrate=115200&status_timeout=1")
    try:
        return median_us(lambda: p.print_slip(slip), repeat) / 1000
    finally:
        p.close()
        host.stop()
        pair.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    rows: list[Row] = []
    for name, make, config in CASES:
        slip = make()
        n = len(slip.data)
        enc = median_us(make, args.repeat)
        dec = median_us(lambda: decode(slip.data), args.repeat)
        drv = driver_ms(config, slip, max(10, args.repeat // 10))
        pty = pty_ms(slip, max(10, args.repeat // 10))
        w1, w2, w3 = (n * 10 / b * 1000 for b in BAUDS)
        rows.append(Row(name, n, w1, w2, w3, enc, dec, drv, pty))
    prev = median_us(lambda: preview_png(ticket(TICKET, P80).data), 10) / 1000

    head = ("slip", "bytes", "9600 ms", "19200 ms", "115200 ms", "encode µs", "decode µs", "sim ms", "pty ms")
    fmt = "{:<24} {:>6} {:>9} {:>9} {:>10} {:>10} {:>10} {:>7} {:>7}"
    print(f"python {sys.version.split()[0]}, median of {args.repeat} runs; wire time = bytes × 10 bits / baud (8N1)")
    print(fmt.format(*head))
    print(fmt.format(*("-" * len(h) for h in head)))
    for name, n, w1, w2, w3, enc, dec, drv, pty in rows:
        print(fmt.format(name, n, f"{w1:.0f}", f"{w2:.0f}", f"{w3:.1f}", f"{enc:.0f}", f"{dec:.0f}", f"{drv:.2f}",
                         "n/a" if pty is None else f"{pty:.2f}"))
    print(f"\nPNG preview of the 80 mm ticket (576 dots): {prev:.1f} ms")
    print("sim ms = Printer.print_slip (DLE EOT before and after + the job) through the in-process simulator;")
    print("pty ms = the same over a socat pty pair with the simulator on the other end (no baud throttling)")


if __name__ == "__main__":
    main()
