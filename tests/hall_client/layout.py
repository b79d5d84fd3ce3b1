"""Does a screen fit a real monitor? ``assert_fits(widget, size)`` for any screen's test.

A person on a 1366×768 monitor cannot use a window that is taller than the screen, a
field cut off at the right edge, or a label squeezed until its text is clipped. The
check, run on a top-level widget (a mode, a dialog):

- its minimum size and size hint are no larger than ``size`` (else Qt grows the window
  past the screen, or opens it that way);
- resized to ``size`` it keeps that size (nothing forced it to grow);
- every visible widget lies inside its parent, unless the parent is the viewport of a
  scroll area or item view (then it is reachable by scrolling), and inside the window;
- no widget placed by a layout is smaller than its minimum size hint (clipped text).

``size`` is the space the window really gets: for a framed window the screen minus the
taskbar and title bar (``usable``), for a full-screen kiosk or board the whole screen.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QApplication, QComboBox, QGroupBox, QHeaderView,
                               QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QStackedWidget, QTabWidget, QTextEdit,
                               QWidget)

from hall_client.widgets.fit import SCREENS, usable  # noqa: F401 - re-exported for screens' tests


def describe(w: QWidget) -> str:
    """``QLineEdit < QGroupBox「申请人」 < IntakePanel`` (the widget, then its parents) for a failure."""
    parts = []
    cur: QWidget | None = w
    while cur is not None and len(parts) < 5:
        text = ""
        for attr in ("text", "title", "windowTitle"):
            fn = getattr(cur, attr, None)
            if callable(fn):
                try:
                    t = fn()
                except TypeError:
                    continue
                if isinstance(t, str) and t.strip():
                    text = f"「{t.strip()[:16]}」"
                    break
        name = f"#{cur.objectName()}" if cur.objectName() and not cur.objectName().startswith("qt_") else ""
        parts.append(f"{type(cur).__name__}{name}{text}")
        cur = cur.parentWidget()
    return " < ".join(parts)


def _scrolled(w: QWidget) -> bool:
    """Is ``w`` content of a scroll area or item view (placed by scrolling, not by a layout)?"""
    parent = w.parentWidget()
    holder = parent.parentWidget() if parent is not None else None
    return isinstance(holder, QAbstractScrollArea) and holder.viewport() is parent


def _in_layout(w: QWidget) -> bool:
    parent = w.parentWidget()
    return parent is not None and parent.layout() is not None and not w.objectName().startswith("qt_")


def problems(top: QWidget, size: QSize) -> list[str]:
    """Everything that does not fit, in words; empty when the screen fits ``size``."""
    out: list[str] = []
    for what, s in (("最小尺寸 minimumSize", top.minimumSize()), ("最小尺寸提示 minimumSizeHint", top.minimumSizeHint()),
                    ("尺寸提示 sizeHint", top.sizeHint())):
        if s.width() > size.width() or s.height() > size.height():
            out.append(f"{describe(top)}: {what} {s.width()}×{s.height()} exceeds {size.width()}×{size.height()}")
    if top.size() != size:
        out.append(f"{describe(top)}: resized to {size.width()}×{size.height()} but is "
                   f"{top.width()}×{top.height()} (the layout forced it to grow)")
    window = QRect(0, 0, size.width(), size.height())
    told: set[int] = set()  # widgets already reported: their children are not repeated
    for w in top.findChildren(QWidget):
        if w.isWindow() or not w.isVisibleTo(top) or _has_told_ancestor(w, told):
            continue
        parent = w.parentWidget()
        assert parent is not None
        if not _scrolled(w):
            if not parent.rect().contains(w.geometry()):
                g = w.geometry()
                out.append(f"{describe(w)}: at {g.x()},{g.y()} {g.width()}×{g.height()} lies outside its parent "
                           f"({parent.width()}×{parent.height()})")
                told.add(id(w))
                continue
            if not _inside_a_scroll_area(w, top):
                where = QRect(w.mapTo(top, w.rect().topLeft()), w.size())
                if not window.contains(where):
                    out.append(f"{describe(w)}: at {where.x()},{where.y()} {where.width()}×{where.height()} "
                               f"lies outside the window")
                    told.add(id(w))
                    continue
        if _in_layout(w) and _squeezed(w):
            m = w.minimumSizeHint()
            out.append(f"{describe(w)}: {w.width()}×{w.height()} is smaller than its minimum {m.width()}×{m.height()} "
                       "(text or controls clipped)")
    return out


def _has_told_ancestor(w: QWidget, told: set[int]) -> bool:
    cur = w.parentWidget()
    while cur is not None:
        if id(cur) in told:
            return True
        cur = cur.parentWidget()
    return False


def _inside_a_scroll_area(w: QWidget, top: QWidget) -> bool:
    cur = w.parentWidget()
    while cur is not None and cur is not top:
        if _scrolled(cur):
            return True
        cur = cur.parentWidget()
    return False


def _squeezed(w: QWidget) -> bool:
    m, pol = w.minimumSizeHint(), w.sizePolicy()
    if not m.isValid():
        return False
    if isinstance(w, QLabel) and w.wordWrap():
        too_narrow = False  # a wrapping label's width hint is a preference; its height is checked
    else:
        too_narrow = pol.horizontalPolicy() != QSizePolicy.Policy.Ignored and w.width() < m.width()
    if isinstance(w, QLabel) and w.wordWrap() and w.hasHeightForWidth():
        need = w.heightForWidth(w.width())
        return need > w.height() + 1 and pol.verticalPolicy() != QSizePolicy.Policy.Ignored
    too_low = pol.verticalPolicy() != QSizePolicy.Policy.Ignored and w.height() < m.height()
    return too_narrow or too_low


def settle(top: QWidget) -> None:
    """Let pending layout requests run (they are posted events)."""
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()


def assert_fits(top: QWidget, size: QSize) -> None:
    """Resize ``top`` to ``size``, show it, and fail with every problem found."""
    top.resize(size)
    top.show()
    settle(top)
    top.resize(size)
    settle(top)
    found = problems(top, size)
    assert not found, f"does not fit {size.width()}×{size.height()}:\n" + "\n".join(found)


def _containers(top: QWidget) -> list[QWidget]:
    """Visible tab widgets and stacks directly under ``top`` (a tab widget's own stack excluded)."""
    found: list[QWidget] = []
    for w in top.findChildren(QWidget):
        if not isinstance(w, (QTabWidget, QStackedWidget)):
            continue
        if isinstance(w, QStackedWidget) and isinstance(w.parentWidget(), QTabWidget):
            continue
        found.append(w)
    return found


def walk_pages(top: QWidget, *, include_stacks: bool = True) -> Iterator[str]:
    """Show every page of every tab widget (and stacked widget), nested ones too, one at a
    time; yields a label of what is showing (``受理/新受理``) after each switch, so the caller
    can check the screen in each state. Restores each container's page afterwards."""
    yield from _walk(top, top, "", set(), include_stacks)


def _walk(top: QWidget, root: QWidget, path: str, seen: set[int], stacks: bool) -> Iterator[str]:
    for box in _containers(root):
        if id(box) in seen or not box.isVisibleTo(top):
            continue
        if isinstance(box, QStackedWidget) and not stacks:
            continue
        seen.add(id(box))
        was = box.currentIndex()
        for i in range(box.count()):
            box.setCurrentIndex(i)
            settle(top)
            name = box.tabText(i) if isinstance(box, QTabWidget) else type(box.widget(i)).__name__
            label = f"{path}/{name}" if path else name
            yield label
            yield from _walk(top, box.widget(i), label, seen, stacks)
        box.setCurrentIndex(was)
        settle(top)


# --- no English word on a screen ---------------------------------------------------------

# Words a Chinese clerk reads as they are: key caps, file kinds, and the pinyin-initials
# example of the matter search. Codes are not words: upper case (BDC) or mixed with digits
# (ZJ-001, SG20261124-0001).
ALLOWED_WORDS = frozenset({"Ctrl", "Enter", "Shift", "Esc", "Tab", "Alt", "Excel", "PDF", "sgxk", "LED", "CSV",
                           # what an admin types as it is: URL schemes and device-name prefixes
                           "http", "https", "kiosk"})
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")
TAG = re.compile(r"<[^>]+>|&[a-z]+;")


def visible_texts(top: QWidget) -> list[tuple[QWidget, str]]:
    """Every string a person sees on the current page: labels, buttons, tabs, group titles,
    placeholders, combo entries, table headers, tool tips and the window title."""
    out: list[tuple[QWidget, str]] = [(top, top.windowTitle())]
    for w in [top, *top.findChildren(QWidget)]:
        if w is not top and (w.isWindow() or not w.isVisibleTo(top)):
            continue
        texts = [w.toolTip()]
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(TAG.sub(" ", w.text()))
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, (QLineEdit, QTextEdit, QPlainTextEdit)):
            texts.append(w.placeholderText())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QHeaderView) and w.model() is not None:
            texts += [str(w.model().headerData(i, w.orientation()) or "") for i in range(w.count())]
        out += [(w, t) for t in texts if t]
    return out


def english(top: QWidget) -> list[str]:
    """Latin words (3+ letters) shown on the current page, outside ``ALLOWED_WORDS``."""
    found = []
    for w, text in visible_texts(top):
        words = [m for m in WORD.findall(text) if m not in ALLOWED_WORDS and not m.isupper()]  # BDC: a code
        if words:
            found.append(f"{describe(w)}: 「{text.strip()[:60]}」 shows {', '.join(words)}")
    return found


def assert_dialog_fits(dialog: QWidget, screen: QSize = SCREENS["1366x768"]) -> None:
    """A dialog opens at its size hint: that must fit the screen (less the taskbar and
    title bar), and at that size nothing may lie outside or be squeezed."""
    room = usable(screen)
    hint = dialog.sizeHint().expandedTo(dialog.minimumSizeHint())
    assert hint.width() <= room.width() and hint.height() <= room.height(), (
        f"{describe(dialog)} opens at {hint.width()}×{hint.height()}, larger than {room.width()}×{room.height()}")
    assert_fits(dialog, hint)
    assert not english(dialog), english(dialog)
