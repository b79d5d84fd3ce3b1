"""Supervision mode (驻厅监察室): a read-only review client.

Tabs: search the log; the timeline of a case or of a staff member's day; 红黄牌 listed,
each opened on its evidence and signed off; the integrity check of the hash chain;
exports (xlsx/PDF). The only writes are the inspector's own acts (sign-off, chain
check), which the server logs as events.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from hall_server.contract import (CARD_FACT_LABELS, AuditCheckOut, CardDetailOut, CardOut, CardsOut, CheckpointsOut,
                                  EventSearchOut,
                                  LoginOut, SignoffOut, TimelineOut)
from hall_server.contract import events as kinds
from hall_server.contract import show

from .. import anchor_store
from ..bridge import KnownError
from ..config import ClientConfig
from ..context import ClientContext
from ..widgets import supervision_ops as ops
from ..widgets.common import StatusBanner
from ..widgets.event_log import EventLogView
from ..widgets.fit import scrollable
from ..widgets.login import LoginForm

log = logging.getLogger(__name__)

TZ = "Asia/Shanghai"


def _item(v: object) -> QTableWidgetItem:
    it = QTableWidgetItem("" if v is None else str(v))
    return it


def hall_tz(mode: "SupervisionMode") -> str:
    """The hall's zone (from the server's snapshot), never the PC's."""
    return getattr(mode.ctx.devices, "hall_tz", "") or show.HALL_TZ


def type_choices() -> list[tuple[str, str]]:
    """The search's event-type filter as a person picks it: whole areas, then each kind."""
    out = [("全部事件", "")]
    out += [(f"全部{name}事件", f"{area}.") for area, name in kinds.AREA_LABELS.items()]
    out += [(f"{kinds.AREA_LABELS.get(k.type.split('.')[0], '其他')} · {k.label}", k.type)
            for k in kinds.KINDS.values() if k is not kinds.RATING_PRIVATE]
    return out


def hall_today(mode: "SupervisionMode") -> QDate:
    """The hall's business day (its zone, not the PC's): an inspector abroad or a PC on UTC
    must still open on the hall's today."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    d = datetime.now(ZoneInfo(hall_tz(mode))).date()
    return QDate(d.year, d.month, d.day)

def hall_now(mode: "SupervisionMode") -> QDateTime:
    """Now on the hall's wall clock (not the PC's zone, which may be UTC)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    n = datetime.now(ZoneInfo(hall_tz(mode)))
    return QDateTime(QDate(n.year, n.month, n.day), QTime(n.hour, n.minute))


class SearchTab(QWidget):
    searched = Signal(object)  # EventSearchOut

    def __init__(self, mode: "SupervisionMode") -> None:
        super().__init__()
        self.mode = mode
        form = QFormLayout()
        now = hall_now(mode)  # the hall's wall clock: the server reads these as hall-local times
        self.start = QDateTimeEdit(now.addDays(-1))
        self.end = QDateTimeEdit(now.addDays(1))
        for w in (self.start, self.end):
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
            w.setCalendarPopup(True)
        self.use_time = QCheckBox("按时间")
        self.window_no, self.staff_no, self.case_no, self.ticket = (QLineEdit() for _ in range(4))
        self.type_ = QComboBox()
        for text, value in type_choices():
            self.type_.addItem(text, value)
        row = QHBoxLayout()
        row.addWidget(self.use_time)
        row.addWidget(self.start)
        row.addWidget(QLabel("至"))
        row.addWidget(self.end)
        form.addRow("时间", row)
        form.addRow("窗口", self.window_no)
        form.addRow("工号", self.staff_no)
        form.addRow("类型", self.type_)
        form.addRow("办件号", self.case_no)
        form.addRow("号票", self.ticket)
        self.go = QPushButton("检索")
        self.more = QPushButton("下一页")
        self.more.setEnabled(False)
        self.count = QLabel("")
        self.table = EventLogView()
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        btns = QHBoxLayout()
        btns.addWidget(self.go)
        btns.addWidget(self.more)
        btns.addWidget(self.count, 1)
        lay.addLayout(btns)
        lay.addWidget(self.table, 1)
        self.go.clicked.connect(lambda: self.search())
        self.more.clicked.connect(self.next_page)
        self.last: EventSearchOut | None = None

    def filters(self) -> dict[str, Any]:
        f: dict[str, Any] = {"window_no": self.window_no.text().strip(), "staff_no": self.staff_no.text().strip(),
                             "type": str(self.type_.currentData() or ""), "case_no": self.case_no.text().strip(),
                             "ticket": self.ticket.text().strip().upper()}
        if self.use_time.isChecked():
            f["from"] = self.start.dateTime().toString("yyyy-MM-ddTHH:mm:ss")
            f["to"] = self.end.dateTime().toString("yyyy-MM-ddTHH:mm:ss")
        return f

    def search(self, before_seq: int | None = None) -> None:
        ops.search_events(self.mode.ctx.api, filters=self.filters(), before_seq=before_seq,
                          on_ok=self._shown, on_error=self.mode.ctx.bridge.handle)

    def next_page(self) -> None:
        if self.last and self.last.events:
            self.search(before_seq=self.last.events[-1].seq)

    def _shown(self, page: EventSearchOut) -> None:
        self.last = page
        self.table.set_events(page.events, names=page.names, tz=hall_tz(self.mode))
        self.more.setEnabled(page.more)
        self.count.setText(f"本页 {page.count} 条" + ("，还有更多" if page.more else ""))
        self.searched.emit(page)


