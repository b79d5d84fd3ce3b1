"""The hot lane (``api/lane.py``) answers the six peak-hour requests exactly as the framework's
routes do, errors included, and hands everything else on. (Its load shedding: the
hot-lane case of ``test_admission.py``'s issuing test.)"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hall_server.app import create_app
from tests.conftest import DEMO_PASSWORD, FakeClock, Template, fast_settings

def _walk(client: TestClient, kiosk: str) -> list[tuple[int, Any]]:
    """A morning's requests, the awkward ones too; the answers, in order."""
    def login(staff_no: str, window_no: int | None = None) -> str:
        body: dict[str, Any] = {"staff_no": staff_no, "password": DEMO_PASSWORD}
        if window_no is not None:
            body["window_no"] = window_no
        return str(client.post("/api/v1/auth/login", json=body).json()["token"])

    clerk, cashier = login("1001", window_no=1), login("2001")
    auth = lambda t: {"Authorization": f"Bearer {t}"}  # noqa: E731
    steps: list[tuple[str, dict[str, str], Any]] = [
        ("/api/v1/tickets", auth(kiosk), {"category": "A"}),
        ("/api/v1/tickets", auth(kiosk), {"category": "A", "id_card": {"name": "张三", "id_number": "11010519491231002X"}}),
        ("/api/v1/tickets", auth(kiosk) | {"Idempotency-Key": "k-1"}, {"category": "B"}),
        ("/api/v1/tickets", auth(kiosk) | {"Idempotency-Key": "k-1"}, {"category": "B"}),  # a retry: replayed
        ("/api/v1/tickets", auth(kiosk) | {"Idempotency-Key": "k-1"}, {"category": "A"}),  # another body: refused
        ("/api/v1/tickets", auth(kiosk), {"category": "Z"}),  # no such category
        ("/api/v1/tickets", auth(kiosk), {"category": "A", "priority": True, "priority_reason": "老人"}),  # kiosk
        ("/api/v1/tickets", auth(clerk), {"category": "A", "priority": True, "priority_reason": "老年人"}),
        ("/api/v1/tickets", {}, {"category": "A"}),  # no token
        ("/api/v1/tickets", auth("not-a-token"), {"category": "A"}),
        ("/api/v1/tickets", auth(kiosk), {"category": 5}),  # invalid body: the framework's 422
        ("/api/v1/tickets", auth(kiosk), "not json"),
        ("/api/v1/tickets", auth(kiosk), '{"category": "A\\u0000"}'),  # a control character: refused
        ("/api/v1/tickets", auth(kiosk), '{"category": "A", "x": "' + "长" * 400_000 + '"}'),  # over the limit
        ("/api/v1/tickets?x=1", auth(kiosk), {"category": "A"}),  # a query string: handed on
        ("/api/v1/windows/1/start", auth(clerk), None),  # nothing called yet
        ("/api/v1/windows/1/call-next", auth(kiosk), None),  # a kiosk may not call
        ("/api/v1/windows/2/call-next", auth(clerk), None),  # not on duty there
        ("/api/v1/windows/0/call-next", auth(clerk), None),  # no window 0: the framework's 422
        ("/api/v1/windows/1/call-next", auth(cashier), None),  # a cashier, not on duty here
        ("/api/v1/windows/1/call-next", auth(clerk), None),
        ("/api/v1/windows/1/call-next", auth(clerk), None),  # one at a time
        ("/api/v1/windows/1/recall", auth(clerk), None),
        ("/api/v1/windows/1/start", auth(clerk), None),
        ("/api/v1/windows/1/complete", auth(clerk), None),
        ("/api/v1/windows/1/call-next", auth(clerk), None),
        ("/api/v1/windows/1/skip", auth(clerk), None),
        ("/api/v1/windows/1/call-next", auth(clerk), None),
        ("/api/v1/windows/1/call-next", auth(clerk), None),
    ]
    out: list[tuple[int, Any]] = []
    for path, headers, body in steps:
        if isinstance(body, str):
            r = client.post(path, content=body, headers=headers | {"Content-Type": "application/json"})
        else:
            r = client.post(path, json=body, headers=headers)
        out.append((r.status_code, r.json(), r.headers.get("idempotent-replay")))
    return out


def _hall(tmpl: Template, tmp_path: Path, name: str, *, lane: bool) -> tuple[list[tuple[int, Any]], int]:
    d = tmp_path / name
    d.mkdir()
    shutil.copy(Path(tmpl.url.removeprefix("sqlite:///")), d / "hall.sqlite3")
    settings = fast_settings(data_dir=d, database_url=f"sqlite:///{d / 'hall.sqlite3'}", hot_lane=lane)
    app = create_app(settings, clock=FakeClock())
    with TestClient(app) as client:
        answers = _walk(client, tmpl.tokens["kiosk-1"])
        served = client.get("/api/v1/health").json()["hot_lane"]
    return answers, served


def test_the_lane_answers_every_hot_request_as_the_routes_do(sqlite_template: Template, tmp_path: Path) -> None:
    fast, served = _hall(sqlite_template, tmp_path, "lane", lane=True)
    slow, none = _hall(sqlite_template, tmp_path, "routes", lane=False)
    assert none == 0 and served >= 20  # the lane really answered (all but the handed-on ones)
    for i, (a, b) in enumerate(zip(fast, slow)):
        assert a == b, (i, a, b)
    statuses = [s for s, _, _ in fast]
    assert statuses == [201, 201, 201, 201, 422, 404, 403, 201, 401, 401, 422, 422, 422, 413, 201, 409, 403, 403,
                        422, 403,
                        200, 409, 200, 200, 200, 200, 200, 200, 409], statuses
    assert fast[3][2] == "true" and fast[3][1] == fast[2][1]  # the retry is the first answer, replayed
    assert all(isinstance(body, dict) and ("error" in body or "number" in body) for _, body, _ in fast)
