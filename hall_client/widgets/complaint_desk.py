"""投诉与差评: the work list of the people who handle complaints and 差评 follow-ups
(the hall manager and the supervision office): new, in hand, overdue, done. A complaint
is assigned (never to the person complained about), its 整改 recorded, answered (which
closes it) and called back (回访, the citizen's view on three levels); a 差评 goes 回访 →
整改 → the citizen's re-rating of the fix → closed. Deadlines read in working days and
a missed one is red *and* says 「已超期」.

Keys: F5 刷新, F6 交办, F7 记录回访, F8 记录整改, F9 记录复评, F10 答复并办结,
Ctrl+1…5 the filters.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QSplitter, QTabBar, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from hall_server.contract import ComplaintList, RatingList
from hall_server.domain.ratings import LEVEL_LABELS

from .common import read_only_table
from .. import manager_ops as ops
from .. import worklist as wl
from ..bridge import KnownError
from ..context import ClientContext

log = logging.getLogger(__name__)
RED = QColor("#C62828")
COLUMNS = ("类型", "编号", "事由", "涉及", "状态", "期限", "时限")


class ComplaintDesk(QWidget):
    loaded = Signal(list)   # list[worklist.Item] (all of them)
    acted = Signal(object)  # the server's answer to an action

    def __init__(self, ctx: ClientContext, tz: str = "Asia/Shanghai", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.tz = ctx, tz
        self.all: list[wl.Item] = []
        self.shown: list[wl.Item] = []
        self.current: wl.Item | None = None
        self._parts: dict[str, Any] = {}
        self._opened = False
        self.filters = QTabBar()
        for f in wl.FILTERS:
            self.filters.addTab(f)
        self.filters.setUsesScrollButtons(False)  # every filter visible with its count
        self.filters.setExpanding(False)
        self.refresh = QPushButton("刷新（F5）")
        self.summary = QLabel("")
        self.table = read_only_table(COLUMNS)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col in (2, 3):  # 事由 and 涉及 share what the short columns leave
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.detail = QLabel("在左侧选择一条记录。")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_actions()
        self._layout()
        self._wire()
        # new complaints and follow-up steps arrive on the event stream: once the list has
        # been opened it reloads itself (debounced), no polling
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(300)
        self._reload.timeout.connect(self.load)
        ctx.store.event_received.connect(self._on_event)

    # --- layout ----------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.assignee, self.assign_note = QLineEdit(), QLineEdit()
        self.assignee.setPlaceholderText("承办人工号")
        self.assign_note.setPlaceholderText("交办说明（可选）")
        self.assign_btn = QPushButton("交办（F6）")
        self.assign_hint = QLabel("")
        self.callback_note = QLineEdit()
        self.callback_note.setPlaceholderText("回访情况：联系了谁、群众怎么说")
        self.callback_btn = QPushButton("记录回访（F7）")
        self.callback_level = QComboBox()  # 投诉: the citizen's view of the handling, when given
        self.callback_level.addItem("（群众未评价）", "")
        for lv in wl.RERATE_LEVELS:
            self.callback_level.addItem(LEVEL_LABELS[lv], str(lv))
        self.rectify_note = QLineEdit()
        self.rectify_note.setPlaceholderText("整改措施与结果")
        self.rectify_btn = QPushButton("记录整改（F8）")
        self.rerate = QComboBox()
        for lv in wl.RERATE_LEVELS:
            self.rerate.addItem(LEVEL_LABELS[lv], str(lv))
        self.rerate_btn = QPushButton("记录复评（F9）")
        self.reply_text = QLineEdit()
        self.reply_text.setPlaceholderText("答复群众的内容")
        self.reply_method = QComboBox()
        for code, label in wl.REPLY_METHODS.items():
            self.reply_method.addItem(label, code)
        self.reply_btn = QPushButton("答复并办结（F10）")
        self.assign_box = self._box("交办", [("承办人", self.assignee), ("说明", self.assign_note)],
                                    [self.assign_btn, self.assign_hint])
        self.callback_box = self._box("回访", [("回访记录", self.callback_note), ("群众评价", self.callback_level)],
                                      [self.callback_btn])
        self.rectify_box = self._box("整改", [("整改情况", self.rectify_note)], [self.rectify_btn])
        self.rerate_box = self._box("群众复评", [("复评结果", self.rerate)], [self.rerate_btn])
        self.reply_box = self._box("答复", [("答复内容", self.reply_text), ("答复方式", self.reply_method)],
                                   [self.reply_btn])

    @staticmethod
    def _box(title: str, rows: list[tuple[str, QWidget]], buttons: list[QWidget]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        for label, w in rows:
            form.addRow(label, w)
        line = QHBoxLayout()
        for b in buttons:
            line.addWidget(b)
        line.addStretch(1)
        form.addRow(line)
        return box

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.filters, 0)
        top.addWidget(self.refresh)
        top.addWidget(self.summary, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.detail)
        for b in (self.assign_box, self.callback_box, self.rectify_box, self.rerate_box, self.reply_box):
            rl.addWidget(b)
        rl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(right)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        self._show_actions(None)

    def _wire(self) -> None:
        self.refresh.clicked.connect(self.load)
        self.filters.currentChanged.connect(lambda _i: self._render())
        self.table.itemSelectionChanged.connect(self._selected)
        self.assignee.textChanged.connect(lambda _t: self._show_actions(self.current))
        self.assign_btn.clicked.connect(self.assign)
        self.callback_btn.clicked.connect(lambda: self.step("call-back", self.callback_note))
        self.rectify_btn.clicked.connect(lambda: self.step("rectify", self.rectify_note))
        self.rerate_btn.clicked.connect(self.record_rerate)
        self.reply_btn.clicked.connect(self.reply)
        for key, btn in (("F6", self.assign_btn), ("F7", self.callback_btn), ("F8", self.rectify_btn),
                         ("F9", self.rerate_btn), ("F10", self.reply_btn)):
            QShortcut(QKeySequence(key), self, lambda b=btn: b.isEnabled() and b.isVisibleTo(self) and b.click())
        QShortcut(QKeySequence("F5"), self, self.load)
        for i in range(len(wl.FILTERS)):
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, lambda i=i: self.filters.setCurrentIndex(i))

    # --- data ------------------------------------------------------------------------
    def _on_event(self, ev: Any) -> None:
        if self._opened and ev.type.startswith(("complaint.", "rating.followup", "rating.rerated", "rating.recorded")):
            self._reload.start()

    def load(self) -> None:
        self._opened = True
        self._parts = {}
        ops.complaints(self.ctx.api, on_ok=lambda out: self._part("complaints", out), on_error=self.ctx.bridge.handle)
        ops.bad_ratings(self.ctx.api, on_ok=lambda out: self._part("ratings", out), on_error=self.ctx.bridge.handle)

    def _part(self, name: str, out: ComplaintList | RatingList) -> None:
        self._parts[name] = out
        if len(self._parts) < 2:
            return
        self.all = wl.items(self._parts["complaints"].items, self._parts["ratings"].items)
        keep = self.current.key if self.current else None
        self._render(keep)
        self.loaded.emit(self.all)

    def _render(self, keep: str | None = None) -> None:
        n = wl.counts(self.all)
        for i, f in enumerate(wl.FILTERS):
            self.filters.setTabText(i, f"{f}（{n[f]}）")
        self.filters.setMinimumWidth(self.filters.sizeHint().width())  # every filter stays readable
        self.summary.setText(f"未办结 {sum(1 for i in self.all if not i.closed)} 件，其中已超期 {n['已超期']} 件")
        self.shown = wl.select(self.all, wl.FILTERS[self.filters.currentIndex()])
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.shown))
        for r, it in enumerate(self.shown):
            for c, text in enumerate((it.kind, it.key, it.subject, it.about, it.state_label,
                                      wl.due_local(it.due_at, self.tz), it.due)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if it.overdue:
                    cell.setForeground(QBrush(RED))
                self.table.setItem(r, c, cell)
        self.table.blockSignals(False)
        row = next((r for r, it in enumerate(self.shown) if it.key == keep), -1)
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()
        self._selected()

    def select_key(self, key: str) -> None:
        """Select the row of ``key`` (switching to 全部 if the current filter hides it)."""
        if not any(i.key == key for i in self.shown):
            self.filters.setCurrentIndex(wl.FILTERS.index("全部"))
        row = next((r for r, it in enumerate(self.shown) if it.key == key), -1)
        if row >= 0:
            self.table.selectRow(row)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.current = self.shown[rows[0].row()] if rows and rows[0].row() < len(self.shown) else None
        self.detail.setText(self._detail_text(self.current) if self.current else "在左侧选择一条记录。")
        self._show_actions(self.current)

    def _detail_text(self, it: wl.Item) -> str:
        lines = [f"【{it.kind}】{it.key}　{it.state_label}", f"事由：{it.subject}", f"涉及：{it.about}"]
        src: Any = it.source
        if it.kind == "投诉":
            lines.append(f"登记：{wl.local(src.registered_at, self.tz)}")
            if src.assignee_staff_no:
                lines.append(f"承办人：{wl.show.staff(src.assignee_name, src.assignee_staff_no)}")
            if src.rectify_note:
                lines.append(f"整改（{wl.local(src.rectified_at, self.tz)}）：{src.rectify_note}")
            if src.reply:
                lines.append(f"答复（{wl.REPLY_METHODS.get(src.reply_method or '', '')}）：{src.reply}")
            if src.callback_note:
                lines.append(f"回访（{wl.local(src.called_back_at, self.tz)}）：{src.callback_note}")
        else:
            fu = src.followup
            lines.append(f"评价时间：{wl.local(src.rated_at, self.tz)}")
            if fu.callback_note:
                lines.append(f"回访（{wl.local(fu.called_back_at, self.tz)}）：{fu.callback_note}")
            if fu.rectify_note:
                lines.append(f"整改（{wl.local(fu.rectified_at, self.tz)}）：{fu.rectify_note}")
        if it.due_at is not None and not it.closed:
            lines.append(f"期限：{wl.due_local(it.due_at, self.tz)}　{it.due}")
        return "\n".join(lines)

    def _show_actions(self, it: wl.Item | None) -> None:
        kind = it.kind if it else ""
        for box, kinds in ((self.assign_box, "投诉"), (self.reply_box, "投诉"), (self.callback_box, "投诉差评"),
                           (self.rectify_box, "投诉差评"), (self.rerate_box, "差评")):
            box.setVisible(bool(kind) and kind in kinds)
        self.callback_level.setVisible(kind == "投诉")
        label = self.callback_box.layout().labelForField(self.callback_level)
        if label is not None:
            label.setVisible(kind == "投诉")
        allowed = it.allowed if it else frozenset()
        why = wl.may_assign_to(it, self.assignee.text()) if it and "assign" in allowed else None
        self.assign_hint.setText(why or "")
        self.assign_btn.setEnabled("assign" in allowed and why is None)
        self.reply_btn.setEnabled("reply" in allowed)
        self.callback_btn.setEnabled("call_back" in allowed)
        self.rectify_btn.setEnabled("rectify" in allowed)
        self.rerate_btn.setEnabled("rerate" in allowed)

    # --- actions ---------------------------------------------------------------------
    def _done(self, out: Any) -> None:
        self.ctx.bridge.info("已保存，记录已写入日志。")
        for w in (self.assign_note, self.callback_note, self.rectify_note, self.reply_text):
            w.clear()
        self.callback_level.setCurrentIndex(0)
        self.acted.emit(out)
        self.load()

    def _failed(self, e: KnownError) -> None:
        self.ctx.bridge.handle(e)
        self._show_actions(self.current)

    def assign(self) -> None:
        it = self.current
        if it is None or it.kind != "投诉":
            return
        ops.assign_complaint(self.ctx.api, complaint_no=it.key, to_staff_no=self.assignee.text().strip(),
                             note=self.assign_note.text().strip(), on_ok=self._done, on_error=self._failed)

    def reply(self) -> None:
        it = self.current
        if it is None or it.kind != "投诉":
            return
        if not self.reply_text.text().strip():
            self.ctx.bridge.handle(KnownError("请填写答复内容。", code="reply_required"))
            return
        ops.reply_complaint(self.ctx.api, complaint_no=it.key, reply=self.reply_text.text().strip(),
                            method=str(self.reply_method.currentData()), on_ok=self._done, on_error=self._failed)

    def step(self, step: str, note: QLineEdit) -> None:
        """回访 or 整改 of the selected item, a complaint's or a 差评 follow-up's."""
        it = self.current
        if it is None:
            return
        if not note.text().strip():
            self.ctx.bridge.handle(KnownError("请先填写记录内容。", code="note_required"))
            return
        if it.kind == "投诉":
            ops.complaint_step(self.ctx.api, complaint_no=it.key, step=step, note=note.text().strip(),
                               level=str(self.callback_level.currentData() or "") or None, on_ok=self._done,
                               on_error=self._failed)
            return
        ops.followup_step(self.ctx.api, followup_id=it.source.followup.id, step=step,  # type: ignore[union-attr]
                          note=note.text().strip(), on_ok=self._done, on_error=self._failed)

    def record_rerate(self) -> None:
        it = self.current
        if it is None or it.kind != "差评":
            return
        ops.record_rerate(self.ctx.api, followup_id=it.source.followup.id,  # type: ignore[union-attr]
                          level=str(self.rerate.currentData()), on_ok=self._done, on_error=self._failed)
