"""Admin endpoints: each change is allowed to the admin only, refuses bad input in
Chinese (422), and leaves one ``config.changed`` event with the value before and after."""
from __future__ import annotations

import io
from typing import Any

from PIL import Image

A = "/api/v1/admin"


def _events(app: Any, type_: str) -> list[Any]:
    from sqlalchemy import select

    from hall_server.models import Event
    with app.state.ctx.db.read() as s:
        return [(e.actor, e.data) for e in s.scalars(select(Event).where(Event.type == type_).order_by(Event.seq))]


def _chinese_422(r: Any) -> str:
    assert r.status_code == 422, r.text
    msg = r.json()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in msg), msg
    return str(msg)


WEEK = [[{"start": "09:00", "end": "12:00"}, {"start": "13:30", "end": "17:00"}]] * 5 + [[], []]


def test_hall_profile_change_is_an_event_with_before_and_after(client, app, login):
    admin, manager = login("9001"), login("3001")
    prof = client.get(f"{A}/profile", headers=manager).json()  # the manager may read
    assert prof["hours"] == [] and prof["name"]
    body = {**prof, "supervision_phone": "0571-87001234", "hours": WEEK,
            "public_base_url": "https://hall.example.cn/"}
    r = client.put(f"{A}/profile", json=body, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["public_base_url"] == "https://hall.example.cn"
    assert client.put(f"{A}/profile", json=body, headers=manager).status_code == 403
    actor, data = _events(app, "config.changed")[-1]
    assert actor == "staff:9001" and data["kind"] == "hall"
    assert data["before"]["supervision_phone"] == prof["supervision_phone"]
    assert data["after"]["supervision_phone"] == "0571-87001234"
    assert "name" not in data["after"]  # only what changed
    from hall_server.services.hallconfig import hall_profile
    with app.state.ctx.db.read() as s:
        assert hall_profile(s).supervision_phone == "0571-87001234"


def test_bad_opening_hours_and_address_are_refused_in_chinese(client, login):
    admin = login("9001")
    prof = client.get(f"{A}/profile", headers=admin).json()
    reversed_ = [[{"start": "12:00", "end": "09:00"}]] + [[]] * 6
    assert "结束时间" in _chinese_422(client.put(f"{A}/profile", json={**prof, "hours": reversed_}, headers=admin))
    overlap = [[{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]] + [[]] * 6
    assert "重叠" in _chinese_422(client.put(f"{A}/profile", json={**prof, "hours": overlap}, headers=admin))
    assert "7 天" in _chinese_422(client.put(f"{A}/profile", json={**prof, "hours": [[]] * 3}, headers=admin))
    assert "http" in _chinese_422(client.put(f"{A}/profile", json={**prof, "public_base_url": "hall.cn"},
                                             headers=admin))
    _chinese_422(client.put(f"{A}/profile", json={**prof, "hours": [[{"start": "9点", "end": "x"}]] * 7},
                            headers=admin))


def test_outside_opening_hours_a_kiosk_is_told_when_the_hall_opens_but_staff_can_issue(client, login, kiosk, clock):
    admin = login("9001")
    prof = client.get(f"{A}/profile", headers=admin).json()
    assert client.put(f"{A}/profile", json={**prof, "hours": WEEK}, headers=admin).status_code == 200
    assert client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).status_code == 201  # Tue 09:00
    clock.advance(hours=3, minutes=10)  # 12:10, lunch
    r = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "hall_closed"
    assert "今天 13:30" in r.json()["error"]["message"]
    assert client.post("/api/v1/tickets", json={"category": "A"}, headers=login("3001")).status_code == 201
    clock.advance(hours=6)  # 18:10 Tuesday
    assert "明天（星期三）09:00" in client.post("/api/v1/tickets", json={"category": "A"},
                                             headers=kiosk).json()["error"]["message"]
    clock.advance(days=3)  # Friday 18:10: next is Monday
    assert "11月30日（星期一）09:00" in client.post("/api/v1/tickets", json={"category": "A"},
                                                 headers=kiosk).json()["error"]["message"]


def test_a_category_with_its_own_hours_stops_kiosk_numbers_after_them(client, login, kiosk, clock):
    admin = login("9001")
    r = client.patch(f"{A}/categories/B", json={"hours": [{"start": "09:00", "end": "11:00"}]}, headers=admin)
    assert r.status_code == 200 and r.json()["hours"] == [{"start": "09:00", "end": "11:00"}]
    assert client.post("/api/v1/tickets", json={"category": "B"}, headers=kiosk).status_code == 201
    clock.advance(hours=2, minutes=1)
    r = client.post("/api/v1/tickets", json={"category": "B"}, headers=kiosk)
    assert r.status_code == 409 and "已停止取号" in r.json()["error"]["message"]
    assert client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).status_code == 201


