"""The hot path's kept configuration (services/confcache.py): loaded once per database,
dropped by a configuration event, never put back stale."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from hall_server.db import Database
from hall_server.services import confcache


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    db = Database(db_url)
    confcache.clear()
    with db.read() as s:
        yield s
    db.dispose()


def test_a_value_is_loaded_once_until_a_configuration_event(session: Session) -> None:
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert confcache.cached(session, "x", load) == 1
    assert confcache.cached(session, "x", load) == 1
    confcache.on_commit([{"type": "ticket.called"}])  # not configuration: kept
    assert confcache.cached(session, "x", load) == 1
    confcache.on_commit([{"type": "ticket.issued"}, {"type": "config.changed"}])
    assert confcache.cached(session, "x", load) == 2


def test_a_value_loaded_across_a_drop_is_not_kept(session: Session) -> None:
    """A reader of the snapshot before a change must not put the old value back."""
    def stale() -> str:
        confcache.clear()  # the change commits while this load reads the older snapshot
        return "old"

    assert confcache.cached(session, "y", stale) == "old"
    assert confcache.cached(session, "y", lambda: "new") == "new"


def test_category_and_window_additions_drop_the_kept_values() -> None:
    assert {"category.added", "window.added", "config.changed", "hall.seeded"} <= confcache.INVALIDATING
