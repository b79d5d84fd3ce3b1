"""One place where known errors and notices go, so logic never imports a widget.

Operations and devices report here; each mode shows ``message`` in its own way (a status
line, a banner). Known errors (``KnownError``: the server's ``{"error": …}`` bodies,
device faults, network trouble) carry a plain-Chinese text shown as is. Anything else is
a bug: it is logged with its traceback and re-raised when ``strict`` (tests).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class KnownError(Exception):
    """An error a person can act on; ``message`` is shown to them verbatim."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class MessageBridge(QObject):
    """``message(level, text)`` with level ``info`` | ``warn`` | ``error``."""

    message = Signal(str, str)

    def __init__(self, *, strict: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.strict = strict
        self.last: tuple[str, str] | None = None

    def info(self, text: str) -> None:
        self._say("info", text)

    def warn(self, text: str) -> None:
        self._say("warn", text)

    def error(self, text: str) -> None:
        self._say("error", text)

    def handle(self, exc: BaseException) -> None:
        """The one error handler: known errors are shown, anything else is a bug."""
        if isinstance(exc, KnownError):
            log.info("known error %s: %s", exc.code, exc.message)
            self._say("error", exc.message)
            return
        log.error("unexpected error", exc_info=exc)
        self._say("error", "程序出现意外错误，已记录日志，请联系信息科。")
        if self.strict:
            raise exc

    def _say(self, level: str, text: str) -> None:
        self.last = (level, text)
        self.message.emit(level, text)
