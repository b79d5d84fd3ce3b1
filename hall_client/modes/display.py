"""Display mode: the hall board on a TV, and the voice of the hall.

Shows the current call of each window (the newest one highlighted for a few seconds), the
recent calls, the waiting counts, the hall's name and clock. Each live call is spoken
「请A001号到3号窗口办理」 through Qt TextToSpeech when an engine exists, otherwise a chime
plays and the text is shown large. With an RS-485 LED bus configured (``[devices] led``)
it also lights the hall LED; ``--no-gui`` does only that, without a screen.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..config import ClientConfig
from ..context import ClientContext
from ..devices import Devices
from ..state import Call, HallState, call_text
from ..voice import Announcer
from ..widgets.common import Clock, OnlineDot, restyle

log = logging.getLogger(__name__)

STATE_TEXT = {"offline": "暂停服务", "paused": "暂停服务", "idle": "等候叫号", "calling": "", "serving": ""}


class WindowTile(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardCall")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)  # two lines (window, number): fits 3 across a 1366 board

    def set_fresh(self, fresh: bool) -> None:
        self.setProperty("fresh", "true" if fresh else "false")
        restyle(self)


class DisplayMode(QWidget):
    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.ctx, self.config = ctx, config
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(config.hall_name or "政务服务中心")
        self.title.setObjectName("boardTitle")
        self.clock = Clock()
        self.clock.setObjectName("boardClock")
        self.online = OnlineDot()
        top.addWidget(self.title, 1)
        top.addWidget(self.online)
        top.addWidget(self.clock)
        lay.addLayout(top)
        self.big = QLabel("")
        self.big.setObjectName("boardBigCall")
        self.big.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.big.setMinimumHeight(100)
        lay.addWidget(self.big)
        body = QHBoxLayout()
        self.grid = QGridLayout()
        body.addLayout(self.grid, 3)
        side = QVBoxLayout()
        h1 = QLabel("最近叫号")
        h1.setObjectName("boardHeader")
        self.recent = QLabel("")
        self.recent.setObjectName("boardRecent")
        self.recent.setAlignment(Qt.AlignmentFlag.AlignTop)
        h2 = QLabel("等候人数")
        h2.setObjectName("boardHeader")
        self.waiting = QLabel("")
        self.waiting.setObjectName("boardWaiting")
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignTop)
        for w in (h1, self.recent, h2, self.waiting):
            side.addWidget(w)
        side.addStretch(1)
        body.addLayout(side, 2)
        lay.addLayout(body, 1)
        self.tiles: dict[int, WindowTile] = {}
        self.fresh: dict[int, QTimer] = {}
        self.announcer = Announcer(speech=config.speech, parent=self)  # voice chosen once, logged
        self.announcer.announced.connect(self._show_text)
        self.status = QLabel(self.announcer.plan.status_text)  # the board's status line
        self.status.setObjectName("boardStatus")
        lay.addWidget(self.status)
        self._big_clear = QTimer(self)
        self._big_clear.setSingleShot(True)
        self._big_clear.timeout.connect(lambda: self.big.setText(""))
        ctx.store.changed.connect(self.show_state)
        ctx.store.called.connect(self.on_call)
        ctx.api.online_changed.connect(self.online.set_online)
        self.setWindowTitle("大厅综合屏")

    def show_state(self, state: HallState) -> None:
        self.title.setText(self.config.hall_name or state.hall_name)
        self.clock.set_zone(state.timezone)
        for i, w in enumerate(state.windows.values()):
            tile = self.tiles.get(w.window_no)
            if tile is None:
                tile = WindowTile()
                self.tiles[w.window_no] = tile
                self.grid.addWidget(tile, i // 3, i % 3)
            now = w.current if w.current else STATE_TEXT[w.state]
            tile.setText(f"{w.window_no} 号窗口\n{now}")
            if w.current is None and tile.property("fresh") == "true":
                tile.set_fresh(False)  # highlight a call, never an empty window
        self.recent.setText("\n".join(f"{c.number} → {c.window_no} 号窗口" + ("（重呼）" if c.recall else "")
                                      for c in state.recent_calls[:8]))
        self.waiting.setText("\n".join(f"{c.name}：{c.waiting} 人" for c in state.categories.values()))

    def on_call(self, call: Call) -> None:
        tile = self.tiles.get(call.window_no)
        if tile is not None:
            tile.set_fresh(True)
            t = self.fresh.get(call.window_no)
            if t is None:
                t = QTimer(self)
                t.setSingleShot(True)
                t.timeout.connect(lambda wn=call.window_no: self.tiles[wn].set_fresh(False))
                self.fresh[call.window_no] = t
            t.start(int(self.config.display_highlight_s * 1000))
        self.announcer.announce(call_text(call.number, call.window_no, spoken=True))
        if self.ctx.devices.has("led"):
            self.ctx.devices.show_text("led", call_text(call.number, call.window_no), window_no=call.window_no)

    def _show_text(self, text: str, how: str) -> None:
        self.big.setText(text)
        self._big_clear.start(int(self.config.display_highlight_s * 1000))


def create(ctx: ClientContext, config: ClientConfig) -> QWidget:
    return DisplayMode(ctx, config)


class LedBusDriver(QObject):
    """``--no-gui``: follow the hall and light the RS-485 LED bus, nothing else."""

    def __init__(self, store: Any, devices: Devices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.devices = devices
        store.called.connect(self.on_call)

    def on_call(self, call: Call) -> None:
        self.devices.show_text("led", call_text(call.number, call.window_no), window_no=call.window_no)


def run_headless(config: ClientConfig) -> int:
    import signal

    from PySide6.QtCore import QCoreApplication

    from ..bridge import MessageBridge
    from ..connection import Connection
    from ..store import HallStore
    app = QCoreApplication.instance() or QCoreApplication([])
    bridge = MessageBridge()
    bridge.message.connect(lambda level, text: log.warning("%s: %s", level, text))
    api = Connection(config)
    store = HallStore(api, refresh_s=config.snapshot_refresh_s)
    devices = Devices.from_config(config.devices, bridge=bridge)
    if not devices.has("led"):
        raise SystemExit("--no-gui 需要在配置文件 [devices] 中填写 led")
    LedBusDriver(store, devices, app)
    api.start_stream()
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    from PySide6.QtCore import QTimer
    wake = QTimer()  # lets Python run its Ctrl-C handler while Qt's loop is idle
    wake.timeout.connect(lambda: None)
    wake.start(500)
    code = app.exec()
    api.close()
    devices.close()
    return int(code)
