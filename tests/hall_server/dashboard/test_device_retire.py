"""Device health without stale rows: a device replaced at its place or never heard from
says so, and the manager can retire it; a retired device's token stops working."""
from __future__ import annotations


def _health(client, headers, name, kind="printer", status="ok", window_no=None):  # type: ignore[no-untyped-def]
    dev = {"name": name, "kind": kind, "status": status}
    if window_no is not None:
        dev["window_no"] = window_no
    r = client.post("/api/v1/devices/health", json={"devices": [dev]}, headers=headers)
    assert r.status_code == 200, r.text


def _row(client, headers, name):  # type: ignore[no-untyped-def]
    rows = client.get("/api/v1/devices/health", headers=headers).json()
    return next((d for d in rows if d["name"] == name), None)


def test_a_silent_printer_replaced_at_its_window_shows_as_replaced(client, login, clock):
    pc, mgr = login("1003", window_no=3), login("3001")
    _health(client, pc, "window-3/printer-old")
    clock.advance(minutes=10)
    _health(client, pc, "window-3/printer-new")
    old = _row(client, mgr, "window-3/printer-old")
    assert old["status"] == "replaced" and old["replaced_by"] == "window-3/printer-new"
    assert _row(client, mgr, "window-3/printer-new")["status"] == "ok"


def test_a_registered_device_never_heard_from_shows_as_never(client, login):
    mgr = login("3001")
    ev = _row(client, mgr, "evaluator-12")
    assert ev is not None and ev["status"] == "never" and ev["last_seen_at"] is None


def test_retiring_a_kiosk_stops_its_token_and_logs_who_and_why(client, login, kiosk):
    mgr = login("3001")
    assert client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).status_code == 201
    r = client.post("/api/v1/devices/retire", json={"name": "kiosk-1", "reason": "已更换新取号机"}, headers=mgr)
    assert r.status_code == 200, r.text
    assert r.json()["tokens_revoked"] >= 1
    again = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    assert again.status_code == 401
    assert _row(client, mgr, "kiosk-1") is None
    sup = login("4001")
    log = client.get("/api/v1/supervision/events", params={"type": "device.retired"}, headers=sup).json()["events"]
    assert log[0]["data"]["reason"] == "已更换新取号机" and log[0]["data"]["staff_no"] == "3001"


def test_retiring_a_reported_printer_removes_its_row_until_it_reports_again(client, login, clock):
    pc, mgr = login("1003", window_no=3), login("3001")
    _health(client, pc, "window-3/printer-old")
    r = client.post("/api/v1/devices/retire", json={"name": "window-3/printer-old", "reason": "已报废"}, headers=mgr)
    assert r.status_code == 200 and r.json()["tokens_revoked"] == 0
    assert _row(client, mgr, "window-3/printer-old") is None
    _health(client, pc, "window-3/printer-old")  # plugged in again: evidently alive
    assert _row(client, mgr, "window-3/printer-old")["status"] == "ok"


def test_retire_needs_a_reason_and_a_known_device(client, login):
    mgr = login("3001")
    r = client.post("/api/v1/devices/retire", json={"name": "kiosk-1", "reason": " "}, headers=mgr)
    assert r.status_code == 422 and "原因" in r.json()["error"]["message"]
    r = client.post("/api/v1/devices/retire", json={"name": "no-such", "reason": "已报废"}, headers=mgr)
    assert r.status_code == 404 and "没有" in r.json()["error"]["message"]


def test_only_the_manager_or_admin_may_retire(client, login):
    for staff_no, window_no in (("1001", 1), ("4001", None), ("2001", 12)):
        r = client.post("/api/v1/devices/retire", json={"name": "kiosk-1", "reason": "已报废"},
                        headers=login(staff_no, window_no=window_no))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"
    assert client.post("/api/v1/devices/retire", json={"name": "kiosk-1", "reason": "已报废"},
                       headers=login("9001")).status_code == 200
