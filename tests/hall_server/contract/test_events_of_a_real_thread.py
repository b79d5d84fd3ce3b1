"""The catalogue against events the server really wrote: one citizen's thread over the API
(ticket, call, intake, payment notice, receipt, void refused, 差评 and its follow-up,
complaint, first inquiry, card sign-off) carries every key its kind declares, and each reads
as a Chinese sentence with no missing field; clerks receive them masked as declared."""
from __future__ import annotations

import re
from typing import Any

from hall_server.contract import events as kinds

API = "/api/v1"
BDC_MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code in (status, 201), r.text
    return r.json()


def test_a_whole_thread_writes_only_declared_kinds_with_their_keys(client, login, kiosk, device_tokens, clock):
    clerk = login("1005", window_no=5)
    t = _ok(client.post(f"{API}/tickets", json={"category": "B"}, headers=kiosk), 201)
    _ok(client.post(f"{API}/windows/5/call-next", headers=clerk))
    _ok(client.post(f"{API}/windows/5/recall", headers=clerk))
    _ok(client.post(f"{API}/windows/5/start", headers=clerk))
    case = _ok(client.post(f"{API}/cases", headers=clerk, json={
        "matter_code": "BDC-001", "window_no": 5, "outcome": "accept", "materials": BDC_MATERIALS,
        "applicant": {"kind": "person", "name": "张建华", "id_number": "11010519491231002X", "phone": "13800138000"}}),
        201)
    notice = _ok(client.post(f"{API}/fees/notices", headers=clerk, json={
        "case_no": case["case_no"], "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]}), 201)
    _ok(client.post(f"{API}/windows/5/complete", headers=clerk))
    cashier = login("2001", window_no=12)
    receipt = _ok(client.post(f"{API}/fees/receipts", headers=cashier,
                              json={"notice": notice["qr_text"], "method": "cash", "tendered_fen": 10000}), 201)
    refused = client.post(f"{API}/fees/receipts/{receipt['receipt_no']}/void", headers=cashier,
                          json={"reason": "金额有误", "approver_staff_no": "4002", "approver_password": "wrong-pass"})
    assert refused.status_code in (401, 403)
    evaluator = {"Authorization": f"Bearer {device_tokens['evaluator-5']}"}
    _ok(client.post(f"{API}/ratings", json={"level": "dissatisfied", "reasons": ["long_wait"]}, headers=evaluator), 201)
    office = login("4001")
    fu = _ok(client.get(f"{API}/ratings/followups", headers=office))[0]
    _ok(client.post(f"{API}/ratings/followups/{fu['id']}/call-back", json={"note": "已回访"}, headers=office))
    comp = _ok(client.post(f"{API}/complaints", headers=kiosk, json={
        "content": "等候太久", "complainant_name": "张建华", "complainant_phone": "13800138000",
        "case_no": case["case_no"], "window_no": 5}), 201)
    _ok(client.post(f"{API}/complaints/{comp['complaint_no']}/assign", json={"to_staff_no": "1007"},
                    headers=login("3001")))
    log = _ok(client.get(f"{API}/events/log", params={"limit": 5000}, headers=office))["events"]
    mine = [e for e in log if e["type"] != "hall.seeded" and e["seq"] > 0]
    types = {e["type"] for e in mine}
    assert {"ticket.issued", "ticket.called", "ticket.recalled", "case.accepted", "fee.notice_raised", "fee.paid",
            "fee.approval_refused", "rating.recorded", "rating.followup_opened", "rating.followup_called_back",
            "complaint.registered", "complaint.assigned"} <= types, types
    names = {"1005": "陈静", "2001": "孙会计"}
    for e in mine:
        k = kinds.kind_of(e["type"])
        assert kinds.declared(e["type"]), e["type"]
        missing = k.keys - e["data"].keys()
        assert not missing, f"{e['type']} lacks declared keys {missing}"
        text = kinds.sentence(e, names=names)
        assert kinds.MISSING not in text and not re.search(r"[a-z]{3,}", text), (e["type"], text)
    assert any(kinds.sentence(e, names=names) == f"陈静（1005）在 5 号窗口叫号 {t['number']}" for e in mine)
    # what a clerk's stream carries: masked names and ids, no rating level, no follow-up types
    seen = _ok(client.get(f"{API}/events/log", params={"limit": 5000}, headers=clerk))["events"]
    by_seq = {e["seq"]: e for e in seen}
    for e in mine:
        k = kinds.kind_of(e["type"])
        got = by_seq[e["seq"]]
        if k.audience is kinds.Audience.OFFICE:
            assert got["type"] == "rating.private" and got["data"] == {}
        else:
            assert not (k.private & got["data"].keys())
            for key in k.personal & got["data"].keys():
                assert "*" in str(got["data"][key]) or not got["data"][key], (e["type"], key, got["data"][key])
