"""Evaluator mode (评价器): a small screen facing the citizen, or the serial evaluator.

Runs with the evaluator's device token (``hall-server add-device --kind evaluator
--window N``), so its ratings are the citizen's, never a clerk's. It follows the hall
stream; when its window logs ``ticket.completed`` it is *armed* for that ticket: the
five levels light up (非常满意 … 非常不满意), with optional reasons to tick first. One
press sends the rating for exactly that ticket and thanks the citizen; a second press
is impossible (the screen disarms, the server refuses a second rating anyway). Nobody
pressing within ``evaluator_timeout_s`` (config, default 120) disarms it quietly.

With a serial evaluator configured (``[devices] evaluator``) the same arming drives the
device through ``printers.evaluator`` (arm with the ticket number, wait for the key in
the device's thread) and the level it reports is sent the same way. The window's clerk
client must then not configure that evaluator itself (one port, one owner).

Nothing here is shown to the clerk: the screen faces the citizen, and the clerk's
window client ignores ``rating.*`` events.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hall_server.contract import EventOut, MeOut, RatingLevel, RatingOut
from hall_server.domain.ratings import LEVEL_LABELS, REASONS, SCORES

from ..bridge import KnownError
from ..config import ClientConfig
from ..context import ClientContext

log = logging.getLogger(__name__)

IDLE_TEXT = "欢迎您办理业务"
PROMPT = "请您对本次服务作出评价"
# reasons shown on the small screen: few and short, bad ones first (they guide the follow-up)
SCREEN_REASONS = ("long_wait", "attitude_bad", "slow", "unclear_guidance", "attitude_good", "fast")
BY_SCORE = {score: level for level, score in SCORES.items()}


# --- user actions (keyword-only, as in operations.py) ---------------------------------

def send_rating(*, api: Any, level: RatingLevel, ticket_id: int | None, reasons: list[str],
                on_ok: Callable[[RatingOut], None], on_error: Callable[[KnownError], None]) -> Any:
    body: dict[str, Any] = {"level": str(level), "reasons": reasons}
    if ticket_id is not None:
        body["ticket_id"] = ticket_id
    return api.post("/ratings", body, model=RatingOut, idempotent=True, on_ok=on_ok, on_error=on_error)


def wait_on_device(dev: Any, *, ticket: str, timeout_s: float) -> int | None:
    """In the evaluator's own thread: arm it for ``ticket`` and wait (bounded) for a key."""
    dev.arm(ticket, timeout=timeout_s, prompt=PROMPT)
    rating = dev.wait_result(timeout_s)
    return int(rating) if rating is not None else None


# --- the screen ----------------------------------------------------------------------

class EvaluatorScreen(QWidget):
    armed = Signal(object)  # {"ticket": "A001", "ticket_id": 1}
    rated = Signal(object)  # RatingOut
    disarmed = Signal(str)  # why: "rated" | "timeout" | "error"

    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluatorScreen")
        self.ctx, self.config = ctx, config
        self.window_no: int | None = config.window_no
        self.ticket: str | None = None
        self.ticket_id: int | None = None
        self._sending = False
        root = QVBoxLayout(self)
        self.prompt = QLabel(IDLE_TEXT)
        self.prompt.setObjectName("evaluatorPrompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)
        root.addWidget(self.prompt)
        self.detail = QLabel("")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.detail)
        reasons = QHBoxLayout()
        self.reason_buttons: dict[str, QPushButton] = {}
        for code in SCREEN_REASONS:
            b = QPushButton(REASONS[code])
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.reason_buttons[code] = b
            reasons.addWidget(b)
        root.addLayout(reasons)
        grid = QGridLayout()
        self.level_buttons: dict[RatingLevel, QPushButton] = {}
        for i, level in enumerate(LEVEL_LABELS):
            b = QPushButton(LEVEL_LABELS[level])
            b.setObjectName("evaluatorLevel")
            b.setProperty("bad", SCORES[level] <= 2)
            b.setMinimumHeight(72)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, lv=level: self.choose(lv))
            self.level_buttons[level] = b
            grid.addWidget(b, 0, i)
        root.addLayout(grid)
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(lambda: self.disarm("timeout"))
        self.timeout_s = float(config.extra.get("evaluator_timeout_s", 120))
        self._show_armed(False)
        ctx.store.event_received.connect(self.on_event)
        if self.window_no is None:  # the device token knows its window
            ctx.api.get("/auth/me", model=MeOut, on_ok=self._me, on_error=ctx.bridge.handle)

    def _me(self, me: MeOut) -> None:
        self.window_no = me.window_no
        if me.window_no is None:
            self.ctx.bridge.handle(KnownError("该评价器未绑定窗口，请联系管理员配置。", code="evaluator_unbound"))

    @property
    def is_armed(self) -> bool:
        return self.ticket is not None

    def _show_armed(self, on: bool) -> None:
        for b in (*self.level_buttons.values(), *self.reason_buttons.values()):
            b.setEnabled(on)
            if not on:
                b.setChecked(False)

    # --- arming ---------------------------------------------------------------------------

    def on_event(self, ev: EventOut) -> None:
        if ev.type == "ticket.completed" and self.window_no is not None and ev.window_no == self.window_no:
            tid = ev.data.get("ticket_id")
            self.arm(str(ev.data.get("ticket", "")), int(tid) if isinstance(tid, int) else None)

    def arm(self, ticket: str, ticket_id: int | None) -> None:
        self.ticket, self.ticket_id = ticket, ticket_id
        self.prompt.setText(PROMPT)
        self.detail.setText(f"{ticket} 号 · {self.window_no} 号窗口")
        self._show_armed(True)
        self._timeout.start(int(self.timeout_s * 1000))
        self.armed.emit({"ticket": ticket, "ticket_id": ticket_id})
        devices = self.ctx.devices
        if devices.has("evaluator"):
            devices.run("evaluator", lambda d: wait_on_device(d, ticket=ticket, timeout_s=self.timeout_s),
                        on_ok=lambda score, t=ticket: self._device_result(t, score),
                        on_error=self.ctx.bridge.handle)

    def _device_result(self, ticket: str, score: int | None) -> None:
        if score is None or ticket != self.ticket:
            return  # nobody pressed, or a later service already re-armed the screen
        self.choose(BY_SCORE[score])

    def disarm(self, why: str) -> None:
        self._timeout.stop()
        self.ticket = self.ticket_id = None
        self._show_armed(False)
        if why != "rated":
            self.prompt.setText(IDLE_TEXT)
            self.detail.setText("")
        self.disarmed.emit(why)

    # --- rating ---------------------------------------------------------------------------

    def selected_reasons(self) -> list[str]:
        return [code for code, b in self.reason_buttons.items() if b.isChecked()]

    def choose(self, level: RatingLevel) -> None:
        if not self.is_armed or self._sending:
            return
        self._sending = True
        reasons = self.selected_reasons()
        self._show_armed(False)  # one press, one rating

        def ok(r: RatingOut) -> None:
            self._sending = False
            self.prompt.setText(r.message)
            self.detail.setText("")
            self.rated.emit(r)
            self.disarm("rated")

        def failed(e: KnownError) -> None:
            self._sending = False
            self.ctx.bridge.handle(e)
            self.disarm("error")
            self.prompt.setText(e.message)
        send_rating(api=self.ctx.api, level=level, ticket_id=self.ticket_id, reasons=reasons,
                    on_ok=ok, on_error=failed)


def create(ctx: ClientContext, config: ClientConfig) -> QWidget:
    return EvaluatorScreen(ctx, config)