class TimelineTab(QWidget):
    shown = Signal(object)  # TimelineOut

    def __init__(self, mode: "SupervisionMode") -> None:
        super().__init__()
        self.mode = mode
        self.case_no = QLineEdit()
        self.case_no.setPlaceholderText("办件号")
        self.case_go = QPushButton("办件时间线")
        self.staff_no = QLineEdit()
        self.staff_no.setPlaceholderText("工号")
        self.day = QDateEdit(hall_today(mode))
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setCalendarPopup(True)
        self.staff_go = QPushButton("人员当日记录")
        self.title = QLabel("")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setMinimumHeight(self.summary.fontMetrics().lineSpacing() * 2 + 6)
        self.table = EventLogView()
        lay = QVBoxLayout(self)
        r1 = QHBoxLayout()
        for w in (self.case_no, self.case_go):
            r1.addWidget(w)
        r2 = QHBoxLayout()
        for w in (self.staff_no, self.day, self.staff_go):
            r2.addWidget(w)
        lay.addLayout(r1)
        lay.addLayout(r2)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        self.case_go.clicked.connect(self.load_case)
        self.staff_go.clicked.connect(self.load_staff)

    def load_case(self) -> None:
        ops.case_timeline(self.mode.ctx.api, case_no=self.case_no.text(), on_ok=self._show,
                          on_error=self.mode.ctx.bridge.handle)

    def load_staff(self) -> None:
        ops.staff_timeline(self.mode.ctx.api, staff_no=self.staff_no.text(),
                           day=self.day.date().toString("yyyy-MM-dd"), on_ok=self._show,
                           on_error=self.mode.ctx.bridge.handle)

    def _show(self, t: TimelineOut) -> None:
        self.title.setText(t.title)
        self.summary.setText(t.summary_text)
        self.table.set_events(t.events, names=t.names, tz=hall_tz(self.mode))
        self.shown.emit(t)


