"""A keyboard-wedge scanner's keystroke burst, taken as one input.

A USB QR/barcode scanner "types" what it read, a few milliseconds per character, then
Enter. Left alone, each keystroke lands in whatever field has the focus and the lookup
fires on the first Enter with half a URL in it. The kiosk has no real keyboard, so every
key press reaching it comes from the scanner (or a technician's keyboard): ``ScanFilter``
holds printable keys back until Enter and then decides, by the keys' own timestamps
(``QKeyEvent.timestamp``, milliseconds from the window system), or by the text's shape
(a notice URL), whether it was a scan. A scan is emitted as ``scanned(text)``; slow
typing is put into the focused field as typed, and its Enter goes on as usual.

``Burst`` is the pure part (no Qt): tested with made-up timestamps.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QTextEdit, QWidget

log = logging.getLogger(__name__)

# scanners send a character every 1–20 ms; a fast human needs 80 ms or more between keys
SCAN_MEAN_GAP_MS = 35
SCAN_MIN_CHARS = 4
# the notice's QR: its phone page (/m/c/…, issue 15), or an older print's API address (/cases/…/public)
NOTICE_URL = re.compile(r"^https?://\S+/(?:cases/[A-Za-z]{1,4}\d{8}-\d{4,6}/public|m/c/[A-Za-z]{1,4}\d{8}-\d{4,6})"
                        r"\?code=\w+", re.IGNORECASE)
FLUSH_MS = 400  # keys without an Enter: handed to the field after this quiet time


@dataclass
class Burst:
    """Keystrokes held since the last Enter, with their timestamps."""

    chars: list[str] = field(default_factory=list)
    stamps: list[int] = field(default_factory=list)

    def add(self, text: str, stamp_ms: int) -> None:
        self.chars.append(text)
        self.stamps.append(stamp_ms)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def mean_gap_ms(self) -> float:
        if len(self.stamps) < 2:
            return float("inf")
        return (self.stamps[-1] - self.stamps[0]) / (len(self.stamps) - 1)

    def is_scan(self) -> bool:
        """A scanner's burst: many keys, machine-fast; or the shape of a notice URL."""
        if NOTICE_URL.match(self.text.strip()):
            return True
        return len(self.chars) >= SCAN_MIN_CHARS and self.mean_gap_ms() <= SCAN_MEAN_GAP_MS

    def clear(self) -> str:
        t = self.text
        self.chars.clear()
        self.stamps.clear()
        return t


class ScanFilter(QObject):
    """Application event filter for the keys reaching ``scope``'s window: see the module doc."""

    scanned = Signal(str)

    def __init__(self, scope: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scope = scope
        self.burst = Burst()
        self._to: QWidget | None = None  # the widget the held keys were meant for
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(FLUSH_MS)
        self._flush.timeout.connect(self.flush)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not (isinstance(obj, QWidget) and obj.window() is self.scope.window()):
            return False  # another window of this program (tests build several)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self.enter()
        text = event.text()
        if len(text) == 1 and text.isprintable():
            self.burst.add(text, int(event.timestamp()))
            self._to = obj
            self._flush.start()
            return True  # held back until we know whether it is a scan
        return False

    def enter(self) -> bool:
        """Enter ends a burst; True when the Enter was part of a scan (and is swallowed)."""
        self._flush.stop()
        if not self.burst.chars:
            return False
        if self.burst.is_scan():
            text = self.burst.clear().strip()
            log.info("scanner input of %d characters", len(text))
            self.scanned.emit(text)
            return True
        self.flush()
        return False  # slow typing: the field gets its Enter as usual

    def flush(self) -> None:
        """Hand held keys to the focused field as typed (not a scan)."""
        text = self.burst.clear()
        w = self._to if self._to is not None else QApplication.focusWidget()
        self._to = None
        if w is not None and not shiboken6.isValid(w):
            return  # the page was closed meanwhile
        if isinstance(w, QLineEdit):
            w.insert(text)
        elif isinstance(w, QTextEdit):
            w.insertPlainText(text)
