"""The WebSocket event stream over real HTTP on loopback: replay after a seq, then live,
with nothing lost or sent twice; masking for displays; bad tokens refused; reconnects."""
from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from hall_server.api.hub import EventHub

TIMEOUT = 10


class _Live:
    """uvicorn on a loopback port in a thread, with a chosen WebSocket implementation."""

    def __init__(self, app, ws: str, *, deflate: bool) -> None:  # type: ignore[no-untyped-def]
        import socket

        import uvicorn
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error",
                                                    ws=ws, ws_ping_interval=None, lifespan="on",
                                                    ws_per_message_deflate=deflate))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "_Live":
        self.thread.start()
        for _ in range(2000):  # bounded wait on the server's own flag
            if self.server.started or not self.thread.is_alive():
                break
            self.thread.join(0.01)
        assert self.server.started, "live server did not start"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture(params=["direct", "deflate"])
def live_server(app, request):  # type: ignore[no-untyped-def]
    """Both ways out of the hub: as ``hall-server run`` (no compression; the hub writes
    ready frames to up-to-date sockets directly), and with permessage-deflate on
    (``--ws-deflate``), where every frame takes the ASGI path."""
    srv = _Live(app, "websockets-sansio", deflate=request.param == "deflate").start()
    yield srv
    srv.stop()


def ws_url(live_server, after: int, token: str | None) -> str:  # type: ignore[no-untyped-def]
    url = live_server.url.replace("http://", "ws://") + f"/api/v1/events?after={after}"
    return url + (f"&token={token}" if token else "")


def receive_until(ws, last_seq: int) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    got: list[dict[str, Any]] = []
    while not got or got[-1]["seq"] < last_seq:
        got += json.loads(ws.recv(timeout=TIMEOUT))
    return got


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split(" ", 1)[1]


@pytest.fixture
def http(live_server):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as c:
        yield c


def _login(http, staff_no: str, window_no: int | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"staff_no": staff_no, "password": "demo1234"}
    if window_no:
        body["window_no"] = window_no
    r = http.post("/api/v1/auth/login", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _last_seq(http, headers) -> int:  # type: ignore[no-untyped-def]
    return int(http.get("/api/v1/hall", headers=headers).json()["last_seq"])


def test_replay_then_live_loses_nothing_and_sends_nothing_twice(live_server, http, kiosk):
    for _ in range(5):
        assert http.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).status_code == 201
    sup = _login(http, "4001")
    start = _last_seq(http, sup) - 3  # three stored events to replay
    writes = 30
    with connect(ws_url(live_server, start, token_of(sup)), open_timeout=TIMEOUT) as ws:
        first = json.loads(ws.recv(timeout=TIMEOUT))
        assert first[0]["seq"] == start + 1  # the replay came first

        def issue_more() -> None:  # live writes racing the replay's tail
            with httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as c:
                for i in range(writes):
                    assert c.post("/api/v1/tickets", json={"category": "AB"[i % 2]}, headers=kiosk).status_code == 201

        t = threading.Thread(target=issue_more)
        t.start()
        t.join(60)
        end = _last_seq(http, sup)
        got = first + receive_until(ws, end)
    seqs = [e["seq"] for e in got]
    assert seqs == list(range(start + 1, end + 1))
    assert sum(e["type"] == "ticket.issued" for e in got) >= writes


def test_a_subscriber_reconnecting_with_after_gets_exactly_what_it_missed(live_server, http, kiosk):
    sup = _login(http, "4001")
    start = _last_seq(http, sup)
    with connect(ws_url(live_server, start, token_of(sup)), open_timeout=TIMEOUT) as ws:
        http.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
        got = receive_until(ws, start + 1)
    last = got[-1]["seq"]
    for _ in range(4):  # while it was away
        http.post("/api/v1/tickets", json={"category": "B"}, headers=kiosk)
    end = _last_seq(http, sup)
    with connect(ws_url(live_server, last, token_of(sup)), open_timeout=TIMEOUT) as ws:
        again = receive_until(ws, end)
    assert [e["seq"] for e in again] == list(range(last + 1, end + 1))
    assert [e["data"]["ticket"] for e in again] == ["B001", "B002", "B003", "B004"]


