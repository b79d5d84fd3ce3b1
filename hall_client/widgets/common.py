"""Small shared widgets: the message banner, the online dot and the hall clock."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QTableWidget, QWidget

from ..bridge import MessageBridge


def restyle(w: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    w.style().unpolish(w)
    w.style().polish(w)


class StatusBanner(QLabel):
    """Shows the bridge's last message; info fades after a while, errors stay until replaced."""

    def __init__(self, bridge: MessageBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBanner")
        self.setWordWrap(True)
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.timeout.connect(lambda: self.show_message("info", ""))
        bridge.message.connect(self.show_message)
        self.hide()

    def show_message(self, level: str, text: str) -> None:
        self.setProperty("level", level)
        self.setText(text)
        self.setVisible(bool(text))
        restyle(self)
        if text and level == "info":
            self._clear.start(8000)


class OnlineDot(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onlineDot")
        self.set_online(False)

    def set_online(self, online: bool) -> None:
        self.setProperty("online", "true" if online else "false")
        self.setText("● 在线" if online else "● 离线，正在重连…")
        restyle(self)


class Clock(QLabel):
    """The hall's local time (times are UTC inside, shown in the hall's zone)."""

    def __init__(self, tz: str = "Asia/Shanghai", *, fmt: str = "%Y-%m-%d %H:%M:%S",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = ZoneInfo(tz)
        self.fmt = fmt
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(1000)
        self.tick()

    def set_zone(self, tz: str) -> None:
        self.tz = ZoneInfo(tz)
        self.tick()

    def tick(self) -> None:
        now = datetime.now(timezone.utc).astimezone(self.tz)
        week = "一二三四五六日"[now.weekday()]
        self.setText(now.strftime(self.fmt) + f" 星期{week}")


def read_only_table(columns: tuple[str, ...] | list[str]) -> QTableWidget:
    """A list people pick one row from and never edit: the work lists' shape, in one place."""
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels(list(columns))
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    return t

