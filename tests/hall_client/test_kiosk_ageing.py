"""Every kiosk page to the 2021 适老化 numbers (MIIT), on a 1920×1080 kiosk: touch targets
≥ 60×60 px, text ≥ 18 pt, line spacing ≥ 1.3 where text spans lines, contrast ≥ 4.5:1
(from the colours the style sheet gives each widget's palette), nothing outside the
screen, and a chosen state said by a mark, not only by colour."""
from __future__ import annotations

from PySide6.QtWidgets import (QAbstractButton, QApplication, QLabel, QLineEdit, QListWidget, QTextBrowser,
                               QWidget)

from hall_client.widgets.kiosk_style import (MIN_CONTRAST, MIN_LINE_SPACING, MIN_TARGET_PX, MIN_TEXT_PT, contrast,
                                             line_spacing, multi_line, text_pt)

WAIT_MS = 8000


def visible(root: QWidget, kind: type) -> list[QWidget]:
    return [w for w in root.findChildren(kind) if w.isVisibleTo(root.window()) and w.isVisible()]


def problems(k: QWidget, page_name: str) -> list[str]:
    QApplication.processEvents()
    out = []
    if k.width() > 1920 or k.height() > 1080:
        out.append(f"{page_name}: the kiosk grew to {k.width()}×{k.height()}")
    win = k.window().rect()
    for w in visible(k, QWidget):
        label = w.text() if isinstance(w, (QLabel, QAbstractButton, QLineEdit)) else ""
        what = f"{page_name}: {type(w).__name__} {label!r:.40}"
        top_left = w.mapTo(k.window(), w.rect().topLeft())
        if not win.contains(top_left) or not win.contains(w.mapTo(k.window(), w.rect().bottomRight())):
            out.append(f"{what}: outside the screen")
        if isinstance(w, (QAbstractButton, QLineEdit)):
            if w.width() < MIN_TARGET_PX or w.height() < MIN_TARGET_PX:
                out.append(f"{what}: target {w.width()}×{w.height()} px")
        texty = isinstance(w, (QAbstractButton, QLineEdit, QListWidget, QTextBrowser)) or \
            (isinstance(w, QLabel) and w.text())
        if not texty:
            continue
        if text_pt(w) < MIN_TEXT_PT:
            out.append(f"{what}: {text_pt(w):.1f} pt")
        pal = w.palette()
        c = contrast(pal.color(w.foregroundRole()), pal.color(w.backgroundRole()))
        if c < MIN_CONTRAST:
            out.append(f"{what}: contrast {c:.2f}")
        if isinstance(w, QLabel) and multi_line(w) and line_spacing(w) < MIN_LINE_SPACING:
            out.append(f"{what}: line spacing {line_spacing(w):.2f}")
        if isinstance(w, QAbstractButton) and w.isCheckable():
            if not w.text().startswith("✔ " if w.isChecked() else "☐ "):
                out.append(f"{what}: chosen state by colour only")
    return out


def test_every_kiosk_page_meets_the_ageing_rules(qtbot, kiosk_client, take_ticket):
    k = kiosk_client.widget
    k.resize(1920, 1080)
    k.show()
    qtbot.wait_until(lambda: k.pages.currentWidget() is k.home and bool(k.home.buttons), timeout=WAIT_MS)
    take_ticket("A")
    found = problems(k, "首页")

    with qtbot.wait_signal(k.ticket_printed, timeout=WAIT_MS):
        k.home.buttons["B"].click()
    found += problems(k, "号票")

    k.open_guide()
    qtbot.wait_until(lambda: k.guide.list.count() > 0, timeout=WAIT_MS)
    k.guide.open_item(k.guide.list.item(0))
    qtbot.wait_until(lambda: "办理地点" in k.guide.detail.toPlainText(), timeout=WAIT_MS)
    found += problems(k, "办事指南")

    for title in k.extra:
        k.extra_buttons[title].click()
        found += problems(k, title)
    page = next(w for w in k.extra["投诉建议"].findChildren(QWidget) if hasattr(w, "registered"))
    page.kinds[1].click()
    found += problems(k, "投诉建议（已选）")

    k.idle_timeout()  # the idle warning over the half-filled form
    assert not k.warning.isHidden()
    found += problems(k, "超时提醒")
    k.extend()

    k.pages.setCurrentWidget(k.suspended)
    found += problems(k, "暂停取号")
    assert found == []


def test_the_contrast_formula_matches_wcag():
    from PySide6.QtGui import QColor
    assert round(contrast(QColor("#000000"), QColor("#ffffff")), 1) == 21.0
    assert round(contrast(QColor("#767676"), QColor("#ffffff")), 2) == 4.54
