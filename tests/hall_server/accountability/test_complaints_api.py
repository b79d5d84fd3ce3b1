"""投诉 over HTTP: registration (kiosk, window, office), assignment, reply, limits."""
from __future__ import annotations

from datetime import datetime, timezone

URL = "/api/v1/complaints"
BODY = {"content": "窗口人员态度生硬，材料问题解释不清。", "complainant_name": "李四", "complainant_phone": "13900001111"}


def test_complaint_from_registration_to_reply(client, kiosk, login, event_log):
    r = client.post(URL, json={**BODY, "about_staff_no": "1001", "window_no": 1}, headers=kiosk)
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["channel"] == "kiosk" and reg["state"] == "registered"
    assert reg["complainant_phone"] == "139****1111" and reg["complainant_name"] == "李*"  # the kiosk's receipt
    assert reg["due_at"] == "2026-12-01T16:00:00Z"  # 5 working days
    office = login("4001")
    r = client.post(f"{URL}/{reg['complaint_no']}/assign", json={"to_staff_no": "1003", "note": "请核实"},
                    headers=office)
    assert r.status_code == 200 and r.json()["state"] == "assigned" and r.json()["assignee_staff_no"] == "1003"
    handler = login("1003")
    mine = client.get(f"{URL}?open_only=true", headers=handler).json()["items"]
    assert [m["complaint_no"] for m in mine] == [reg["complaint_no"]]
    assert mine[0]["complainant_phone"] == "13900001111"  # the handler must call back
    r = client.post(f"{URL}/{reg['complaint_no']}/reply",
                    json={"reply": "经核实，已对当事人批评教育，并电话向您致歉。", "method": "phone"}, headers=handler)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "replied" and done["closed_at"] and done["replied_by_staff_no"] == "1003"
    evs = event_log("complaint.")
    assert [e["type"] for e in evs] == ["complaint.registered", "complaint.assigned", "complaint.replied"]
    assert evs[0]["data"]["about_staff_no"] == "1001" and evs[2]["data"]["late"] is False
    assert "态度" not in str(evs)  # text and complainant stay in the table, the stream carries a hash
    assert client.get("/api/v1/audit/verify", headers=office).json()["ok"] is True


