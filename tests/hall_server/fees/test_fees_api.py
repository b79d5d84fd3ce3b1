"""一个窗口收费 over HTTP on a real migrated database (SQLite, and PostgreSQL when
HALL_TEST_PG_URL is set): notices, payment, void with approval, refund, reprint,
day close, reconciliation, and the bad inputs that must change nothing."""
from __future__ import annotations

import io

import pytest

APPROVER = {"approver_staff_no": "4002", "approver_password": "demo1234"}


def test_notice_amounts_come_from_the_standards_never_from_the_clerk(client, bdc_clerk, new_case, raise_notice,
                                                                     events_of):
    n = raise_notice([("BDC-DJF-ZZ", "1"), ("BDC-GBF", "2"), ("BDC-CHF", "120.55")])
    assert [ln["amount_fen"] for ln in n["lines"]] == [8000, 2000, 16395]  # 120.55 m² × 1.36 = 163.948 -> 163.95
    assert n["total_fen"] == 26395 and n["total_daxie"] == "贰佰陆拾叁元玖角伍分"
    assert n["notice_no"] == "JF202611240001" and n["state"] == "unpaid"
    assert n["qr_text"] == "HALLFEE:JF202611240001:26395"
    assert n["lines"][0]["legal_basis"].startswith("《国家发展改革委")
    # a typed amount is not even part of the contract
    r = client.post("/api/v1/fees/notices", headers=bdc_clerk, json={
        "case_no": new_case(), "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1", "amount_fen": 1}]})
    assert r.status_code == 422
    ev = events_of("fee.notice_raised")[0]["data"]
    assert {ev["case_no"], ev["notice_no"], ev["amount_fen"], ev["staff_no"]} == {
        n["case_no"], "JF202611240001", 26395, "1005"}


@pytest.mark.parametrize("qty, code", [("0", "bad_quantity"), ("-1", "bad_quantity"), ("1.5", "bad_quantity"),
                                       ("abc", "bad_quantity")])
