"""Fixtures for Qt client tests: real clients, offscreen, against the live server on
loopback, with the simulated devices from ``printers``.

Recipe (see docs/DEVELOPING.md, "Client"): ask for ``window_client`` (window 1, clerk 1001
signed in), ``kiosk_client`` or ``display_client``, or build your own with
``client_factory(mode, window_no=…, token=…, devices=…)``; drive it with qtbot and wait on
signals (``qtbot.wait_signal``/``wait_until``), never sleep. ``take_ticket("A")`` issues a
number as the kiosk over HTTP.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from hall_client.app import ClientApp, build, qt_app
from hall_client.config import ClientConfig, DeviceConfig
from hall_client.simdevices import open_sims

WAIT_MS = 8000


@pytest.fixture(scope="session")
def qapp():  # type: ignore[no-untyped-def]
    # one styled QApplication (CJK font, style sheet) for the whole session
    return qt_app(["pytest"])


class Built:
    """A client plus handles tests need: ``.ctx``, ``.widget``, ``.session``, ``.sims``."""

    def __init__(self, app: ClientApp, sims: dict[str, Any]) -> None:
        self.app, self.sims = app, sims
        self.ctx, self.widget = app.ctx, app.widget

    @property
    def session(self) -> Any:
        return self.widget.session


@pytest.fixture
def client_factory(qtbot, live_server, device_tokens) -> Iterator[Callable[..., Built]]:  # type: ignore[no-untyped-def]
    made: list[Built] = []

    def make(mode: str, *, window_no: int | None = None, token: str | None = None,
             devices: dict[str, str] | None = None, wait_online: bool = True, **cfg: Any) -> Built:
        if token is None:
            token = {"kiosk": device_tokens["kiosk-1"], "display": device_tokens["display-1"]}.get(mode, "")
        config = ClientConfig(server_url=live_server.url, mode=mode, window_no=window_no, device_token=token,
                              backoff_min_s=0.05, backoff_max_s=0.3, snapshot_refresh_s=0, **cfg)
        config.devices = DeviceConfig(**(devices or {}))
        devs, sims = open_sims(config.devices)
        app = build(config, mode, devices=devs, strict=True)
        qtbot.addWidget(app.widget)
        built = Built(app, sims)
        made.append(built)
        if wait_online and token:
            qtbot.wait_until(lambda: app.ctx.store.loaded and app.ctx.api.online, timeout=WAIT_MS)
        return built

    yield make
    for b in made:
        b.app.ctx.api.close()
        b.app.ctx.devices.close()


@pytest.fixture
def take_ticket(live_server, device_tokens) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    def take(category: str = "A", **kw: Any) -> dict[str, Any]:
        r = httpx.post(f"{live_server.url}/api/v1/tickets", json={"category": category, **kw},
                       headers={"Authorization": f"Bearer {device_tokens['kiosk-1']}"}, trust_env=False)
        assert r.status_code == 201, r.text
        return dict(r.json())
    return take


def _sign_in(qtbot, built: Built, staff_no: str = "1001", password: str = "demo1234") -> None:  # type: ignore[no-untyped-def]
    w = built.widget
    w.login.staff_no.setText(staff_no)
    w.login.password.setText(password)
    with qtbot.wait_signal(built.session.signed_in, timeout=WAIT_MS):
        w.login.button.click()
    qtbot.wait_until(lambda: built.ctx.api.online and built.ctx.store.loaded, timeout=WAIT_MS)


@pytest.fixture
def sign_in(qtbot) -> Callable[..., None]:  # type: ignore[no-untyped-def]
    """sign_in(built, staff_no="1001"): type 工号 + password into the form and wait for the badge."""
    return lambda built, staff_no="1001", password="demo1234": _sign_in(qtbot, built, staff_no, password)


@pytest.fixture
def wait_ms() -> int:
    return WAIT_MS


@pytest.fixture
def window_client(qtbot, client_factory) -> Built:  # type: ignore[no-untyped-def]
    """Window 1 with clerk 1001 (王建国) signed in, a simulated LED strip and evaluator."""
    b = client_factory("window", window_no=1, devices={"led": "sim:led", "evaluator": "sim:evaluator"})
    _sign_in(qtbot, b)
    return b


@pytest.fixture
def kiosk_client(client_factory) -> Built:  # type: ignore[no-untyped-def]
    return client_factory("kiosk", devices={"printer": "sim:printer?status=required", "idcard": "sim:idcard"})


@pytest.fixture
def display_client(client_factory) -> Built:  # type: ignore[no-untyped-def]
    return client_factory("display", devices={"led": "sim:led"})


class ServerControl:
    """Stop the live server and start it again on the same port (server down and back)."""

    def __init__(self, live_server: Any, app: Any) -> None:
        self.live, self.app = live_server, app

    def stop(self) -> None:
        self.live.stop()

    def start(self) -> None:
        import threading

        import uvicorn
        self.live.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.live.port,
                                                         log_level="error", ws_ping_interval=None, lifespan="on"))
        self.live.thread = threading.Thread(target=self.live.server.run, daemon=True)
        self.live.start()


@pytest.fixture
def server_control(live_server, app) -> ServerControl:  # type: ignore[no-untyped-def]
    return ServerControl(live_server, app)


@pytest.fixture
def clerk_api(live_server) -> Iterator[Callable[..., Any]]:  # type: ignore[no-untyped-def]
    """clerk_api(1001, 1) -> an httpx client signed in at that window (another PC's clerk)."""
    clients: list[httpx.Client] = []

    def make(staff_no: str = "1001", window_no: int = 1) -> httpx.Client:
        c = httpx.Client(base_url=f"{live_server.url}/api/v1", trust_env=False, timeout=10)
        r = c.post("/auth/login", json={"staff_no": staff_no, "password": "demo1234", "window_no": window_no})
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        clients.append(c)
        return c
    yield make
    for c in clients:
        c.close()
