"""Intake through the API on a real migrated database (SQLite, and PostgreSQL when
HALL_TEST_PG_URL is set): 受理, 一次性告知 and its resumption, 不予受理, the lifecycle,
the public lookup and the case's whole thread."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

OK_ID = "11010519491231002X"
OK_USCC = "91350100M000100Y43"
SG_ALL = [{"code": f"M{i}", "status": "received"} for i in range(1, 7)]


def person(**kw: Any) -> dict[str, Any]:
    return {"kind": "person", "name": "张三", "id_number": OK_ID, "phone": "13800138000", **kw}


def serve_ticket(client, kiosk, clerk, category="A"):  # type: ignore[no-untyped-def]
    t = client.post("/api/v1/tickets", json={"category": category}, headers=kiosk).json()
    r = client.post("/api/v1/windows/1/call-next", headers=clerk)
    assert r.status_code == 200, r.text
    client.post("/api/v1/windows/1/start", headers=clerk)
    return t


def intake(client, clerk, **kw):  # type: ignore[no-untyped-def]
    body = {"matter_code": "ZJ-001", "window_no": 1, "applicant": person(), "materials": SG_ALL, "outcome": "accept"}
    body.update(kw)
    return client.post("/api/v1/cases", json=body, headers=clerk)


def log(client, login):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/events/log", headers=login("4001")).json()


def test_accepting_a_complete_application_issues_a_case_number_due_date_and_notice(client, kiosk, login):
    clerk = login("1001", window_no=1)
    t = serve_ticket(client, kiosk, clerk)
    r = intake(client, clerk)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["case_no"] == "SG20261124-0001" and case["state"] == "accepted"
    assert case["ticket_no"] == t["number"] and case["staff_no"] == "1001"
    # Tue 11/24 + 3 working days = Fri 11/27
    assert case["due_date"] == "2026-11-27" and case["days_left"] == 3
    assert case["clock_text"].startswith("剩余 3 个工作日")
    assert case["statutory_due_date"] == "2026-12-03"
    assert case["applicant_id_number"] == "110105********002X" and case["applicant_phone"] == "138****8000"
    assert [n["kind"] for n in case["notices"]] == ["acceptance"]
    assert intake(client, clerk).json()["case_no"] == "SG20261124-0002"
    ev = [e for e in log(client, login)["events"] if e["type"] == "case.accepted"][0]
    assert ev["data"]["case_no"] == "SG20261124-0001" and ev["data"]["matter_code"] == "ZJ-001"
    assert ev["data"]["ticket"] == t["number"] and ev["data"]["staff_no"] == "1001"
    assert ev["data"]["applicant_id_number"] == "110105********002X"


def test_correction_notice_then_resumption_when_the_applicant_returns(client, kiosk, login, clock):
    clerk = login("1001", window_no=1)
    serve_ticket(client, kiosk, clerk)
    ticks = [{"code": "M1", "status": "received"}, {"code": "M2", "status": "received"},
             {"code": "M3", "status": "received"}, {"code": "M4", "status": "defective", "note": "缺少发包方签章"},
             {"code": "M5", "status": "received"}]
    r = intake(client, clerk, materials=ticks, outcome="request_correction")
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "correction" and case["due_date"] is None
    assert [m["code"] for m in case["to_correct"]] == ["M4", "M6"]
    assert case["notices"][0]["notice_no"] == case["case_no"] + "-BZ1"
    public = client.get(f"/api/v1/cases/{case['case_no']}/public", params={"code": case["query_code"]}).json()
    assert public["state"] == "correction" and public["to_correct"] == ["施工合同", "建设资金已经落实承诺书"]
    # three days later the applicant is back with everything, at a new ticket
    client.post("/api/v1/windows/1/complete", headers=clerk)
    clock.set(datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc))
    clerk = login("1001", window_no=1)  # a new day, a new sign-in
    t2 = serve_ticket(client, kiosk, clerk)
    r = client.post(f"/api/v1/cases/{case['case_no']}/resume",
                    json={"window_no": 1, "materials": SG_ALL, "outcome": "accept"}, headers=clerk)
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["case_no"] == case["case_no"] and again["state"] == "accepted" and again["ticket_no"] == t2["number"]
    assert again["due_date"] == "2026-12-02"  # Fri 11/27 + 3 working days
    assert [n["kind"] for n in again["notices"]] == ["correction", "acceptance"]
    types = [i["type"] for i in client.get(f"/api/v1/cases/{case['case_no']}/history", headers=clerk).json()["items"]]
    assert types.count("case.correction_requested") == 1 and "case.resubmitted" in types and types[-1] == "case.accepted"
    # resuming a case that is no longer waiting is refused
    r = client.post(f"/api/v1/cases/{case['case_no']}/resume",
                    json={"window_no": 1, "materials": SG_ALL, "outcome": "accept"}, headers=clerk)
    assert r.status_code == 409


def test_accepting_with_missing_material_needs_an_override_reason_which_is_logged(client, login):
    clerk = login("1001", window_no=1)
    sup = login("4001")
    before = client.get("/api/v1/events/log", headers=sup).json()["last_seq"]
    r = intake(client, clerk, materials=SG_ALL[:5])
    assert r.status_code == 409 and r.json()["error"]["code"] == "materials_missing"
    assert "建设资金已经落实承诺书" in r.json()["error"]["message"]
    assert client.get("/api/v1/events/log", headers=sup).json()["last_seq"] == before
    assert client.get("/api/v1/cases", headers=clerk).json()["total"] == 0
    r = intake(client, clerk, materials=SG_ALL[:5], override_reason="容缺受理：申请人承诺3个工作日内补交")
    assert r.status_code == 201 and r.json()["override_reason"].startswith("容缺受理")
    ev = client.get("/api/v1/events/log", headers=sup).json()["events"][-1]
    assert ev["type"] == "case.accepted" and ev["data"]["overridden"] == ["建设资金已经落实承诺书"]
    # the failed try used no number
    assert r.json()["case_no"] == "SG20261124-0001"


def test_rejection_needs_reason_and_basis_and_closes_the_case(client, login):
    clerk = login("1001", window_no=1)
    r = intake(client, clerk, outcome="reject", reject_reason="不属于本机关职权范围")
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    r = intake(client, clerk, outcome="reject", reject_reason="申请事项依法不需要取得行政许可",
               reject_basis="《中华人民共和国行政许可法》第三十二条第一款第（一）项")
    assert r.status_code == 201 and r.json()["state"] == "rejected"
    assert r.json()["notices"][0]["notice_no"].endswith("-BY")
    no = r.json()["case_no"]
    r = client.post(f"/api/v1/cases/{no}/actions", json={"action": "approve"}, headers=clerk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"


def test_instant_matter_is_concluded_on_the_spot(client, login):
    clerk = login("1005", window_no=5)
    r = client.post("/api/v1/cases", json={
        "matter_code": "BDC-002", "window_no": 5, "applicant": person(),
        "materials": [{"code": "M1", "status": "received"}, {"code": "M2", "status": "received"}], "outcome": "accept"},
        headers=clerk)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["case_no"].startswith("CX20261124-") and c["state"] == "approved" and c["concluded_at"]
    assert c["due_date"] == "2026-11-24"


def test_lifecycle_with_suspension_stopping_the_clock_and_an_approved_extension(client, login, clock):
    clerk = login("1001", window_no=1)
    no = intake(client, clerk).json()["case_no"]  # Tue 11/24, due Fri 11/27
    act = lambda **b: client.post(f"/api/v1/cases/{no}/actions", json=b, headers=clerk)  # noqa: E731
    assert act(action="start_review").json()["state"] == "in_review"
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc))  # Wed
    clerk = login("1001", window_no=1)
    r = act(action="suspend", suspend_kind="expert")
    assert r.status_code == 422  # a reason is required
    r = act(action="suspend", suspend_kind="expert", reason="组织专家评审")
    assert r.json()["state"] == "suspended" and "中止" in r.json()["clock_text"] and r.json()["days_left"] == 2
    assert act(action="approve").status_code == 409  # a suspended case cannot be concluded
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc))  # Tue: Thu, Fri, Mon, Tue stopped
    clerk = login("1001", window_no=1)
    r = act(action="resume").json()
    assert r["suspended_days"] == 4 and r["due_date"] == "2026-12-03" and r["days_left"] == 2
    r = act(action="extend", days=2, reason="情况复杂", approver_staff_no="3001", approver_password="demo1234").json()
    assert r["extended_days"] == 2 and r["due_date"] == "2026-12-07"
    assert act(action="extend", days=2).status_code == 422  # §42 needs a reason (and an approver, see test_case_extension)
    r = act(action="approve", note="准予许可")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = act(action="approve")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    assert act(action="deliver", note="申请人窗口领取").json()["state"] == "delivered"
    assert act(action="suspend", suspend_kind="expert", reason="x").status_code == 409
    ev = [e for e in log(client, login)["events"] if e["type"] == "case.concluded"][0]
    assert ev["data"]["outcome"] == "approved" and ev["data"]["on_time"] is True


def test_overdue_case_shows_negative_days_left(client, login, clock):
    clerk = login("1001", window_no=1)
    no = intake(client, clerk).json()["case_no"]
    clock.set(datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc))  # Wed, due was Fri 11/27
    clerk = login("1001", window_no=1)
    c = client.get(f"/api/v1/cases/{no}", headers=clerk).json()
    assert c["days_left"] == -3 and c["clock_text"].startswith("已超期 3 个工作日")


def test_bad_input_is_clear_and_changes_nothing(client, login):
    clerk = login("1001", window_no=1)
    other = login("1002", window_no=2)
    sup = login("4001")
    before = client.get("/api/v1/events/log", headers=sup).json()["last_seq"]
    r = intake(client, clerk, applicant=person(id_number="110105194912310021"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_id_number"
    org = {"kind": "organisation", "name": "某建设公司", "id_number": "91350100M000100Y42", "phone": "13800138000",
           "agent_name": "李四"}
    r = intake(client, clerk, applicant=org)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_uscc"
    r = intake(client, clerk, matter_code="NOPE-1")
    assert r.status_code == 404 and r.json()["error"]["code"] == "matter_not_found"
    r = intake(client, clerk, materials=[{"code": "M99", "status": "received"}])
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_material"
    r = intake(client, clerk, outcome="maybe")
    assert r.status_code == 422
    assert client.get("/api/v1/cases/SG20261124-0009", headers=clerk).status_code == 404
    r = intake(client, other)  # not on duty at window 1
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_on_duty"
    assert client.get("/api/v1/events/log", headers=sup).json()["last_seq"] == before
    assert client.get("/api/v1/cases", headers=clerk).json()["total"] == 0
    org["id_number"] = OK_USCC
    assert intake(client, clerk, applicant=org).status_code == 201


def test_public_lookup_shows_only_masked_applicant_safe_fields(client, login):
    clerk = login("1001", window_no=1)
    case = intake(client, clerk, applicant=person(name="欧阳娜娜")).json()
    r = client.get(f"/api/v1/cases/{case['case_no']}/public", params={"code": case["query_code"]})
    assert r.status_code == 200
    body = r.json()
    assert body["applicant_name"] == "欧***" and body["state_label"] == "已受理"
    assert body["due_date"] == "2026-11-27" and body["days_left"] == 3
    assert body["progress"][0]["label"] == "受理"
    text = r.text
    assert OK_ID not in text and "13800138000" not in text and "110105" not in text
    assert "query_code" not in body and "staff_no" not in body
    wrong = client.get(f"/api/v1/cases/{case['case_no']}/public", params={"code": "ZZZZZZ"})
    unknown = client.get("/api/v1/cases/SG20261124-0099/public", params={"code": "ZZZZZZ"})
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()


def test_history_threads_ticket_case_and_other_areas_events(client, kiosk, login):
    clerk = login("1001", window_no=1)
    t = serve_ticket(client, kiosk, clerk)
    no = intake(client, clerk).json()["case_no"]
    client.post("/api/v1/windows/1/complete", headers=clerk)
    # another area (fees, ratings) logging with the same case_no shows up too
    from hall_server.services import events
    app = client.app
    with app.state.ctx.db.write() as s:
        events.append(s, "fee.paid", actor="system", at=app.state.ctx.now(),
                      data={"case_no": no, "receipt_no": "R0001", "amount_fen": 8000})
    h = client.get(f"/api/v1/cases/{no}/history", headers=login("4001")).json()
    types = [i["type"] for i in h["items"]]
    assert h["ticket_no"] == t["number"]
    assert types == ["ticket.issued", "ticket.called", "ticket.started", "case.accepted", "ticket.completed", "fee.paid"]
    assert h["items"][3]["label"] == "受理"


def test_notice_pdf_and_slip_are_served(client, login):
    clerk = login("1001", window_no=1)
    case = intake(client, clerk).json()
    r = client.get(case["notices"][0]["pdf_url"], headers=clerk)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    slip = client.get(f"/api/v1/cases/{case['case_no']}/slip", headers=clerk).json()
    assert slip["kind"] == "acceptance" and slip["case_no"] == case["case_no"] and slip["applicant_name"] == "张*"
    assert slip["query_code"] == case["query_code"] and slip["due_date"] == "2026-11-27"


def test_idempotent_intake_creates_one_case(client, login):
    clerk = {**login("1001", window_no=1), "Idempotency-Key": "intake-1"}
    r1, r2 = intake(client, clerk), intake(client, clerk)
    assert r1.json()["case_no"] == r2.json()["case_no"] and r2.headers.get("idempotent-replay") == "true"
    assert client.get("/api/v1/cases", headers=clerk).json()["total"] == 1
