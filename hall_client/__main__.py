"""``hall-client --mode window|kiosk|display|… --config FILE`` and ``hall-client demo``."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo":
        from .demo import main as demo_main
        return demo_main(argv[1:])
    p = argparse.ArgumentParser(prog="hall-client", description="政务大厅客户端：窗口、取号机、综合屏等")
    p.add_argument("--mode", required=True, help="window | kiosk | display | dashboard | supervision | evaluator | admin")
    p.add_argument("--config", required=True, type=Path, help="本机配置文件（TOML）")
    p.add_argument("--no-gui", action="store_true", help="显示模式：不开窗口，只驱动 LED 屏")
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the log
    from .config import ClientConfig
    config = ClientConfig.load(args.config)
    config.mode = args.mode
    if args.no_gui:
        if args.mode != "display":
            p.error("--no-gui 仅用于 display 模式")
        from .modes.display import run_headless
        return run_headless(config)
    from .app import build, qt_app
    app = qt_app()
    client = build(config, args.mode)
    from .widgets.fit import fill_screen, fit_to_screen
    if args.fullscreen or args.mode in ("kiosk", "display"):
        fill_screen(client.widget)
    else:
        fit_to_screen(client.widget)  # maximised on a screen smaller than 1280×800 (a 1366×768 monitor)
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    from PySide6.QtCore import QTimer
    wake = QTimer()  # lets Python run its Ctrl-C handler while Qt's loop is idle
    wake.timeout.connect(lambda: None)
    wake.start(500)
    code = app.exec()
    client.close()
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
