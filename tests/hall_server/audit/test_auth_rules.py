"""Auth that cannot be turned against the hall: wrong passwords slow down and then lock
one source, never the person everywhere; the admin lifts it; a locked or disabled
account's tokens stop working; a used Idempotency-Key with another body is refused."""
from __future__ import annotations

from fastapi.testclient import TestClient


def _login(client, staff_no, password="demo1234"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/login", json={"staff_no": staff_no, "password": password})


def _from(app, host: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, client=(host, 50000))


def test_wrong_passwords_from_one_pc_lock_that_pc_not_the_admin_everywhere(client, app, clock):
    with _from(app, "10.0.0.66") as attacker, _from(app, "10.0.0.9") as admins_pc:
        codes = []
        for _ in range(5):
            codes.append(_login(attacker, "9001", "guess").json()["error"]["code"])
            clock.advance(seconds=31)
        assert codes == ["login_failed"] * 4 + ["account_locked"]
        assert _login(attacker, "9001").json()["error"]["code"] == "account_locked"  # even the right one
        assert _login(admins_pc, "9001").status_code == 200  # the admin still gets in from elsewhere


def test_delays_grow_between_wrong_passwords_and_a_typo_costs_nothing(client, clock):
    assert _login(client, "4002", "typo").json()["error"]["code"] == "login_failed"
    assert _login(client, "4002", "typo2").json()["error"]["code"] == "login_failed"  # first: no wait
    r = _login(client, "4002")
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_attempts" and "秒后再试" in r.json()["error"]["message"]
    clock.advance(seconds=1)
    assert _login(client, "4002").status_code == 200


def test_the_admin_lifts_a_lockout(client, login, clock):
    for _ in range(5):
        _login(client, "4001", "guess")
        clock.advance(seconds=31)
    assert _login(client, "4001").json()["error"]["code"] == "account_locked"
    r = client.post("/api/v1/admin/staff/4001/unlock", headers=login("9001"))
    assert r.status_code == 200 and r.json()["sources_cleared"] == 1
    assert _login(client, "4001").status_code == 200


def test_a_locked_accounts_tokens_stop_working_and_unlock_restores_sign_in(client, login):
    clerk = login("1003")
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 200
    admin = login("9001")
    assert client.post("/api/v1/admin/staff/1003/lock", headers=admin).json()["locked"] is True
    r = client.get("/api/v1/auth/me", headers=clerk)
    assert r.status_code == 401
    assert _login(client, "1003").json()["error"]["code"] == "account_locked"
    client.post("/api/v1/admin/staff/1003/unlock", headers=admin)
    assert _login(client, "1003").status_code == 200


def test_a_disabled_accounts_tokens_stop_working(client, login, settings):
    from sqlalchemy import update

    from hall_server.models import Staff
    clerk = login("1004")
    with client.app.state.ctx.db.write() as s:
        s.execute(update(Staff).where(Staff.staff_no == "1004").values(active=False))
    client.app.state.ctx.actors.clear()  # a change made outside the server's own events
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 401


def test_a_used_idempotency_key_with_another_body_is_refused_not_replayed(client, kiosk):
    h = {**kiosk, "Idempotency-Key": "pay-1"}
    first = client.post("/api/v1/tickets", json={"category": "A"}, headers=h)
    assert first.status_code == 201
    again = client.post("/api/v1/tickets", json={"category": "A"}, headers=h)
    assert again.status_code == 201 and again.json() == first.json()  # a true retry replays
    other = client.post("/api/v1/tickets", json={"category": "B"}, headers=h)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert "不同" in other.json()["error"]["message"]
