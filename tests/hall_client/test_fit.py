"""The fitting helpers: a wrapping button row, a scroll area that asks for little, and
fitting a top-level window to a small screen."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from hall_client.widgets.fit import FlowLayout, scrollable

from .layout import assert_fits, problems, settle


def buttons_row(n: int = 7) -> tuple[QWidget, list[QPushButton]]:
    w = QWidget()
    lay = QVBoxLayout(w)
    row = FlowLayout()
    bs = [QPushButton(f"开始审查 Ctrl+{i}") for i in range(n)]
    for b in bs:
        row.addWidget(b)
    lay.addLayout(row)
    lay.addStretch(1)
    return w, bs


def test_a_flow_row_wraps_onto_more_lines_instead_of_widening_the_panel(qtbot):
    w, bs = buttons_row()
    qtbot.addWidget(w)
    widest = max(b.sizeHint().width() for b in bs)
    assert w.minimumSizeHint().width() < widest + 40  # as narrow as one button, not seven
    assert_fits(w, QSize(widest + 30, 600))
    assert len({b.y() for b in bs}) == len(bs)  # one per line at that width
    assert_fits(w, QSize(2000, 400))
    assert len({b.y() for b in bs}) == 1  # all on one line when there is room
    lines = sorted({b.y() for b in bs})
    assert all(not a.geometry().intersects(b.geometry()) for a in bs for b in bs if a is not b), lines


def test_a_long_form_in_a_scroll_area_no_longer_decides_the_window_size(qtbot):
    form = QWidget()
    lay = QVBoxLayout(form)
    for i in range(60):
        lay.addWidget(QLabel(f"第 {i} 行"))
    top = QWidget()
    QVBoxLayout(top).addWidget(scrollable(form))
    qtbot.addWidget(top)
    assert form.minimumSizeHint().height() > 768
    assert_fits(top, QSize(1366, 696))


def test_the_check_names_a_widget_pushed_outside_the_window(qtbot):
    top = QWidget()
    lay = QVBoxLayout(top)
    for i in range(40):
        lay.addWidget(QPushButton(f"按钮 {i}"))
    qtbot.addWidget(top)
    top.resize(800, 400)
    top.show()
    settle(top)
    found = problems(top, QSize(800, 400))
    assert any("minimumSize" in p for p in found) and any("forced it to grow" in p for p in found)