def test_displays_receive_personal_data_masked(live_server, http, kiosk, display, app):
    from hall_server.services import events
    from hall_server.services.actors import SYSTEM
    start = _last_seq(http, display)
    r = http.post("/api/v1/tickets", headers=kiosk,
                  json={"category": "B", "id_card": {"name": "张三", "id_number": "11010519491231002X"}})
    assert r.status_code == 201
    with app.state.ctx.db.write() as s:  # an event carrying every kind of personal data
        events.append(s, "test.personal", actor=SYSTEM, at=app.state.ctx.now(),
                      data={"applicant_name": "欧阳娜娜", "phone": "13812345678",
                            "id_number": "11010519491231002X", "case_no": "C1"})
    end = start + 2
    sup = _login(http, "4001")
    with connect(ws_url(live_server, start, token_of(display)), open_timeout=TIMEOUT) as ws_d, \
            connect(ws_url(live_server, start, token_of(sup)), open_timeout=TIMEOUT) as ws_s:
        shown = receive_until(ws_d, end)
        full = receive_until(ws_s, end)
    text = json.dumps(shown, ensure_ascii=False)
    for secret in ("11010519491231002X", "13812345678", "欧阳娜娜", "张三"):
        assert secret not in text
    personal = shown[-1]["data"]
    assert personal == {"applicant_name": "欧***", "phone": "138****5678",
                        "id_number": "110105********002X", "case_no": "C1"}
    assert shown[0]["data"]["citizen_id_number"] == "110105********002X"
    assert full[-1]["data"]["phone"] == "13812345678"  # the supervision office sees it whole


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_the_stream_refuses_missing_or_bad_tokens(live_server, token):
    with connect(ws_url(live_server, 0, token), open_timeout=TIMEOUT) as ws:
        with pytest.raises(ConnectionClosed) as e:
            ws.recv(timeout=TIMEOUT)
    assert e.value.rcvd is not None and e.value.rcvd.code == 4401


def test_the_stream_refuses_an_expired_token(live_server, http, clock):
    sup = _login(http, "4001")
    clock.advance(hours=13)
    with connect(ws_url(live_server, 0, token_of(sup)), open_timeout=TIMEOUT) as ws:
        with pytest.raises(ConnectionClosed) as e:
            ws.recv(timeout=TIMEOUT)
    assert e.value.rcvd is not None and e.value.rcvd.code == 4401 and e.value.rcvd.reason == "token_expired"


def test_a_bearer_header_works_as_well_as_the_query_token(live_server, http, display):
    start = _last_seq(http, display)
    url = live_server.url.replace("http://", "ws://") + f"/api/v1/events?after={start - 1}"
    with connect(url, additional_headers=display, open_timeout=TIMEOUT) as ws:
        assert json.loads(ws.recv(timeout=TIMEOUT))[0]["seq"] == start


def test_a_lagging_subscriber_is_dropped_and_told_to_resync(monkeypatch):
    import hall_server.api.hub as hub_mod
    monkeypatch.setattr(hub_mod, "MAX_BACKLOG", 2)

    async def scenario() -> tuple[bool, list[Any], int]:
        hub = EventHub()
        hub.bind(asyncio.get_running_loop())
        sub = hub.subscribe(unmasked=False)
        for seq in (1, 2, 3):
            hub._fanout([{"seq": seq, "at": "", "actor": "system", "window_no": None, "type": "t", "data": {}}])
        items = []
        while not sub.queue.empty():
            items.append(sub.queue.get_nowait())
        return sub.overflowed, items, len(hub.subscribers)

    overflowed, items, left = asyncio.run(scenario())
    assert overflowed and items[-1] is None and left == 0