def test_departments_are_added_renamed_and_disabled_never_deleted(client, app, login):
    admin = login("9001")
    r = client.post(f"{A}/departments", json={"code": "GJJ", "name": "住房公积金中心", "phone": "12329"}, headers=admin)
    assert r.status_code == 201, r.text
    assert client.post(f"{A}/departments", json={"code": "GJJ", "name": "重复"}, headers=admin).status_code == 409
    r = client.patch(f"{A}/departments/GJJ", json={"name": "市住房公积金中心", "active": False}, headers=admin)
    assert r.json() == {"code": "GJJ", "name": "市住房公积金中心", "phone": "12329", "active": False}
    _, data = _events(app, "config.changed")[-1]
    assert data == {"kind": "department", "key": "GJJ", "before": {"name": "住房公积金中心", "active": True},
                    "after": {"name": "市住房公积金中心", "active": False}}
    codes = [d["code"] for d in client.get(f"{A}/departments", headers=login("3001")).json()]
    assert "GJJ" in codes
    assert client.patch(f"{A}/departments/NOPE", json={"name": "x"}, headers=admin).status_code == 404


def test_a_window_changes_its_queues_led_and_ab_posts(client, app, login):
    admin = login("9001")
    r = client.patch(f"{A}/windows/3", json={"categories": ["C", "A"], "led_address": 3, "staff_a": "1003",
                                             "staff_b": ["1004"]}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["categories"] == ["C", "A"] and r.json()["staff_b"] == ["1004"]
    actor, data = _events(app, "config.changed")[-1]
    assert data["kind"] == "window" and data["key"] == "3" and data["after"]["led_address"] == 3
    r = client.patch(f"{A}/windows/3", json={"staff_b": ["1003"]}, headers=admin)
    assert "A角" in _chinese_422(r)
    assert client.patch(f"{A}/windows/3", json={"staff_b": ["7777"]}, headers=admin).status_code == 404
    assert client.patch(f"{A}/windows/3", json={"categories": ["Q"]}, headers=admin).status_code == 404
    cats = {k["prefix"]: k for k in client.get(f"{A}/categories", headers=admin).json()}
    assert 3 in cats["C"]["windows"]
    w = client.post(f"{A}/windows", json={"window_no": 60, "name": "新窗口", "categories": ["A"], "led_address": 60,
                                          "staff_a": "1005"}, headers=admin)
    assert w.status_code == 201
    rows = {x["window_no"]: x for x in client.get(f"{A}/windows", headers=admin).json()}
    assert rows[60]["staff_a"] == "1005" and rows[60]["led_address"] == 60


def test_staff_edit_disable_and_password_reset(client, app, login):
    admin = login("9001")
    clerk = login("1006", window_no=6)
    r = client.patch(f"{A}/staff/1006", json={"post": "综合受理", "roles": ["clerk", "cashier"]}, headers=admin)
    assert r.status_code == 200 and r.json()["roles"] == ["cashier", "clerk"]
    _, data = _events(app, "config.changed")[-1]
    assert set(data["before"]) == {"post", "roles"} and data["before"]["roles"] == ["clerk"]
    assert data["after"] == {"post": "综合受理", "roles": ["cashier", "clerk"]}
    assert _chinese_422(client.patch(f"{A}/staff/1006", json={"roles": ["kiosk"]}, headers=admin))
    assert "自己" in _chinese_422(client.patch(f"{A}/staff/9001", json={"active": False}, headers=admin))
    r = client.patch(f"{A}/staff/1006", json={"active": False}, headers=admin)
    assert r.json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 401  # signed out at once
    login_r = client.post("/api/v1/auth/login", json={"staff_no": "1006", "password": "demo1234"})
    assert login_r.status_code in (401, 403)
    client.patch(f"{A}/staff/1006", json={"active": True}, headers=admin)
    r = client.post(f"{A}/staff/1006/password", headers=admin)
    assert r.status_code == 200
    pw = r.json()["password"]
    assert len(pw) >= 8
    assert client.post("/api/v1/auth/login", json={"staff_no": "1006", "password": "demo1234"}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"staff_no": "1006", "password": pw}).status_code == 200
    _, data = _events(app, "config.changed")[-1]
    assert pw not in str(data) and data["key"] == "1006"
    rows = {x["staff_no"]: x for x in client.get(f"{A}/staff", headers=login("3001")).json()}
    assert rows["1006"]["post"] == "综合受理"


