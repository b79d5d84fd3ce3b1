"""Guards against a Qt binding that would crash a long-running kiosk or board."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal()


def test_emitting_signals_does_not_eat_references_to_true(qapp):
    # PySide6 6.12.0 returned True from emit() without a reference: after a few thousand
    # emits the interpreter aborts with "bool_dealloc" (pyproject excludes that release)
    e = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(500):
        e.ping.emit()
    assert sys.getrefcount(True) - before > -10