def test_a_burst_reaches_a_subscriber_complete_and_in_order(live_server, http, kiosk):
    """Many commits in a row: batches that pile up are coalesced, never reordered or lost."""
    sup = _login(http, "4001")
    start = _last_seq(http, sup)
    with connect(ws_url(live_server, start, token_of(sup)), open_timeout=TIMEOUT) as ws:
        for _ in range(20):
            http.post("/api/v1/tickets", json={"category": "C"}, headers=kiosk)
        end = _last_seq(http, sup)
        msgs = 0
        got: list[dict[str, Any]] = []
        while not got or got[-1]["seq"] < end:
            got += json.loads(ws.recv(timeout=TIMEOUT))
            msgs += 1
    assert [e["seq"] for e in got] == list(range(start + 1, end + 1))
    assert msgs <= 20


def test_an_up_to_date_subscriber_is_written_to_directly(live_server, http, kiosk, app, request):
    """As ``hall-server run`` the hub writes the shared wire frame straight to the socket;
    with compression it falls back to the sender task. Either way the subscriber gets
    every event once, in order."""
    sup = _login(http, "4001")
    start = _last_seq(http, sup)
    hub = app.state.ctx.hub
    with connect(ws_url(live_server, start, token_of(sup)), open_timeout=TIMEOUT) as ws:
        http.post("/api/v1/tickets", json={"category": "C"}, headers=kiosk)
        got = receive_until(ws, _last_seq(http, sup))
        direct = [s.direct is not None for s in hub.subscribers]
        for _ in range(5):
            http.post("/api/v1/tickets", json={"category": "C"}, headers=kiosk)
        end = _last_seq(http, sup)
        got += receive_until(ws, end)
    assert [e["seq"] for e in got] == list(range(start + 1, end + 1))
    assert direct == [request.node.callspec.params["live_server"] == "direct"]


class _Socket:
    """The transport side of ``RawWriter``: records what the hub writes."""

    def __init__(self, ready: bool = True) -> None:
        self.is_ready, self.data = ready, b""

    def ready(self) -> bool:
        return self.is_ready

    def write(self, data: bytes) -> None:
        self.data += data


def _event(seq: int) -> dict[str, Any]:
    return {"seq": seq, "at": "", "actor": "system", "window_no": None, "type": "t", "data": {}}


def test_the_hub_writes_direct_only_in_order_and_hands_back_otherwise():
    async def scenario() -> tuple[list[Any], ...]:
        hub = EventHub()
        hub.bind(asyncio.get_running_loop())
        out = []
        for ready, last, seqs in ((True, 1, [2, 3]), (False, 1, [2]), (True, 1, [5])):
            sub = hub.subscribe(unmasked=True)
            sock = _Socket(ready)
            sub.direct, sub.last = sock, last  # type: ignore[assignment]
            hub._fanout([_event(s) for s in seqs])
            queued = [sub.queue.get_nowait().last for _ in range(sub.queue.qsize())]
            out.append((sock.data, sub.direct is sock, sub.last, queued))
            hub.unsubscribe(sub)
        return tuple(out)

    in_order, pushing_back, gap = asyncio.run(scenario())
    data, still_direct, last, queued = in_order
    size, offset = (int.from_bytes(data[2:4], "big"), 4) if data[1] == 126 else (data[1], 2)
    assert data[0] == 0x81 and size == len(data) - offset  # FIN + text, unmasked (a server frame)
    assert [e["seq"] for e in json.loads(data[offset:])] == [2, 3]
    assert still_direct and last == 3 and queued == []
    for data, still_direct, last, queued in (pushing_back, gap):  # nothing written; the task takes over
        assert data == b"" and not still_direct and last == 1 and len(queued) == 1


def test_batches_that_reach_the_loop_together_go_out_as_one_frame():
    """Two commits handed over before the loop gets to them (it was busy): one frame, one
    write per subscriber, not one per batch."""
    async def scenario() -> tuple[list[int], int]:
        hub = EventHub(min_interval=0)
        hub.bind(asyncio.get_running_loop())
        sub = hub.subscribe(unmasked=True)
        hub.publish([_event(1), _event(2)])
        hub.publish([_event(3)])
        frame = await sub.queue.get()
        assert frame is not None
        return [seq for seq, _ in frame.items], sub.queue.qsize()

    seqs, left = asyncio.run(scenario())
    assert seqs == [1, 2, 3] and left == 0