class CardsTab(QWidget):
    loaded = Signal(object)  # CardsOut
    opened = Signal(object)  # CardDetailOut
    signed = Signal(object)  # SignoffOut

    def __init__(self, mode: "SupervisionMode") -> None:
        super().__init__()
        self.mode = mode
        self.start = QDateEdit(hall_today(mode))
        self.end = QDateEdit(hall_today(mode))
        for w in (self.start, self.end):
            w.setDisplayFormat("yyyy-MM-dd")
            w.setCalendarPopup(True)
        self.open_only = QCheckBox("只看未签阅")
        self.go = QPushButton("查询红黄牌")
        self.totals = QLabel("")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["牌", "规则", "日期", "说明", "签阅"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.detail_title = QLabel("")
        self.detail_title.setWordWrap(True)
        self.facts = QLabel("")
        self.facts.setWordWrap(True)
        self.evidence = EventLogView(detail_title="原始记录")
        self.note = QLineEdit()
        self.note.setPlaceholderText("签阅意见（可选）")
        self.sign = QPushButton("签阅")
        self.sign.setEnabled(False)
        top = QHBoxLayout()
        for w in (self.start, QLabel("至"), self.end, self.open_only, self.go):
            top.addWidget(w)
        top.addWidget(self.totals, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.detail_title)
        rl.addWidget(self.facts)
        rl.addWidget(QLabel("依据（日志记录）"))
        rl.addWidget(self.evidence, 1)
        sr = QHBoxLayout()
        sr.addWidget(self.note, 1)
        sr.addWidget(self.sign)
        rl.addLayout(sr)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([420, 940])  # the evidence's sentences need the width
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        self.cards: list[CardOut] = []
        self.current: CardOut | None = None
        self.go.clicked.connect(self.load)
        self.table.cellClicked.connect(lambda row, _col: self.open_card(row))
        self.sign.clicked.connect(self.sign_off)

    def load(self) -> None:
        ops.list_cards(self.mode.ctx.api, start=self.start.date().toString("yyyy-MM-dd"),
                       end=self.end.date().toString("yyyy-MM-dd"), open_only=self.open_only.isChecked(),
                       on_ok=self._loaded, on_error=self.mode.ctx.bridge.handle)

    def _loaded(self, out: CardsOut) -> None:
        self.cards = list(out.cards)
        self.totals.setText(f"红牌 {out.red}，黄牌 {out.yellow}，未签阅 {out.open}（规则：{out.city}）")
        self.table.setRowCount(len(self.cards))
        for r, k in enumerate(self.cards):
            for col, v in enumerate((k.level_label, k.rule_label, k.day.isoformat(), k.title,
                                     show.staff(out.names.get(k.signed_by or ""), k.signed_by)
                                     if k.signed_off else "未签阅")):
                self.table.setItem(r, col, _item(v))
        self.loaded.emit(out)

    def open_card(self, row: int) -> None:
        if 0 <= row < len(self.cards):
            ops.card_detail(self.mode.ctx.api, key=self.cards[row].key, on_ok=self._opened,
                            on_error=self.mode.ctx.bridge.handle)

    def _opened(self, d: CardDetailOut) -> None:
        self.current = d.card
        self.detail_title.setText(f"【{d.card.level_label}】{d.card.title}")
        self.facts.setText(show.pairs(d.card.facts, CARD_FACT_LABELS, hall_tz(self.mode)))
        self.evidence.set_events(d.events, names=d.names, tz=hall_tz(self.mode))
        self.sign.setEnabled(not d.card.signed_off)
        self.opened.emit(d)

    def sign_off(self) -> None:
        if self.current is None:
            return
        self.sign.setEnabled(False)
        ops.sign_off(self.mode.ctx.api, key=self.current.key, note=self.note.text().strip(), on_ok=self._signed,
                     on_error=self._sign_failed)

    def _sign_failed(self, e: KnownError) -> None:
        self.sign.setEnabled(True)
        self.mode.ctx.bridge.handle(e)

    def _signed(self, s: SignoffOut) -> None:
        self.note.clear()
        self.mode.ctx.bridge.info("已签阅，签阅记录已写入日志。")
        self.signed.emit(s)
        self.load()


class AuditTab(QWidget):
    """完整性校验: fetch the signed checkpoints (kept on this PC, anchor_store.py), then ask
    the server to check the chain, its tip, every kept checkpoint and the business rows;
    this PC also compares the kept checkpoints with the answer itself."""
    checked = Signal(object)  # AuditCheckOut

    def __init__(self, mode: "SupervisionMode") -> None:
        super().__init__()
        self.mode = mode
        cfg = mode.ctx.config
        self.store = anchor_store.CheckpointStore(Path(cfg.data_dir) if cfg.data_dir else anchor_store.default_dir())
        self.go = QPushButton("校验日志完整性（哈希链、检查点、业务数据）")
        self.result = QLabel("尚未校验")
        self.result.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.go)
        lay.addWidget(self.result)
        lay.addStretch(1)
        self.go.clicked.connect(self.run)

    def run(self) -> None:
        self.go.setEnabled(False)
        ops.checkpoints(self.mode.ctx.api, on_ok=self._got_checkpoints, on_error=self._failed)

    def _got_checkpoints(self, got: CheckpointsOut) -> None:
        self._refused = self.store.merge(got.checkpoints)[1]
        ops.audit_check(self.mode.ctx.api, checkpoints=self.store.all(), deep=True, on_ok=self._done,
                        on_error=self._failed)

    def _failed(self, e: KnownError) -> None:
        self.go.setEnabled(True)
        self.mode.ctx.bridge.handle(e)

    def _done(self, r: AuditCheckOut) -> None:
        self.go.setEnabled(True)
        kept = self.store.all()
        local = anchor_store.compare(kept, head_seq=r.head_seq, hashes=r.anchor_hashes)
        problems = [f.message for f in r.findings] + [m for m in local if m not in {f.message for f in r.findings}]
        if self._refused:
            problems.append(f"服务器提供的 {self._refused} 个检查点不是监察室密钥签署的")
        ok = r.ok and not problems
        if ok:
            self.result.setText(f"日志完整：已校验 {r.checked} 条，至第 {r.last_seq} 条，未发现改动；"
                                f"延续本机保存的 {len(kept)} 个签名检查点，业务数据与日志一致。")
            self.result.setStyleSheet("color: #135200;")
        else:
            shown = "；\n".join(problems[:8]) + ("……" if len(problems) > 8 else "")
            self.result.setText(f"日志不完整，请立即报告：\n{shown}")
            self.result.setStyleSheet("color: #a8071a; font-weight: bold;")
        self.checked.emit(r.model_copy(update={"ok": ok}))


