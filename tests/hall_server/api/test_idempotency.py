"""Every creating POST honours Idempotency-Key: a retry returns the first answer and
creates nothing new."""
from __future__ import annotations

import inspect


def test_every_creating_post_goes_through_idempotent(api_endpoints):
    """A 201 endpoint that does not call ``idempotent(...)`` would create twice on a retry."""
    missing = []
    for ep in api_endpoints:
        if ep.method == "POST" and ep.route.status_code == 201:
            src = inspect.getsource(ep.route.endpoint)
            if "idempotent(" not in src and "idempotent_async(" not in src:
                missing.append(ep.path)
    assert not missing, missing


def _count_events(app) -> int:  # type: ignore[no-untyped-def]
    from hall_server.services import events
    with app.state.ctx.db.read() as s:
        return events.last_seq(s)


def test_admin_creations_replay_with_the_same_key(client, app, login):
    admin = login("9001")
    bodies = {
        "/api/v1/admin/categories": {"prefix": "E", "name": "公积金"},
        "/api/v1/admin/windows": {"window_no": 50, "name": "公积金窗口", "categories": ["E", "A"]},
        "/api/v1/admin/staff": {"staff_no": "1201", "name": "林晓", "password": "secret99", "roles": ["clerk"]},
        "/api/v1/admin/devices": {"name": "kiosk-9", "kind": "kiosk"},
        "/api/v1/admin/departments": {"code": "GJJ", "name": "住房公积金中心"},
        "/api/v1/admin/staff/1001/leaves": {"day": "2026-12-01", "note": "年休假"},
    }
    for path, body in bodies.items():
        h = {**admin, "Idempotency-Key": f"k-{path}"}
        first = client.post(path, json=body, headers=h)
        assert first.status_code == 201, first.text
        seq = _count_events(app)
        again = client.post(path, json=body, headers=h)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers.get("idempotent-replay") == "true"
        assert _count_events(app) == seq  # nothing new happened
        fresh = client.post(path, json=body, headers=admin)  # no key: a real second attempt
        assert fresh.status_code == 409


def test_a_key_reused_for_another_operation_is_refused(client, login):
    admin = login("9001")
    h = {**admin, "Idempotency-Key": "same"}
    assert client.post("/api/v1/admin/categories", json={"prefix": "F", "name": "税务"}, headers=h).status_code == 201
    r = client.post("/api/v1/admin/devices", json={"name": "kiosk-7", "kind": "kiosk"}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_principal(client, kiosk, login):
    key = {"Idempotency-Key": "shared-by-chance"}
    a = client.post("/api/v1/tickets", json={"category": "A"}, headers={**kiosk, **key}).json()
    b = client.post("/api/v1/tickets", json={"category": "A"}, headers={**login("3001"), **key}).json()
    assert (a["number"], b["number"]) == ("A001", "A002")


def test_a_new_window_serves_its_categories_in_order(client, login):
    admin = login("9001")
    assert client.post("/api/v1/admin/windows", json={"window_no": 51, "name": "新窗", "categories": ["C", "A"]},
                       headers=admin).status_code == 201
    r = client.post("/api/v1/admin/windows", json={"window_no": 52, "name": "坏窗", "categories": ["Q"]}, headers=admin)
    assert r.status_code == 404 and r.json()["error"]["code"] == "category_not_found"
    r = client.post("/api/v1/admin/windows", json={"window_no": 1, "name": "重复", "categories": ["A"]}, headers=admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "window_exists"
    kiosk_tok = client.post("/api/v1/admin/devices", json={"name": "kiosk-x", "kind": "kiosk"}, headers=admin).json()
    k = {"Authorization": f"Bearer {kiosk_tok['token']}"}
    client.post("/api/v1/tickets", json={"category": "A"}, headers=k)
    client.post("/api/v1/tickets", json={"category": "C"}, headers=k)
    client.post("/api/v1/admin/staff", json={"staff_no": "1202", "name": "新人", "password": "secret99",
                                             "roles": ["clerk"]}, headers=admin)
    clerk = login("1202", window_no=51, password="secret99")
    assert client.post("/api/v1/windows/51/call-next", headers=clerk).json()["number"] == "C001"
