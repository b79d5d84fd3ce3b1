"""The kiosk's on-screen keyboard: the kiosk has a touch screen and no keyboard.

One keyboard per page, bound to that page's fields: touching a field makes it the target
and switches the key set the field asked for (``digits`` for phone numbers, ``alnum``
for case numbers, query codes and the guide's pinyin initials). Keys never take the
focus, so the field keeps its cursor. Letters are capitals: case numbers and query codes
are printed in capitals on the notice. Chinese text is not typed at the kiosk at all: the
complaint page offers common complaint kinds to touch plus a call-back number (see
docs/client.md, "Kiosk input").

The key rows are data (``LAYOUTS``), the widget only draws them and forwards touches.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

log = logging.getLogger(__name__)

BACKSPACE, CLEAR, ENTER = "删除", "清空", "确定"
# one string per row; each character is a key; the action keys close the last row
LAYOUTS: Mapping[str, tuple[str, ...]] = {
    "digits": ("123", "456", "789", " 0"),  # a space leaves its cell empty
    "alnum": ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM"),
}
KEY_MIN_PX = 80  # ≥ 60 px (适老化) with room for an unsteady finger


class OnScreenKeyboard(QWidget):
    """Keys for the bound field that has (or last had) the focus.

    ``key_pressed(text)`` for every key (for tests and the idle timer), ``entered()`` when
    确定 is touched with a target (the page decides what 确定 means).
    """

    key_pressed = Signal(str)
    entered = Signal()

    def __init__(self, layout: str = "alnum", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskKeyboard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._grid = QGridLayout(self)
        self._grid.setSpacing(8)
        self._fields: dict[QLineEdit, str] = {}
        self.target: QLineEdit | None = None
        self.keys: dict[str, QPushButton] = {}
        self.layout_name = ""
        self.set_layout(layout)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    # --- binding fields ------------------------------------------------------------------

    def bind(self, field: QLineEdit, layout: str) -> None:
        """Type into ``field`` with the ``layout`` keys whenever it is touched."""
        if layout not in LAYOUTS:
            raise ValueError(f"unknown keyboard layout {layout!r}")
        self._fields[field] = layout
        if self.target is None:
            self.set_target(field)

    def set_target(self, field: QLineEdit) -> None:
        self.target = field
        want = self._fields.get(field, self.layout_name)
        if want != self.layout_name:
            self.set_layout(want)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, QLineEdit) and new in self._fields:
            self.set_target(new)

    # --- keys ----------------------------------------------------------------------------

    def set_layout(self, name: str) -> None:
        rows = LAYOUTS[name]
        for b in self.keys.values():
            self._grid.removeWidget(b)
            b.deleteLater()
        self.keys = {}
        self.layout_name = name
        width = max(len(r) for r in rows)
        for r, row in enumerate(rows):
            for c, ch in enumerate(row):
                if ch != " ":
                    self._add(ch, r, c)
        last = len(rows) - 1
        col = len(rows[-1])
        actions = (BACKSPACE, CLEAR, ENTER)
        if width - col >= len(actions):
            for i, a in enumerate(actions):
                span = 1 if i < len(actions) - 1 else width - col - (len(actions) - 1)
                self._add(a, last, col, span)
                col += 1
        else:  # a narrow pad: the actions get a row of their own
            for i, a in enumerate(actions):
                self._add(a, last + 1, i)

    def _add(self, text: str, row: int, col: int, span: int = 1) -> None:
        b = QPushButton(text)
        b.setObjectName("kioskKey" if len(text) == 1 else "kioskKeyAction")
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps its cursor
        b.setMinimumSize(KEY_MIN_PX, KEY_MIN_PX)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        b.clicked.connect(lambda _=False, t=text: self.press(t))
        self._grid.addWidget(b, row, col, 1, span)
        self.keys[text] = b

    def press(self, key: str) -> None:
        """What a touch on ``key`` does to the target field (public: tests and scripts)."""
        f = self.target
        if f is not None:
            if key == BACKSPACE:
                f.backspace()
            elif key == CLEAR:
                f.clear()
            elif key == ENTER:
                self.entered.emit()
            elif f.maxLength() > len(f.text()):
                f.insert(key)
        self.key_pressed.emit(key)
