"""投诉建议 page of the kiosk: a citizen registers a complaint without queueing for a person.

What happened (typed with the kiosk's on-screen keyboard), optionally which window, and
a phone number for the reply (a large keypad, since most kiosk users type digits more
easily than text) or 匿名. The answer shows the complaint number and the date by which
the supervision office replies. The form is wiped whenever the page is left, so the
next citizen never sees what the previous one wrote.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTextEdit, QVBoxLayout, QWidget)

from hall_server.contract import ComplaintOut

from ..bridge import KnownError

log = logging.getLogger(__name__)


def register_complaint(*, api: Any, body: dict[str, Any], on_ok: Callable[[ComplaintOut], None],
                       on_error: Callable[[KnownError], None]) -> Any:
    return api.post("/complaints", body, model=ComplaintOut, idempotent=True, on_ok=on_ok, on_error=on_error)


class KioskComplaintPage(QWidget):
    registered = Signal(object)  # ComplaintOut

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        root = QVBoxLayout(self)
        title = QLabel("投诉建议")
        title.setObjectName("kioskTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(title)
        hint = QLabel("您的投诉由驻厅监察室受理，并在规定时限内答复您。")
        hint.setObjectName("kioskNotice")
        hint.setWordWrap(True)
        root.addWidget(hint)
        self.content = QTextEdit()
        self.content.setPlaceholderText("请写明遇到的问题（例如：哪个窗口、什么时间、什么事情）")
        root.addWidget(self.content, 2)
        row = QHBoxLayout()
        row.addWidget(QLabel("涉及窗口"))
        self.window = QComboBox()
        self._fill_windows()
        ctx.store.changed.connect(lambda _state: self.window.count() <= 1 and self._fill_windows())
        row.addWidget(self.window, 1)
        self.anonymous = QCheckBox("匿名（不留电话则无法答复您）")
        row.addWidget(self.anonymous)
        root.addLayout(row)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("联系电话（用于答复您）")
        self.phone.setMaxLength(20)
        root.addWidget(self.phone)
        pad = QGridLayout()
        for i, key in enumerate("123456789"):
            pad.addWidget(self._key(key), i // 3, i % 3)
        pad.addWidget(self._key("0"), 3, 1)
        back = QPushButton("删除")
        back.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        back.clicked.connect(self.phone.backspace)
        pad.addWidget(back, 3, 2)
        root.addLayout(pad)
        self.submit_button = QPushButton("提交投诉")
        self.submit_button.setObjectName("kioskSmallButton")
        self.submit_button.clicked.connect(self.submit)
        root.addWidget(self.submit_button)
        self.result = QLabel("")
        self.result.setObjectName("kioskNotice")
        self.result.setWordWrap(True)
        self.result.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.result)

    def _key(self, digit: str) -> QPushButton:
        b = QPushButton(digit)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setMinimumHeight(48)
        b.clicked.connect(lambda: self.phone.insert(digit))
        return b

    def clear(self) -> None:
        self.content.clear()
        self.phone.clear()
        self.anonymous.setChecked(False)
        self.window.setCurrentIndex(0)
        self.result.setText("")
        self.submit_button.setEnabled(True)

    def _fill_windows(self) -> None:
        """The hall's windows as the snapshot has them (the page is built before it arrives)."""
        self.window.clear()
        self.window.addItem("不指定", None)
        for w in sorted(getattr(self.ctx.store.state, "windows", {}).values(), key=lambda w: w.window_no):
            self.window.addItem(f"{w.window_no} 号窗口 {w.name}", w.window_no)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        self._fill_windows()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.clear()  # the next citizen starts from an empty form
        super().hideEvent(event)

    def submit(self) -> None:
        body: dict[str, Any] = {"content": self.content.toPlainText().strip(),
                                "anonymous": self.anonymous.isChecked()}
        if self.phone.text().strip():
            body["complainant_phone"] = self.phone.text().strip()
        if self.window.currentData() is not None:
            body["window_no"] = int(self.window.currentData())
        self.submit_button.setEnabled(False)

        def ok(c: ComplaintOut) -> None:
            tz = ZoneInfo(getattr(self.ctx.store.state, "timezone", "") or "Asia/Shanghai")
            # due_at is the end of the last day (the hall's midnight): name that day
            last_day = (c.due_at.astimezone(tz) - timedelta(seconds=1)) if c.due_at else None
            due = f"，我们将在 {last_day:%m月%d日} 前答复您" if last_day and not c.anonymous else ""
            self.content.clear()
            self.phone.clear()
            self.result.setText(f"投诉已登记，编号 {c.complaint_no}{due}。感谢您的监督！")
            self.registered.emit(c)

        def failed(e: KnownError) -> None:
            self.submit_button.setEnabled(True)
            self.result.setText(e.message)
            self.ctx.bridge.handle(e)
        register_complaint(api=self.ctx.api, body=body, on_ok=ok, on_error=failed)


def create_page(ctx: Any) -> QWidget:
    return KioskComplaintPage(ctx)
