"""Load shedding (api/admission.py): past the bound on writes in flight the server answers
503 with Retry-After and a Chinese message at once, writes nothing for those requests, and
every request it accepted is in the log exactly once."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import FakeClock, LiveServer, fast_settings

BOUND, BURST = 4, 12


@pytest.fixture
def shedding_server(db_url: str, tmp_path: Any, clock: FakeClock,
                    request: pytest.FixtureRequest) -> Iterator[tuple[LiveServer, Any]]:
    """``request.param`` (indirect): whether the hot lane (api/lane.py) is on; default on."""
    from hall_server.app import create_app
    hot_lane = getattr(request, "param", True)
    app = create_app(fast_settings(data_dir=tmp_path, database_url=db_url, max_pending_writes=BOUND,
                                   hot_lane=hot_lane), clock=clock)
    srv = LiveServer(app).start()
    yield srv, app
    srv.stop()


def test_a_burst_past_the_bound_gets_503_and_every_accepted_write_is_logged_once(shedding_server):
    srv, app = shedding_server
    api = srv.url + "/api/v1"
    tok = httpx.post(f"{api}/auth/login", json={"staff_no": "9001", "password": "demo1234"}, timeout=30).json()["token"]
    admin = {"Authorization": f"Bearer {tok}"}
    answers: dict[int, httpx.Response] = {}
    refused = threading.Condition()

    def add(no: int) -> None:
        r = httpx.post(f"{api}/admin/windows", headers=admin, timeout=60,
                       json={"window_no": no, "name": f"测试窗口 {no}", "categories": ["A"]})
        with refused:
            answers[no] = r
            refused.notify_all()

    nos = range(300, 300 + BURST)
    threads = [threading.Thread(target=add, args=(no,)) for no in nos]
    # hold the writer: the first BOUND requests wait in flight, the rest must be refused at once
    with app.state.ctx.db.write_lock:
        for t in threads:
            t.start()
        with refused:
            assert refused.wait_for(lambda: len(answers) == BURST - BOUND, timeout=30)
        assert {r.status_code for r in answers.values()} == {503}
    for t in threads:
        t.join(60)
    codes = Counter(r.status_code for r in answers.values())
    assert codes == {201: BOUND, 503: BURST - BOUND}
    for r in answers.values():
        if r.status_code == 503:
            assert r.headers["retry-after"] == "1"
            assert r.json() == {"error": {"code": "overloaded", "message": "服务器繁忙，请稍后重试。"}}
    accepted = sorted(no for no, r in answers.items() if r.status_code == 201)
    log = httpx.get(f"{api}/events/log", params={"limit": 5000}, headers=admin, timeout=30).json()["events"]
    added = sorted(e["window_no"] if e.get("window_no") else e["data"]["window_no"]
                   for e in log if e["type"] == "window.added")
    assert added == accepted  # each accepted write once; nothing of a refused one
    hall = httpx.get(f"{api}/hall", headers=admin, timeout=30).json()
    assert not {w["window_no"] for w in hall["windows"]} & {no for no in nos if no not in accepted}
    # past the burst the server takes writes again
    r = httpx.post(f"{api}/admin/windows", headers=admin, timeout=30,
                   json={"window_no": 399, "name": "测试窗口 399", "categories": ["A"]})
    assert r.status_code == 201, r.text


def test_reads_are_never_refused(shedding_server):
    srv, app = shedding_server
    with app.state.ctx.db.write_lock:  # writer busy; the bound concerns writes only
        for _ in range(BOUND + 2):
            assert httpx.get(srv.url + "/api/v1/health", timeout=30).status_code == 200


@pytest.mark.parametrize("shedding_server", [True, False], indirect=True, ids=["hot-lane", "framework"])
def test_issuing_past_the_bound_is_refused_while_the_group_writer_commits(shedding_server, kiosk):
    """The hot endpoints wait for their batch on the loop: the bound counts them too, so a
    burst of kiosks past it is refused at once and every accepted number is issued once —
    answered by the hot lane or by the framework's route alike (one ``admission.Gate``)."""
    srv, app = shedding_server
    api = srv.url + "/api/v1"
    answers: list[httpx.Response] = []
    done = threading.Condition()

    def issue() -> None:
        r = httpx.post(f"{api}/tickets", headers=kiosk, json={"category": "A"}, timeout=60)
        with done:
            answers.append(r)
            done.notify_all()

    threads = [threading.Thread(target=issue) for _ in range(BURST)]
    with app.state.ctx.db.write_lock:  # the writer thread waits here with the first batch
        for t in threads:
            t.start()
        with done:
            assert done.wait_for(lambda: len(answers) == BURST - BOUND, timeout=30)
        assert {r.status_code for r in answers} == {503}
    for t in threads:
        t.join(60)
    codes = Counter(r.status_code for r in answers)
    assert codes == {201: BOUND, 503: BURST - BOUND}
    assert all(r.headers["retry-after"] == "1" and r.json()["error"]["message"] == "服务器繁忙，请稍后重试。"
               for r in answers if r.status_code == 503)
    numbers = sorted(r.json()["number"] for r in answers if r.status_code == 201)
    assert numbers == [f"A{n:03d}" for n in range(1, BOUND + 1)]  # no gap, none twice: the refused spent none
