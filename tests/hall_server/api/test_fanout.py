"""The event fan-out process (api/fanout.py), over real HTTP and WebSocket on loopback:
subscribers of a process that does no writes receive every event the server writes, in
seq order, with no gap, masked as on the server, after a checked token, resuming from
``after=``; on SQLite it is woken by the writer's doorbell, on PostgreSQL by NOTIFY."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from hall_server.api.fanout import create_fanout_app
from hall_server.api.tail import Doorbell
from tests.conftest import LiveServer, free_port

TIMEOUT = 10
SLOW_POLL = 30.0  # far beyond TIMEOUT: only the doorbell / NOTIFY can deliver in time


@pytest.fixture
def pair(app, settings, clock) -> Iterator[tuple[LiveServer, LiveServer]]:  # type: ignore[no-untyped-def]
    """The server (all writes) and a fan-out process's app on ports of their own, one
    database; as ``hall-server run --fanout-port`` wires them."""
    bell = free_port()
    fan = create_fanout_app(settings, bell_port=bell if settings.is_sqlite else None, poll=SLOW_POLL, clock=clock)
    ring = Doorbell(bell)
    if settings.is_sqlite:
        app.state.ctx.db.after_commit.append(ring)
    server = LiveServer(app).start()
    fanout = LiveServer(fan).start()
    try:
        yield server, fanout
    finally:
        fanout.stop()
        server.stop()
        ring.close()


@pytest.fixture
def http(pair) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=pair[0].url, timeout=TIMEOUT) as c:
        yield c


def _ws(live: LiveServer, after: int, token: str | None) -> str:
    return live.url.replace("http://", "ws://") + f"/api/v1/events?after={after}" + (f"&token={token}" if token else "")


def _login(http: httpx.Client, staff_no: str) -> str:
    r = http.post("/api/v1/auth/login", json={"staff_no": staff_no, "password": "demo1234"})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def _last_seq(http: httpx.Client) -> int:
    return int(http.get("/api/v1/health").json()["last_seq"])


def _receive_until(ws: Any, last: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    while not got or got[-1]["seq"] < last:
        got += json.loads(ws.recv(timeout=TIMEOUT))
    return got


def test_fanout_subscribers_get_every_event_the_server_writes_in_seq_order_without_gap(pair, http, kiosk):
    server, fanout = pair
    sup = _login(http, "4001")
    start = _last_seq(http)
    writes = 40
    with connect(_ws(fanout, start, sup), open_timeout=TIMEOUT) as ws:
        def issue() -> None:  # live writes while the subscriber is streaming
            with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
                for i in range(writes):
                    assert c.post("/api/v1/tickets", json={"category": "AB"[i % 2]},
                                  headers=kiosk).status_code == 201
        t = threading.Thread(target=issue)
        t.start()
        t.join(60)
        end = _last_seq(http)
        got = _receive_until(ws, end)
    assert [e["seq"] for e in got] == list(range(start + 1, end + 1))
    assert sum(e["type"] == "ticket.issued" for e in got) == writes


def test_fanout_masks_personal_data_for_displays_as_the_server_does(pair, http, kiosk, display, app):
    from hall_server.services import events
    from hall_server.services.actors import SYSTEM
    _, fanout = pair
    start = _last_seq(http)
    sup = _login(http, "4001")
    disp = display["Authorization"].split(" ", 1)[1]
    with connect(_ws(fanout, start, disp), open_timeout=TIMEOUT) as ws_d, \
            connect(_ws(fanout, start, sup), open_timeout=TIMEOUT) as ws_s:
        with app.state.ctx.db.write() as s:  # written after both subscribed: reaches them live
            events.append(s, "test.personal", actor=SYSTEM, at=app.state.ctx.now(),
                          data={"applicant_name": "欧阳娜娜", "phone": "13812345678",
                                "id_number": "11010519491231002X", "case_no": "C1"})
        shown = _receive_until(ws_d, start + 1)
        full = _receive_until(ws_s, start + 1)
    text = json.dumps(shown, ensure_ascii=False)
    for secret in ("11010519491231002X", "13812345678", "欧阳娜娜"):
        assert secret not in text
    assert shown[-1]["data"] == {"applicant_name": "欧***", "phone": "138****5678",
                                 "id_number": "110105********002X", "case_no": "C1"}
    assert full[-1]["data"]["phone"] == "13812345678"  # the supervision office sees it whole


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_fanout_refuses_missing_or_bad_tokens(pair, token):
    with connect(_ws(pair[1], 0, token), open_timeout=TIMEOUT) as ws:
        with pytest.raises(ConnectionClosed) as e:
            ws.recv(timeout=TIMEOUT)
    assert e.value.rcvd is not None and e.value.rcvd.code == 4401


def test_fanout_subscriber_reconnecting_with_after_gets_exactly_what_it_missed(pair, http, kiosk):
    _, fanout = pair
    sup = _login(http, "4001")
    start = _last_seq(http)
    with connect(_ws(fanout, start, sup), open_timeout=TIMEOUT) as ws:
        assert http.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).status_code == 201
        first = _receive_until(ws, start + 1)
    seen = first[-1]["seq"]
    for _ in range(3):  # written while it was away
        assert http.post("/api/v1/tickets", json={"category": "B"}, headers=kiosk).status_code == 201
    end = _last_seq(http)
    with connect(_ws(fanout, seen, sup), open_timeout=TIMEOUT) as ws:
        again = _receive_until(ws, end)
    assert [e["seq"] for e in first + again] == list(range(start + 1, end + 1))


def test_fanout_health_says_where_the_log_ends(pair, http):
    with httpx.Client(base_url=pair[1].url, timeout=TIMEOUT) as c:
        body = c.get("/api/v1/health").json()
    assert body["last_seq"] == _last_seq(http) and body["role"] == "fanout"
