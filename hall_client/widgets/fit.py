"""Fitting screens on small monitors: scroll areas, wrapping button rows, window sizing.

A clerk's PC is often an old 1366×768 monitor with a taskbar. A screen built from plain
layouts asks for the sum of its parts, and Qt grows the window past the screen to give it
(so the bottom rows and the right-hand fields disappear). These helpers keep each
screen's minimum size small: a long form scrolls inside its tab (``scrollable``,
``scroll_body``), a row of many buttons wraps onto a second line (``FlowLayout``), and a
top-level window opens at a size the screen's free area can hold (``fit_to_screen``).
"""
from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QFrame, QLayout, QLayoutItem, QScrollArea, QScroller, QStyle, QVBoxLayout,
                               QWidget)

# The monitors a hall really has, and what a framed window gets of them when maximised:
# the screen less a Windows taskbar (40 px) and a title bar (about 32 px).
SCREENS: dict[str, QSize] = {"1366x768": QSize(1366, 768), "1920x1080": QSize(1920, 1080)}
TASKBAR_AND_TITLE = 72
FULL_SCREEN_MODES = frozenset({"kiosk", "display"})


def usable(screen: QSize, *, framed: bool = True) -> QSize:
    """What a maximised framed window (or, ``framed=False``, a full-screen one) draws in."""
    return QSize(screen.width(), screen.height() - (TASKBAR_AND_TITLE if framed else 0))


class Scroll(QScrollArea):
    """A scroll area that asks for no more than ``cap`` (its content may want more: it scrolls)."""

    def __init__(self, cap: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cap = cap

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return super().sizeHint().boundedTo(self.cap)


def scrollable(widget: QWidget, *, horizontal: bool = True, cap: QSize = QSize(640, 360),
               touch: bool = False) -> QScrollArea:
    """``widget`` inside a frameless, resizable scroll area.

    The widget fills the area when there is room and scrolls when there is not, so its
    own minimum size no longer decides the window's, nor (``cap``) its size hint.
    ``horizontal=False`` keeps the content to the area's width (word-wrapped forms) and
    scrolls only vertically. ``touch=True`` scrolls by dragging a finger (kiosk).
    """
    area = Scroll(cap)
    area.setObjectName(f"{widget.objectName() or type(widget).__name__}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    if not horizontal:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    if touch:
        # touch events only: mouse clicks (and tests' mouseClick) on buttons inside stay plain clicks
        QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    return area


def scroll_body(page: QWidget) -> QWidget:
    """Fill ``page`` with a scroll area and return the widget to lay the page out on.

    For a page others hold by reference (a tab compared with ``currentWidget()``): the
    page object stays the same, only its contents scroll.
    """
    body = QWidget()
    lay = QVBoxLayout(page)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(scrollable(body))
    return body


class FlowLayout(QLayout):
    """Lays items left to right and wraps to a new line when the width runs out.

    For a row of action buttons that must stay whole on a narrow panel; the height for a
    given width is reported to the parent layout (``heightForWidth``), so nothing overlaps.
    """

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As Qt's flow-layout example: the narrowest; ``heightForWidth`` gives the height."""
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """As narrow as the widest single item (every other item wraps below it)."""
        size = QSize()
        for i in self._items:
            size = size.expandedTo(i.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(min(hint.width(), area.width()), hint.height())))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


def fit_to_screen(widget: QWidget, preferred: QSize = QSize(1280, 800)) -> None:
    """Show a framed top-level window at ``preferred`` size, or maximised where the
    screen's free area (without taskbar) is smaller than that.

    The size is set before maximising too: a PC without a window manager (a bare X
    session) ignores the maximise request and would keep whatever size Qt guessed.
    """
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(preferred)
        widget.show()
        return
    free = screen.availableGeometry()
    frame = widget.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight) + 8
    if preferred.width() >= free.width() or preferred.height() + frame >= free.height():
        widget.setGeometry(free)
        widget.showMaximized()
        return
    widget.resize(preferred)
    widget.move(free.center() - QPoint(preferred.width() // 2, (preferred.height() + frame) // 2))
    widget.show()


def fill_screen(widget: QWidget) -> None:
    """Full screen (kiosk, hall board), also where no window manager honours the request."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        widget.setGeometry(screen.geometry())
    widget.showFullScreen()
