"""Extension point (c): extra kiosk buttons/pages beside taking a number and the guide.

Each entry of ``KIOSK_PAGES`` is ``(button text, module name)``; the module exposes
``create_page(ctx: KioskContext) -> QWidget``. The kiosk shows a button per entry whose
module is importable (missing modules are simply not offered to citizens) and a
"返回首页" bar above the page; it resets to its home screen after the idle time, so
pages need no timers of their own. Call ``ctx.go_home()`` when a page is done.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .bridge import MessageBridge
    from .config import ClientConfig
    from .connection import Connection
    from .devices import Devices
    from .store import HallStore

log = logging.getLogger(__name__)

KIOSK_PAGES: list[tuple[str, str]] = [
    ("办件查询", "hall_client.widgets.kiosk_case_lookup"),
    ("投诉建议", "hall_client.widgets.kiosk_complaint"),
]


@dataclass
class KioskContext:
    """What a kiosk page may use (see ``panels.PanelContext`` for the objects)."""

    api: "Connection"
    store: "HallStore"
    devices: "Devices"
    bridge: "MessageBridge"
    config: "ClientConfig"
    go_home: Callable[[], None]


def available() -> list[tuple[str, ModuleType]]:
    out: list[tuple[str, ModuleType]] = []
    for title, module in KIOSK_PAGES:
        try:
            out.append((title, importlib.import_module(module)))
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            log.info("kiosk page %s not installed", module)
    return out
