"""受理 panel of the window client: matter search (pinyin), applicant, materials, outcome.

A clerk takes some 40 applications a day, so the panel is keyboard-first: type a few
pinyin initials (``sgxk``) and Enter picks the matter; F10 reads the 身份证; the three
outcomes are F7 受理, F8 一次性告知, F9 不予受理. Identifiers are checked locally with
the server's own check-digit rules before anything is sent, and the server decides
again. After each decision the slip (受理回执 / 补正告知单 / 不予受理告知) goes to the
window's receipt printer, and the case number, due date and days left stay on screen.

Beside the form (sub-tabs of this panel): 我的办件 (``case_list.py``: the department's open
cases with due dates and the lifecycle buttons) and 办件全程 (``case_history.py``).

The user actions are the keyword-only functions at the bottom (same shape as
``hall_client/operations.py``); widgets call them, never HTTP directly.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from hall_server.contract import CaseOut, MatterBrief, MatterOut, SlipOut, TicketOut
from hall_server.domain.catalog import FORM_LABELS
from hall_server.domain.idcheck import valid_id_number, valid_uscc

from .. import keys
from ..bridge import KnownError
from .case_history import CaseHistoryView
from .case_list import CaseListPanel
from .fit import scroll_body

log = logging.getLogger(__name__)

STATUS_CHOICES = [("received", "已收"), ("missing", "缺少"), ("defective", "不符合要求")]
OUTCOME_KEYS = {o: keys.key(keys.INTAKE, o) for o in ("accept", "request_correction", "reject")}


class InputProblem(KnownError):
    code = "input"


# --- user actions (keyword-only, as in operations.py) ---------------------------------

def search_matters(*, api: Any, query: str, on_ok: Callable[[list[MatterBrief]], None]) -> Any:
    from urllib.parse import quote
    return api.get(f"/matters?q={quote(query)}&limit=20", model=list[MatterBrief], on_ok=on_ok)


def load_matter(*, api: Any, code: str, on_ok: Callable[[MatterOut], None],
                on_error: Callable[[KnownError], None]) -> Any:
    return api.get(f"/matters/{code}", model=MatterOut, on_ok=on_ok, on_error=on_error)


def submit_intake(*, api: Any, body: dict[str, Any], on_ok: Callable[[CaseOut], None],
                  on_error: Callable[[KnownError], None]) -> Any:
    return api.post("/cases", body, model=CaseOut, idempotent=True, on_ok=on_ok, on_error=on_error)


def submit_resume(*, api: Any, case_no: str, body: dict[str, Any], on_ok: Callable[[CaseOut], None],
                  on_error: Callable[[KnownError], None]) -> Any:
    return api.post(f"/cases/{case_no}/resume", body, model=CaseOut, idempotent=True, on_ok=on_ok,
                    on_error=on_error)


def load_case(*, api: Any, case_no: str, on_ok: Callable[[CaseOut], None],
              on_error: Callable[[KnownError], None]) -> Any:
    return api.get(f"/cases/{case_no}", model=CaseOut, on_ok=on_ok, on_error=on_error)


def slip_for(s: SlipOut, *, tz: ZoneInfo, window_no: int | None, clerk_no: str) -> Any:
    """The printers/slips.py dataclass for a SlipOut, times in the hall's zone."""
    from printers import slips
    common = dict(hall_name=s.hall_name, case_no=s.case_no, matter_name=s.matter_name, applicant=s.applicant_name,
                  issued_at=s.issued_at.astimezone(tz).replace(tzinfo=None), query_url=s.query_url,
                  notice_no=s.notice_no, query_code=s.query_code, window_no=window_no, clerk_no=clerk_no,
                  enquiry_phone=s.enquiry_phone, complaint_phone=s.complaint_phone,
                  rating_url=s.rating_url)  # rate-later QR (issue 7)
    if s.kind == "acceptance":
        return slips.AcceptanceSlip(**common, due_date=s.due_date, limit_text=s.limit_text)
    if s.kind == "correction":
        return slips.CorrectionSlip(**common, to_correct=tuple(s.to_correct))
    return slips.RejectionSlip(**common, reason=s.reason)