class ExportTab(QWidget):
    exported = Signal(str)

    def __init__(self, mode: "SupervisionMode") -> None:
        super().__init__()
        self.mode = mode
        self.xlsx = QPushButton("导出 Excel（事件日志 + 红黄牌）")
        self.pdf = QPushButton("导出 PDF")
        self.status = QLabel("按“事件检索”页的条件导出。")
        lay = QVBoxLayout(self)
        lay.addWidget(self.xlsx)
        lay.addWidget(self.pdf)
        lay.addWidget(self.status)
        lay.addStretch(1)
        self.xlsx.clicked.connect(lambda: self.export("xlsx"))
        self.pdf.clicked.connect(lambda: self.export("pdf"))
        self.ask_path = self._ask_path  # tests replace this with a fixed path

    def _ask_path(self, suffix: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, "保存导出文件", f"监察导出.{suffix}", f"*.{suffix}")
        return Path(name) if name else None

    def export(self, suffix: str) -> None:
        dest = self.ask_path(suffix)
        if dest is None:
            return
        self.status.setText("正在导出……")
        ops.download(self.mode.ctx.api, path=f"/supervision/export.{suffix}",
                     params=self.mode.search.filters(), dest=dest, on_ok=self._done, on_error=self._failed)

    def _failed(self, e: KnownError) -> None:
        self.status.setText("导出失败。")
        self.mode.ctx.bridge.handle(e)

    def _done(self, path: str) -> None:
        self.status.setText(f"已导出：{path}")
        self.exported.emit(path)


class SupervisionMode(QWidget):
    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.config = ctx, config
        self.stack = QStackedWidget()
        self.login = LoginForm(ctx.api, ctx.bridge, title="驻厅监察室 · 登录")
        self.login.signed_in.connect(self._signed_in)
        self.stack.addWidget(self.login)
        main = QWidget()
        ml = QVBoxLayout(main)
        self.who = QLabel("")
        ml.addWidget(self.who)
        ml.addWidget(StatusBanner(ctx.bridge))
        self.tabs = QTabWidget()
        self.search = SearchTab(self)
        self.timeline = TimelineTab(self)
        self.cards = CardsTab(self)
        self.audit = AuditTab(self)
        self.export = ExportTab(self)
        for w, name in ((self.cards, "红黄牌"), (self.search, "事件检索"), (self.timeline, "时间线"),
                        (self.audit, "完整性校验"), (self.export, "导出")):
            self.tabs.addTab(scrollable(w), name)  # on a 768-line screen a page scrolls, the window stays
        ml.addWidget(self.tabs, 1)
        self._add_complaint_desk()
        self.main = main
        self.stack.addWidget(main)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)

    def show_tab(self, page: QWidget) -> None:
        """Bring the tab holding ``page`` to the front (the tabs are scroll areas around the pages)."""
        for i in range(self.tabs.count()):
            if self.tabs.widget(i) is page or self.tabs.widget(i).isAncestorOf(page):
                self.tabs.setCurrentIndex(i)
                return

    def _add_complaint_desk(self) -> None:
        """投诉与差评: the office handles complaints and 差评 follow-ups (the same work list
        as the manager's); loaded when opened."""
        from ..widgets.complaint_desk import ComplaintDesk
        self.desk = ComplaintDesk(self.ctx)
        page = scrollable(self.desk)  # a long work list scrolls instead of growing the window
        self.tabs.addTab(page, "投诉与差评")
        self.tabs.currentChanged.connect(lambda i: self.desk.load() if self.tabs.widget(i) is page else None)

    def _signed_in(self, login: LoginOut) -> None:
        self.who.setText(f"{login.name}（{login.staff_no}）· 审查（日志只读）与投诉处理")
        self.stack.setCurrentWidget(self.main)
        self.cards.load()


def create(ctx: ClientContext, config: ClientConfig) -> QWidget:
    return SupervisionMode(ctx, config)
