"""Window mode: the clerk's screen.

Sign-in (工号 + password) → the work page: the 挂牌上岗 badge, a large current-ticket
panel, the six queue actions (F1 叫号 … F6 暂停/恢复) enabled only when the ticket's
state machine allows them, live waiting counts for the window's queues, and the area
panels (受理, 收费, 首问/投诉) as tabs (``panels.PANELS``).
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QHBoxLayout,
                               QLabel, QPushButton, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout,
                               QWidget)

from hall_server.contract import LoginOut, TicketOut
from hall_server.domain.queue import STATE_LABELS, Action, TicketState

from .. import operations as ops
from ..config import ClientConfig
from ..keys import QUEUE, WINDOW_KEYS
from ..context import ClientContext
from ..panels import PANELS, PanelContext, load_panel
from ..session import WindowSession
from ..state import HallState
from ..badge_ops import fill_badge
from ..widgets.badge import BadgeCard
from ..widgets.common import Clock, OnlineDot, StatusBanner
from ..widgets.fit import scrollable
from ..widgets.login import LoginForm

log = logging.getLogger(__name__)

PAUSE_REASONS = ("业务咨询", "临时离开", "会议", "午间休息", "系统故障")

# key, button text, what it needs from the state machine (keys.py is the one home of F-keys)
BUTTONS: list[tuple[Qt.Key, str, str]] = [(b.key, b.text, b.action) for b in WINDOW_KEYS if b.panel == QUEUE]


class TransferDialog(QDialog):
    """转移: to another queue, or straight to the front of another window."""

    def __init__(self, state: HallState, own_window: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("转移号票")
        form = QFormLayout(self)
        self.target = QComboBox()
        for c in state.categories.values():
            self.target.addItem(f"队列 {c.prefix} {c.name}", ("category", c.prefix))
        for w in state.windows.values():
            if w.window_no != own_window:
                self.target.addItem(f"{w.window_no} 号窗口 {w.name}", ("window", w.window_no))
        form.addRow("转移到", self.target)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def choice(self) -> tuple[str, Any]:
        return tuple(self.target.currentData())  # type: ignore[return-value]


class PauseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("暂停服务")
        form = QFormLayout(self)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(PAUSE_REASONS)
        form.addRow("暂停原因", self.reason)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)


class WorkPage(QWidget):
    """What the clerk works with once signed in."""

    def __init__(self, ctx: ClientContext, session: WindowSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.session = ctx, session
        # left: what must never scroll away (ticket, the six actions), then the badge;
        # right: the area panels. A splitter lets the clerk trade the two widths.
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        QHBoxLayout(self).addWidget(self.split)
        queue = QWidget()
        queue.setObjectName("queueColumn")
        mid = QVBoxLayout(queue)
        mid.setContentsMargins(0, 0, 6, 0)
        self.current_ticket = QLabel("—")
        self.current_ticket.setObjectName("currentTicket")
        self.current_ticket.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_state = QLabel("请按 F1 叫号")
        self.ticket_state.setObjectName("ticketState")
        self.ticket_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_info = QLabel("")
        self.ticket_info.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_info.setWordWrap(True)
        mid.addWidget(self.current_ticket)
        mid.addWidget(self.ticket_state)
        mid.addWidget(self.ticket_info)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for i, (_key, text, name) in enumerate(BUTTONS):
            b = QPushButton(text)
            b.setMinimumHeight(52)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, n=name: self.trigger(n))
            self.buttons[name] = b
            grid.addWidget(b, i // 2, i % 2)  # two columns: the column stays narrow
        mid.addLayout(grid)
        self.sign_out = QPushButton("签退")
        self.sign_out.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sign_out.clicked.connect(lambda: ops.sign_out(api=ctx.api, session=session, bridge=ctx.bridge))
        mid.addWidget(self.sign_out)
        self.waiting = QLabel("")
        self.waiting.setObjectName("windowWaiting")
        self.waiting.setWordWrap(True)
        mid.addWidget(self.waiting)
        self.badge = BadgeCard()
        mid.addWidget(scrollable(self.badge, horizontal=False, cap=QSize(240, 120)), 1)  # on 768 lines it scrolls
        # wide enough for a four-character number at 96 px with room to spare, and the badge
        queue.setMinimumWidth(max(280, self.badge.minimumSizeHint().width() + 40))
        self.split.addWidget(queue)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("panelTabs")
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 1)
        self._panels: dict[str, QWidget] = {}
        self._dialog: QDialog | None = None

        session.ticket_changed.connect(self.show_ticket)
        session.busy_changed.connect(lambda _: self.refresh_buttons())
        session.paused_changed.connect(lambda _: self.refresh_buttons())
        session.signed_in.connect(self.on_signed_in)
        ctx.store.changed.connect(self.show_waiting)
        self.show_ticket(None)

    # --- reactions ---------------------------------------------------------------------

    def on_signed_in(self, login: LoginOut) -> None:
        fill_badge(api=self.ctx.api, card=self.badge, badge=login.badge)  # photo, stars, 监督电话
        if not self._panels:
            pctx = PanelContext(api=self.ctx.api, store=self.ctx.store, session=self.session,
                                devices=self.ctx.devices, bridge=self.ctx.bridge, staff=login,
                                config=self.ctx.config)
            for title, module in PANELS:
                w = load_panel(pctx, title, module)
                self._panels[title] = w
                self.tabs.addTab(scrollable(w), title)  # a long form scrolls in its tab, the window keeps its size
        self.show_waiting(self.ctx.store.state)
        self.refresh_buttons()

    def panel(self, title: str) -> QWidget:
        return self._panels[title]

    def show_ticket(self, t: TicketOut | None) -> None:
        if t is None:
            self.current_ticket.setText("—")
            self.ticket_state.setText("请按 F1 叫号")
            self.ticket_info.clear()
        else:
            self.current_ticket.setText(t.number)
            self.ticket_state.setText(STATE_LABELS[TicketState(t.state)])
            info = t.category_name or t.category
            if t.citizen_name:
                info += f" · 实名：{t.citizen_name} {t.citizen_id_number or ''}"
            if t.priority:
                info += " · 绿色通道"
            self.ticket_info.setText(info)
        self.refresh_buttons()

    def refresh_buttons(self) -> None:
        allowed = self.session.allowed
        t = self.session.active_ticket
        self.buttons["call"].setEnabled(Action.CALL in allowed)
        self.buttons["recall"].setEnabled(Action.RECALL in allowed)
        self.buttons["skip"].setEnabled(Action.SKIP in allowed)
        self.buttons["transfer"].setEnabled(Action.TRANSFER in allowed)
        sc = self.buttons["start_complete"]
        if t is not None and t.state == TicketState.SERVING:
            sc.setText("F5 办理完成")
            sc.setEnabled(Action.COMPLETE in allowed)
        else:
            sc.setText("F5 开始办理")
            sc.setEnabled(Action.START in allowed)
        pause = self.buttons["pause"]
        pause.setText("F6 恢复服务" if self.session.paused else "F6 暂停")
        pause.setEnabled(self.session.login is not None and not self.session.busy)
        self.sign_out.setEnabled(self.session.login is not None and not self.session.busy and t is None)

    def show_waiting(self, state: HallState) -> None:
        w = state.windows.get(self.session.window_no)
        if w is None:
            return
        parts = []
        for p in w.categories:
            c = state.categories.get(p)
            if c is not None:
                parts.append(f"{c.prefix} {c.name}：等候 {c.waiting} 人")
        self.waiting.setText("　".join(parts) if parts else "")

    # --- actions -----------------------------------------------------------------------

    def trigger(self, name: str) -> None:
        """One entry for buttons and F-keys; a disabled action does nothing."""
        if not self.buttons[name].isEnabled():
            return
        c, s = self.ctx, self.session
        if name == "call":
            ops.call_next(api=c.api, session=s, devices=c.devices, bridge=c.bridge)
        elif name == "recall":
            ops.recall(api=c.api, session=s, devices=c.devices, bridge=c.bridge)
        elif name == "skip":
            ops.skip(api=c.api, session=s, devices=c.devices, bridge=c.bridge)
        elif name == "start_complete":
            ops.start_or_complete(api=c.api, session=s, devices=c.devices, bridge=c.bridge)
        elif name == "transfer":
            dlg = TransferDialog(c.store.state, s.window_no, self)
            dlg.accepted.connect(lambda: self._transfer(dlg))
            self._dialog = dlg
            dlg.open()
        elif name == "pause":
            if s.paused:
                ops.pause_or_resume(api=c.api, session=s, bridge=c.bridge, devices=c.devices)
            else:
                pdlg = PauseDialog(self)
                pdlg.accepted.connect(lambda: ops.pause_or_resume(
                    api=c.api, session=s, bridge=c.bridge, devices=c.devices,
                    reason=pdlg.reason.currentText().strip() or "临时离开"))
                self._dialog = pdlg
                pdlg.open()

    def _transfer(self, dlg: TransferDialog) -> None:
        kind, value = dlg.choice()
        c = self.ctx
        ops.transfer(api=c.api, session=self.session, devices=c.devices, bridge=c.bridge,
                     to_category=value if kind == "category" else None,
                     to_window=value if kind == "window" else None)


class WindowMode(QWidget):
    """Sign-in page, then the work page; F1–F6 work from anywhere in the window."""

    KEYS = {key: name for key, _t, name in BUTTONS}

    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if config.window_no is None:
            raise SystemExit("窗口模式需要在配置文件中填写 window_no")
        self.ctx = ctx
        self.session = WindowSession(config.window_no, self)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.hall_title = QLabel(f"{config.window_no} 号窗口")
        self.hall_title.setStyleSheet("font-size: 22px; font-weight: bold;")
        self.online = OnlineDot()
        self.clock = Clock()
        top.addWidget(self.hall_title, 1)
        top.addWidget(self.online)
        top.addWidget(self.clock)
        lay.addLayout(top)
        self.pages = QStackedWidget()
        self.login = LoginForm(ctx.api, ctx.bridge, title=f"{config.window_no} 号窗口 · 挂牌上岗",
                               window_no=config.window_no,
                               login_fn=lambda s, p: ops.sign_in(api=ctx.api, session=self.session, bridge=ctx.bridge,
                                                                 staff_no=s, password=p, devices=ctx.devices))
        self.work = WorkPage(ctx, self.session)
        self.pages.addWidget(self.login)
        self.pages.addWidget(self.work)
        lay.addWidget(self.pages, 1)
        self.banner = StatusBanner(ctx.bridge)
        lay.addWidget(self.banner)
        self.session.signed_in.connect(lambda _: self.pages.setCurrentWidget(self.work))
        self.session.signed_out.connect(lambda: self.pages.setCurrentWidget(self.login))
        ctx.api.online_changed.connect(self.online.set_online)
        ctx.store.changed.connect(self._title)
        self.setWindowTitle(f"{config.window_no} 号窗口 · 政务大厅窗口客户端")

    # conveniences for tests and other panels
    @property
    def current_ticket(self) -> QLabel:
        return self.work.current_ticket

    @property
    def buttons(self) -> dict[str, QPushButton]:
        return self.work.buttons

    def panel(self, title: str) -> QWidget:
        return self.work.panel(title)

    def _title(self, state: HallState) -> None:
        w = state.windows.get(self.session.window_no)
        name = w.name if w else f"{self.session.window_no} 号窗口"
        self.hall_title.setText(f"{state.hall_name} · {name}")
        self.clock.set_zone(state.timezone)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        name = self.KEYS.get(Qt.Key(event.key()))
        if name is not None and self.session.login is not None and not event.isAutoRepeat():
            self.work.trigger(name)
            event.accept()
            return
        super().keyPressEvent(event)


def create(ctx: ClientContext, config: ClientConfig) -> QWidget:
    return WindowMode(ctx, config)