def test_window_and_office_registrations_name_their_channel(client, login):
    r = client.post(URL, json=BODY, headers=login("1002", window_no=2))
    assert r.status_code == 201 and r.json()["channel"] == "window"
    r = client.post(URL, json={**BODY, "channel": "phone"}, headers=login("4001"))
    assert r.status_code == 201 and r.json()["channel"] == "phone"
    r = client.post(URL, json={**BODY, "channel": "supervision"}, headers=login("1003"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "complaint_channel"


def test_complaint_is_never_assigned_to_the_person_complained_about(client, login):
    reg = client.post(URL, json={**BODY, "about_staff_no": "1001"}, headers=login("4001")).json()
    r = client.post(f"{URL}/{reg['complaint_no']}/assign", json={"to_staff_no": "1001"}, headers=login("4001"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "assignee_is_subject"


def test_unknown_staff_case_or_window_is_refused(client, login):
    office = login("4001")
    for extra, code in (({"about_staff_no": "8888"}, "unknown_staff"), ({"case_no": "XX20261124-0001"}, "unknown_case"),
                        ({"window_no": 99}, "unknown_window")):
        r = client.post(URL, json={**BODY, **extra}, headers=office)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    reg = client.post(URL, json=BODY, headers=office).json()
    r = client.post(f"{URL}/{reg['complaint_no']}/assign", json={"to_staff_no": "8888"}, headers=office)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_staff"


def test_a_complaint_needs_a_phone_or_must_say_it_is_anonymous(client, kiosk):
    r = client.post(URL, json={"content": "等候时间太长了"}, headers=kiosk)
    assert r.status_code == 422 and r.json()["error"]["code"] == "complaint_contact"
    r = client.post(URL, json={"content": "等候时间太长了", "anonymous": True}, headers=kiosk)
    assert r.status_code == 201 and r.json()["anonymous"] is True


def test_only_the_assignee_or_the_office_may_reply(client, login):
    office = login("4001")
    reg = client.post(URL, json=BODY, headers=office).json()
    client.post(f"{URL}/{reg['complaint_no']}/assign", json={"to_staff_no": "1003"}, headers=office)
    r = client.post(f"{URL}/{reg['complaint_no']}/reply", json={"reply": "答复"}, headers=login("1004"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_complaint"
    assert client.get(f"{URL}/{reg['complaint_no']}", headers=login("1004")).status_code == 403
    r = client.post(f"{URL}/{reg['complaint_no']}/reply", json={"reply": "监察室直接答复"}, headers=office)
    assert r.status_code == 200
    again = client.post(f"{URL}/{reg['complaint_no']}/reply", json={"reply": "再答复"}, headers=office)
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"


def test_complaint_past_its_limit_is_flagged_once(client, login, clock, event_log):
    reg = client.post(URL, json=BODY, headers=login("4001")).json()
    clock.set(datetime(2026, 12, 1, 16, 1, tzinfo=timezone.utc))
    office = login("4001")
    assert client.get(f"{URL}/{reg['complaint_no']}", headers=office).json()["overdue"] is True
    assert client.post("/api/v1/accountability/sweep", headers=office).json()["complaints"] == 1
    assert client.post("/api/v1/accountability/sweep", headers=office).json()["complaints"] == 0
    assert event_log("complaint.overdue")[0]["data"]["complaint_no"] == reg["complaint_no"]
    r = client.post(f"{URL}/{reg['complaint_no']}/reply", json={"reply": "迟复致歉"}, headers=office)
    assert event_log("complaint.replied")[0]["data"]["late"] is True and r.json()["overdue"] is False


def test_assignment_may_shorten_the_limit_but_never_extend_it(client, login):
    office = login("4001")
    reg = client.post(URL, json=BODY, headers=office).json()
    r = client.post(f"{URL}/{reg['complaint_no']}/assign",
                    json={"to_staff_no": "1003", "due_at": "2026-12-31T17:00:00+08:00"}, headers=office)
    assert r.status_code == 422 and r.json()["error"]["code"] == "due_beyond_limit"
    r = client.post(f"{URL}/{reg['complaint_no']}/assign",
                    json={"to_staff_no": "1003", "due_at": "2026-11-26T17:00:00+08:00"}, headers=office)
    assert r.status_code == 200 and r.json()["due_at"] == "2026-11-26T09:00:00Z"


def test_a_complaint_records_its_fix_before_the_reply_and_one_call_back_after(client, login):
    clerk, office = login("1002", window_no=2), login("4001")
    no = client.post("/api/v1/complaints", json={"content": "窗口人员态度生硬", "about_staff_no": "1001",
                                                 "complainant_phone": "13900139000"}, headers=clerk).json()["complaint_no"]
    r = client.post(f"/api/v1/complaints/{no}/call-back", json={"note": "太早"}, headers=office)
    assert r.status_code == 409  # 回访 follows the reply
    r = client.post(f"/api/v1/complaints/{no}/rectify", json={"note": "已对当事人批评教育"}, headers=office)
    assert r.status_code == 200 and r.json()["rectify_note"] == "已对当事人批评教育"
    assert "rectify" not in r.json()["allowed"] and "reply" in r.json()["allowed"]
    assert client.post(f"/api/v1/complaints/{no}/rectify", json={"note": "再记"}, headers=office).status_code == 409
    assert client.post(f"/api/v1/complaints/{no}/reply", json={"reply": "已整改"}, headers=office).status_code == 200
    r = client.post(f"/api/v1/complaints/{no}/call-back", json={"note": "群众表示认可", "level": "basically_satisfied"},
                    headers=office)
    assert r.status_code == 200 and r.json()["callback_level"] == "basically_satisfied" and r.json()["allowed"] == []
    r = client.post(f"/api/v1/complaints/{no}/call-back", json={"note": "x", "level": "very_satisfied"}, headers=office)
    assert r.status_code == 422  # three levels only
    evs = client.get("/api/v1/supervision/events", params={"type": "complaint."}, headers=office).json()["events"]
    types = [e["type"] for e in evs]
    assert "complaint.rectified" in types and "complaint.called_back" in types
    assert all("已对当事人" not in str(e["data"]) for e in evs)  # the text stays out of the stream


def test_only_the_handler_records_a_fix(client, login):
    clerk = login("1002", window_no=2)
    no = client.post("/api/v1/complaints", json={"content": "等候时间太长", "anonymous": True},
                     headers=clerk).json()["complaint_no"]
    r = client.post(f"/api/v1/complaints/{no}/rectify", json={"note": "自己记"}, headers=clerk)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_complaint"
