"""Kiosk 办件查询 against the live server: by number and query code, by a scanned QR URL,
masked applicant, and a wrong code told plainly."""
from __future__ import annotations

from hall_client.widgets.kiosk_case_lookup import CaseLookupPage, parse_scan

OK_ID = "11010519491231002X"


def make_case(clerk_api, outcome="request_correction"):  # type: ignore[no-untyped-def]
    c = clerk_api("1001", 1)
    r = c.post("/cases", json={
        "matter_code": "ZJ-001", "window_no": 1, "outcome": outcome,
        "applicant": {"kind": "person", "name": "欧阳娜娜", "id_number": OK_ID, "phone": "13800138000"},
        "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 6)]})
    assert r.status_code == 201, r.text
    return r.json()


def page_of(kiosk_client) -> CaseLookupPage:  # type: ignore[no-untyped-def]
    k = kiosk_client.widget
    k.pages.setCurrentWidget(k.extra["办件查询"])
    p = k.extra["办件查询"].findChild(CaseLookupPage)
    assert p is not None
    return p


def test_lookup_by_number_and_code_shows_state_and_what_to_bring(qtbot, kiosk_client, clerk_api, wait_ms):
    case = make_case(clerk_api)
    p = page_of(kiosk_client)
    p.case_no.setText(case["case_no"])
    p.code.setText(case["query_code"].lower())
    with qtbot.wait_signal(p.shown, timeout=wait_ms) as got:
        p.button.click()
    out = got.args[0]
    assert out.state == "correction" and out.applicant_name == "欧***"
    text = p.result.text()
    assert "待补正材料" in text and "建设资金已经落实承诺书" in text and "欧***" in text
    assert OK_ID not in text and "13800138000" not in text


def test_scanning_the_notice_qr_fills_both_fields_and_looks_up(qtbot, kiosk_client, clerk_api, wait_ms):
    case = make_case(clerk_api)
    p = page_of(kiosk_client)
    with qtbot.wait_signal(p.shown, timeout=wait_ms):
        p.case_no.setText(case["public_url"])  # the scanner types the URL
    assert p.case_no.text() == case["case_no"] and p.code.text() == case["query_code"]


def test_a_wrong_code_is_told_plainly(qtbot, kiosk_client, clerk_api, wait_ms):
    case = make_case(clerk_api)
    p = page_of(kiosk_client)
    p.case_no.setText(case["case_no"])
    p.code.setText("ZZZZZZ")
    with qtbot.wait_signal(p.not_found, timeout=wait_ms) as got:
        p.button.click()
    assert "查询码不正确" in got.args[0]


def test_parse_scan_reads_the_notice_url():
    assert parse_scan("http://h:8080/api/v1/cases/SG20261124-0001/public?code=K7PQ2M") == ("SG20261124-0001", "K7PQ2M")
    assert parse_scan("SG20261124-0001") is None
