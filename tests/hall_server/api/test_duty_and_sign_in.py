"""Sign-in (挂牌上岗), sign-out, lockout and password storage."""
from __future__ import annotations

from hall_server.services import auth
from hall_server.settings import Settings


def _login(client, staff_no, password="demo1234", **kw):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/login", json={"staff_no": staff_no, "password": password, **kw})


def test_unknown_staff_and_wrong_password_look_the_same(client):
    a, b = _login(client, "0000"), _login(client, "1001", "wrong!")
    assert a.status_code == b.status_code == 401
    assert a.json()["error"]["code"] == b.json()["error"]["code"] == "login_failed"


def test_only_window_staff_may_sign_in_at_a_window(client):
    r = _login(client, "3001", window_no=2)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_window_staff"


def test_sign_in_at_a_window_shows_the_badge_and_logout_ends_duty(client, display):
    r = _login(client, "1005", window_no=5)
    assert r.status_code == 200
    badge = r.json()["badge"]
    stars = badge.pop("star_rating")  # filled by the ratings area's demo data
    assert stars is None or 0 <= stars <= 5
    assert badge == {"staff_no": "1005", "name": "陈静", "department": "市不动产登记中心", "post": "登记员",
                     "photo_ref": "photos/1005.png", "has_photo": False}
    h = {"Authorization": f"Bearer {r.json()['token']}"}
    snap = client.get("/api/v1/hall", headers=display).json()
    assert snap["windows"][4]["state"] == "idle" and snap["windows"][4]["badge"]["name"] == "陈静"
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 200
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
    assert client.get("/api/v1/hall", headers=display).json()["windows"][4]["state"] == "offline"
    assert _login(client, "1006", window_no=5).status_code == 200  # the window is free again


def test_a_clerk_holds_one_window_at_a_time(client):
    assert _login(client, "1001", window_no=1).status_code == 200
    r = _login(client, "1001", window_no=2)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_on_duty"


def test_the_lock_lifts_after_the_configured_minutes(client, clock):
    for _ in range(5):
        _login(client, "1002", "wrong!")
        clock.advance(seconds=31)  # past the growing delay between attempts
    assert _login(client, "1002").json()["error"]["code"] == "account_locked"
    clock.advance(minutes=16)
    assert _login(client, "1002").status_code == 200


def test_passwords_are_stored_with_argon2id_at_the_production_cost():
    s = Settings()
    h = auth.hasher(s).hash("demo1234")
    assert h.startswith("$argon2id$") and f"m={s.argon2_memory_kib}" in h and s.argon2_memory_kib >= 19456
    assert auth.check_password(s, h, "demo1234") and not auth.check_password(s, h, "demo12345")
    assert not auth.check_password(s, None, "demo1234")
