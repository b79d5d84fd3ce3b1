"""Kiosk mode (取号机): a full-screen touch screen for citizens who have never used one.

Home: one large button per queue with its waiting count, an optional 身份证 read for a
real-name ticket (shown masked), the service guide (办事指南) and the pages of other areas
(``kiosk_pages.KIOSK_PAGES``). A ticket is taken once (one Idempotency-Key over retries)
and printed; a printer fault is said in plain Chinese, the number stays on screen and
"重新打印" is offered. Without the server the kiosk says 暂停取号 and comes back by
itself. After ``idle_reset_s`` without a touch it returns home and forgets the card; when a
form is half filled it first warns for ``idle_warn_s`` and one touch on 继续办理 (or anywhere)
extends. Every page is drawn to the 适老化 numbers (``widgets/kiosk_style.py``), input comes
from on-screen keyboards, and a scanner's keystroke burst is one input (``kiosk_scan``): a
scanned acceptance notice opens its case in 办件查询 from any page.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QTextBlockFormat, QTextCursor
from PySide6.QtWidgets import (QApplication, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QScroller, QSizePolicy, QStackedWidget, QTextBrowser, QTextEdit,
                               QVBoxLayout, QWidget)

from hall_server.contract import IdCardIn, TicketOut
from hall_server.contract.show import mask_id, mask_name

from .. import disclosure, kiosk_pages
from ..adapters import card_fields
from .. import operations as ops
from ..bridge import KnownError
from ..config import ClientConfig
from ..connection import Offline
from ..context import ClientContext
from ..state import HallState
from ..widgets.common import Clock, OnlineDot
from ..widgets.fit import scrollable
from ..widgets.kiosk_case_lookup import _CASE_NO, CaseLookupPage, parse_scan
from ..widgets.kiosk_keyboard import OnScreenKeyboard
from ..widgets.kiosk_scan import ScanFilter
from ..widgets.kiosk_style import LINE_HEIGHT_PCT, apply_style, set_lines

log = logging.getLogger(__name__)




def _big_button(text: str, name: str = "kioskSmallButton") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return b


class CategoryButton(QPushButton):
    """A queue's big button: its name, and the waiting count on a line of its own.

    Two labels instead of a two-line button text, so the lines get the kiosk's spacing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("categoryButton")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)  # the home page is theirs
        self.setMaximumHeight(260)
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        self.name = QLabel()
        self.wait = QLabel()
        for lab in (self.name, self.wait):
            lab.setObjectName("categoryLabel")
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lab.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
            lay.addWidget(lab)

    def set_info(self, name: str, wait: str) -> None:
        self.name.setText(name)
        self.wait.setText(wait)
        self.setAccessibleName(f"{name}，{wait}")

    def label_text(self) -> str:
        return f"{self.name.text()}\n{self.wait.text()}"


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
        self.card.setWordWrap(True)
        self.card.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.card)
        self.grid = QGridLayout()
        lay.addLayout(self.grid, 1)
        self.buttons: dict[str, CategoryButton] = {}
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
                b = CategoryButton()
                b.clicked.connect(lambda _=False, p=c.prefix: self.category_chosen.emit(p))
                self.buttons[c.prefix] = b
                self.grid.addWidget(b, i // 2, i % 2)
            if c.waiting == 0:
                wait = " · 无需等候"
            elif c.estimated_wait_min:
                wait = f" · 约 {c.estimated_wait_min} 分钟"
            else:
                wait = ""
            b.set_info(c.name, f"等候 {c.waiting} 人{wait}")


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
        set_lines(self.detail, f"{who}{ahead}\n请留意大厅显示屏和语音叫号")
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
        self.text = QLabel()
        set_lines(self.text, "系统正在恢复连接，请稍候，或到咨询台取号。\n恢复后本机将自动开放取号。")
        self.text.setObjectName("kioskNotice")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addStretch(1)


class GuidePage(QWidget):
    """办事指南: search the matter catalog by pinyin initials (``sgxk``) on the letter keyboard,
    and read one matter with every 八公开 field the catalog holds (``disclosure.guide_html``)."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The page fills the kiosk's screen whatever it would like: ask for no more than it needs."""
        return self.minimumSizeHint()

    def __init__(self, ctx: ClientContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.profile: dict[str, Any] | None = None
        self._profile_asked = False
        self._asked = ""
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        lay.addLayout(left, 2)
        top = QHBoxLayout()
        head = QLabel("办事指南")
        head.setObjectName("kioskTitle")
        top.addWidget(head)
        self.search = QLineEdit()
        self.search.setPlaceholderText("事项拼音首字母，如 sgxk")
        self.search.setMaxLength(30)
        top.addWidget(self.search, 1)
        left.addLayout(top)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setMinimumHeight(150)  # a few matters at least; the rest scrolls (a 768-line kiosk fits)
        left.addWidget(self.list, 1)
        self.keyboard = OnScreenKeyboard("alnum")
        self.keyboard.bind(self.search, "alnum")
        self.keyboard.entered.connect(lambda: self.query(self.search.text()))
        left.addWidget(self.keyboard)
        right = QVBoxLayout()
        lay.addLayout(right, 3)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        right.addWidget(self.detail, 1)
        self.back = _big_button("返回首页")
        right.addWidget(self.back)
        for view in (self.list, self.detail):  # a finger drags the text, as on a phone
            QScroller.grabGesture(view.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.search.textChanged.connect(self.query)
        self.list.itemClicked.connect(self.open_item)

    def query(self, text: str = "") -> None:
        from urllib.parse import quote
        if not self._profile_asked:  # opening hours and 监督电话, once (admin area's hall profile)
            self._profile_asked = True
            self.ctx.api.get(disclosure.PROFILE_PATH, on_ok=self._got_profile,
                             on_error=lambda e: log.info("hall profile not offered: %s", e.message))
        self._asked = text
        # each key asks again: only the answer to the latest text may fill the list
        self.ctx.api.get(f"/matters?q={quote(text)}&limit=50",
                         on_ok=lambda items, t=text: self.show_list(items) if t == self._asked else None,
                         on_error=lambda e: self._say(e.message))

    def _got_profile(self, profile: Any) -> None:
        self.profile = profile if isinstance(profile, dict) else None

    def _say(self, text: str) -> None:
        self.detail.setPlainText(text)
        self._space_lines()

    def show_list(self, items: list[dict[str, Any]]) -> None:
        self.list.clear()
        for m in items:
            it = QListWidgetItem(f"{m.get('name', '')}\n{m.get('department', '')} · {m.get('limit_text', '')}")
            it.setData(Qt.ItemDataRole.UserRole, m.get("code"))
            self.list.addItem(it)
        if not items:
            self._say("没有找到相关事项，请换个关键词，或到咨询台询问。")

    def open_item(self, item: QListWidgetItem) -> None:
        code = str(item.data(Qt.ItemDataRole.UserRole))
        self.ctx.api.get(f"/matters/{code}", on_ok=self._got_matter, on_error=lambda e: self._say(e.message))

    def _got_matter(self, m: dict[str, Any]) -> None:
        from urllib.parse import quote
        self.show_matter(m)  # at once; the fee standards follow
        self.ctx.api.get(f"/fees/items?matter_code={quote(str(m.get('code', '')))}",
                         on_ok=lambda fees: self.show_matter(m, fees),
                         on_error=lambda e: log.info("fee items not readable here: %s", e.message))

    def show_matter(self, m: dict[str, Any], fees: list[dict[str, Any]] | None = None) -> None:
        self.matter = m
        self.detail.setHtml(disclosure.guide_html(m, fees=fees or (), windows=self.ctx.store.state.windows.values(),
                                                  profile=self.profile))
        self._space_lines()

    def _space_lines(self) -> None:
        """Qt's rich text ignores an inherited line-height: give every block the kiosk's."""
        doc = self.detail.document()
        cur = QTextCursor(doc)
        cur.select(QTextCursor.SelectionType.Document)
        fmt = QTextBlockFormat()
        fmt.setLineHeight(LINE_HEIGHT_PCT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cur.mergeBlockFormat(fmt)


class IdleWarning(QWidget):
    """「您还在办理吗？」 with a countdown and one big 继续办理 button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskIdleWarning")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QHBoxLayout(self)
        self.label = QLabel()
        self.label.setWordWrap(True)
        lay.addWidget(self.label, 1)
        self.extend = QPushButton("继续办理")
        self.extend.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.extend.setMinimumSize(260, 90)
        lay.addWidget(self.extend)

    def show_left(self, seconds: int) -> None:
        set_lines(self.label, f"⚠ 您还在办理吗？{seconds} 秒后将清空本页内容并返回首页。\n如需继续，请点击“继续办理”。")


class KioskMode(QWidget):
    ticket_printed = Signal(object)  # TicketOut, after the printer took it
    ticket_issued = Signal(object)  # TicketOut
    idle_warned = Signal(int)  # seconds left before a half-filled form is cleared
    idle_extended = Signal()
    scanned = Signal(str)  # a scanner's burst, whole

    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        apply_style(self)
        self.ctx, self.config = ctx, config
        self.id_card: IdCardIn | None = None
        self.ticket: TicketOut | None = None
        self._taking = False
        self._unanswered: dict[tuple[str, str], str] = {}  # (queue, card) -> key of an unanswered attempt
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)  # every pixel for the pages: a 768-line kiosk fits
        lay.setSpacing(2)
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
        self.warning = IdleWarning(self)  # floats over the page's foot: the page keeps its size
        self.warning.hide()

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
            pl.addWidget(scrollable(mod.create_page(kctx), horizontal=False, touch=True), 1)  # fits 768 lines
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
        self.idle.timeout.connect(self.idle_timeout)
        self.warn_left = 0
        self._warn_tick = QTimer(self)
        self._warn_tick.setInterval(1000)
        self._warn_tick.timeout.connect(self._tick_warning)
        self.warning.extend.clicked.connect(self.extend)
        self.scanner = ScanFilter(self, self)
        self.scanner.scanned.connect(self.on_scan)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            app.installEventFilter(self.scanner)
        self.pages.setCurrentWidget(self.suspended)  # until the first snapshot arrives
        ctx.store.changed.connect(self._first_state)
        self.setWindowTitle("自助取号机")

    # --- idle reset ----------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            if isinstance(obj, QWidget) and obj.window() is self.window():
                self.touched()
        return False

    def touched(self) -> None:
        if self.warning.isVisible() or self.warn_left:
            self.extend()
        elif self.pages.currentWidget() is not self.home or self.id_card is not None:
            self.idle.start()

    def unfinished(self) -> bool:
        """Has the citizen started filling something in on this page (or read the card)?"""
        if self.id_card is not None:
            return True
        page = self.pages.currentWidget()
        if any(e.text() for e in page.findChildren(QLineEdit)):
            return True
        if any(e.toPlainText() for e in page.findChildren(QTextEdit) if not e.isReadOnly()):
            return True
        return any(b.isChecked() for b in page.findChildren(QPushButton) if b.isCheckable())

    def idle_timeout(self) -> None:
        """The idle time ran out (public slot: the timer, the demo): warn over a half-filled
        form, else go home."""
        if not self.unfinished():
            self.go_home()
            return
        self.warn_left = max(1, int(round(self.config.kiosk_idle_warn_s)))
        self.warning.show_left(self.warn_left)
        h = max(self.warning.sizeHint().height(), 160)
        self.warning.setGeometry(20, self.height() - h - 20, self.width() - 40, h)
        self.warning.show()
        self.warning.raise_()
        self._warn_tick.start()
        self.idle_warned.emit(self.warn_left)

    def _tick_warning(self) -> None:
        self.warn_left -= 1
        if self.warn_left <= 0:
            self._stop_warning()
            self.go_home()
        else:
            self.warning.show_left(self.warn_left)

    def _stop_warning(self) -> None:
        self._warn_tick.stop()
        self.warn_left = 0
        self.warning.hide()

    def extend(self) -> None:
        """One touch during the warning: keep the form, start the idle time afresh."""
        if not self.warn_left:
            return
        self._stop_warning()
        self.idle.start()
        self.idle_extended.emit()

    def go_home(self) -> None:
        self._stop_warning()
        self.id_card = None
        set_lines(self.home.card, "")
        set_lines(self.message, "")
        self.idle.stop()
        if self.ctx.api.online:
            self.pages.setCurrentWidget(self.home)
        else:
            self.pages.setCurrentWidget(self.suspended)

    # --- scanner -------------------------------------------------------------------------

    def lookup_page(self) -> CaseLookupPage | None:
        page = self.extra.get("办件查询")
        return page.findChild(CaseLookupPage) if page is not None else None

    def on_scan(self, text: str) -> None:
        """A scanned notice opens its case from any page; a bare case number fills it in."""
        self.scanned.emit(text)
        lookup = self.lookup_page()
        notice = parse_scan(text)
        if lookup is not None and self.ctx.api.online and (notice or _CASE_NO.match(text.upper())):
            self._show(self.extra["办件查询"])
            if notice:
                lookup.open_case(*notice)
            else:
                lookup.clear()
                lookup.case_no.setText(text.upper())
                lookup.code.setFocus()
                lookup.keyboard.set_target(lookup.code)
            return
        if self.pages.currentWidget() is self.guide:
            self.guide.search.setText(text)
            return
        self.say("未能识别该二维码。查询办件进度，请扫描受理通知书上的二维码。")

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
        set_lines(self.message, text)

    def read_card(self) -> None:
        self.say("请将身份证放在感应区……")
        self.idle.start()

        def ok(card: Any) -> None:
            name, number = card_fields(card)
            self.id_card = IdCardIn(name=name, id_number=number)
            set_lines(self.home.card, f"已读取：{mask_name(name)}　{mask_id(number)}\n请选择办理业务")
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
            set_lines(self.home.card, "")
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
            set_lines(self.ticket_page.printer, "本机未连接打印机，请记住您的号码。")
            return
        self.ticket_page.reprint.hide()
        set_lines(self.ticket_page.printer, "正在打印号票…")

        def ok(_: Any) -> None:
            set_lines(self.ticket_page.printer, "请取走号票。")
            self.ticket_printed.emit(t)

        def err(e: KnownError) -> None:
            set_lines(self.ticket_page.printer, e.message if "号码" in e.message else e.message + "号码已保留。")
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
