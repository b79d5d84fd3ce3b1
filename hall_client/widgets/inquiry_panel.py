"""首问/投诉 panel of the window client: log a first inquiry in a few keystrokes, see the
referrals addressed to me live and close them, follow what I answer for, register a
complaint.

Keyboard-first: the question field has the focus; type the question, Tab to the answer
(or to "转办给" with a 工号 such as ``1005`` or a department code such as ``BDC``) and
press Enter. Referrals appear as soon as the server logs them (``inquiry.*`` events on
the stream), with overdue ones marked. This panel never shows a rating and offers
nothing about ratings: it ignores ``rating.*`` events on purpose (好差评 is between the
citizen and the evaluator; a clerk never sees an individual score).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from hall_server.contract import ComplaintOut, EventOut, InquiryList, InquiryOut
from hall_server.contract import show

from ..bridge import KnownError

log = logging.getLogger(__name__)

LIVE_TYPES = ("inquiry.",)  # the only events this panel reacts to; never rating.*
OVERDUE_REFRESH_MS = 60_000


# --- user actions (keyword-only, as in operations.py) ---------------------------------

def referral_body(target: str) -> dict[str, Any] | None:
    """``1005`` → a colleague (工号 are digits), ``BDC`` → a department; empty → no referral."""
    t = target.strip()
    if not t:
        return None
    return {"to_staff_no": t} if t.isdigit() else {"to_department_code": t.upper()}


def log_inquiry(*, api: Any, body: dict[str, Any], on_ok: Callable[[InquiryOut], None],
                on_error: Callable[[KnownError], None]) -> Any:
    return api.post("/inquiries", body, model=InquiryOut, idempotent=True, on_ok=on_ok, on_error=on_error)


def load_inquiries(*, api: Any, scope: str, on_ok: Callable[[InquiryList], None],
                   on_error: Callable[[KnownError], None]) -> Any:
    return api.get(f"/inquiries?scope={scope}", model=InquiryList, on_ok=on_ok, on_error=on_error)


def answer_inquiry(*, api: Any, inquiry_no: str, answer: str, on_ok: Callable[[InquiryOut], None],
                   on_error: Callable[[KnownError], None]) -> Any:
    return api.post(f"/inquiries/{inquiry_no}/answer", {"answer": answer}, model=InquiryOut, on_ok=on_ok,
                    on_error=on_error)


def register_complaint(*, api: Any, body: dict[str, Any], on_ok: Callable[[ComplaintOut], None],
                       on_error: Callable[[KnownError], None]) -> Any:
    return api.post("/complaints", body, model=ComplaintOut, idempotent=True, on_ok=on_ok, on_error=on_error)


# --- the panel -----------------------------------------------------------------------

def _line(inq: InquiryOut, tz: ZoneInfo, *, inbox: bool) -> str:
    state = {"open": "待答复", "referred": "已转办", "closed": "已办结"}[inq.state]
    late = "【逾期】" if inq.overdue else ""
    due = f" 限{show.local_minute(inq.due_at, tz)}" if inq.due_at and inq.state != "closed" else ""
    who = f"首问 {inq.first_staff_name}" if inbox else (
        f"→{inq.referred_to_staff_name or inq.referred_to_department or ''}" if inq.state == "referred" else "")
    phone = f" ☎{inq.citizen_phone}" if inbox and inq.citizen_phone else ""
    return f"{late}{inq.inquiry_no} {state}{due} {who}{phone}：{inq.question}"


class InquiryPanel(QWidget):
    logged = Signal(object)  # InquiryOut
    closed = Signal(object)  # InquiryOut
    inbox_changed = Signal(object)  # list[InquiryOut]: referred to me or my department, open
    mine_changed = Signal(object)  # list[InquiryOut]: I am the first person asked
    complaint_registered = Signal(object)  # ComplaintOut

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.api, self.bridge = ctx.api, ctx.bridge
        self.tz = ZoneInfo(getattr(ctx.store.state, "timezone", "") or "Asia/Shanghai")
        self.inbox: list[InquiryOut] = []
        self.mine: list[InquiryOut] = []
        root = QVBoxLayout(self)

        box = QGroupBox("首问登记（Enter 提交）")
        form = QFormLayout(box)
        self.question = QLineEdit()
        self.question.setPlaceholderText("群众咨询的问题")
        self.matter = QLineEdit()
        self.matter.setPlaceholderText("事项（可不填）")
        self.citizen = QLineEdit()
        self.citizen.setPlaceholderText("姓名（可不填，保存时脱敏）")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("电话（转办时便于回复）")
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("当场答复的内容（填了即办结）")
        self.refer_to = QLineEdit()
        self.refer_to.setPlaceholderText("或转办给：工号（如 1005）或部门代码（如 BDC）")
        for label, w in (("问题", self.question), ("事项", self.matter), ("群众", self.citizen),
                         ("电话", self.phone), ("答复", self.answer), ("转办给", self.refer_to)):
            form.addRow(label, w)
            w.returnPressed.connect(self.submit)
        self.submit_button = QPushButton("登记")
        self.submit_button.clicked.connect(self.submit)
        form.addRow(self.submit_button)
        root.addWidget(box)

        inbox_box = QGroupBox("转给我的（待答复）")
        il = QVBoxLayout(inbox_box)
        self.inbox_list = QListWidget()
        self.inbox_list.setObjectName("inquiryInbox")
        il.addWidget(self.inbox_list)
        row = QHBoxLayout()
        self.reply = QLineEdit()
        self.reply.setPlaceholderText("答复内容，Enter 办结所选咨询")
        self.reply.returnPressed.connect(self.close_selected)
        self.close_button = QPushButton("答复办结")
        self.close_button.clicked.connect(self.close_selected)
        row.addWidget(self.reply, 1)
        row.addWidget(self.close_button)
        il.addLayout(row)
        root.addWidget(inbox_box, 1)

        mine_box = QGroupBox("我首问的")
        ml = QVBoxLayout(mine_box)
        self.mine_list = QListWidget()
        self.mine_list.setObjectName("inquiryMine")
        ml.addWidget(self.mine_list)
        root.addWidget(mine_box, 1)

        cbox = QGroupBox("投诉登记")
        cf = QFormLayout(cbox)
        self.c_content = QLineEdit()
        self.c_content.setPlaceholderText("投诉事由")
        self.c_phone = QLineEdit()
        self.c_phone.setPlaceholderText("联系电话")
        self.c_anonymous = QCheckBox("匿名")
        self.c_about = QLineEdit()
        self.c_about.setPlaceholderText("被投诉人工号（可不填）")
        self.c_button = QPushButton("登记投诉")
        self.c_button.clicked.connect(self.submit_complaint)
        for label, w in (("事由", self.c_content), ("电话", self.c_phone), ("被投诉人", self.c_about)):
            cf.addRow(label, w)
        cf.addRow(self.c_anonymous)
        cf.addRow(self.c_button)
        root.addWidget(cbox)
        self.status = QLabel("")
        self.status.setObjectName("inquiryStatus")
        self.status.setWordWrap(True)
        root.addWidget(self.status)

        ctx.store.event_received.connect(self.on_event)
        # due times pass without any event: re-read now and then so 【逾期】 shows up
        self._tick = QTimer(self)
        self._tick.setInterval(OVERDUE_REFRESH_MS)
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        self.question.setFocus(Qt.FocusReason.OtherFocusReason)
        self.refresh()

    # --- live -----------------------------------------------------------------------------

    def on_event(self, ev: EventOut) -> None:
        """Reload only for inquiries that may concern me (12 windows share the stream)."""
        if not ev.type.startswith(LIVE_TYPES):
            return
        d, me = ev.data, self.ctx.staff.staff_no
        known = {i.inquiry_no for i in (*self.inbox, *self.mine)}
        if (me in (d.get("first_staff_no"), d.get("to_staff_no")) or d.get("to_department_code")
                or d.get("inquiry_no") in known):
            self.refresh()

    def refresh(self) -> None:
        load_inquiries(api=self.api, scope="inbox", on_ok=self._show_inbox, on_error=self.bridge.handle)
        load_inquiries(api=self.api, scope="mine", on_ok=self._show_mine, on_error=self.bridge.handle)

    def _show_inbox(self, page: InquiryList) -> None:
        self.inbox = page.items
        keep = self.selected_no()
        self.inbox_list.clear()
        for inq in self.inbox:
            item = QListWidgetItem(_line(inq, self.tz, inbox=True))
            item.setData(Qt.ItemDataRole.UserRole, inq.inquiry_no)
            self.inbox_list.addItem(item)
            if inq.inquiry_no == keep or (keep is None and self.inbox_list.count() == 1):
                self.inbox_list.setCurrentItem(item)
        self.inbox_changed.emit(self.inbox)

    def _show_mine(self, page: InquiryList) -> None:
        self.mine = page.items
        self.mine_list.clear()
        for inq in self.mine:
            self.mine_list.addItem(_line(inq, self.tz, inbox=False))
        self.mine_changed.emit(self.mine)

    def selected_no(self) -> str | None:
        item = self.inbox_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    # --- actions ----------------------------------------------------------------------------

    def submit(self) -> None:
        question = self.question.text().strip()
        if not question:
            self.bridge.handle(KnownError("请先填写群众咨询的问题。", code="question_required"))
            self.question.setFocus()
            return
        body: dict[str, Any] = {"question": question}
        if self.matter.text().strip():
            body["matter_name"] = self.matter.text().strip()
        if self.citizen.text().strip():
            body["citizen_name"] = self.citizen.text().strip()
        if self.phone.text().strip():
            body["citizen_phone"] = self.phone.text().strip()
        if self.answer.text().strip():
            body["answer"] = self.answer.text().strip()
        ref = referral_body(self.refer_to.text())
        if ref is not None:
            body["refer"] = ref
        self.submit_button.setEnabled(False)

        def ok(inq: InquiryOut) -> None:
            self.submit_button.setEnabled(True)
            for w in (self.question, self.matter, self.citizen, self.phone, self.answer, self.refer_to):
                w.clear()
            self.question.setFocus()
            what = {"closed": "已当场答复办结", "referred": "已转办", "open": "已登记，待答复"}[inq.state]
            self.status.setText(f"首问 {inq.inquiry_no} {what}。")
            self.bridge.info(f"首问 {inq.inquiry_no} {what}。")
            self.logged.emit(inq)

        def failed(e: KnownError) -> None:
            self.submit_button.setEnabled(True)
            self.bridge.handle(e)
        log_inquiry(api=self.api, body=body, on_ok=ok, on_error=failed)

    def close_selected(self) -> None:
        no = self.selected_no()
        if no is None:
            self.bridge.handle(KnownError("请先在“转给我的”中选中要答复的咨询。", code="nothing_selected"))
            return

        def ok(inq: InquiryOut) -> None:
            self.reply.clear()
            self.status.setText(f"咨询 {inq.inquiry_no} 已答复办结。")
            self.closed.emit(inq)
        answer_inquiry(api=self.api, inquiry_no=no, answer=self.reply.text(), on_ok=ok, on_error=self.bridge.handle)

    def submit_complaint(self) -> None:
        body: dict[str, Any] = {"content": self.c_content.text().strip(), "anonymous": self.c_anonymous.isChecked()}
        if self.c_phone.text().strip():
            body["complainant_phone"] = self.c_phone.text().strip()
        if self.c_about.text().strip():
            body["about_staff_no"] = self.c_about.text().strip()
        if not body["content"]:
            self.bridge.handle(KnownError("请填写投诉事由。", code="complaint_content"))
            return

        def ok(cpl: ComplaintOut) -> None:
            for w in (self.c_content, self.c_phone, self.c_about):
                w.clear()
            self.c_anonymous.setChecked(False)
            self.status.setText(f"投诉 {cpl.complaint_no} 已登记，转监察室办理。")
            self.complaint_registered.emit(cpl)
        register_complaint(api=self.api, body=body, on_ok=ok, on_error=self.bridge.handle)


def create_panel(ctx: Any) -> QWidget:
    return InquiryPanel(ctx)
