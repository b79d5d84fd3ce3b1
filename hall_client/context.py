"""Extension point (b): what every mode's factory receives.

``hall_client/modes/<mode>.py`` exposes ``create(ctx: ClientContext, config: ClientConfig)
-> QWidget``; ``app.build()`` makes the context, ``__main__`` picks the module by
``--mode``. Modes needing a staff sign-in use ``widgets.login.LoginForm`` (it sets the
token on ``ctx.api``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .bridge import MessageBridge
    from .config import ClientConfig
    from .connection import Connection
    from .devices import Devices
    from .store import HallStore


@dataclass
class ClientContext:
    """The shared, GUI-thread objects of one client process (see ``panels.PanelContext``)."""

    config: "ClientConfig"
    api: "Connection"
    store: "HallStore"
    devices: "Devices"
    bridge: "MessageBridge"