def print_case_slip(*, api: Any, devices: Any, bridge: Any, case_no: str, tz: ZoneInfo, window_no: int | None,
                    clerk_no: str, on_printed: Callable[[bytes], None]) -> bool:
    """Fetch the slip fields and print them on the window printer; False without a printer."""
    if devices is None or not devices.has("printer"):
        return False

    def got(s: SlipOut) -> None:
        slip = slip_for(s, tz=tz, window_no=window_no, clerk_no=clerk_no)

        def sent(result: Any) -> None:
            data = bytes(getattr(result, "data", result) or b"")
            devices.printed.emit(data)
            on_printed(data)
        devices.run("printer", lambda d: d.print_slip(slip), on_ok=sent,
                    on_error=lambda e: bridge.handle(KnownError(f"{e.message}（通知书可在办件详情中重新打印）",
                                                                code=e.code)))
    api.get(f"/cases/{case_no}/slip", model=SlipOut, on_ok=got, on_error=bridge.handle)
    return True


NOTICE_TITLES = {"acceptance": "受理通知书", "correction": "补正材料通知书", "rejection": "不予受理通知书"}


def open_case_notice(*, api: Any, case_no: str, print_it: bool, parent: Any, on_ok: Callable[[str], None],
                     on_error: Callable[[KnownError], None]) -> Any:
    """Fetch the case's latest notice (受理/补正/不予受理) as A4 PDF; show or print it."""
    from pathlib import Path

    from .. import documents

    def got(s: SlipOut) -> None:
        path = f"/cases/{case_no}/notices/{s.notice_no}.pdf"
        name = f"{NOTICE_TITLES.get(s.kind, '通知书')}_{s.notice_no}"
        if not print_it:
            documents.open_pdf(api=api, path=path, name=name, on_ok=on_ok, on_error=on_error)
            return

        def fetched(file: str) -> None:
            try:
                if documents.ask_and_print(Path(file), parent):
                    on_ok(file)
            except KnownError as e:
                on_error(e)
        documents.fetch_pdf(api=api, path=path, name=name, on_ok=fetched, on_error=on_error)
    return api.get(f"/cases/{case_no}/slip", model=SlipOut, on_ok=got, on_error=on_error)


# --- the panel -----------------------------------------------------------------------

