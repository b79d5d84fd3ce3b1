"""Display mode: the hall board on a TV, and the voice of the hall.

The board itself is ``widgets.hall_board.BoardView`` (layout only); this module feeds it:
the snapshot and each live call (the newest highlighted for ``highlight_s``), spoken
「请 A001 号到 3 号窗口办理」 by ``voice.Announcer`` (a Chinese TTS voice, else the offline
clips, else a chime), and, when the hall is quiet, the rolling 八公开 disclosure (matters,
limits, fees, 监督电话) and the staff on duty with their photos. What the voice could do is
technical: it goes to the log and the device health page, never on the public screen.
With an RS-485 LED bus configured (``[devices] led``) it also lights the hall LED;
``--no-gui`` does only that, without a screen.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .. import disclosure
from ..config import ClientConfig
from ..context import ClientContext
from ..devices import Devices
from ..state import Call, HallState, call_text
from ..voice import Announcer
from ..widgets.hall_board import STAFF_PER_PAGE, BoardView

log = logging.getLogger(__name__)

ROLL_MATTERS = 30  # matters in the quiet-time roll (a page each)

class DisplayMode(QWidget):
    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.config = ctx, config
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.board = BoardView(config.hall_name or "政务服务中心")
        lay.addWidget(self.board)
        self.title, self.big, self.big_number = self.board.title, self.board.banner.where, self.board.banner.number
        self.recent, self.waiting, self.tiles = self.board.banner.recent, self.board.waiting, self.board.cells
        self.fresh: dict[int, QTimer] = {}
        self.roll: list[tuple[str, str]] = []
        self._roll_at = 0
        self._quiet = QTimer(self)  # after a call's highlight, the roll may come back
        self._quiet.setSingleShot(True)
        self._roll_timer = QTimer(self)
        self._roll_timer.setInterval(max(50, int(config.display_roll_s * 1000)))
        self._roll_timer.timeout.connect(self.next_roll)
        self._photos_asked: set[str] = set()
        self._voice_beat = QTimer(self)
        self._voice_beat.timeout.connect(self._report_voice)
        self._voice_name = ""
        self._loaded = False
        self.announcer = Announcer(speech=config.speech, parent=self)  # voice chosen once, logged
        self.announcer.announced.connect(self._announced)
        ctx.store.changed.connect(self.show_state)
        ctx.store.called.connect(self.on_call)
        ctx.api.online_changed.connect(self._online)
        self.setWindowTitle("大厅综合屏")
        if ctx.api.online:
            self._online(True)

    # --- the hall ---------------------------------------------------------------------------

    def show_state(self, state: HallState) -> None:
        self.board.show_state(state, title=self.config.hall_name)

    def on_call(self, call: Call) -> None:
        self.board.show_call(call)
        t = self.fresh.get(call.window_no)
        if t is None:
            t = QTimer(self)
            t.setSingleShot(True)
            t.timeout.connect(lambda wn=call.window_no: self.board.fade(wn))
            self.fresh[call.window_no] = t
        t.start(int(self.config.display_highlight_s * 1000))
        self._quiet.start(int(self.config.display_highlight_s * 1000))
        self.announcer.announce(call_text(call.number, call.window_no, spoken=True), number=call.number,
                                window_no=call.window_no)
        if self.ctx.devices.has("led"):
            self.ctx.devices.show_text("led", call_text(call.number, call.window_no), window_no=call.window_no)

    def _announced(self, text: str, how: str) -> None:
        log.info("call announced (%s): %s", how, text)

    # --- quiet time: the 八公开 roll ---------------------------------------------------------

    def quiet(self) -> bool:
        return not self._quiet.isActive()

    def next_roll(self) -> None:
        """Show the next disclosure page (public slot: the roll timer and tests)."""
        if not self.quiet():
            return
        pages = len(self.roll) + (1 if self._on_duty() else 0)
        if not pages:
            return
        i = self._roll_at % pages
        self._roll_at += 1
        if i < len(self.roll):
            self.board.show_roll(*self.roll[i])
        else:
            staff = self._on_duty()[:STAFF_PER_PAGE]
            for _no, badge in staff:  # photos are asked for when first shown (then kept)
                if badge.staff_no not in self._photos_asked:
                    self._ask_photo(badge.staff_no)
            self.board.show_staff(staff)

    def show_roll_page(self, index: int) -> None:
        """Show roll page ``index`` now, even right after a call (the demo's screenshots)."""
        self._quiet.stop()
        self._roll_at = index
        self.next_roll()

    def _on_duty(self) -> list[tuple[int, Any]]:
        st = self.ctx.store.state
        return [(w.window_no, w.badge) for w in sorted(st.windows.values(), key=lambda w: w.window_no)
                if w.badge is not None]

    def _online(self, online: bool) -> None:
        if not online or self._loaded:
            return
        self._loaded = True
        # the disclosure is for quiet times: read it one roll period after start, not in the
        # start-up rush (snapshot, stream, first calls)
        QTimer.singleShot(max(50, int(self.config.display_roll_s * 1000)), self._load_roll)
        if self.config.health_interval_s > 0:  # beats with the device heartbeat, the first one after it
            self._voice_beat.start(max(50, int(self.config.health_interval_s * 1000)))

    def _load_roll(self) -> None:
        data: dict[str, Any] = {}

        def got(key: str, value: Any) -> None:
            data[key] = value
            if {"matters", "fees", "profile"} <= set(data):
                self._build_roll(data)
        def details(briefs: list[dict[str, Any]]) -> None:
            """Each matter in full (fee note, phones), for the first ``ROLL_MATTERS``."""
            wanted = [str(m.get("code", "")) for m in briefs[:ROLL_MATTERS]]
            full: dict[str, dict[str, Any]] = {}

            def one(code: str, m: dict[str, Any] | None) -> None:
                full[code] = m or {}
                if len(full) == len(wanted):
                    got("matters", [full[c] for c in wanted if full[c]])
            for code in wanted:
                self.ctx.api.get(f"/matters/{code}", on_ok=lambda m, c=code: one(c, m),
                                 on_error=lambda e, c=code: one(c, None))
            if not wanted:
                got("matters", [])
        self.ctx.api.get("/matters?limit=200", on_ok=details, on_error=lambda e: got("matters", []))
        self.ctx.api.get("/fees/items", on_ok=lambda v: got("fees", v), on_error=lambda e: got("fees", []))
        self.ctx.api.get(disclosure.PROFILE_PATH, on_ok=lambda v: got("profile", v),
                         on_error=lambda e: got("profile", None))

    def _build_roll(self, data: dict[str, Any]) -> None:
        fees: dict[str, list[dict[str, Any]]] = {}
        for f in data["fees"] or []:
            fees.setdefault(str(f.get("matter_code", "")), []).append(f)
        profile = data["profile"] if isinstance(data["profile"], dict) else None
        self.roll = disclosure.roll_items(list(data["matters"] or []), fees, profile)
        self._roll_timer.start()
        self.next_roll()
        log.info("board roll: %d disclosure pages", len(self.roll))

    def _ask_photo(self, staff_no: str) -> None:
        self._photos_asked.add(staff_no)
        self.ctx.api.get(f"/staff/{staff_no}/photo", model=bytes,
                         on_ok=lambda data, no=staff_no: self._got_photo(no, data),
                         on_error=lambda e, no=staff_no: log.debug("no photo of %s (%s): placeholder", no, e.message))

    def _got_photo(self, staff_no: str, data: bytes) -> None:
        if self.board.set_photo(staff_no, data) and self.board.banner.currentWidget() is self.board.banner.staff_page:
            self.board.show_staff(self._on_duty()[:STAFF_PER_PAGE])  # the photo replaces the placeholder

    def _report_voice(self) -> None:
        """The voice's state is for the device health page, not for the public."""
        plan = self.announcer.plan
        status = "ok" if plan.how in ("speech", "clips") else "warning"

        def post(me: Any) -> None:
            if not self._voice_name:
                self._voice_name = str((me or {}).get("device_name") or self.config.health_name or "display")
            self.ctx.api.request("POST", "/devices/health", json_body={"devices": [
                {"name": f"{self._voice_name}/voice"[:80], "kind": "display", "status": status,
                 "detail": plan.status_text[:200]}]},
                on_error=lambda e: log.info("voice health not reported: %s", e.message))
        if self._voice_name:
            post(None)
        else:
            self.ctx.api.get("/auth/me", on_ok=post, on_error=lambda e: post(None))


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
