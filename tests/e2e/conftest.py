"""Live servers for the concurrency proofs: one, or (on PostgreSQL) two server instances on
the same database, each with its own engine pool, writer lock, event hub and log tail, so
only the database serialises their writers (as with ``hall-server run --workers 2``)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer


@pytest.fixture(params=["one", "two"])
def live_urls(request: pytest.FixtureRequest, backend: str, app: Any, settings: Any, clock: Any) -> Iterator[list[str]]:
    """Base URLs of the servers a test spreads its clients over."""
    if request.param == "two" and backend == "sqlite":
        pytest.skip("several server processes need PostgreSQL")
    servers = [LiveServer(app).start()]
    if request.param == "two":
        from hall_server.app import create_app
        servers.append(LiveServer(create_app(settings, clock=clock, migrate_db=False)).start())
    # Both instances share the module-level routers, and FastAPI builds a route's parameters
    # lazily at the first request that walks it; two apps doing that at the same moment in
    # one process race on the shared ``Path()`` defaults (pydantic then warns). Separate
    # processes (production, test_server_workers.py) cannot meet this, so build each app's
    # routes one after the other first: a path that matches nothing walks them all.
    for s in servers:
        assert httpx.get(s.url + "/api/v1/no-such-route", timeout=30).status_code == 404
    yield [s.url for s in servers]
    for s in servers:
        s.stop()
