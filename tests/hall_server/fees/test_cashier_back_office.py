"""The cashier's back office on the server: exclusive fee items, correcting a wrong
notice (cancel + linked replacement), a cash difference needs a note, and the 日结单 PDF."""
from __future__ import annotations

import io

from pypdf import PdfReader


def test_exclusive_fee_items_cannot_be_charged_on_one_notice(client, bdc_clerk, new_case):
    body = {"case_no": new_case(), "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"},
                                             {"item_code": "BDC-DJF-FZZ", "quantity": "1"}]}
    r = client.post("/api/v1/fees/notices", json=body, headers=bdc_clerk)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "exclusive_items"
    assert "不动产登记费（住宅）" in err["message"] and "不动产登记费（非住宅）" in err["message"] and "互斥" in err["message"]
    items = client.get("/api/v1/fees/items?matter_code=BDC-001", headers=bdc_clerk).json()
    groups = {i["code"]: i["exclusive_group"] for i in items}
    assert groups["BDC-DJF-ZZ"] == groups["BDC-DJF-FZZ"] != "" and groups["BDC-GBF"] == ""


def test_correcting_a_notice_cancels_it_and_raises_a_linked_replacement(client, bdc_clerk, raise_notice, events_of):
    wrong = raise_notice([("BDC-DJF-FZZ", "1")])  # 非住宅 by mistake: 550 元
    r = client.post(f"/api/v1/fees/notices/{wrong['notice_no']}/correct",
                    json={"reason": "房屋用途为住宅", "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]},
                    headers=bdc_clerk)
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["replaces"] == wrong["notice_no"] and new["total_fen"] == 8000 and new["state"] == "unpaid"
    assert new["case_no"] == wrong["case_no"] and new["notice_no"] != wrong["notice_no"]
    old = client.get(f"/api/v1/fees/notices/{wrong['notice_no']}", headers=bdc_clerk).json()
    assert old["state"] == "cancelled" and old["replaced_by"] == new["notice_no"]
    assert old["cancel_reason"] == "更正：房屋用途为住宅"
    ev = events_of("fee.notice_corrected")[-1]["data"]
    assert (ev["replaces"], ev["notice_no"], ev["old_amount_fen"], ev["amount_fen"]) == (
        wrong["notice_no"], new["notice_no"], 55000, 8000)
    # a cancelled notice is never paid, and is not corrected twice
    again = client.post(f"/api/v1/fees/notices/{wrong['notice_no']}/correct",
                        json={"reason": "再改", "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]},
                        headers=bdc_clerk)
    assert again.status_code == 409 and "已撤销" in again.json()["error"]["message"]


def test_a_failed_correction_leaves_the_wrong_notice_as_it_was(client, bdc_clerk, raise_notice):
    wrong = raise_notice([("BDC-DJF-ZZ", "1")])
    r = client.post(f"/api/v1/fees/notices/{wrong['notice_no']}/correct",
                    json={"reason": "改为两项", "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"},
                                                          {"item_code": "BDC-DJF-FZZ", "quantity": "1"}]},
                    headers=bdc_clerk)
    assert r.status_code == 422
    assert client.get(f"/api/v1/fees/notices/{wrong['notice_no']}", headers=bdc_clerk).json()["state"] == "unpaid"


def test_a_paid_notice_is_not_corrected(client, bdc_clerk, raise_notice, pay):
    n = raise_notice()
    pay(n["notice_no"], tendered_fen=8000)
    r = client.post(f"/api/v1/fees/notices/{n['notice_no']}/correct",
                    json={"reason": "改为住宅", "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]}, headers=bdc_clerk)
    assert r.status_code == 409 and "退费" in r.json()["error"]["message"]


def test_a_cash_difference_needs_a_note_and_the_day_sheet_shows_it(client, cashier, raise_notice, pay):
    n = raise_notice([("BDC-DJF-ZZ", "1"), ("BDC-GBF", "2")])  # 80 + 20
    pay(n["notice_no"], tendered_fen=10000)
    short = client.post("/api/v1/fees/day-close", json={"counted_cash_fen": 9950}, headers=cashier)
    assert short.status_code == 422 and short.json()["error"]["code"] == "difference_needs_note"
    assert "-¥0.50" in short.json()["error"]["message"] or "¥0.50" in short.json()["error"]["message"]
    preview = client.get("/api/v1/fees/day/pdf", headers=cashier)
    assert preview.status_code == 200 and preview.headers["content-type"] == "application/pdf"
    assert "未日结" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.content)).pages)
    ok = client.post("/api/v1/fees/day-close", json={"counted_cash_fen": 9950, "note": "找零时少收五角"},
                     headers=cashier)
    assert ok.status_code == 201, ok.text
    assert ok.json()["difference_fen"] == -50 and ok.json()["note"] == "找零时少收五角"
    pdf = client.get("/api/v1/fees/day/pdf", params={"day": "2026-11-24"}, headers=cashier)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for want in ("收费日结单", "2001", "SF202600000001", "¥100.00", "¥99.50", "短款 ¥0.50", "找零时少收五角", "壹佰元整"):
        assert want in text, want
    assert "未日结" not in text
