"""Extension point (a): the tabs of the window mode beside the queue controls.

Each entry of ``PANELS`` is ``(tab title, module name)``; the module exposes
``create_panel(ctx: PanelContext) -> QWidget``. A module that is not there yet shows a
placeholder tab, so areas can land in any order. See docs/DEVELOPING.md, "Client".
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from hall_server.contract import LoginOut

if TYPE_CHECKING:
    from .bridge import MessageBridge
    from .config import ClientConfig
    from .connection import Connection
    from .devices import Devices
    from .session import WindowSession
    from .store import HallStore

log = logging.getLogger(__name__)

PANELS: list[tuple[str, str]] = [
    ("受理", "hall_client.widgets.intake_panel"),
    ("收费", "hall_client.widgets.fee_panel"),
    ("首问/投诉", "hall_client.widgets.inquiry_panel"),
]


@dataclass
class PanelContext:
    """Everything a window-mode panel may use; all objects live in the GUI thread.

    - ``api``: ``Connection``; ``api.request(method, path, json=…, model=…, idempotent=…)``
      returns a ``Reply`` whose ``finished(result)`` / ``failed(KnownError)`` signals arrive
      in the GUI thread; the network never blocks the UI. Creating POSTs pass
      ``idempotent=True`` (one Idempotency-Key reused across retries).
    - ``store``: ``HallStore``; ``store.state`` (``state.HallState``), signals ``changed``,
      ``event_received(EventOut)`` for every event including other areas' types, ``called``.
    - ``session``: ``WindowSession``; ``session.ticket`` (``TicketOut | None``) and
      ``session.ticket_changed(object)``, ``session.window_no``, ``session.login``.
    - ``devices``: ``Devices``; ``printer``, ``idcard``, ``evaluator``, ``led`` handles
      (each may be absent: ``devices.has("printer")``), all driven off the GUI thread.
    - ``bridge``: ``MessageBridge``; ``bridge.handle(exc)`` for errors, ``bridge.info(text)``.
    - ``staff``: the ``LoginOut`` of the clerk signed in (badge, roles, window_no).
    """

    api: "Connection"
    store: "HallStore"
    session: "WindowSession"
    devices: "Devices"
    bridge: "MessageBridge"
    staff: LoginOut
    config: "ClientConfig"


def placeholder(title: str, module: str) -> QWidget:
    w = QLabel(f"「{title}」功能模块尚未安装，请联系信息科。")  # the module's name goes to the log, not the clerk
    w.setAlignment(Qt.AlignmentFlag.AlignCenter)
    w.setObjectName("panelPlaceholder")
    return w


def load_panel(ctx: PanelContext, title: str, module: str) -> QWidget:
    """Build one panel, or a placeholder when its module is not installed yet."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name != module:
            raise  # the panel exists but one of its own imports is broken: a bug
        log.info("panel %s not installed", module)
        return placeholder(title, module)
    widget: QWidget = mod.create_panel(ctx)
    return widget
