"""首问负责 over HTTP on the migrated demo hall: log, refer, close, overdue, refusals."""
from __future__ import annotations

from datetime import datetime, timezone

URL = "/api/v1/inquiries"


def log(client, headers, **body):  # type: ignore[no-untyped-def]
    r = client.post(URL, json={"question": "商品房预售许可需要哪些材料？", **body}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_inquiry_answered_on_the_spot_is_closed_at_once(client, login, event_log):
    clerk = login("1001", window_no=1)
    inq = log(client, clerk, answer="见办事指南第 3 项，另需提供资金监管协议。", citizen_name="张三丰")
    assert inq["state"] == "closed" and inq["closed_by_staff_no"] == "1001"
    assert inq["inquiry_no"] == "Q20261124-001" and inq["window_no"] == 1
    assert inq["citizen_name"] == "张**"  # stored masked: the log never needs the whole name
    assert [e["type"] for e in event_log("inquiry.")] == ["inquiry.logged", "inquiry.closed"]


def test_inquiry_referred_to_a_colleague_is_closed_by_the_receiver(client, login, event_log):
    first, receiver = login("1001", window_no=1), login("1005", window_no=5)
    inq = log(client, first, citizen_phone="13812345678",
              refer={"to_staff_no": "1005", "note": "涉及不动产登记，请答复"})
    assert inq["state"] == "referred" and inq["referred_to_staff_no"] == "1005"
    assert inq["due_at"] == "2026-11-25T16:00:00Z"  # end of the next working day, hall time
    inbox = client.get(f"{URL}?scope=inbox", headers=receiver).json()["items"]
    assert [i["inquiry_no"] for i in inbox] == [inq["inquiry_no"]]
    assert inbox[0]["citizen_phone"] == "13812345678"  # the receiver must call back
    r = client.post(f"{URL}/{inq['inquiry_no']}/answer", json={"answer": "已电话答复：需提供房屋测绘报告。"},
                    headers=receiver)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "closed" and done["closed_by_staff_no"] == "1005"
    assert done["first_staff_no"] == "1001" and done["overdue"] is False
    assert client.get(f"{URL}?scope=inbox", headers=receiver).json()["items"] == []
    mine = client.get(f"{URL}?scope=mine", headers=first).json()["items"]
    assert mine[0]["state"] == "closed"  # the first person sees how it ended
    evs = event_log("inquiry.")
    assert [e["type"] for e in evs] == ["inquiry.logged", "inquiry.referred", "inquiry.closed"]
    assert evs[1]["data"]["to_staff_no"] == "1005" and evs[2]["data"]["first_staff_no"] == "1001"
    assert evs[0]["data"]["citizen_phone"] == "138****5678"
    assert client.get("/api/v1/audit/verify", headers=login("4001")).json()["ok"] is True


def test_closing_an_inquiry_with_neither_answer_nor_referral_is_refused(client, login):
    clerk = login("1001", window_no=1)
    inq = log(client, clerk)
    assert inq["state"] == "open" and set(inq["allowed"]) == {"answer", "refer"}
    r = client.post(f"{URL}/{inq['inquiry_no']}/answer", json={"answer": "   "}, headers=clerk)
    assert r.status_code == 422 and r.json()["error"]["code"] == "answer_or_referral_required"
    assert "转办" in r.json()["error"]["message"]


def test_referral_to_someone_who_does_not_exist_is_refused(client, login, event_log):
    clerk = login("1001", window_no=1)
    r = client.post(URL, json={"question": "问题", "refer": {"to_staff_no": "7777"}}, headers=clerk)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_staff"
    assert "7777" in r.json()["error"]["message"]
    r = client.post(URL, json={"question": "问题", "refer": {"to_department_code": "NOPE"}}, headers=clerk)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_department"
    r = client.post(URL, json={"question": "问题", "refer": {}}, headers=clerk)
    assert r.status_code == 422 and r.json()["error"]["code"] == "referral_target"
    assert event_log("inquiry.") == []  # nothing half-done was logged


def test_answer_and_referral_at_once_is_refused(client, login):
    r = client.post(URL, json={"question": "问", "answer": "答", "refer": {"to_staff_no": "1002"}},
                    headers=login("1001", window_no=1))
    assert r.status_code == 422 and r.json()["error"]["code"] == "answer_and_referral"


def test_department_referral_reaches_every_member_of_the_department(client, login):
    inq = log(client, login("1001", window_no=1), refer={"to_department_code": "BDC"})
    assert inq["referred_to_department"] == "市不动产登记中心"
    for staff_no in ("1005", "1008"):
        inbox = client.get(f"{URL}?scope=inbox", headers=login(staff_no)).json()["items"]
        assert [i["inquiry_no"] for i in inbox] == [inq["inquiry_no"]]
    assert client.get(f"{URL}?scope=inbox", headers=login("1002")).json()["items"] == []


def test_only_the_first_person_the_receiver_or_the_office_may_act(client, login):
    inq = log(client, login("1001", window_no=1), refer={"to_staff_no": "1005"})
    outsider = login("1003")
    r = client.post(f"{URL}/{inq['inquiry_no']}/answer", json={"answer": "答复"}, headers=outsider)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_inquiry"
    seen = client.get(f"{URL}/{inq['inquiry_no']}", headers=outsider).json()
    assert seen["allowed"] == [] and seen["citizen_phone"] is None
    r = client.get(f"{URL}?scope=all", headers=outsider)
    assert r.status_code == 403


def test_receiver_may_refer_on_and_the_first_person_stays_responsible(client, login, event_log):
    inq = log(client, login("1001", window_no=1), refer={"to_staff_no": "1005"})
    r = client.post(f"{URL}/{inq['inquiry_no']}/refer", json={"to_staff_no": "1009",
                    "due_at": "2026-11-24T17:00:00"}, headers=login("1005"))
    assert r.status_code == 200, r.text
    assert r.json()["referred_to_staff_no"] == "1009" and r.json()["first_staff_no"] == "1001"
    assert r.json()["due_at"] == "2026-11-24T09:00:00Z"  # a zone-less time is the hall's local time
    assert event_log("inquiry.referred")[-1]["data"]["referrals"] == 2


def test_overdue_referral_is_listed_and_flagged_once(client, login, clock, event_log):
    first = login("1001", window_no=1)
    inq = log(client, first, refer={"to_staff_no": "1005"})
    clock.set(datetime(2026, 11, 25, 16, 1, tzinfo=timezone.utc))  # one minute past the due time
    first = login("1001")  # tokens last a working day
    mine = client.get(f"{URL}?scope=mine", headers=first).json()["items"]
    assert mine[0]["overdue"] is True
    office = login("3001")
    assert client.post("/api/v1/accountability/sweep", headers=office).json()["inquiries"] == 1
    assert client.post("/api/v1/accountability/sweep", headers=office).json()["inquiries"] == 0
    flagged = event_log("inquiry.overdue")
    assert len(flagged) == 1 and flagged[0]["data"]["inquiry_no"] == inq["inquiry_no"]
    assert flagged[0]["data"]["first_staff_no"] == "1001" and flagged[0]["data"]["to_staff_no"] == "1005"
    r = client.post(f"{URL}/{inq['inquiry_no']}/answer", json={"answer": "迟到的答复"}, headers=login("1005"))
    assert r.json()["overdue"] is False and r.json()["state"] == "closed"
    assert event_log("inquiry.closed")[0]["data"]["late"] is True


def test_logging_an_inquiry_is_idempotent(client, login):
    clerk = {**login("1001", window_no=1), "Idempotency-Key": "inq-1"}
    a = client.post(URL, json={"question": "问"}, headers=clerk)
    b = client.post(URL, json={"question": "问"}, headers=clerk)
    assert a.status_code == b.status_code == 201 and a.json()["inquiry_no"] == b.json()["inquiry_no"]
    assert len(client.get(f"{URL}?scope=mine", headers=clerk).json()["items"]) == 1


def test_devices_cannot_log_inquiries(client, kiosk):
    r = client.post(URL, json={"question": "问"}, headers=kiosk)
    assert r.status_code == 403


def test_the_server_flags_overdue_referrals_by_itself(settings, clock):
    """No request needed: the sweep runs on a timer (here every 30 ms)."""
    import threading

    from fastapi.testclient import TestClient

    from hall_server.app import create_app

    app = create_app(settings.model_copy(update={"accountability_sweep_minutes": 0.0005}), clock=clock)
    flagged = threading.Event()
    app.state.ctx.db.after_commit.append(
        lambda evs: flagged.set() if any(e["type"] == "inquiry.overdue" for e in evs) else None)
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/login", json={"staff_no": "1001", "password": "demo1234", "window_no": 1})
        clerk = {"Authorization": f"Bearer {r.json()['token']}"}
        client.post(URL, json={"question": "问", "refer": {"to_staff_no": "1005"}}, headers=clerk)
        assert not flagged.is_set()
        clock.set(datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))
        assert flagged.wait(10), "the timer did not flag the overdue referral"
