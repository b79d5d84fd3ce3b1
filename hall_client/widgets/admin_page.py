"""The admin screens' building blocks: a form made from field descriptions, and a page
of a list beside that form (新建 Ctrl+N, 保存 Ctrl+S, 停用/启用 Ctrl+D, 刷新 F5).

Layout only: what a field means and how it becomes a request body is the page's spec
(``modes/admin.py``), the text rules are ``admin_forms``; HTTP goes through the
connection. Fits 1366×768: the list and the form share the width, the form scrolls.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..admin_forms import FormError
from ..bridge import KnownError, MessageBridge
from ..connection import Connection

log = logging.getLogger(__name__)
Request = tuple[str, str, Any]  # method, path, body


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | password | bool | choice | multi | lines | readonly
    options: Sequence[tuple[str, str]] = ()  # (value, label) for choice / multi
    new_only: bool = False  # the key of a record: typed when creating, fixed afterwards
    hint: str = ""
    fmt: Callable[[Any], str] | None = None  # API value -> the text shown


class FormView(QWidget):
    """Widgets from ``Field``s; ``values()`` gives what was typed (text, bool, value, list)."""

    def __init__(self, fields: Sequence[Field], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = list(fields)
        self.widgets: dict[str, QWidget] = {}
        lay = QFormLayout(self)
        lay.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for f in self.fields:
            w = self._make(f)
            self.widgets[f.key] = w
            lay.addRow(f.label, w)

    @staticmethod
    def _make(f: Field) -> QWidget:
        if f.kind == "bool":
            return QCheckBox()
        if f.kind == "choice":
            box = QComboBox()
            for value, label in f.options:
                box.addItem(label, value)
            return box
        if f.kind == "multi":
            w = QWidget()
            row = QHBoxLayout(w)
            row.setContentsMargins(0, 0, 0, 0)
            for value, label in f.options:
                cb = QCheckBox(label)
                cb.setProperty("value", value)
                row.addWidget(cb)
            row.addStretch(1)
            return w
        if f.kind == "lines":
            t = QPlainTextEdit()
            t.setPlaceholderText(f.hint)
            t.setFixedHeight(84)
            t.setTabChangesFocus(True)
            return t
        if f.kind == "readonly":
            lab = QLabel()
            lab.setWordWrap(True)
            return lab
        e = QLineEdit()
        e.setPlaceholderText(f.hint)
        if f.kind == "password":
            e.setEchoMode(QLineEdit.EchoMode.Password)
        return e

    def set_choices(self, key: str, options: Sequence[tuple[str, str]]) -> None:
        box = self.widgets[key]
        assert isinstance(box, QComboBox)
        keep = box.currentData()
        box.clear()
        for value, label in options:
            box.addItem(label, value)
        i = box.findData(keep)
        box.setCurrentIndex(max(i, 0))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.widgets[f.key]
            if isinstance(w, QCheckBox):
                out[f.key] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[f.key] = w.currentData()
            elif isinstance(w, QPlainTextEdit):
                out[f.key] = w.toPlainText()
            elif isinstance(w, QLineEdit):
                out[f.key] = w.text()
            elif isinstance(w, QLabel):
                out[f.key] = w.text()
            else:
                out[f.key] = [cb.property("value") for cb in w.findChildren(QCheckBox) if cb.isChecked()]
        return out

    def set_values(self, data: dict[str, Any]) -> None:
        for f in self.fields:
            v = data.get(f.key)
            w = self.widgets[f.key]
            text = f.fmt(v) if f.fmt else ("" if v is None else str(v))
            if isinstance(w, QCheckBox):
                w.setChecked(bool(v))
            elif isinstance(w, QComboBox):
                w.setCurrentIndex(max(w.findData(v), 0))
            elif isinstance(w, QPlainTextEdit):
                w.setPlainText(text)
            elif isinstance(w, (QLineEdit, QLabel)):
                w.setText(text)
            else:
                for cb in w.findChildren(QCheckBox):
                    cb.setChecked(cb.property("value") in (v or []))

    def set_value(self, key: str, value: Any) -> None:
        """Type into one field (tests and pages filling a default)."""
        f = next(x for x in self.fields if x.key == key)
        cur = self.values()
        cur[key] = value
        w = self.widgets[key]
        if isinstance(w, (QLineEdit, QPlainTextEdit)) and not isinstance(value, str):
            value = f.fmt(value) if f.fmt else str(value)
        if isinstance(w, QLineEdit):
            w.setText(value)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(w.findData(value), 0))
        else:
            for cb in w.findChildren(QCheckBox):
                cb.setChecked(cb.property("value") in value)

    def set_new(self, new: bool, editable: bool) -> None:
        for f in self.fields:
            w = self.widgets[f.key]
            ok = editable and (new or not f.new_only) and f.kind != "readonly"
            if isinstance(w, QLineEdit) or isinstance(w, QPlainTextEdit):
                w.setReadOnly(not ok)
            else:
                w.setEnabled(ok)

    def clear(self) -> None:
        self.set_values({})


@dataclass
class PageSpec:
    """What one kind of record looks like on screen and how it is saved."""
    title: str
    list_path: str
    row_model: Any
    columns: Sequence[tuple[str, str]]
    key: Callable[[Any], str]
    fields: Sequence[Field]
    create: Callable[[dict[str, Any]], Request] | None = None
    update: Callable[[Any, dict[str, Any]], Request] | None = None
    toggle: Callable[[Any], Request] | None = None  # 停用/启用 the selected record
    after_create: Callable[[dict[str, Any]], Request | None] | None = None  # a second step (e.g. hours)
    cell: Callable[[Any, str], str] | None = None  # row, column key -> text
    row_dict: Callable[[Any], dict[str, Any]] = field(default=lambda r: r.model_dump(mode="json"))


def _button(text: str, slot: Callable[[], Any], tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(lambda _=False: slot())
    if tip:
        b.setToolTip(tip)
    return b


class RecordPage(QWidget):
    """A list of records and the form of the selected one."""

    loaded = Signal(object)  # list of rows
    saved = Signal(object)  # the answer of a save / toggle / action
    failed = Signal(str)  # the Chinese message shown

    def __init__(self, api: Connection, bridge: MessageBridge, spec: PageSpec, *, editable: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.bridge, self.spec, self.editable = api, bridge, spec, editable
        self.rows: list[Any] = []
        self.current: Any = None
        self._follow: Request | None = None
        self.table = QTableWidget(0, len(spec.columns))
        self.table.setHorizontalHeaderLabels([label for _, label in spec.columns])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.form = FormView(spec.fields)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.new_button = _button("新建（Ctrl+N）", self.new)
        self.save_button = _button("保存（Ctrl+S）", self.save)
        self.toggle_button = _button("停用（Ctrl+D）", self.toggle)
        for b in (self.new_button, self.save_button, self.toggle_button):
            self.buttons.addWidget(b)
        self.buttons.addStretch(1)
        self.new_button.setVisible(spec.create is not None)
        self.toggle_button.setVisible(spec.toggle is not None)
        self.extra = QVBoxLayout()  # pages add their own sections under the form
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.form)
        rl.addLayout(self.buttons)
        rl.addWidget(self.status)
        rl.addLayout(self.extra)
        rl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(right)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(scroll)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        head = QLabel(spec.title)
        head.setObjectName("adminPageTitle")
        head.setStyleSheet("font-size: 20px; font-weight: bold;")
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(split, 1)
        for seq, slot in ((QKeySequence.StandardKey.New, self.new), (QKeySequence.StandardKey.Save, self.save),
                          (QKeySequence("Ctrl+D"), self.toggle), (QKeySequence.StandardKey.Refresh, self.reload)):
            sc = QShortcut(seq, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        for b in (self.new_button, self.save_button, self.toggle_button):
            b.setEnabled(editable)
        self.new()

    def add_button(self, text: str, slot: Callable[[], Any], shortcut: str = "") -> QPushButton:
        b = _button(text, slot)
        b.setEnabled(self.editable)
        self.buttons.insertWidget(self.buttons.count() - 1, b)
        if shortcut:
            sc = QShortcut(QKeySequence(shortcut), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        return b

    # --- list -------------------------------------------------------------------------

    def reload(self) -> None:
        self.api.get(self.spec.list_path, model=list[self.spec.row_model], on_ok=self._fill, on_error=self.show_error)

    def _text(self, row: Any, key: str) -> str:
        if self.spec.cell is not None:
            return self.spec.cell(row, key)
        v = getattr(row, key, "")
        if isinstance(v, bool):
            return "是" if v else "否"
        if isinstance(v, list):
            return "、".join(str(x) for x in v)
        return "" if v is None else str(v)

    def _fill(self, rows: list[Any]) -> None:
        keep = self.spec.key(self.current) if self.current is not None else None
        self.rows = list(rows)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            for j, (key, _) in enumerate(self.spec.columns):
                self.table.setItem(i, j, QTableWidgetItem(self._text(row, key)))
        self.table.blockSignals(False)
        if keep is not None:
            self.select(keep)
        self.loaded.emit(self.rows)

    def select(self, key: str) -> bool:
        for i, row in enumerate(self.rows):
            if self.spec.key(row) == key:
                self.table.selectRow(i)
                self._show(row)
                return True
        return False

    def _selected(self) -> None:
        i = self.table.currentRow()
        if 0 <= i < len(self.rows):
            self._show(self.rows[i])

    def _show(self, row: Any) -> None:
        self.current = row
        self.form.set_values(self.spec.row_dict(row))
        self.form.set_new(False, self.editable)
        active = getattr(row, "active", True)
        self.toggle_button.setText("停用（Ctrl+D）" if active else "启用（Ctrl+D）")
        self.status.clear()
        self.shown(row)

    def shown(self, row: Any) -> None:
        """A record was selected (pages load what belongs to it)."""

    # --- actions ----------------------------------------------------------------------

    def new(self) -> None:
        if self.spec.create is None:
            return
        self.current = None
        self.table.clearSelection()
        self.form.clear()
        self.form.set_new(True, self.editable)
        self.status.setText("填写后按“保存”新建。" if self.editable else "只读：您的角色不能修改配置。")

    def save(self) -> None:
        if not self.editable:
            return
        try:
            values = self.form.values()
            if self.current is None:
                if self.spec.create is None:
                    raise FormError("请先在左侧列表中选择一项。")
                req = self.spec.create(values)
                self._follow = self.spec.after_create(values) if self.spec.after_create else None
            else:
                if self.spec.update is None:
                    raise FormError("这一项不能修改。")
                req = self.spec.update(self.current, values)
        except FormError as e:
            self.show_error(e)
            return
        self.send(req)

    def toggle(self) -> None:
        if not self.editable or self.spec.toggle is None:
            return
        if self.current is None:
            self.show_error(FormError("请先在左侧列表中选择一项。"))
            return
        self.send(self.spec.toggle(self.current))

    def send(self, req: Request, *, model: Any = None, on_ok: Callable[[Any], None] | None = None) -> None:
        method, path, body = req
        self.status.setText("正在保存…")
        self.api.request(method, path, json_body=body, model=model, idempotent=method == "POST",
                         on_ok=on_ok or self.done, on_error=self.show_error)

    def done(self, result: Any) -> None:
        follow, self._follow = self._follow, None
        if follow is not None:
            self.send(follow)
            return
        key = self._key_of(result)
        self.status.setStyleSheet("color: #237804;")
        self.status.setText("已保存。")
        self.reload_then_select(key)
        self.saved.emit(result)

    def _key_of(self, result: Any) -> str | None:
        obj = SimpleNamespace(**result) if isinstance(result, dict) else result
        try:
            return self.spec.key(obj)
        except AttributeError:  # an action's answer need not be a row
            return None

    def reload_then_select(self, key: str | None) -> None:
        def fill(rows: list[Any]) -> None:
            self._fill(rows)
            if key is not None:
                self.select(key)
        self.api.get(self.spec.list_path, model=list[self.spec.row_model], on_ok=fill, on_error=self.show_error)

    def show_error(self, e: KnownError | BaseException) -> None:
        if not isinstance(e, KnownError):
            self.bridge.handle(e)  # a bug: fails loudly in tests
            return
        self.status.setStyleSheet("color: #a8071a;")
        self.status.setText(e.message)
        self.failed.emit(e.message)