def _png(w: int = 800, h: int = 1000) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (w, h), (200, 30, 40, 255)).save(buf, "PNG")
    return buf.getvalue()


def test_a_photo_is_scaled_to_a_jpeg_served_to_every_screen_and_flagged_on_the_badge(client, app, login, display):
    admin = login("9001")
    assert client.get("/api/v1/staff/1007/photo", headers=display).status_code == 404
    r = client.post(f"{A}/staff/1007/photo", content=_png(), headers={**admin, "Content-Type": "image/png"})
    assert r.status_code == 200, r.text
    assert (r.json()["width"], r.json()["height"]) == (300, 375)
    got = client.get("/api/v1/staff/1007/photo", headers=display)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(got.content)).size == (300, 375)
    badge = client.post("/api/v1/auth/login", json={"staff_no": "1007", "password": "demo1234",
                                                   "window_no": 7}).json()["badge"]
    assert badge["has_photo"] is True
    assert "JPEG 或 PNG" in _chinese_422(client.post(f"{A}/staff/1007/photo", content=b"GIF89a" + b"0" * 100,
                                                     headers=admin))
    assert client.post(f"{A}/staff/1007/photo", content=b"x" * 950_000, headers=admin).status_code == 413
    assert "太小" in _chinese_422(client.post(f"{A}/staff/1007/photo", content=_png(20, 20), headers=admin))
    assert _events(app, "config.changed")[-1][1]["kind"] == "photo"


def test_devices_get_a_config_file_can_be_renamed_and_retired(client, app, login):
    admin = login("9001")
    r = client.post(f"{A}/devices", json={"name": "kiosk-east", "kind": "kiosk"}, headers=admin)
    assert r.status_code == 201
    token, cfg = r.json()["token"], r.json()["config_text"]
    assert f'device_token = "{token}"' in cfg and "server_url" in cfg and "--mode kiosk" in cfg
    dev = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=dev).json()["device_name"] == "kiosk-east"
    r = client.patch(f"{A}/devices/kiosk-east", json={"name": "kiosk-东门"}, headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "kiosk-东门"
    assert client.get("/api/v1/auth/me", headers=dev).json()["device_name"] == "kiosk-东门"
    assert client.patch(f"{A}/devices/kiosk-东门", json={"name": "kiosk-1"}, headers=admin).status_code == 409
    r = client.post(f"{A}/devices/kiosk-东门/retire", headers=admin)
    assert r.json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=dev).status_code == 401
    names = [d["name"] for d in client.get(f"{A}/devices", headers=admin).json()]
    assert "kiosk-东门" in names  # kept for the history that names it
    _, data = _events(app, "config.changed")[-1]
    assert data["before"] == {"active": True} and data["after"] == {"active": False}


def test_card_thresholds_move_to_the_database_with_the_file_as_initial_value(client, app, login, settings):
    admin = login("9001")
    cur = client.get(f"{A}/cards", headers=login("3001")).json()
    assert cur["long_wait"] == {"enabled": True, "yellow_minutes": 30, "red_minutes": 60}  # resources/cards.toml
    body = {**cur, "city": "示范市", "long_wait": {"enabled": True, "yellow_minutes": 20, "red_minutes": 40}}
    r = client.put(f"{A}/cards", json=body, headers=admin)
    assert r.status_code == 200, r.text
    _, data = _events(app, "config.changed")[-1]
    assert data["kind"] == "cards"
    assert data["before"]["long_wait"]["yellow_minutes"] == 30 and data["after"]["long_wait"]["yellow_minutes"] == 20
    assert set(data["after"]) == {"city", "long_wait"}
    bad = {**body, "long_pause": {"enabled": True, "yellow_minutes": 50, "red_minutes": 10}}
    assert "黄牌" in _chinese_422(client.put(f"{A}/cards", json=bad, headers=admin))
    from hall_server.services.hallconfig import card_rules
    with app.state.ctx.db.read() as s:
        rules = card_rules(s, settings=settings)
    assert rules.city == "示范市" and rules.long_wait.yellow_minutes == 20
    assert client.get("/api/v1/supervision/cards", params={"start": "2026-11-24", "end": "2026-11-24"},
                      headers=login("4001")).json()["city"] == "示范市"


