"""Wiring: the one place that builds the client's objects and hands them to a mode."""
from __future__ import annotations

import gc
import itertools
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from . import modes
from .bridge import MessageBridge
from .config import ClientConfig
from .connection import Connection
from .context import ClientContext
from .devices import Devices
from .state import HallState
from .store import HallStore
from .translation import install_chinese

log = logging.getLogger(__name__)

STYLE = Path(__file__).resolve().parent.parent / "resources" / "style.qss"


def qt_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the hall's style and a font that renders Chinese."""
    from resources.fonts import install_app_font
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    if not app.property("hall_styled"):
        install_chinese(app)  # Qt's own buttons and menus in Chinese (确定/取消, 复制/粘贴)
        install_app_font()
        if STYLE.is_file():
            app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
        app.setProperty("hall_styled", True)
    collect_garbage_in_gui_thread(app)
    return app


_GC_TIMERS: list[QTimer] = []


def collect_garbage_in_gui_thread(app: QApplication, *, interval_ms: int = 1000, full_every: int = 30) -> None:
    """Run Python's cyclic garbage collector only in the GUI thread.

    Left automatic, the collector runs in whichever thread happens to allocate (the
    connection's asyncio thread, a device worker). If it frees a QObject caught in a cycle
    there, Qt's destructor takes a Qt mutex and then waits for the GIL, while the GUI thread
    holds the GIL and waits for that mutex: the whole client freezes (seen in the suite).
    Collecting on a GUI-thread timer removes that interleaving.
    """
    if _GC_TIMERS:
        return
    gc.disable()
    timer = QTimer(app)
    timer.setInterval(interval_ms)
    ticks = itertools.count(1)
    timer.timeout.connect(lambda: gc.collect(2 if next(ticks) % full_every == 0 else 1))
    timer.start()
    _GC_TIMERS.append(timer)


@dataclass
class ClientApp:
    """One built client: its context, its top widget and the mode's name."""

    ctx: ClientContext
    widget: QWidget
    mode: str
    health: Any = None  # health.HealthReporter when this PC has devices

    def close(self) -> None:
        if self.health is not None:
            self.health.stop()
        self.widget.close()
        self.ctx.api.close()
        self.ctx.devices.close()


def build(config: ClientConfig, mode: str, *, devices: Devices | None = None, strict: bool = False,
          widget: bool = True) -> ClientApp:
    """Build the objects, the mode's widget, and start following the hall (device modes)."""
    bridge = MessageBridge(strict=strict)
    api = Connection(config)
    store = HallStore(api, refresh_s=config.snapshot_refresh_s)
    if devices is None:
        devices = Devices.from_config(config.devices, bridge=bridge)
    devices.bridge = bridge
    ctx = ClientContext(config=config, api=api, store=store, devices=devices, bridge=bridge)

    def hall_name(state: HallState) -> None:
        devices.hall_name = config.hall_name or state.hall_name
        devices.hall_tz = state.timezone
    store.changed.connect(hall_name)
    w: Any = modes.load(mode).create(ctx, config) if widget else QWidget()
    health = None
    if devices.handles and config.health_interval_s > 0:
        from .health import HealthReporter, default_name  # heartbeat + fault reports (issue 8)
        health = HealthReporter(api, devices, interval_s=config.health_interval_s, window_no=config.window_no,
                                name=config.health_name or default_name(mode, config.window_no))
        health.start()
    if api.token:
        api.start_stream()
    return ClientApp(ctx=ctx, widget=w, mode=mode, health=health)