def test_zero_negative_or_fractional_quantities_are_refused_and_change_nothing(client, bdc_clerk, new_case, last_seq,
                                                                               qty, code):
    case_no = new_case()
    before = last_seq()
    r = client.post("/api/v1/fees/notices", headers=bdc_clerk,
                    json={"case_no": case_no, "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": qty}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    assert r.json()["error"]["message"]
    assert last_seq() == before


def test_only_the_departments_own_items_of_the_cases_matter_can_be_charged(client, login, new_case):
    case_no = new_case()
    zjj = login("1001", window_no=1)
    r = client.post("/api/v1/fees/notices", headers=zjj,
                    json={"case_no": case_no, "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "item_not_for_department"
    r = client.post("/api/v1/fees/notices", headers=login("1006", window_no=6),
                    json={"case_no": "DJ20991231-9999", "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "case_not_found"


def test_cashier_scans_the_qr_takes_cash_gives_change_and_issues_a_numbered_receipt(client, cashier, raise_notice,
                                                                                   pay, events_of):
    n = raise_notice([("BDC-DJF-ZZ", "1"), ("BDC-GBF", "4")])
    found = client.get("/api/v1/fees/notices/lookup", params={"q": n["qr_text"]}, headers=cashier)
    assert found.status_code == 200 and found.json()["total_fen"] == 12000
    r = pay(n["qr_text"], tendered_fen=20000)
    assert r["receipt_no"] == "SF202600000001" and r["amount_fen"] == 12000 and r["change_fen"] == 8000
    assert r["amount_yuan"] == "¥120.00" and r["amount_daxie"] == "壹佰贰拾元整"
    assert r["cashier_no"] == "2001" and r["window_no"] == 12 and r["method_label"] == "现金"
    assert {ln["account_code"] for ln in r["lines"]} == {"BDC-01"}
    got = client.get(f"/api/v1/fees/notices/{n['notice_no']}", headers=cashier)
    assert got.json().get("state") == "paid", got.text
    ev = events_of("fee.paid")[0]["data"]
    assert (ev["case_no"], ev["notice_no"], ev["receipt_no"], ev["amount_fen"], ev["staff_no"]) == (
        n["case_no"], n["notice_no"], "SF202600000001", 12000, "2001")


def test_a_qr_whose_amount_disagrees_with_the_notice_is_refused(client, cashier, raise_notice):
    n = raise_notice()
    r = client.get("/api/v1/fees/notices/lookup", params={"q": f"HALLFEE:{n['notice_no']}:1"}, headers=cashier)
    assert r.status_code == 409 and r.json()["error"]["code"] == "qr_amount_mismatch"


def test_paying_a_notice_twice_is_refused_and_uses_no_number(client, raise_notice, pay, last_seq):
    a, b = raise_notice(), raise_notice()
    assert pay(a["notice_no"], method="card", reference="T0001")["receipt_no"] == "SF202600000001"
    before = last_seq()
    err = pay(a["notice_no"], method="card", reference="T0002", expect=409)
    assert err["error"]["code"] == "already_paid" and "重复" in err["error"]["message"]
    assert last_seq() == before
    assert pay(b["notice_no"], method="qr", reference="WX1")["receipt_no"] == "SF202600000002"


def test_short_cash_or_missing_reference_is_refused(raise_notice, pay):
    n = raise_notice()
    assert pay(n["notice_no"], tendered_fen=7999, expect=422)["error"]["code"] == "tendered_short"
    assert pay(n["notice_no"], method="transfer", expect=422)["error"]["code"] == "reference_missing"


def test_paying_a_cancelled_notice_is_refused(client, bdc_clerk, raise_notice, pay):
    n = raise_notice()
    r = client.post(f"/api/v1/fees/notices/{n['notice_no']}/cancel", json={"reason": "申请人撤回"}, headers=bdc_clerk)
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert pay(n["notice_no"], tendered_fen=8000, expect=409)["error"]["code"] == "notice_cancelled"


def test_cashier_actions_need_the_cashier_role(client, login, raise_notice):
    n = raise_notice()
    clerk = login("1006", window_no=6)
    r = client.post("/api/v1/fees/receipts", json={"notice": n["notice_no"], "method": "cash", "tendered_fen": 8000},
                    headers=clerk)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"
    r = client.post("/api/v1/fees/day-close", json={"counted_cash_fen": 0}, headers=clerk)
    assert r.status_code == 403
    assert client.get(f"/api/v1/fees/notices/{n['notice_no']}", headers=clerk).json()["state"] == "unpaid"


def test_void_needs_a_supervisor_beside_the_cashier_and_keeps_its_number(client, cashier, raise_notice, pay, last_seq,
                                                                        events_of):
    n = raise_notice()
    r1 = pay(n["notice_no"], tendered_fen=10000)
    url = f"/api/v1/fees/receipts/{r1['receipt_no']}/void"
    before = last_seq()
    bad = client.post(url, json={**APPROVER, "approver_password": "wrong", "reason": "收费方式错误"}, headers=cashier)
    assert bad.status_code == 403 and bad.json()["error"]["code"] == "approval_failed"
    clerk_ok = client.post(url, json={"approver_staff_no": "1001", "approver_password": "demo1234",
                                      "reason": "收费方式错误"}, headers=cashier)
    assert clerk_ok.status_code == 403 and clerk_ok.json()["error"]["code"] == "approver_not_allowed"
    # nothing changed but the log of the two refused approvals, for the supervision office
    assert last_seq() == before + 2
    refused = [e["data"] for e in events_of("fee.approval_refused")]
    assert [(x["approver"], x["code"], x["receipt_no"], x["staff_no"]) for x in refused] == [
        ("4002", "approval_failed", "SF202600000001", "2001"), ("1001", "approver_not_allowed", "SF202600000001", "2001")]
    assert client.get(f"/api/v1/fees/receipts/{r1['receipt_no']}", headers=cashier).json()["void"] is False
    ok = client.post(url, json={**APPROVER, "reason": "收费方式错误"}, headers=cashier)
    assert ok.status_code == 200, ok.text
    v = ok.json()
    assert v["void"] is True and v["receipt_no"] == "SF202600000001" and v["void_approved_by"] == "4002"
    again = client.post(url, json={**APPROVER, "reason": "再次作废"}, headers=cashier)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_void"
    # the notice is payable again, under the next number
    r2 = pay(n["notice_no"], method="card", reference="POS123")
    assert r2["receipt_no"] == "SF202600000002"
    ev = events_of("fee.receipt_voided")[0]["data"]
    assert ev["receipt_no"] == "SF202600000001" and ev["approved_by"] == "4002" and ev["reason"] == "收费方式错误"
    assert ev["case_no"] == n["case_no"] and ev["staff_no"] == "2001" and ev["amount_fen"] == 8000


def test_wrong_approver_passwords_lock_the_approver_like_a_sign_in(client, cashier, raise_notice, pay, clock):
    r1 = pay(raise_notice()["notice_no"], tendered_fen=8000)
    url = f"/api/v1/fees/receipts/{r1['receipt_no']}/void"
    codes = []
    for _ in range(5):  # waiting out the growing delay between attempts (services/auth.py)
        codes.append(client.post(url, json={**APPROVER, "approver_password": "x", "reason": "试探"},
                                 headers=cashier).json()["error"]["code"])
        clock.advance(seconds=31)
    assert codes[-1] == "approver_locked" and set(codes[:-1]) == {"approval_failed"}
    r = client.post(url, json={**APPROVER, "reason": "正确密码也被锁"}, headers=cashier)
    assert r.status_code == 403 and r.json()["error"]["code"] == "approver_locked"


def test_day_close_totals_by_method_and_account_and_freezes_the_day(client, cashier, raise_notice, pay, clock):
    a = pay(raise_notice([("BDC-DJF-ZZ", "1")])["notice_no"], tendered_fen=10000)  # cash 80
    pay(raise_notice([("BDC-DJF-FZZ", "1")])["notice_no"], method="card", reference="POS9")  # card 550
    pay(raise_notice([("BDC-CHF", "300")])["notice_no"], method="qr", reference="WX9")  # 200×1.36+100×1.00 = 372
    v = pay(raise_notice([("BDC-GBF", "3")])["notice_no"], tendered_fen=3000)  # cash 30, voided below
    assert client.post(f"/api/v1/fees/receipts/{v['receipt_no']}/void", json={**APPROVER, "reason": "重复收费"},
                       headers=cashier).status_code == 200
    preview = client.get("/api/v1/fees/day", headers=cashier).json()
    assert preview["closed"] is False and preview["expected_cash_fen"] == 8000
    r = client.post("/api/v1/fees/day-close", json={"counted_cash_fen": 7950, "note": "短款 0.5 元"}, headers=cashier)
    assert r.status_code == 201, r.text
    day = r.json()
    assert day["receipt_count"] == 4 and day["void_count"] == 1 and day["voids"] == [v["receipt_no"]]
    assert day["by_method"] == {"cash": 8000, "card": 55000, "transfer": 0, "qr": 37200}
    assert day["total_fen"] == 8000 + 55000 + 37200
    assert day["numbers"] == {"receipt": [["SF202600000001", "SF202600000004"]]}
    assert {(x["account"], x["fen"]) for x in day["by_account"]} == {("BDC-01", 63000), ("BDC-02", 37200)}
    assert day["difference_fen"] == -50 and day["counted_cash_fen"] == 7950
    # the day is frozen: no void, no new receipt, no second close
    r = client.post(f"/api/v1/fees/receipts/{a['receipt_no']}/void", json={**APPROVER, "reason": "日结后作废"},
                    headers=cashier)
    assert r.status_code == 409 and r.json()["error"]["code"] == "day_closed"
    assert pay(raise_notice()["notice_no"], tendered_fen=8000, expect=409)["error"]["code"] == "day_closed"
    r = client.post("/api/v1/fees/day-close", json={"counted_cash_fen": 7950}, headers=cashier)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_closed"


def test_refund_after_close_is_a_linked_negative_record_never_more_than_paid(client, cashier, login, raise_notice, pay,
                                                                           clock, events_of):
    n = raise_notice([("BDC-DJF-ZZ", "1"), ("BDC-CHF", "100")])  # 80 + 136 = 216
    r1 = pay(n["notice_no"], tendered_fen=21600)
    refund_url = f"/api/v1/fees/receipts/{r1['receipt_no']}/refund"
    early = client.post(refund_url, json={**APPROVER, "amount_fen": 100, "reason": "多收"}, headers=cashier)
    assert early.status_code == 409 and early.json()["error"]["code"] == "use_void"
    assert client.post("/api/v1/fees/day-close", json={"counted_cash_fen": 21600}, headers=cashier).status_code == 201
    clock.advance(days=1)
    other = login("2002")
    too_much = client.post(refund_url, json={**APPROVER, "amount_fen": 21601, "reason": "多收"}, headers=other)
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "refund_exceeds_paid"
    r = client.post(refund_url, json={"approver_staff_no": "3001", "approver_password": "demo1234",
                                      "amount_fen": 13600, "reason": "测绘费重复收取", "item_code": "BDC-CHF"},
                    headers=other)
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["receipt_no"] == "TF202600000001" and t["kind"] == "refund" and t["amount_fen"] == -13600
    assert t["refund_of"] == r1["receipt_no"] and t["refund_approved_by"] == "3001"
    assert [(ln["account_code"], ln["amount_fen"]) for ln in t["lines"]] == [("BDC-02", -13600)]
    assert t["amount_daxie"] == "负壹佰叁拾陆元整"
    left = client.post(refund_url, json={**APPROVER, "amount_fen": 8001, "reason": "再退"}, headers=other)
    assert left.status_code == 422 and "¥80.00" in left.json()["error"]["message"]
    notice = client.get(f"/api/v1/fees/notices/{n['notice_no']}", headers=other).json()
    assert notice["paid_fen"] == 21600 and notice["refunded_fen"] == 13600
    ev = events_of("fee.refunded")[0]["data"]
    assert (ev["receipt_no"], ev["refund_of"], ev["amount_fen"], ev["approved_by"], ev["staff_no"]) == (
        "TF202600000001", r1["receipt_no"], -13600, "3001", "2002")


def test_reprint_is_marked_counted_and_logged(client, cashier, raise_notice, pay, events_of):
    r1 = pay(raise_notice()["notice_no"], tendered_fen=8000)
    url = f"/api/v1/fees/receipts/{r1['receipt_no']}/reprint"
    assert client.post(url, headers=cashier).json()["reprints"] == 1
    again = client.post(url, headers=cashier).json()
    assert again["reprint"] is True and again["reprints"] == 2 and again["receipt_no"] == r1["receipt_no"]
    assert [e["data"]["reprints"] for e in events_of("fee.receipt_reprinted")] == [1, 2]
    pdf = client.post(url + "/pdf", headers=cashier)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "重打" in text and r1["receipt_no"] in text and "捌拾元整" in text


def test_idempotent_payment_issues_one_receipt(client, cashier, raise_notice):
    n = raise_notice()
    h = {**cashier, "Idempotency-Key": "pay-once-1"}
    body = {"notice": n["notice_no"], "method": "cash", "tendered_fen": 10000}
    a = client.post("/api/v1/fees/receipts", json=body, headers=h)
    b = client.post("/api/v1/fees/receipts", json=body, headers=h)
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert b.headers.get("Idempotent-Replay") == "true"
    series = {s["code"]: s for s in client.get("/api/v1/fees/series", headers=cashier).json()}
    assert series["receipt"]["last"] == 1


def test_reconciliation_per_department_and_account_as_json_pdf_and_xlsx(client, cashier, login, raise_notice, pay,
                                                                       clock):
    pay(raise_notice([("BDC-DJF-ZZ", "1"), ("BDC-CHF", "100")])["notice_no"], tendered_fen=21600)
    v = pay(raise_notice([("BDC-DJF-FZZ", "1")])["notice_no"], method="card", reference="P1")
    client.post(f"/api/v1/fees/receipts/{v['receipt_no']}/void", json={**APPROVER, "reason": "刷错卡"}, headers=cashier)
    mgr = login("3001")
    q = {"start": "2026-11-24", "end": "2026-11-24"}
    r = client.get("/api/v1/fees/reconciliation", params=q, headers=mgr).json()
    rows = {(x["department_code"], x["account_code"]): x for x in r["rows"]}
    assert rows["BDC", "BDC-01"]["paid_fen"] == 8000 and rows["BDC", "BDC-02"]["paid_fen"] == 13600
    assert r["total_net_fen"] == 21600 and r["voids"] == [v["receipt_no"]] and r["open_days"] == ["2001 2026-11-24"]
    assert client.get("/api/v1/fees/reconciliation", params={"start": "2026-11-25", "end": "2026-11-24"},
                      headers=mgr).json()["error"]["code"] == "bad_range"
    pdf = client.get("/api/v1/fees/reconciliation", params={**q, "format": "pdf"}, headers=mgr)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pypdf = pytest.importorskip("pypdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "对账单" in text and "BDC-02" in text and "贰佰壹拾陆元整" in text
    x = client.get("/api/v1/fees/reconciliation", params={**q, "format": "xlsx", "department": "BDC"}, headers=mgr)
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(x.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(v for v in values if v and v[0] == "合计")
    assert total[10] == 21600 and total[12] == 21600 and total[6] == 216.0
    assert client.get("/api/v1/fees/reconciliation", params=q, headers=cashier).status_code == 403


def test_admin_changes_a_standard_and_old_notices_keep_their_amounts(client, login, raise_notice):
    old = raise_notice()
    admin = login("9001")
    r = client.patch("/api/v1/fees/items/BDC-DJF-ZZ", json={"standard": {"kind": "fixed", "price_fen": 9000}},
                     headers=admin)
    assert r.status_code == 200 and r.json()["standard_text"] == "¥90.00/件"
    assert raise_notice()["total_fen"] == 9000
    assert client.get(f"/api/v1/fees/notices/{old['notice_no']}", headers=admin).json()["total_fen"] == 8000
    bad = client.patch("/api/v1/fees/items/BDC-DJF-ZZ", json={"standard": {"kind": "per_unit", "price_fen": 0}},
                       headers=admin)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_standard"
    assert client.patch("/api/v1/fees/items/BDC-DJF-ZZ", json={"active": False},
                        headers=login("1001")).status_code == 403


def test_receipt_pdf_shows_void_with_reason_and_both_amount_forms(client, cashier, raise_notice, pay):
    r1 = pay(raise_notice([("BDC-DJF-ZZ", "1"), ("BDC-GBF", "4")])["notice_no"], tendered_fen=12000)
    client.post(f"/api/v1/fees/receipts/{r1['receipt_no']}/void", json={**APPROVER, "reason": "缴费人要求改刷卡"},
                headers=cashier)
    pdf = client.get(f"/api/v1/fees/receipts/{r1['receipt_no']}/pdf", headers=cashier)
    assert pdf.status_code == 200
    pypdf = pytest.importorskip("pypdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    for s in ("作废", "缴费人要求改刷卡", "壹佰贰拾元整", "¥120.00", r1["receipt_no"], "4002"):
        assert s in text, s


def test_notice_pdf_carries_the_qr_and_legal_basis(client, bdc_clerk, raise_notice):
    n = raise_notice()
    pdf = client.get(f"/api/v1/fees/notices/{n['notice_no']}/pdf", headers=bdc_clerk)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert n["notice_no"] in text and "2559" in text and "捌拾元整" in text


def test_every_fee_step_is_in_the_verified_audit_chain(client, cashier, login, raise_notice, pay, events_of):
    r1 = pay(raise_notice()["notice_no"], tendered_fen=8000)
    client.post(f"/api/v1/fees/receipts/{r1['receipt_no']}/reprint", headers=cashier)
    client.post("/api/v1/fees/day-close", json={"counted_cash_fen": 8000}, headers=cashier)
    types = [e["type"] for e in events_of("fee.") if e["type"] not in ("fee.item_added", "fee.account_added", "fee.series_saved")]
    assert types == ["fee.notice_raised", "fee.paid", "fee.receipt_reprinted", "fee.day_closed"]
    assert client.get("/api/v1/audit/verify", headers=login("4001")).json()["ok"] is True


def test_a_used_series_keeps_its_prefix_and_width(client, login, raise_notice, pay):
    admin = login("9001")
    r = client.put("/api/v1/fees/series/receipt", json={"name": "收费票据", "prefix": "SF2027", "width": 8},
                   headers=admin)
    assert r.status_code == 200 and r.json()["next_no"] == "SF202700000001"
    assert pay(raise_notice()["notice_no"], tendered_fen=8000)["receipt_no"] == "SF202700000001"
    r = client.put("/api/v1/fees/series/receipt", json={"name": "收费票据", "prefix": "SF2028", "width": 8},
                   headers=admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "series_in_use"
    r = client.put("/api/v1/fees/series/refund", json={"name": "退费", "prefix": "SF2027"}, headers=admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "series_prefix_taken"