def test_holiday_years_are_kept_in_the_database_and_checked(client, app, login, settings):
    admin = login("9001")
    got = client.get(f"{A}/holidays", headers=admin).json()
    assert 2027 in [y["year"] for y in got["years"]] and 2025 in got["package_years"]
    y2028 = {"year": 2028, "provisional": True, "holidays": ["2028-01-03", "2028-10-02"], "workdays": ["2028-10-07"]}
    r = client.put(f"{A}/holidays/2028", json=y2028, headers=admin)
    assert r.status_code == 200, r.text
    from datetime import date

    from hall_server.services.hallconfig import work_calendar
    with app.state.ctx.db.read() as s:
        cal = work_calendar(s, settings)
    assert not cal.is_working_day(date(2028, 1, 3)) and cal.is_working_day(date(2028, 10, 7))
    assert cal.covers(2027)  # the file's year came along as the initial value
    assert "星期六或星期日" in _chinese_422(client.put(f"{A}/holidays/2028", json={**y2028, "workdays": ["2028-10-09"]},
                                                    headers=admin))
    assert "不属于" in _chinese_422(client.put(f"{A}/holidays/2028", json={**y2028, "holidays": ["2029-01-01"]},
                                              headers=admin))
    _, data = _events(app, "config.changed")[-1]
    assert data["kind"] == "holidays" and data["key"] == "2028" and data["before"] is None


def test_leave_and_ab_posts_drive_the_off_duty_card(client, app, login, clock):
    admin = login("9001")
    client.patch(f"{A}/windows/8", json={"staff_a": "1008", "staff_b": ["1009"]}, headers=admin)
    r = client.post(f"{A}/staff/1008/leaves", json={"day": "2026-11-24", "note": "年休假"}, headers=admin)
    assert r.status_code == 201
    assert client.post(f"{A}/staff/1008/leaves", json={"day": "2026-11-24"}, headers=admin).status_code == 409
    clerk = login("1010", window_no=10)  # signs in at 09:00 then leaves at 09:30
    clock.advance(minutes=30)
    client.post("/api/v1/windows/10/sign-out", headers=clerk)
    clock.advance(hours=2)
    cards = client.get("/api/v1/supervision/cards", params={"start": "2026-11-24", "end": "2026-11-24"},
                       headers=login("4001")).json()["cards"]
    subjects = {c_["subject"]: c_ for c_ in cards if c_["rule"] == "off_duty"}
    assert "window-8" in subjects and subjects["window-8"]["level"] == "red"
    assert "1010" in subjects and "1008" not in subjects
    assert client.get(f"{A}/leaves", params={"staff_no": "1008"}, headers=admin).json()[0]["note"] == "年休假"
    assert client.post(f"{A}/staff/1008/leaves/2026-11-24/cancel", headers=admin).status_code == 200
    assert client.get(f"{A}/leaves", params={"staff_no": "1008"}, headers=admin).json() == []


def test_admin_creations_replay_with_the_same_key(client, app, login):
    admin = login("9001")
    for path, body in {f"{A}/departments": {"code": "SW", "name": "税务"},
                       f"{A}/staff/1001/leaves": {"day": "2026-12-01"}}.items():
        h = {**admin, "Idempotency-Key": f"k-{path}"}
        first = client.post(path, json=body, headers=h)
        assert first.status_code == 201, first.text
        again = client.post(path, json=body, headers=h)
        assert again.json() == first.json() and again.headers.get("idempotent-replay") == "true"
        assert client.post(path, json=body, headers=admin).status_code == 409



def test_case_due_dates_follow_the_holiday_years_saved_by_the_admin(client, app, login, settings):
    from datetime import date

    from hall_server.services import cases
    y = {"year": 2028, "provisional": False, "holidays": ["2028-03-01"], "workdays": []}
    assert client.put(f"{A}/holidays/2028", json=y, headers=login("9001")).status_code == 200
    with app.state.ctx.db.read() as s:
        cal = cases.calendar(settings, s)
    assert not cal.is_working_day(date(2028, 3, 1))  # a Wednesday, closed by the admin's entry
    assert cal.add_working_days(date(2028, 2, 29), 1) == date(2028, 3, 2)


def test_editing_a_matter_logs_the_fields_before_and_after(client, app, login):
    admin = login("9001")
    m = client.get("/api/v1/matters/BDC-001", headers=admin).json()
    body = {k: m[k] for k in ("code", "name", "department_code", "case_prefix", "category_prefix", "kind",
                              "legal_basis", "conditions", "procedure", "materials", "statutory_limit",
                              "statutory_unit", "promised_limit", "promised_unit", "fee_items", "fee_note",
                              "enquiry_phone", "complaint_phone", "active")}
    r = client.put("/api/v1/matters/BDC-001", json={**body, "promised_limit": 3}, headers=admin)
    assert r.status_code == 200, r.text
    _, data = _events(app, "config.changed")[-1]
    assert data == {"kind": "matter", "key": "BDC-001", "before": {"promised_limit": m["promised_limit"]},
                    "after": {"promised_limit": 3}}
