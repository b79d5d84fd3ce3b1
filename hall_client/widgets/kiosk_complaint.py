"""投诉建议 page of the kiosk: a citizen registers a complaint without queueing for a person.

Nothing is typed in Chinese here: the citizen touches one or more common complaint kinds
(``KINDS``), optionally the window number, and a call-back number on the large digit
keyboard, or 匿名. The supervision office calls back and hears the details in the
citizen's own words, which an older citizen gives far more easily on the phone than on a
pinyin keyboard (docs/client.md, "Kiosk input"). The answer shows the complaint number and
the date by which the office replies. The form is wiped whenever the page is left, so the
next citizen never sees what the previous one chose.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (QFormLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from hall_server.contract import ComplaintOut

from ..bridge import KnownError
from .kiosk_keyboard import OnScreenKeyboard
from .kiosk_style import set_lines

log = logging.getLogger(__name__)

# what citizens complain of most in a service hall (the office's own categories), as touched
KINDS = ("服务态度不好", "等候时间太长", "窗口无人或离岗", "材料反复要求、多次跑腿",
         "收费不合理", "超过时限未办结", "索要好处、吃拿卡要", "其他问题（请回电说明）")
CHECK, UNCHECK = "✔ ", "☐ "  # the chosen state is said by a mark, not only by colour


def register_complaint(*, api: Any, body: dict[str, Any], on_ok: Callable[[ComplaintOut], None],
                       on_error: Callable[[KnownError], None]) -> Any:
    return api.post("/complaints", body, model=ComplaintOut, idempotent=True, on_ok=on_ok, on_error=on_error)


def complaint_text(kinds: list[str], window_no: int | None) -> str:
    """The complaint's content from what was touched (the office hears the rest by phone)."""
    where = f"（涉及 {window_no} 号窗口）" if window_no else ""
    return "取号机登记：" + "、".join(kinds) + where


class Toggle(QPushButton):
    """A checkable chip whose text carries a ✔ when chosen."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(UNCHECK + label, parent)
        self.label = label
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.toggled.connect(lambda on: self.setText((CHECK if on else UNCHECK) + self.label))


class KioskComplaintPage(QWidget):
    registered = Signal(object)  # ComplaintOut

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        root.addLayout(left, 3)
        title = QLabel("投诉建议")
        title.setObjectName("kioskTitle")
        left.addWidget(title)
        hint = QLabel()
        set_lines(hint, "请点选您遇到的问题（可多选），留下电话，驻厅监察室会回电听您详细说明。")
        hint.setObjectName("kioskHint")
        hint.setWordWrap(True)
        left.addWidget(hint)
        grid = QGridLayout()
        self.kinds = [Toggle(k) for k in KINDS]
        for i, t in enumerate(self.kinds):
            grid.addWidget(t, i // 2, i % 2)
        left.addLayout(grid)
        form = QFormLayout()
        self.window = QLineEdit()
        self.window.setPlaceholderText("不清楚可不填")
        self.window.setMaxLength(4)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("用于答复您")
        self.phone.setMaxLength(20)
        form.addRow("回电号码", self.phone)
        form.addRow("涉及窗口号", self.window)
        left.addLayout(form)
        row = QHBoxLayout()
        self.anonymous = Toggle("匿名\n（不留电话无法答复）")  # two lines: fits a 1366-wide kiosk
        row.addWidget(self.anonymous, 1)
        self.submit_button = QPushButton("提交投诉")
        self.submit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.submit_button, 1)
        left.addLayout(row)
        self.result = QLabel("")
        self.result.setObjectName("kioskNotice")
        self.result.setWordWrap(True)
        left.addWidget(self.result, 1)
        self.keyboard = OnScreenKeyboard("digits")
        self.keyboard.bind(self.phone, "digits")
        self.keyboard.bind(self.window, "digits")
        self.keyboard.entered.connect(self.submit)
        root.addWidget(self.keyboard, 2)

    def chosen(self) -> list[str]:
        return [t.label for t in self.kinds if t.isChecked()]

    def clear(self) -> None:
        for t in [*self.kinds, self.anonymous]:
            t.setChecked(False)
        self.phone.clear()
        self.window.clear()
        self.result.setText("")
        self.submit_button.setEnabled(True)
        self.keyboard.set_target(self.phone)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        self.keyboard.set_target(self.phone)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.clear()  # the next citizen starts from an empty form
        super().hideEvent(event)

    def submit(self) -> None:
        kinds = self.chosen()
        if not kinds:
            set_lines(self.result, "请先点选您遇到的问题。")
            return
        window_no = int(self.window.text()) if self.window.text().isdigit() and int(self.window.text()) > 0 else None
        body: dict[str, Any] = {"content": complaint_text(kinds, window_no), "anonymous": self.anonymous.isChecked()}
        if self.phone.text().strip():
            body["complainant_phone"] = self.phone.text().strip()
        if window_no is not None:
            body["window_no"] = window_no
        self.submit_button.setEnabled(False)

        def ok(c: ComplaintOut) -> None:
            tz = ZoneInfo(getattr(self.ctx.store.state, "timezone", "") or "Asia/Shanghai")
            # due_at is the end of the last day (the hall's midnight): name that day
            last_day = (c.due_at.astimezone(tz) - timedelta(seconds=1)) if c.due_at else None
            due = f"，我们将在 {last_day:%m月%d日} 前答复您" if last_day and not c.anonymous else ""
            for t in self.kinds:
                t.setChecked(False)
            self.phone.clear()
            self.window.clear()
            set_lines(self.result, f"投诉已登记，编号 {c.complaint_no}{due}。感谢您的监督！")
            self.registered.emit(c)

        def failed(e: KnownError) -> None:
            self.submit_button.setEnabled(True)
            set_lines(self.result, e.message)
            self.ctx.bridge.handle(e)
        register_complaint(api=self.ctx.api, body=body, on_ok=ok, on_error=failed)


def create_page(ctx: Any) -> QWidget:
    return KioskComplaintPage(ctx)
