"""Business rows agree with the log: ``verify-audit --deep`` and the supervision check
replay the events and name each row that disagrees (a receipt's amount, a void undone,
a ticket's state, a rating's level, a row the log never announced, a row deleted)."""
from __future__ import annotations

from typing import Any

from hall_server.__main__ import main

MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]
APPROVER = {"approver_staff_no": "4002", "approver_password": "demo1234"}


def paid_receipt(client, login) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    clerk = login("1005", window_no=5)
    case = client.post("/api/v1/cases", json={
        "matter_code": "BDC-001", "window_no": 5, "outcome": "accept", "materials": MATERIALS,
        "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"}},
        headers=clerk)
    assert case.status_code == 201, case.text
    notice = client.post("/api/v1/fees/notices", json={"case_no": case.json()["case_no"], "lines": [
        {"item_code": "BDC-DJF-ZZ", "quantity": "1"}]}, headers=clerk)
    assert notice.status_code == 201, notice.text
    cashier = login("2001", window_no=12)
    r = client.post("/api/v1/fees/receipts", json={"notice": notice.json()["notice_no"], "method": "cash",
                                                   "tendered_fen": 10000}, headers=cashier)
    assert r.status_code == 201, r.text
    return {**r.json(), "cashier": cashier, "case_no": case.json()["case_no"]}


def deep(settings, capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(["--database-url", settings.sqlalchemy_url, "verify-audit", "--deep"])
    return code, capsys.readouterr().out


def test_the_demo_hall_and_a_day_of_work_agree_with_the_log(client, kiosk, login, settings, capsys):
    clerk = login("1001", window_no=1)
    client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    paid_receipt(client, login)
    code, out = deep(settings, capsys)
    assert code == 0, out


def test_a_changed_receipt_amount_is_named_with_the_event_that_says_otherwise(client, login, insider, settings,
                                                                             capsys):
    r = paid_receipt(client, login)
    no = r["receipt_no"]
    insider.sql("UPDATE fee_receipts SET amount_fen = 100 WHERE receipt_no = :n", n=no)
    code, out = deep(settings, capsys)
    assert code == 1
    assert f"票据 {no} 的金额为 ¥1.00，日志第" in out and "记为 ¥80.00" in out
    sup = login("4001")
    res = client.post("/api/v1/supervision/audit-check", json={"deep": True}, headers=sup).json()
    assert res["ok"] is False and any(f["kind"] == "deep" and no in f["message"] for f in res["findings"])


def test_an_undone_void_a_ticket_state_and_a_rating_level_are_each_named(
        client, kiosk, login, insider, settings, capsys, device_tokens):
    r = paid_receipt(client, login)
    no = r["receipt_no"]
    v = client.post(f"/api/v1/fees/receipts/{no}/void", json={**APPROVER, "reason": "收费方式错误"},
                    headers=r["cashier"])
    assert v.status_code == 200, v.text
    served = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    clerk = login("1001", window_no=1)
    for step in ("call-next", "start", "complete"):
        assert client.post(f"/api/v1/windows/1/{step}", headers=clerk).status_code == 200
    ev = {"Authorization": f"Bearer {device_tokens['evaluator-1']}"}
    rated = client.post("/api/v1/ratings", json={"level": "very_dissatisfied"}, headers=ev)
    assert rated.status_code == 201, rated.text
    t = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    insider.sql("UPDATE fee_receipts SET void = :f WHERE receipt_no = :n", f=False, n=no)
    insider.sql("UPDATE tickets SET state = 'done' WHERE number = :n", n=t["number"])
    insider.sql("UPDATE ratings SET level = 'very_satisfied' WHERE ticket_no = :n", n=served["number"])
    code, out = deep(settings, capsys)
    assert code == 1
    assert f"票据 {no} 的作废为 否" in out
    assert f"的状态为 done" in out and "记为 waiting" in out
    assert "的评价等级为 very_satisfied" in out


def test_a_deleted_case_is_named_from_its_log_entry(client, login, insider, settings, capsys):
    clerk = login("1005", window_no=5)
    case = client.post("/api/v1/cases", json={
        "matter_code": "BDC-001", "window_no": 5, "outcome": "accept", "materials": MATERIALS,
        "applicant": {"kind": "person", "name": "李四", "id_number": "11010519491231002X", "phone": "13800138000"}},
        headers=clerk).json()
    insider.sql("PRAGMA foreign_keys=OFF" if settings.is_sqlite else "SET session_replication_role = replica")
    insider.sql("DELETE FROM case_notices WHERE case_id IN (SELECT id FROM cases WHERE case_no = :n)", n=case["case_no"])
    code, out = deep(settings, capsys)
    assert code == 1 and "通知书" in out and "在业务表中不存在（已被删除）" in out
