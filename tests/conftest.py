"""Shared fixtures: a real migrated database (SQLite file, and PostgreSQL when
HALL_TEST_PG_URL is set), the app on a fixed clock, signed-in clients, a live server."""
from __future__ import annotations

import gc
import itertools
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_URL = os.environ.get("HALL_TEST_PG_URL", "")
_TESTS_RUN = itertools.count(1)


@pytest.fixture(autouse=True)
def _garbage_collected_in_the_main_thread() -> Iterator[None]:
    """Once a Qt client has run, automatic GC is off (hall_client.app explains why: a QObject
    freed by the collector in a server or worker thread deadlocks Qt); collect here instead."""
    yield
    if not gc.isenabled():
        gc.collect(2 if next(_TESTS_RUN) % 25 == 0 else 1)
# 2026-11-24 09:00 in Shanghai, a Tuesday and a working day
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


class FakeClock:
    """The server's clock in tests: fixed until a test moves it."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, **kw: float) -> datetime:
        with self._lock:
            self.now = self.now + timedelta(**kw)
            return self.now

    def set(self, when: datetime) -> None:
        with self._lock:
            self.now = when


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Bounded wait on a condition another thread makes true (no fixed sleep when it does);
    returns whether it came true within ``seconds``."""
    tick = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        tick.wait(0.01)
    return condition()


def fast_settings(**kw: Any):  # type: ignore[no-untyped-def]
    from hall_server.settings import Settings
    base = dict(argon2_time_cost=1, argon2_memory_kib=256, argon2_parallelism=1)
    base.update(kw)
    return Settings(**base)


@dataclass
class Template:
    url: str
    tokens: dict[str, str]


def _seed(url: str, data_dir: Path) -> dict[str, str]:
    from hall_server import migrate
    from hall_server.db import Database
    from hall_server.demo import seed
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.write() as s:
            report = seed(s, settings=fast_settings(data_dir=data_dir, database_url=url), now=T0 - timedelta(days=1))
    finally:
        db.dispose()
    return report.device_tokens


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    d = tmp_path_factory.mktemp("template")
    url = f"sqlite:///{d / 'hall.sqlite3'}"
    return Template(url, _seed(url, d))


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg
    base = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    head, _, _db = base.rpartition("/")
    return psycopg.connect(head + "/postgres", autocommit=True), head


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    if not PG_URL:
        pytest.skip("HALL_TEST_PG_URL not set")
    conn, head = _pg_admin()
    name = f"hall_tmpl_{uuid.uuid4().hex[:8]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    url = head.replace("postgresql://", "postgresql+psycopg://") + "/" + name
    tokens = _seed(url, tmp_path_factory.mktemp("pgt"))
    yield Template(url, tokens)
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


BACKENDS = ["sqlite"] + (["pg"] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the migrated, seeded demo hall for each test."""
    if backend == "sqlite":
        tmpl: Template = request.getfixturevalue("sqlite_template")
        src = Path(tmpl.url.removeprefix("sqlite:///"))
        dst = tmp_path / "hall.sqlite3"
        shutil.copy(src, dst)
        yield f"sqlite:///{dst}"
        return
    tmpl = request.getfixturevalue("pg_template")
    conn, head = _pg_admin()
    name = f"hall_t_{uuid.uuid4().hex[:10]}"
    tmpl_name = tmpl.url.rsplit("/", 1)[1]
    conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl_name}"')
    yield head.replace("postgresql://", "postgresql+psycopg://") + "/" + name
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture
def device_tokens(backend: str, request: pytest.FixtureRequest) -> dict[str, str]:
    tmpl: Template = request.getfixturevalue("sqlite_template" if backend == "sqlite" else "pg_template")
    return tmpl.tokens


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return fast_settings(data_dir=tmp_path, database_url=db_url)


@pytest.fixture
def app(settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    from hall_server.app import create_app
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient
    with TestClient(app) as c:
        yield c


DEMO_PASSWORD = "demo1234"


@pytest.fixture
def login(client) -> Callable[..., dict[str, str]]:  # type: ignore[no-untyped-def]
    """login("1001", window_no=1) -> Authorization headers."""
    def do(staff_no: str, window_no: int | None = None, password: str = DEMO_PASSWORD) -> dict[str, str]:
        body: dict[str, Any] = {"staff_no": staff_no, "password": password}
        if window_no is not None:
            body["window_no"] = window_no
        r = client.post("/api/v1/auth/login", json=body)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}
    return do


@pytest.fixture
def kiosk(device_tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {device_tokens['kiosk-1']}"}


@pytest.fixture
def display(device_tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {device_tokens['display-1']}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn on a loopback port in a thread: real HTTP and WebSocket for e2e tests."""

    def __init__(self, app: Any) -> None:
        import uvicorn
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error",
                                                    ws_ping_interval=None, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        import time
        deadline = time.monotonic() + 20
        while not self.server.started:  # wait on the server's own flag, bounded
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("live server did not start")
            self.thread.join(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    srv = LiveServer(app).start()
    yield srv
    srv.stop()
