"""The hall's configuration as the hot path reads it, kept per database until it changes.

Every ticket a kiosk issues asks whether the hall and the category are open now: the hall
profile (opening hours), the holiday calendar and the category's hours; then the
category's name and service time and how many windows serve it (its wait estimate). Read and parsed
from the database each time, that was a fifth of an issue's CPU at saturation (py-spy,
docs/server.md "Group commit"). The values change a few times a year, always through a
logged event, so they are kept here and dropped when such an event is appended (in this
transaction's process at once) and again when it is committed (``on_commit``: the
``Database.after_commit`` hook, and on PostgreSQL the log tail, so another server process
drops them too). A value loaded while a drop happened is not kept (the generation check),
so a reader of an older snapshot cannot put a stale value back.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ..contract import events as kinds

T = TypeVar("T")

# the events after which a kept value may be wrong
# (a clerk signing in or out, or pausing, changes how many windows serve a category: the
# issued ticket's wait estimate; a few times an hour per window)
INVALIDATING = frozenset({kinds.CONFIG_CHANGED.type, kinds.CATEGORY_ADDED.type, kinds.WINDOW_ADDED.type,
                          kinds.HALL_SEEDED.type, kinds.DUTY_STARTED.type, kinds.DUTY_ENDED.type,
                          kinds.WINDOW_PAUSED.type, kinds.WINDOW_RESUMED.type})

_lock = threading.Lock()
_values: dict[tuple[str, str], Any] = {}  # (database URL, name) -> value
_generation = 0
# an engine's URL as text, made once: rendering (or hashing) a URL per look-up was 5 % of
# an issue's CPU; read and write engines of one database render the same text
_urls: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def cached(session: Session, name: str, load: Callable[[], T]) -> T:
    """The value ``name`` of this session's database, loaded once by ``load``."""
    bind = session.bind if session.bind is not None else session.get_bind()
    engine = bind.engine
    url = _urls.get(engine)
    if url is None:
        url = _urls[engine] = str(engine.url)
    key = (url, name)
    with _lock:
        if key in _values:
            return _values[key]  # type: ignore[no-any-return]
        gen = _generation
    value = load()
    with _lock:
        if gen == _generation:
            _values[key] = value
    return value


def clear() -> None:
    global _generation
    with _lock:
        _values.clear()
        _generation += 1


def on_commit(events: list[dict[str, Any]]) -> None:
    """``Database.after_commit`` / log-tail hook."""
    if any(e.get("type") in INVALIDATING for e in events):
        clear()
