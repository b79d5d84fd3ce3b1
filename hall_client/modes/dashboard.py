"""Dashboard mode (大厅管理员): the live hall on one screen.

After sign-in it loads ``GET /dashboard`` once, then follows the event stream through
the store and applies each event to the pure ``dashboard_state.Dash``: no polling. A
gap or reconnect makes the store resync; the dashboard then reloads its snapshot too.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hall_server.contract import DashboardOut, EventOut, LoginOut
from hall_server.contract import show
from hall_server.contract.events import device_text

from ..bridge import KnownError
from ..config import ClientConfig
from ..context import ClientContext
from ..widgets.common import OnlineDot, StatusBanner
from ..widgets.dashboard_charts import BarChart
from ..widgets.dashboard_state import DEVICE_STATE_TEXT, WINDOW_STATE_TEXT, Dash, apply
from ..widgets.login import LoginForm

log = logging.getLogger(__name__)
REFETCH_ON = frozenset({"case.concluded"})
SEVERITY = {"error": 0, "offline": 1, "warning": 2, "unknown": 3, "ok": 4}


def _min(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} 分"


def _rate(v: float | None) -> str:
    return show.percent(v)


def _yuan(fen: int) -> str:
    return show.yuan(fen)


def _item(text: object) -> QTableWidgetItem:
    return QTableWidgetItem("" if text is None else str(text))


class DashboardMode(QWidget):
    """``updated(Dash)`` fires after the snapshot and after each applied event."""

    updated = Signal(object)

    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.config = ctx, config
        self.dash: Dash | None = None
        self._pending: list[EventOut] = []
        self._loading = False
        self.stack = QStackedWidget()
        self.login = LoginForm(ctx.api, ctx.bridge, title="大厅管理 · 登录")
        self.login.signed_in.connect(self._signed_in)
        self.stack.addWidget(self.login)
        self.board = self._build_board()
        self.stack.addWidget(self.board)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        ctx.store.event_received.connect(self._on_event)
        ctx.store.resynced.connect(lambda _seq: self.reload())
        # 一次性办结率 needs the case's correction count, which case.concluded does not
        # carry: such an event asks for a fresh snapshot (debounced), never a timer poll
        self._refetch = QTimer(self)
        self._refetch.setSingleShot(True)
        self._refetch.setInterval(500)
        self._refetch.timeout.connect(self.reload)
        # the longest wait grows between events: re-draw the queues every second from the
        # server's time of the last update plus the time elapsed here (no request)
        self._anchor = time.monotonic()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._render_queues)

    # --- layout ----------------------------------------------------------------------
    def _build_board(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        top = QHBoxLayout()
        self.title = QLabel(self.config.hall_name or "大厅运行监控")
        self.title.setStyleSheet("font-size: 22px; font-weight: bold;")
        self.online = OnlineDot()
        self.ctx.api.online_changed.connect(self.online.set_online)
        top.addWidget(self.title, 1)
        top.addWidget(self.online)
        lay.addLayout(top)
        lay.addWidget(StatusBanner(self.ctx.bridge))
        figs = QGroupBox("今日")
        grid = QGridLayout(figs)
        self.fig: dict[str, QLabel] = {}
        names = [("tickets", "取号"), ("served", "办结"), ("cases_accepted", "受理办件"),
                 ("cases_concluded", "办结办件"), ("once_rate", "一次性办结率"), ("fees", "收费"),
                 ("satisfaction", "满意率"), ("complaints", "投诉")]
        for i, (key, label) in enumerate(names):
            v = QLabel("—")
            v.setObjectName(f"fig_{key}")
            v.setStyleSheet("font-size: 20px; font-weight: bold;")
            grid.addWidget(QLabel(label), 0, i)
            grid.addWidget(v, 1, i)
            self.fig[key] = v
        lay.addWidget(figs)
        mid = QHBoxLayout()
        self.queues = QTableWidget(0, 5)
        self.queues.setHorizontalHeaderLabels(["类别", "等候", "最长等候", "平均等候", "平均办理"])
        self.windows = QTableWidget(0, 4)
        self.windows.setHorizontalHeaderLabels(["窗口", "状态", "人员", "当前/今日办结"])
        mid.addWidget(self.queues, 1)
        mid.addWidget(self.windows, 1)
        lay.addLayout(mid, 2)
        charts = QHBoxLayout()
        self.by_hour = BarChart("今日分时段取号")
        self.by_window = BarChart("各窗口办结")
        self.trend = BarChart("近 30 天取号")
        for ch in (self.by_hour, self.by_window, self.trend):
            charts.addWidget(ch, 1)
        lay.addLayout(charts, 1)
        self.devices = QTableWidget(0, 4)
        self.devices.setHorizontalHeaderLabels(["设备", "窗口", "状态", "说明"])
        for t in (self.queues, self.windows, self.devices):
            t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            t.verticalHeader().setVisible(False)
            t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        lay.addWidget(self.devices, 1)
        return w

    # --- data ------------------------------------------------------------------------
    def _signed_in(self, login: LoginOut) -> None:
        self.stack.setCurrentWidget(self.board)
        self._tick.start()
        # the snapshot must not be older than the stream's start: load it once the store
        # has its own snapshot (``resynced``), so no event falls between the two
        if self.ctx.store.loaded:
            self.reload()
        self.ctx.api.start_stream()

    def reload(self) -> None:
        if self.stack.currentWidget() is not self.board or self._loading:
            return
        self._loading = True
        self.ctx.api.get("/dashboard", model=DashboardOut, on_ok=self._loaded, on_error=self._failed)

    def _failed(self, e: KnownError) -> None:
        self._loading = False
        self.ctx.bridge.handle(e)

    def _loaded(self, snap: DashboardOut) -> None:
        self._loading = False
        dash = Dash.from_snapshot(snap)
        for ev in self._pending:  # events that arrived while the snapshot was on its way
            dash = apply(dash, ev)
        self._pending.clear()
        self.dash = dash
        self.render()

    def _on_event(self, ev: EventOut) -> None:
        if self.dash is None or self._loading:
            self._pending.append(ev)
            return
        new = apply(self.dash, ev)
        if ev.type in REFETCH_ON:
            self._refetch.start()
        if new is not self.dash:
            self.dash = new
            self.render()

    def _render_queues(self) -> None:
        d = self.dash
        if d is None:
            return
        now = d.now + timedelta(seconds=time.monotonic() - self._anchor)
        self.queues.setRowCount(len(d.cats))
        for r, k in enumerate(d.cats):
            for col, val in enumerate((f"{k.prefix} {k.name}", k.waiting, _min(k.longest_wait_s(now)),
                                       _min(k.avg_wait_s), _min(k.avg_service_s))):
                self.queues.setItem(r, col, _item(val))

    def render(self) -> None:
        d = self.dash
        if d is None:
            return
        t = d.today
        self.fig["tickets"].setText(str(t.tickets))
        self.fig["served"].setText(str(t.served))
        self.fig["cases_accepted"].setText(str(t.cases_accepted))
        self.fig["cases_concluded"].setText(str(t.cases_concluded))
        self.fig["once_rate"].setText(_rate(t.once_rate))
        self.fig["fees"].setText(_yuan(t.fees_fen))
        self.fig["satisfaction"].setText(_rate(t.satisfaction_rate))
        self.fig["complaints"].setText(str(t.complaints))
        self._anchor = time.monotonic()
        self._render_queues()
        self.windows.setRowCount(len(d.windows))
        for r, w in enumerate(d.windows):
            state = WINDOW_STATE_TEXT.get(w.state, w.state) + (f"（{w.pause_reason}）" if w.pause_reason else "")
            for col, val in enumerate((w.name, state, w.staff_name or "", f"{w.current or '—'} / {w.served_today}")):
                self.windows.setItem(r, col, _item(val))
        hours = sorted(d.by_hour)
        self.by_hour.set_data(hours, [d.by_hour[h] for h in hours])
        wins = sorted(d.served_by_window)
        self.by_window.set_data([str(w) for w in wins], [d.served_by_window[w] for w in wins])
        self.trend.set_data([day[5:] for day, _ in d.trend], [n for _, n in d.trend])
        devs = sorted(d.devices, key=lambda x: (SEVERITY.get(d.device_status(x), 9), x.name))  # trouble first
        self.devices.setRowCount(len(devs))
        for r, dev in enumerate(devs):
            st = d.device_status(dev)
            for col, val in enumerate((device_text(dev.name, getattr(dev, "kind", None)), show.window(dev.window_no),
                                       DEVICE_STATE_TEXT.get(st, st), dev.detail)):
                self.devices.setItem(r, col, _item(val))
        self.updated.emit(d)


def create(ctx: ClientContext, config: ClientConfig) -> QWidget:
    return DashboardMode(ctx, config)
