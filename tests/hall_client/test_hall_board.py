"""The hall board at 1920×1080 with 12, 40 and 80 windows: an aligned grid of cells that
neither overlap nor clip their text, numbers tall enough for the distance the layout
promises (the newest call ≥ 10 cm at 10 m on a 55-inch TV), the newest call marked by
more than colour, no technical text for the public, and the quiet-time 八公开 roll."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel

from hall_client.widgets.hall_board import (FRESH_TEXT, PANEL_MM_PER_PX, BoardView, demo_state, plan,
                                            reading_distance_m)

WAIT_MS = 8000
TECHNICAL = re.compile(r"[A-Za-z]{2,}|语音|引擎|离线|连接|服务器|错误|异常|提示音|设备")


def digit_height(label: QLabel) -> int:
    return QFontMetrics(label.font()).tightBoundingRect("0123456789").height()


@pytest.fixture
def board(qtbot):  # type: ignore[no-untyped-def]
    def make(n: int) -> BoardView:
        view = BoardView()
        qtbot.addWidget(view)
        view.resize(1920, 1080)
        state, call = demo_state(n)
        view.show_state(state)
        view.show_call(call)
        view.show()
        QApplication.processEvents()
        return view
    return make


@pytest.mark.parametrize("n", [12, 40, 80])
def test_the_grid_holds_every_window_without_overlap_or_clipping(board, n):
    view = board(n)
    assert len(view.cells) == n
    cells = [c.geometry() for _no, c in sorted(view.cells.items())]
    area = view.grid.rect()
    for i, r in enumerate(cells):
        assert area.contains(r), f"cell {i + 1} leaves the grid"
        for other in cells[i + 1:]:
            assert not r.intersects(other)
    tops = sorted({r.top() for r in cells})
    assert len(tops) == view.plan.rows and len({r.left() for r in cells}) == view.plan.cols  # aligned
    assert view.grid.geometry().bottom() < view.waiting.geometry().top()
    for cell in view.cells.values():
        for label in (cell.no, cell.number, cell.state):
            fm = QFontMetrics(label.font())
            room = label.contentsRect()
            assert fm.horizontalAdvance(label.text()) <= room.width(), f"{label.text()} clipped in {n}"
            assert fm.height() <= room.height() + 2, f"{label.text()} cut at top/bottom in {n}"


@pytest.mark.parametrize("n", [12, 40, 80])
def test_numbers_are_tall_enough_for_the_promised_distance(board, n):
    view = board(n)
    banner = digit_height(view.banner.number)
    assert banner * PANEL_MM_PER_PX >= 100.0  # ≥ 10 cm on a 55" 1080p TV: read at 10 m
    cell = min(digit_height(c.number) for c in view.cells.values())
    assert cell >= view.plan.digit_px * 0.95
    assert reading_distance_m(cell) >= {12: 5.0, 40: 2.5, 80: 1.5}[n]


def test_more_windows_never_make_the_numbers_larger():
    assert plan(12).call_px >= plan(40).call_px >= plan(80).call_px


@pytest.mark.parametrize("n", [12, 80])
def test_the_newest_call_is_marked_by_more_than_colour(board, n):
    view = board(n)
    fresh = [c for c in view.cells.values() if c.property("fresh") == "true"]
    assert len(fresh) == 1 and fresh[0].state.text() == FRESH_TEXT
    assert view.banner.number.text() == fresh[0].number.text()


@pytest.mark.parametrize("n", [12, 40, 80])
def test_no_technical_text_reaches_the_public(board, n):
    view = board(n)
    texts = [w.text() for w in view.findChildren(QLabel) if w.isVisible() and w.text()]
    ticket_free = [re.sub(r"\b[A-Z]\d{3}\b", "", t) for t in texts]
    assert [t for t in ticket_free if TECHNICAL.search(t)] == []


def test_a_quiet_hall_rolls_the_disclosure_and_the_staff_on_duty(qtbot, client_factory, clerk_api):
    clerk = clerk_api("1001", 1)
    assert clerk.post("/windows/1/sign-in").status_code == 200
    b = client_factory("display", display_roll_s=0.05)
    d = b.widget
    seen: set[str] = set()

    def rolled() -> bool:
        seen.add(d.board.banner.roll_head.text())
        if d.board.banner.currentWidget() is d.board.banner.staff_page:
            seen.add("在岗")
        return {"监督电话", "在岗"} <= seen and len(seen) > 3
    qtbot.wait_until(rolled, timeout=WAIT_MS)
    assert "12345" in "".join(d.roll[-1])  # the 监督电话 the catalog carries today
    assert any("元" in text for _head, text in d.roll)  # fees with their standard
    assert d.board.banner.staff_cards  # photo (placeholder until uploaded) and name
    texts = [w.text() for w in d.findChildren(QLabel) if w.text()]
    assert not [t for t in texts if TECHNICAL.search(re.sub(r"\b[A-Z]\d{3}\b", "", t))]


def test_every_roll_page_fits_the_banner_whole(qtbot, board):
    view = board(40)
    long_fee = "房产测绘费：0–200m² ¥1.36；200–1000m² ¥1.00；1000以上m² ¥0.80，最低 ¥50.00，最高 ¥5,000.00；" * 4
    for head, text in (("监督电话", "12345\n办理时间：周一至周五 09:00-12:00、13:30-17:00"),
                       ("房屋所有权登记（国有建设用地使用权及房屋所有权首次登记）", "市不动产登记中心\n收费：" + long_fee)):
        view.show_roll(head, text)
        QApplication.processEvents()
        for label in (view.banner.roll_head, view.banner.roll_text):
            fm = QFontMetrics(label.font())
            need = fm.boundingRect(label.contentsRect().adjusted(0, 0, 0, 100000), int(Qt.TextFlag.TextWordWrap),
                                   label.text()).height()
            assert need <= label.contentsRect().height(), f"{label.text()[:20]} clipped"
            assert label.font().pixelSize() >= 30
