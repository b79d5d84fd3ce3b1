"""Installer and demo tools: ``python -m printers COMMAND``.

    status CONFIG            ask a printer for its status (DLE EOT)
    test-print CONFIG        print the sample ticket on it
    preview SLIP.bin OUT.png [--encoding gb18030] [--width 576]
    samples OUTDIR [--width 80|58] [--qr native|image]   sample slips as .bin and .png
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m printers", description="hall printer tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("status")
    s.add_argument("config")
    t = sub.add_parser("test-print")
    t.add_argument("config")
    p = sub.add_parser("preview")
    p.add_argument("slip", type=Path)
    p.add_argument("png", type=Path)
    p.add_argument("--encoding", default="gb18030")
    p.add_argument("--width", type=int, default=576)
    m = sub.add_parser("samples")
    m.add_argument("outdir", type=Path)
    m.add_argument("--width", type=int, choices=(58, 80), default=80)
    m.add_argument("--qr", choices=("native", "image"), default="native")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from .errors import DeviceError
    if args.cmd == "status":
        from . import open_printer
        st = open_printer(args.config).status()
        print(f"{st.value}\t{st.message}")
        return 0 if st.can_print else 1
    if args.cmd == "test-print":
        from . import open_printer
        from .samples import TICKET
        try:
            result = open_printer(args.config).print_slip(TICKET)
        except DeviceError as e:
            print(f"{e.message}\t({e.log_text()})", file=sys.stderr)
            return 1
        print(f"{len(result.data)} bytes sent, status {result.status.value}")
        return 0
    if args.cmd == "preview":
        from .preview import save_preview
        save_preview(args.slip.read_bytes(), args.png, encoding=args.encoding, width=args.width)
        print(args.png)
        return 0
    from .escpos import PrinterProfile
    from .preview import save_preview
    from .samples import SAMPLES
    from .slips import render
    profile = PrinterProfile(width_mm=args.width, qr=args.qr)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name, slip in SAMPLES.items():
        data = render(slip, profile).data
        (args.outdir / f"{name}.bin").write_bytes(data)
        save_preview(data, args.outdir / f"{name}.png", width=profile.dots_per_line)
        print(f"{name}: {len(data)} bytes -> {args.outdir / name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
