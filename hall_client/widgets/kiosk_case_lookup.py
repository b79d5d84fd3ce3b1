"""Kiosk page 办件查询: the citizen types the case number and query code from the notice,
on the on-screen keyboard, or scans the notice's QR code (the kiosk's scanner types the URL
as a burst of keystrokes, which ``kiosk_scan.ScanFilter`` hands over whole: ``open_case``), and
sees where the case stands: state, due date, days left, what is still to bring, and the
steps so far. Only applicant-safe fields, masked, come from the server's public lookup.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from hall_server.contract import CasePublicOut

from ..bridge import KnownError
from .kiosk_keyboard import OnScreenKeyboard
from .kiosk_style import set_lines

log = logging.getLogger(__name__)

_QR_PATH = re.compile(r"/(?:cases|m/c)/([A-Za-z]{1,4}\d{8}-\d{4,6})(?:/public)?(?:[?#]|$)")  # phone page or API
_CASE_NO = re.compile(r"^[A-Z]{1,4}\d{8}-\d{4,6}$")


def parse_scan(text: str) -> tuple[str, str] | None:
    """(case_no, code) from a scanned notice URL, or None when it is not one."""
    t = text.strip()
    m = _QR_PATH.search(t)
    if not m:
        return None
    code = parse_qs(urlparse(t).query).get("code", [""])[0]
    return m.group(1).upper(), code.upper()


def lookup_case(*, api: Any, case_no: str, code: str, on_ok: Any, on_error: Any) -> Any:
    from urllib.parse import quote
    return api.get(f"/cases/{quote(case_no)}/public?code={quote(code)}", model=CasePublicOut, on_ok=on_ok,
                   on_error=on_error)


class CaseLookupPage(QWidget):
    shown = Signal(object)  # CasePublicOut
    not_found = Signal(str)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        root = QHBoxLayout(self)
        lay = QVBoxLayout()
        root.addLayout(lay, 1)
        title = QLabel("办件进度查询")
        title.setObjectName("kioskTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(title)
        hint = QLabel()
        set_lines(hint, "请输入通知书上的办件编号和查询码，或将通知书上的二维码对准扫码口。")
        hint.setObjectName("kioskHint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        form = QFormLayout()
        self.case_no = QLineEdit()
        self.case_no.setPlaceholderText("如 SG20261124-0001")
        self.case_no.setMaxLength(200)  # a scanned URL passes through here whole
        self.case_no.textChanged.connect(self._maybe_scan)
        self.case_no.returnPressed.connect(self.lookup)
        self.code = QLineEdit()
        self.code.setPlaceholderText("通知书上的查询码")
        self.code.setMaxLength(20)
        self.code.returnPressed.connect(self.lookup)
        form.addRow("办件编号", self.case_no)
        form.addRow("查询码", self.code)
        lay.addLayout(form)
        self.button = QPushButton("查询")
        self.button.setObjectName("kioskSmallButton")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.lookup)
        lay.addWidget(self.button)
        self.result = QLabel("")
        self.result.setObjectName("caseLookupResult")
        self.result.setWordWrap(True)
        self.result.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.result, 1)
        self.keyboard = OnScreenKeyboard("alnum")
        self.keyboard.bind(self.case_no, "alnum")
        self.keyboard.bind(self.code, "alnum")
        self.keyboard.entered.connect(self._enter)
        root.addWidget(self.keyboard, 1)

    def _enter(self) -> None:
        """确定 on the case number moves on to the code; on the code it looks up."""
        if self.keyboard.target is self.case_no and not self.code.text():
            self.code.setFocus()
            self.keyboard.set_target(self.code)
        else:
            self.lookup()

    def clear(self) -> None:
        self.case_no.clear()
        self.code.clear()
        self.result.setText("")
        self.keyboard.set_target(self.case_no)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.clear()  # the next citizen never sees the previous one's case
        super().hideEvent(event)

    def open_case(self, case_no: str, code: str) -> None:
        """A scanned notice: both fields at once, then the lookup (public: the kiosk's scanner)."""
        self.case_no.blockSignals(True)
        self.case_no.setText(case_no)
        self.case_no.blockSignals(False)
        self.code.setText(code)
        self.lookup()

    def _tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.ctx.store.state.timezone or "Asia/Shanghai")
        except Exception:  # noqa: BLE001 - unknown zone name: the hall default
            return ZoneInfo("Asia/Shanghai")

    def _maybe_scan(self, text: str) -> None:
        scanned = parse_scan(text)
        if scanned is not None:
            self.open_case(*scanned)

    def lookup(self) -> None:
        no = self.case_no.text().strip().upper()
        code = self.code.text().strip().upper()
        if not _CASE_NO.match(no) or len(code) < 4:
            self._fail("请完整输入办件编号和查询码（见通知书右下方）。")
            return
        set_lines(self.result, "正在查询…")
        lookup_case(api=self.ctx.api, case_no=no, code=code, on_ok=self.show_case, on_error=self._error)

    def _error(self, e: KnownError) -> None:
        self._fail(e.message)

    def _fail(self, text: str) -> None:
        set_lines(self.result, text)
        self.not_found.emit(text)

    def _at(self, at: datetime) -> str:
        return at.astimezone(self._tz()).strftime("%Y-%m-%d %H:%M")

    def show_case(self, c: CasePublicOut) -> None:
        lines = [f"<b>{c.case_no}</b>　{c.matter_name}", f"申请人：{c.applicant_name}　受理部门：{c.department}",
                 f"当前状态：<b>{c.state_label}</b>"]
        if c.due_date is not None:
            lines.append(f"承诺办结日期：{c.due_date:%Y-%m-%d}　{c.clock_text}")
        elif c.clock_text:
            lines.append(c.clock_text)
        if c.to_correct:
            lines.append("请补正以下材料：" + "、".join(c.to_correct))
        if c.progress:
            lines.append("办理过程：" + "；".join(f"{self._at(s.at)} {s.label}" for s in c.progress))
        lines.append(f"咨询电话：{c.enquiry_phone}　投诉电话：{c.complaint_phone}")
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setText("<div style='line-height:140%'>" + "<br/>".join(lines) + "</div>")
        self.shown.emit(c)


def create_page(ctx: Any) -> QWidget:
    return CaseLookupPage(ctx)
