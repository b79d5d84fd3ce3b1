"""§42 extensions approved by a manager/supervisor's own 工号 + password (checked on the
server, refusals logged and counted towards lockout), the clerk's open-case list (我的办件),
and the case history's one label table with ratings hidden from window staff."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

OK_ID = "11010519491231002X"
SG_ALL = [{"code": f"M{i}", "status": "received"} for i in range(1, 7)]


def person(**kw: Any) -> dict[str, Any]:
    return {"kind": "person", "name": "张三", "id_number": OK_ID, "phone": "13800138000", **kw}


def intake(client, clerk, **kw):  # type: ignore[no-untyped-def]
    body = {"matter_code": "ZJ-001", "window_no": 1, "applicant": person(), "materials": SG_ALL, "outcome": "accept"}
    body.update(kw)
    r = client.post("/api/v1/cases", json=body, headers=clerk)
    assert r.status_code == 201, r.text
    return r.json()


def all_received(client, clerk, matter: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    mats = client.get(f"/api/v1/matters/{matter}", headers=clerk).json()["materials"]
    return [{"code": m["code"], "status": "received"} for m in mats]


def events_of(client, login, type_: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [e for e in client.get("/api/v1/events/log", headers=login("4001")).json()["events"] if e["type"] == type_]


def extend(client, clerk, no: str, **kw: Any):  # type: ignore[no-untyped-def]
    body = {"action": "extend", "days": 2, "reason": "需现场核查", **kw}
    return client.post(f"/api/v1/cases/{no}/actions", json=body, headers=clerk)


def test_extension_needs_a_manager_or_supervisor_password_and_logs_who_approved(client, login):
    clerk = login("1001", window_no=1)
    case = intake(client, clerk)
    no = case["case_no"]
    r = extend(client, clerk, no, approved_by="张局长")  # a typed name is no approval any more
    assert r.status_code == 403 and r.json()["error"]["code"] == "approval_required"
    r = extend(client, clerk, no, approver_staff_no="3001", approver_password="wrong-pass")
    assert r.status_code == 403 and r.json()["error"]["code"] == "approval_failed"
    assert "审批人工号或密码错误" in r.json()["error"]["message"]
    r = extend(client, clerk, no, approver_staff_no="1002", approver_password="demo1234")  # a fellow clerk
    assert r.status_code == 403 and r.json()["error"]["code"] == "approver_not_allowed"
    r = extend(client, clerk, no, approver_staff_no="1001", approver_password="demo1234")
    assert r.status_code == 403 and r.json()["error"]["code"] == "self_approval"
    assert client.get(f"/api/v1/cases/{no}", headers=clerk).json()["due_date"] == case["due_date"]  # unchanged
    refused = events_of(client, login, "case.extension_refused")
    assert [(e["data"]["approver"], e["data"]["code"]) for e in refused] == [
        ("", "approval_required"), ("3001", "approval_failed"), ("1002", "approver_not_allowed"),
        ("1001", "self_approval")]
    assert all(e["data"]["case_no"] == no and e["data"]["staff_no"] == "1001" for e in refused)
    r = extend(client, clerk, no, approver_staff_no="4001", approver_password="demo1234")
    assert r.status_code == 200, r.text
    assert r.json()["extended_days"] == 2 and r.json()["due_date"] == "2026-12-01" and r.json()["days_left"] == 5
    (ev,) = events_of(client, login, "case.extended")
    assert ev["data"]["approved_by"] == "4001" and ev["data"]["days"] == 2 and ev["data"]["reason"] == "需现场核查"
    assert ev["data"]["staff_no"] == "1001" and "approver_password" not in str(ev)
    h = client.get(f"/api/v1/cases/{no}/history", headers=clerk).json()["items"]
    assert [i["label"] for i in h][-2:] == ["延期审批未通过", "延长办理时限"]
    assert h[-1]["detail"] == (f"王建国（1001）将办件 {no} 的时限延长 2 个工作日：需现场核查，批准人 钱监察（4001），"
                               "新的到期日 2026-12-01")
    public = client.get(f"/api/v1/cases/{no}/public", params={"code": case["query_code"]}).json()
    assert [p["label"] for p in public["progress"]] == ["受理", "延长办理时限"]  # the refusals are the office's own


def test_wrong_approver_passwords_count_towards_the_approvers_lockout(client, login, settings, clock):
    clerk = login("1001", window_no=1)
    no = intake(client, clerk)["case_no"]
    codes = []
    for _ in range(settings.lockout_attempts):  # waiting out the growing delay between attempts
        codes.append(extend(client, clerk, no, approver_staff_no="3001",
                            approver_password="bad-guess").json()["error"]["code"])
        clock.advance(seconds=31)
    assert codes[-1] == "approver_locked" and set(codes[:-1]) == {"approval_failed"}
    r = extend(client, clerk, no, approver_staff_no="3001", approver_password="demo1234")  # now even the right one
    assert r.status_code == 403 and r.json()["error"]["code"] == "approver_locked"
    # the guesses locked the approval at that PC, not the approver out of the hall (docs/audit.md)
    assert client.post("/api/v1/auth/login", json={"staff_no": "3001", "password": "demo1234"}).status_code == 200


def test_extending_a_concluded_case_is_refused_before_any_password_is_tried(client, login):
    clerk = login("1001", window_no=1)
    no = intake(client, clerk)["case_no"]
    client.post(f"/api/v1/cases/{no}/actions", json={"action": "approve"}, headers=clerk)
    r = extend(client, clerk, no, approver_staff_no="3001", approver_password="wrong")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    r = extend(client, clerk, no, days=None, approver_staff_no="3001", approver_password="demo1234")
    assert r.status_code == 409  # still the state first
    assert not events_of(client, login, "case.extension_refused")


def test_my_open_cases_are_my_departments_still_to_be_worked_soonest_due_first(client, login):
    clerk = login("1001", window_no=1)  # 住建局 (ZJJ)
    first = intake(client, clerk)["case_no"]  # ZJ-001: 3 working days
    presale = intake(client, clerk, matter_code="ZJ-002", materials=all_received(client, clerk, "ZJ-002"))
    gas = intake(client, clerk, matter_code="RQ-001",  # another department's matter
                 materials=all_received(client, clerk, "RQ-001"))
    done = intake(client, clerk)["case_no"]
    act = lambda no, **b: client.post(f"/api/v1/cases/{no}/actions", json=b, headers=clerk)  # noqa: E731
    assert act(done, action="approve").status_code == 200
    assert act(done, action="deliver").status_code == 200
    page = client.get("/api/v1/cases", params={"open": True, "mine": True}, headers=clerk).json()
    nos = [x["case_no"] for x in page["cases"]]
    assert gas["case_no"] not in nos and done not in nos and page["total"] == 2
    assert set(nos) == {first, presale["case_no"]}
    dues = [x["due_date"] for x in page["cases"]]
    assert dues == sorted(dues)
    row = page["cases"][nos.index(first)]
    assert row["days_left"] == 3 and row["clock_text"].startswith("剩余 3 个工作日") and row["window_no"] == 1
    everyone = client.get("/api/v1/cases", params={"open": True}, headers=login("3001")).json()
    assert everyone["total"] == 3  # without mine: every department's open cases


def seed_other_areas(client, no: str, ticket: str | None) -> None:  # type: ignore[no-untyped-def]
    """Fees and ratings logged with this case_no, as those areas do."""
    from hall_server.services import events
    ctx = client.app.state.ctx
    now = ctx.now()
    with ctx.db.write() as s:
        events.append(s, "fee.notice_raised", actor="staff:2001", at=now + timedelta(seconds=1), window_no=12,
                      data={"case_no": no, "notice_no": "JF20261124-0001", "amount_fen": 8050, "staff_no": "2001"})
        events.append(s, "fee.paid", actor="staff:2001", at=now + timedelta(seconds=2), window_no=12,
                      data={"case_no": no, "notice_no": "JF20261124-0001", "receipt_no": "R00000001", "amount_fen": 8050,
                            "method": "cash", "staff_no": "2001"})
        events.append(s, "rating.recorded", actor="device:evaluator-1", at=now + timedelta(seconds=3), window_no=1,
                      data={"rating_id": 1, "ticket": ticket, "case_no": no, "staff_no": "1001",
                            "level": "dissatisfied", "bad": True, "channel": "evaluator", "reasons": ["slow"]})
        events.append(s, "rating.followup_opened", actor="system", at=now + timedelta(seconds=3), window_no=1,
                      data={"followup_id": 1, "rating_id": 1, "ticket": ticket, "case_no": no, "staff_no": "1001"})
        events.append(s, "complaint.registered", actor="staff:4001", at=now + timedelta(seconds=4),
                      data={"complaint_no": "TS20261124-0001", "case_no": no, "staff_no": "4001"})


def test_history_labels_every_area_in_chinese_and_hides_rating_levels_from_window_staff(client, kiosk, login):
    clerk = login("1001", window_no=1)
    client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    no = intake(client, clerk)["case_no"]
    seed_other_areas(client, no, "A001")
    sup = client.get(f"/api/v1/cases/{no}/history", headers=login("4001")).json()
    labels = {i["type"]: i["label"] for i in sup["items"]}
    assert labels["fee.notice_raised"] == "开具缴费通知单" and labels["fee.paid"] == "缴费（开具票据）"
    assert labels["complaint.registered"] == "投诉登记" and labels["ticket.called"] == "叫号"
    fee = next(i for i in sup["items"] if i["type"] == "fee.paid")
    assert fee["detail"] == "收款员 孙会计（2001）收取 JF20261124-0001 ¥80.50，票据 R00000001（现金）"
    rating = next(i for i in sup["items"] if i["type"] == "rating.recorded")
    assert rating["detail"].endswith("：不满意，原因：办理效率低") and not sup["restricted"]
    assert "rating.followup_opened" in labels
    for reader in ("1001", "2001"):  # the clerk and the cashier: window staff
        h = client.get(f"/api/v1/cases/{no}/history", headers=login(reader)).json()
        assert h["restricted"]
        ratings = [i for i in h["items"] if i["type"].startswith("rating.")]
        assert [(i["type"], i["label"], i["detail"]) for i in ratings] == [
            ("rating.recorded", "办事群众已评价（评价结果不向窗口人员显示）", "")]
        text = str(h)
        assert "dissatisfied" not in text and "不满意" not in text and "level" not in text and "followup" not in text
        assert [i["type"] for i in h["items"]] == [i["type"] for i in sup["items"] if i["type"] != "rating.followup_opened"]


def test_history_follows_every_ticket_a_resumed_case_was_handled_under(client, kiosk, login, clock):
    clerk = login("1001", window_no=1)
    client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    ticks = [m for m in SG_ALL if m["code"] != "M6"]
    case = intake(client, clerk, materials=ticks, outcome="request_correction")
    client.post("/api/v1/windows/1/start", headers=clerk)
    client.post("/api/v1/windows/1/complete", headers=clerk)
    clock.advance(minutes=60)
    client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    r = client.post(f"/api/v1/cases/{case['case_no']}/resume",
                    json={"window_no": 1, "materials": SG_ALL, "outcome": "accept"}, headers=clerk)
    assert r.status_code == 200, r.text
    h = client.get(f"/api/v1/cases/{case['case_no']}/history", headers=clerk).json()
    steps = [(i["type"], i["data"].get("ticket")) for i in h["items"]]
    assert steps == [("ticket.issued", "A001"), ("ticket.called", "A001"), ("case.correction_requested", "A001"),
                     ("ticket.started", "A001"), ("ticket.completed", "A001"), ("ticket.issued", "A002"),
                     ("ticket.called", "A002"), ("case.resubmitted", "A002"), ("case.accepted", "A002")]
    seqs = [i["seq"] for i in h["items"]]
    assert seqs == sorted(seqs)