class IntakePanel(QWidget):
    """One application at a time: new intake, or the return of a case waiting for 补正."""

    matters_found = Signal(object)  # list[MatterBrief]
    matter_loaded = Signal(object)  # MatterOut
    case_saved = Signal(object)  # CaseOut
    case_loaded = Signal(object)  # CaseOut (补正续办)
    slip_printed = Signal(bytes)
    document_opened = Signal(str)  # path of the A4 notice handed to the viewer (or printed)
    card_read = Signal(object)
    problem = Signal(str)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.api, self.bridge, self.devices = ctx.api, ctx.bridge, ctx.devices
        self.matter: MatterOut | None = None
        self.resuming: CaseOut | None = None
        self.last_case: CaseOut | None = None
        self._query_seq = 0
        self._busy = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.pages = QTabWidget()
        self.pages.setObjectName("intakePages")
        outer.addWidget(self.pages)
        self.form_page = QWidget()
        root = QVBoxLayout(scroll_body(self.form_page))  # the form scrolls; the window never grows for it

        self.ticket_label = QLabel("当前号：—")
        self.ticket_label.setObjectName("intakeTicket")
        root.addWidget(self.ticket_label)

        # matter search
        find = QGroupBox("事项（输入名称、编码或拼音首字母，如 sgxk）")
        fl = QVBoxLayout(find)
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("sgxk / 施工许可 / ZJ-001")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_query)
        self.search.returnPressed.connect(self._pick_first)
        row.addWidget(self.search, 3)
        self.resume_no = QLineEdit()
        self.resume_no.setPlaceholderText("补正续办：办件编号")
        self.resume_no.returnPressed.connect(self.load_for_resume)
        row.addWidget(self.resume_no, 2)
        fl.addLayout(row)
        self.results = QListWidget()
        self.results.setMaximumHeight(84)
        self.results.itemActivated.connect(self._pick)
        fl.addWidget(self.results)
        self.matter_label = QLabel("未选择事项")
        self.matter_label.setWordWrap(True)
        fl.addWidget(self.matter_label)
        root.addWidget(find)

        # applicant
        who = QGroupBox("申请人")
        form = QFormLayout(who)
        self.kind = QComboBox()
        self.kind.addItem("个人", "person")
        self.kind.addItem("单位", "organisation")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.name = QLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(18)
        self.phone = QLineEdit()
        self.agent_name = QLineEdit()
        self.agent_id = QLineEdit()
        self.agent_id.setMaxLength(18)
        id_row = QHBoxLayout()
        id_row.addWidget(self.id_number)
        self.read_card = QPushButton(f"读身份证 {keys.name(keys.INTAKE, 'read_idcard')}")
        self.read_card.clicked.connect(self.read_idcard)
        self.read_card.setMinimumWidth(120)
        self.read_card.setEnabled(bool(self.devices is not None and self.devices.has("idcard")))
        id_row.addWidget(self.read_card)
        form.addRow("类型", self.kind)
        form.addRow("姓名/名称", self.name)
        self.id_label = QLabel("身份证号")
        form.addRow(self.id_label, id_row)
        form.addRow("联系电话", self.phone)
        form.addRow("经办人", self.agent_name)
        form.addRow("经办人身份证", self.agent_id)
        root.addWidget(who)

        # materials
        mats = QGroupBox("材料核验（逐项确认）")
        ml = QVBoxLayout(mats)
        self.materials = QTableWidget(0, 5)
        self.materials.setHorizontalHeaderLabels(["材料", "形式/份数", "必要", "核验", "问题说明"])
        self.materials.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.materials.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.materials.setColumnWidth(3, 118)
        self.materials.setMinimumHeight(150)  # the whole form fits a 1080-line screen unscrolled
        self.materials.verticalHeader().setVisible(False)
        ml.addWidget(self.materials)
        self.all_received = QPushButton("全部已收")
        self.all_received.clicked.connect(lambda: self.mark_all("received"))
        ml.addWidget(self.all_received)
        root.addWidget(mats, 1)

        # outcome
        out = QGroupBox("受理决定")
        of = QFormLayout(out)
        self.override_reason = QLineEdit()
        self.override_reason.setPlaceholderText("材料不齐仍受理（容缺受理）时必填，将记入日志")
        self.reject_reason = QLineEdit()
        self.reject_basis = QLineEdit()
        self.reject_basis.setPlaceholderText("如：《行政许可法》第三十二条第一款第（一）项")
        of.addRow("特批理由", self.override_reason)
        of.addRow("不予受理理由", self.reject_reason)
        of.addRow("法律依据", self.reject_basis)
        btns = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for outcome in OUTCOME_KEYS:
            b = QPushButton(f"{keys.binding(keys.INTAKE, outcome).label} {keys.name(keys.INTAKE, outcome)}")
            b.setMinimumHeight(40)
            b.clicked.connect(lambda _=False, o=outcome: self.submit(o))
            self.buttons[outcome] = b
            btns.addWidget(b)
        root.addWidget(out)

        self.result = QLabel("")
        self.result.setObjectName("intakeResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        pinned = self.form_page.layout()  # below the scrolling form: the decision and its result stay in view
        assert isinstance(pinned, QVBoxLayout)
        pinned.addLayout(btns)
        pinned.addWidget(self.result)
        a4 = QHBoxLayout()
        self.open_notice_button = QPushButton("打开A4通知书")
        self.open_notice_button.setToolTip("受理通知书 / 补正材料通知书 / 不予受理通知书（A4，系统 PDF 阅读器）")
        self.open_notice_button.clicked.connect(lambda: self.open_notice(print_it=False))
        self.print_notice_button = QPushButton("打印A4通知书…")
        self.print_notice_button.clicked.connect(lambda: self.open_notice(print_it=True))
        for b in (self.open_notice_button, self.print_notice_button):
            b.setEnabled(False)
            a4.addWidget(b)
        a4.addStretch(1)
        pinned.addLayout(a4)

        self.pages.addTab(self.form_page, "新受理")
        # 我的办件 and 办件全程 live in this tab (the window's tab list belongs to the client framework)
        self.case_list = CaseListPanel(ctx)
        self.pages.addTab(self.case_list, "我的办件")
        self.history = CaseHistoryView(ctx)
        self.pages.addTab(self.history, "办件全程")
        self.case_list.history_requested.connect(self.show_history)

        session = getattr(ctx, "session", None)
        if session is not None:
            session.ticket_changed.connect(self._ticket_changed)
            self._ticket_changed(session.ticket)
        self._kind_changed()
        self._refresh_buttons()

    def show_history(self, case_no: str) -> None:
        """办件全程 of one case (from the list's Enter, or a number typed there)."""
        self.pages.setCurrentWidget(self.history)
        self.history.show_case(case_no)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """F7/F8/F9/F10 wherever the focus is inside the intake form (children pass F-keys
        up); on the 我的办件 / 办件全程 pages they mean nothing."""
        if self.pages.currentWidget() is not self.form_page:
            super().keyPressEvent(event)
            return
        key = Qt.Key(event.key())
        for outcome, k in OUTCOME_KEYS.items():
            if key == k:
                self.submit(outcome)
                event.accept()
                return
        if key == keys.key(keys.INTAKE, "read_idcard"):
            self.read_idcard()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- helpers -----------------------------------------------------------------------

    @property
    def window_no(self) -> int:
        session = getattr(self.ctx, "session", None)
        if session is not None and session.window_no:
            return int(session.window_no)
        return int(self.ctx.staff.window_no or self.ctx.config.window_no)

    def _tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.ctx.store.state.timezone or "Asia/Shanghai")
        except Exception:  # noqa: BLE001 - a bad zone name from config: the hall default
            return ZoneInfo("Asia/Shanghai")

    def _ticket_changed(self, t: TicketOut | None) -> None:
        self.ticket_label.setText(f"当前号：{t.number}（{t.category_name}）" if t else "当前号：—（无号也可受理）")

    def _kind_changed(self) -> None:
        org = self.kind.currentData() == "organisation"
        self.id_label.setText("统一社会信用代码" if org else "身份证号")
        self.read_card.setVisible(not org)

    def _refresh_buttons(self) -> None:
        ready = self.matter is not None and not self._busy
        for b in self.buttons.values():
            b.setEnabled(ready)

    def _say(self, text: str) -> None:
        self.problem.emit(text)
        self.bridge.handle(InputProblem(text))

    # --- matter ------------------------------------------------------------------------

    def _on_query(self, text: str) -> None:
        self._query_seq += 1
        seq = self._query_seq
        if not text.strip():
            self.results.clear()
            return

        def show(items: list[MatterBrief]) -> None:
            if seq != self._query_seq:  # an answer to an older keystroke
                return
            self.results.clear()
            for m in items:
                it = QListWidgetItem(f"{m.name}　[{m.code}]　{m.department}　{m.kind_label}")
                it.setData(Qt.ItemDataRole.UserRole, m.code)
                self.results.addItem(it)
            if items:
                self.results.setCurrentRow(0)
            self.matters_found.emit(items)
        search_matters(api=self.api, query=text.strip(), on_ok=show)

    def _pick_first(self) -> None:
        item = self.results.currentItem() or self.results.item(0)
        if item is not None:
            self._pick(item)

    def _pick(self, item: QListWidgetItem) -> None:
        self.select_matter(str(item.data(Qt.ItemDataRole.UserRole)))

    def select_matter(self, code: str, *, statuses: dict[str, tuple[str, str]] | None = None) -> None:
        def ok(m: MatterOut) -> None:
            self.matter = m
            self.matter_label.setText(f"<b>{m.name}</b>（{m.code}）{m.department}　{m.kind_label}　{m.limit_text}")
            self._fill_materials(m, statuses or {})
            self._refresh_buttons()
            self.matter_loaded.emit(m)
        load_matter(api=self.api, code=code, on_ok=ok, on_error=self.bridge.handle)

    def _fill_materials(self, m: MatterOut, statuses: dict[str, tuple[str, str]]) -> None:
        t = self.materials
        t.setRowCount(0)
        for mat in m.materials:
            r = t.rowCount()
            t.insertRow(r)
            name = QTableWidgetItem(mat.name + (f"（{mat.notes}）" if mat.notes else ""))
            name.setData(Qt.ItemDataRole.UserRole, mat.code)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(r, 0, name)
            form = QTableWidgetItem(f"{FORM_LABELS[mat.form]} {mat.copies} 份")
            form.setFlags(form.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(r, 1, form)
            req = QTableWidgetItem("必要" if mat.required else "容缺/可选")
            req.setFlags(req.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(r, 2, req)
            box = QComboBox()
            for value, label in STATUS_CHOICES:
                box.addItem(label, value)
            status, note = statuses.get(mat.code, ("missing", ""))
            box.setCurrentIndex([v for v, _ in STATUS_CHOICES].index(status))
            t.setCellWidget(r, 3, box)
            t.setItem(r, 4, QTableWidgetItem(note))

    def set_material(self, code: str, status: str, note: str = "") -> None:
        """Set one row (the clerk's click, or a test)."""
        for r in range(self.materials.rowCount()):
            if self.materials.item(r, 0).data(Qt.ItemDataRole.UserRole) == code:
                box = self.materials.cellWidget(r, 3)
                assert isinstance(box, QComboBox)
                box.setCurrentIndex([v for v, _ in STATUS_CHOICES].index(status))
                self.materials.item(r, 4).setText(note)
                return
        raise KeyError(code)

    def mark_all(self, status: str) -> None:
        for r in range(self.materials.rowCount()):
            self.set_material(self.materials.item(r, 0).data(Qt.ItemDataRole.UserRole), status,
                              self.materials.item(r, 4).text())

    def ticks(self) -> list[dict[str, str]]:
        out = []
        for r in range(self.materials.rowCount()):
            box = self.materials.cellWidget(r, 3)
            assert isinstance(box, QComboBox)
            out.append({"code": str(self.materials.item(r, 0).data(Qt.ItemDataRole.UserRole)),
                        "status": str(box.currentData()), "note": self.materials.item(r, 4).text().strip()})
        return out

    # --- applicant ---------------------------------------------------------------------

    def read_idcard(self) -> None:
        if self.devices is None or not self.devices.has("idcard"):
            self._say("本窗口没有身份证阅读器，请手工输入身份证号。")
            return

        def ok(card: Any) -> None:
            from ..adapters import card_fields
            name, number = card_fields(card)
            self.kind.setCurrentIndex(0)
            self.name.setText(name)
            self.id_number.setText(number)
            self.card_read.emit(card)
            self.phone.setFocus()
        self.devices.read_idcard(on_ok=ok, on_error=self.bridge.handle)

    def applicant(self) -> dict[str, str] | None:
        kind = str(self.kind.currentData())
        idn = self.id_number.text().strip().upper()
        if not self.name.text().strip():
            self._say("请填写申请人姓名或单位名称。")
            return None
        if kind == "person" and not valid_id_number(idn):
            self._say("身份证号码校验不通过，请重新读卡或核对号码。")
            return None
        if kind == "organisation" and not valid_uscc(idn):
            self._say("统一社会信用代码校验不通过，请核对后重新输入。")
            return None
        return {"kind": kind, "name": self.name.text().strip(), "id_number": idn, "phone": self.phone.text().strip(),
                "agent_name": self.agent_name.text().strip(), "agent_id_number": self.agent_id.text().strip().upper()}

    # --- decisions ---------------------------------------------------------------------

    def submit(self, outcome: str) -> None:
        if self._busy:
            return
        if self.matter is None:
            self._say("请先选择事项。")
            return
        body: dict[str, Any] = {"window_no": self.window_no, "materials": self.ticks(), "outcome": outcome}
        for key, edit in (("override_reason", self.override_reason), ("reject_reason", self.reject_reason),
                          ("reject_basis", self.reject_basis)):
            if edit.text().strip():
                body[key] = edit.text().strip()
        if outcome == "reject" and not (body.get("reject_reason") and body.get("reject_basis")):
            self._say("不予受理须写明理由和法律依据。")
            return
        self._busy = True
        self._refresh_buttons()

        def err(e: KnownError) -> None:
            self._busy = False
            self._refresh_buttons()
            self.problem.emit(e.message)
            self.bridge.handle(e)

        if self.resuming is not None:
            submit_resume(api=self.api, case_no=self.resuming.case_no, body=body, on_ok=self._saved, on_error=err)
            return
        applicant = self.applicant()
        if applicant is None:
            self._busy = False
            self._refresh_buttons()
            return
        body.update(matter_code=self.matter.code, applicant=applicant)
        submit_intake(api=self.api, body=body, on_ok=self._saved, on_error=err)

    def _saved(self, case: CaseOut) -> None:
        self._busy = False
        self.last_case = case
        self.resuming = None
        lines = [f"<b>{case.case_no}</b>　{case.state_label}　查询码 {case.query_code}"]
        if case.due_date is not None:
            lines.append(f"承诺办结日期 {case.due_date:%Y-%m-%d}，{case.clock_text}")
        if case.to_correct:
            lines.append("需补正：" + "、".join(m.name for m in case.to_correct))
        self.result.setText("<br/>".join(lines))
        self.bridge.info(f"{case.case_no} {case.state_label}")
        self.open_notice_button.setEnabled(True)
        self.print_notice_button.setEnabled(True)
        self.case_saved.emit(case)
        print_case_slip(api=self.api, devices=self.devices, bridge=self.bridge, case_no=case.case_no, tz=self._tz(),
                        window_no=self.window_no, clerk_no=self.ctx.staff.staff_no,
                        on_printed=self.slip_printed.emit)
        self.clear_form()

    def clear_form(self) -> None:
        """Ready for the next applicant; the result line stays until then."""
        for e in (self.name, self.id_number, self.phone, self.agent_name, self.agent_id, self.override_reason,
                  self.reject_reason, self.reject_basis, self.resume_no):
            e.clear()
        self.matter = None
        self.materials.setRowCount(0)
        self.matter_label.setText("未选择事项")
        self.search.clear()
        self._refresh_buttons()

    # --- A4 notices ---------------------------------------------------------------------

    def open_notice(self, *, print_it: bool = False) -> None:
        """The A4 notice of the last decision: in the system PDF viewer, or printed with
        Qt's print dialog. The thermal slip is the applicant's receipt; the A4 notice is the
        legal document (编号, 法律依据, 时限, 查询和投诉方式)."""
        case = self.last_case
        if case is None:
            self._say("还没有受理结果，无通知书可打开。")
            return
        open_case_notice(api=self.api, case_no=case.case_no, print_it=print_it, parent=self,
                         on_ok=self.document_opened.emit, on_error=self.bridge.handle)

    # --- 补正续办 -------------------------------------------------------------------------

    def load_for_resume(self) -> None:
        no = self.resume_no.text().strip().upper()
        if not no:
            return

        def ok(case: CaseOut) -> None:
            if case.state != "correction":
                self._say(f"{case.case_no} 当前为“{case.state_label}”，不是待补正的办件。")
                return
            self.resuming = case
            self.name.setText(case.applicant_name)
            self.id_number.setText(case.applicant_id_number)
            self.phone.setText(case.applicant_phone)
            self.result.setText(f"补正续办 {case.case_no}：上次需补正 " + "、".join(m.name for m in case.to_correct))
            self.case_loaded.emit(case)
            self.select_matter(case.matter_code, statuses={m.code: (str(m.status), m.note) for m in case.materials})
        load_case(api=self.api, case_no=no, on_ok=ok, on_error=self.bridge.handle)


def create_panel(ctx: Any) -> QWidget:
    return IntakePanel(ctx)


__all__ = ["IntakePanel", "create_panel"]
