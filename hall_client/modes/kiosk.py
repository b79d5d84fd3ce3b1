"""Kiosk mode (取号机): a full-screen touch screen for citizens who have never used one.

Home: one large button per queue with its waiting count, an optional 身份证 read for a
real-name ticket (shown masked), the service guide (办事指南) and the pages of other areas
(``kiosk_pages.KIOSK_PAGES``). A ticket is taken once (one Idempotency-Key over retries)
and printed; a printer fault is said in plain Chinese, the number stays on screen and
"重新打印" is offered. Without the server the kiosk says 暂停取号 and comes back by
itself. After ``idle_reset_s`` without a touch it returns home and forgets the card.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget)

from hall_server.contract import IdCardIn, TicketOut
from hall_server.contract.show import mask_id, mask_name

from .. import kiosk_pages
from ..adapters import card_fields
from .. import operations as ops
from ..bridge import KnownError
from ..config import ClientConfig
from ..connection import Offline
from ..context import ClientContext
from ..state import HallState
from ..widgets.common import Clock, OnlineDot

log = logging.getLogger(__name__)




def _big_button(text: str, name: str = "kioskSmallButton") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return b


class HomePage(QWidget):
    category_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskHome")
        lay = QVBoxLayout(self)
        self.title = QLabel("欢迎来到政务服务中心")
        self.title.setObjectName("kioskTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("请点击您要办理的业务取号")
        hint.setObjectName("kioskNotice")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.title)
        lay.addWidget(hint)
        self.card = QLabel("")
        self.card.setObjectName("kioskNotice")
        self.card.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.card)
        self.grid = QGridLayout()
        lay.addLayout(self.grid, 1)
        self.buttons: dict[str, QPushButton] = {}
        self.bottom = QHBoxLayout()
        self.idcard = _big_button("刷身份证实名取号")
        self.guide = _big_button("办事指南")
        self.bottom.addWidget(self.idcard)
        self.bottom.addWidget(self.guide)
        lay.addLayout(self.bottom)

    def show_state(self, state: HallState) -> None:
        self.title.setText(f"欢迎来到{state.hall_name}" if state.hall_name else "欢迎来到政务服务中心")
        for i, c in enumerate(state.categories.values()):
            b = self.buttons.get(c.prefix)
            if b is None:
                b = _big_button("", "categoryButton")
                b.clicked.connect(lambda _=False, p=c.prefix: self.category_chosen.emit(p))
                self.buttons[c.prefix] = b
                self.grid.addWidget(b, i // 2, i % 2)
            if c.waiting == 0:
                wait = " · 无需等候"
            elif c.estimated_wait_min:
                wait = f" · 约 {c.estimated_wait_min} 分钟"
            else:
                wait = ""
            b.setText(f"{c.name}\n等候 {c.waiting} 人{wait}")


class TicketPage(QWidget):
    """The number just taken; stays up with 重新打印 when the printer failed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.category = QLabel()
        self.category.setObjectName("kioskNotice")
        self.number = QLabel()
        self.number.setObjectName("kioskTicketNumber")
        self.detail = QLabel()
        self.detail.setObjectName("kioskNotice")
        self.printer = QLabel()
        self.printer.setObjectName("kioskNotice")
        self.printer.setWordWrap(True)
        for w in (self.category, self.number, self.detail, self.printer):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)
        row = QHBoxLayout()
        self.reprint = _big_button("重新打印")
        self.done = _big_button("完成，返回首页")
        row.addWidget(self.reprint)
        row.addWidget(self.done)
        lay.addLayout(row)

    def show_ticket(self, t: TicketOut) -> None:
        self.category.setText(t.category_name or t.category)
        self.number.setText(t.number)
        who = f"实名：{t.citizen_name} {t.citizen_id_number}\n" if t.citizen_name else ""
        wait = f"，预计等候约 {t.estimated_wait_min} 分钟" if t.estimated_wait_min else ""
        ahead = f"您前面还有 {t.waiting_ahead} 人{wait}" if t.waiting_ahead else "您前面暂无人等候"
        self.detail.setText(f"{who}{ahead}\n请留意大厅显示屏和语音叫号")
        self.printer.setText("正在打印号票…")
        self.reprint.hide()


class SuspendedPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        self.title = QLabel("暂停取号")
        self.title.setObjectName("suspended")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel("系统正在恢复连接，请稍候，或到咨询台取号。\n恢复后本机将自动开放取号。")
        self.text.setObjectName("kioskNotice")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addStretch(1)


class GuidePage(QWidget):
    """办事指南: search the matter catalog (name or pinyin initials) and read one matter."""

    def __init__(self, ctx: ClientContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        head = QLabel("办事指南")
        head.setObjectName("kioskTitle")
        lay.addWidget(head)
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入事项名称或拼音首字母，如 sgxk")
        self.search.setMinimumHeight(50)
        lay.addWidget(self.search)
        body = QHBoxLayout()
        self.list = QListWidget()
        self.detail = QTextBrowser()
        body.addWidget(self.list, 2)
        body.addWidget(self.detail, 3)
        lay.addLayout(body, 1)
        self.back = _big_button("返回首页")
        lay.addWidget(self.back)
        self.search.textChanged.connect(self.query)
        self.list.itemClicked.connect(self.open_item)

    def query(self, text: str = "") -> None:
        from urllib.parse import quote
        self.ctx.api.get(f"/matters?q={quote(text)}&limit=50", on_ok=self.show_list,
                         on_error=lambda e: self.detail.setPlainText(e.message))

    def show_list(self, items: list[dict[str, Any]]) -> None:
        self.list.clear()
        for m in items:
            it = QListWidgetItem(f"{m.get('name', '')}\n{m.get('department', '')} · {m.get('limit_text', '')}")
            it.setData(Qt.ItemDataRole.UserRole, m.get("code"))
            self.list.addItem(it)
        if not items:
            self.detail.setPlainText("没有找到相关事项，请换个关键词，或到咨询台询问。")

    def open_item(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        self.ctx.api.get(f"/matters/{code}", on_ok=self.show_matter,
                         on_error=lambda e: self.detail.setPlainText(e.message))

    def show_matter(self, m: dict[str, Any]) -> None:
        from html import escape as e
        mats = "".join(f"<li>{e(x.get('name', ''))}（{x.get('copies', 1)} 份）{'' if x.get('required', True) else '（如有）'}</li>"
                       for x in m.get("materials", []))
        steps = "".join(f"<li>{e(s)}</li>" for s in m.get("procedure", []))
        self.detail.setHtml(
            f"<h2>{e(m.get('name', ''))}</h2><p>实施部门：{e(m.get('department', ''))}　"
            f"办理时限：{e(m.get('limit_text', ''))}</p>"
            f"<h3>申请条件</h3><p>{e(m.get('conditions', '') or '—')}</p>"
            f"<h3>申请材料</h3><ol>{mats or '<li>—</li>'}</ol>"
            f"<h3>办理流程</h3><ol>{steps or '<li>—</li>'}</ol>"
            f"<h3>设定依据</h3><p>{e(m.get('legal_basis', '') or '—')}</p>")


class KioskMode(QWidget):
    ticket_printed = Signal(object)  # TicketOut, after the printer took it
    ticket_issued = Signal(object)  # TicketOut

    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.config = ctx, config
        self.id_card: IdCardIn | None = None
        self.ticket: TicketOut | None = None
        self._taking = False
        self._unanswered: dict[tuple[str, str], str] = {}  # (queue, card) -> key of an unanswered attempt
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.online = OnlineDot()
        self.clock = Clock()
        top.addStretch(1)
        top.addWidget(self.online)
        top.addWidget(self.clock)
        lay.addLayout(top)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages, 1)
        self.message = QLabel("")
        self.message.setObjectName("kioskNotice")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.message)

        self.home = HomePage()
        self.ticket_page = TicketPage()
        self.suspended = SuspendedPage()
        self.guide = GuidePage(ctx)
        for p in (self.home, self.ticket_page, self.suspended, self.guide):
            self.pages.addWidget(p)
        self.extra: dict[str, QWidget] = {}
        self.extra_buttons: dict[str, QPushButton] = {}
        kctx = kiosk_pages.KioskContext(api=ctx.api, store=ctx.store, devices=ctx.devices, bridge=ctx.bridge,
                                        config=config, go_home=self.go_home)
        for title, mod in kiosk_pages.available():
            page = QWidget()
            pl = QVBoxLayout(page)
            pl.addWidget(mod.create_page(kctx), 1)
            back = _big_button("返回首页")
            back.clicked.connect(self.go_home)
            pl.addWidget(back)
            self.pages.addWidget(page)
            self.extra[title] = page
            b = _big_button(title)
            b.clicked.connect(lambda _=False, p=page: self._show(p))
            self.extra_buttons[title] = b
            self.home.bottom.addWidget(b)

        self.home.category_chosen.connect(self.take)
        self.home.idcard.clicked.connect(self.read_card)
        self.home.idcard.setVisible(ctx.devices.has("idcard"))
        self.home.guide.clicked.connect(self.open_guide)
        self.guide.back.clicked.connect(self.go_home)
        self.ticket_page.done.clicked.connect(self.go_home)
        self.ticket_page.reprint.clicked.connect(self.reprint)
        ctx.store.changed.connect(self.home.show_state)
        ctx.store.changed.connect(lambda s: self.clock.set_zone(s.timezone))
        ctx.api.online_changed.connect(self.on_online)
        ctx.bridge.message.connect(lambda level, text: self.say(text))

        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(int(config.kiosk_idle_reset_s * 1000))
        self.idle.timeout.connect(self.go_home)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.pages.setCurrentWidget(self.suspended)  # until the first snapshot arrives
        ctx.store.changed.connect(self._first_state)
        self.setWindowTitle("自助取号机")

    # --- idle reset ----------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.touched()
        return False

    def touched(self) -> None:
        if self.pages.currentWidget() is not self.home or self.id_card is not None:
            self.idle.start()

    def go_home(self) -> None:
        self.id_card = None
        self.home.card.setText("")
        self.message.setText("")
        self.idle.stop()
        if self.ctx.api.online:
            self.pages.setCurrentWidget(self.home)
        else:
            self.pages.setCurrentWidget(self.suspended)

    def _show(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self.idle.start()

    # --- online / offline ----------------------------------------------------------------

    def _first_state(self, state: HallState) -> None:
        if self.pages.currentWidget() is self.suspended and self.ctx.api.online:
            self.go_home()

    def on_online(self, online: bool) -> None:
        self.online.set_online(online)
        if not online:
            if self.pages.currentWidget() is not self.ticket_page:
                self.pages.setCurrentWidget(self.suspended)
            for b in self.home.buttons.values():
                b.setEnabled(False)
        else:
            for b in self.home.buttons.values():
                b.setEnabled(True)
            if self.pages.currentWidget() is self.suspended:
                self.go_home()

    # --- actions -------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.message.setText(text)

    def read_card(self) -> None:
        self.say("请将身份证放在感应区……")
        self.idle.start()

        def ok(card: Any) -> None:
            name, number = card_fields(card)
            self.id_card = IdCardIn(name=name, id_number=number)
            self.home.card.setText(f"已读取：{mask_name(name)}　{mask_id(number)}\n请选择办理业务")
            self.say("")

        def err(e: KnownError) -> None:
            self.say(e.message)
        self.ctx.devices.read_idcard(on_ok=ok, on_error=err)

    def take(self, prefix: str) -> None:
        if self._taking:
            return  # a second tap while the first is on its way must not take two numbers
        self._taking = True
        self.say("正在取号，请稍候……")
        for b in self.home.buttons.values():
            b.setEnabled(False)

        def ok(t: TicketOut) -> None:
            self._taking = False
            self._unanswered.clear()
            for b in self.home.buttons.values():
                b.setEnabled(True)
            self.ticket = t
            self.id_card = None
            self.home.card.setText("")
            self.say("")
            self.ticket_page.show_ticket(t)
            self._show(self.ticket_page)
            self.ticket_issued.emit(t)
            self.print_current()

        def err(e: KnownError) -> None:
            self._taking = False
            if not isinstance(e, Offline):
                self._unanswered.clear()  # the server answered "no": nothing was issued
            for b in self.home.buttons.values():
                b.setEnabled(self.ctx.api.online)
            if isinstance(e, Offline):
                self.pages.setCurrentWidget(self.suspended)
            self.say(e.message)
        # a tap after an attempt that got no answer repeats that attempt (same key): the
        # server may have issued the number already, and must not issue a second one
        key = self._unanswered.get((prefix, self.id_card.id_number if self.id_card else ""))
        if key is None:
            key = uuid.uuid4().hex
        self._unanswered[(prefix, self.id_card.id_number if self.id_card else "")] = key
        ops.take_ticket(api=self.ctx.api, bridge=self.ctx.bridge, category=prefix, id_card=self.id_card,
                        on_ok=ok, on_error=err, idempotency_key=key)

    def print_current(self) -> None:
        t = self.ticket
        if t is None:
            return
        if not self.ctx.devices.has("printer"):
            self.ticket_page.printer.setText("本机未连接打印机，请记住您的号码。")
            return
        self.ticket_page.reprint.hide()
        self.ticket_page.printer.setText("正在打印号票…")

        def ok(_: Any) -> None:
            self.ticket_page.printer.setText("请取走号票。")
            self.ticket_printed.emit(t)

        def err(e: KnownError) -> None:
            self.ticket_page.printer.setText(e.message if "号码" in e.message else e.message + "号码已保留。")
            self.ticket_page.reprint.show()
        self.ctx.devices.print_ticket(t, on_ok=ok, on_error=err)

    def reprint(self) -> None:
        self.idle.start()
        self.print_current()

    def open_guide(self) -> None:
        self.guide.search.clear()
        self.guide.query("")
        self._show(self.guide)


def create(ctx: ClientContext, config: ClientConfig) -> QWidget:
    return KioskMode(ctx, config)
