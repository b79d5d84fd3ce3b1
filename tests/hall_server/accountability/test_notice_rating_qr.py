"""Issue 7: the acceptance notice (PDF and thermal slip) carries the rate-later QR of the
service it came from (the case's ticket), next to the progress QR."""
from __future__ import annotations

import subprocess
from pathlib import Path

SG_ALL = [{"code": f"M{i}", "status": "received"} for i in range(1, 7)]
PERSON = {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"}


def accept_at_window(client, kiosk, clerk, *, with_ticket: bool = True):  # type: ignore[no-untyped-def]
    t = None
    if with_ticket:
        t = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
        assert client.post("/api/v1/windows/1/call-next", headers=clerk).status_code == 200
        assert client.post("/api/v1/windows/1/start", headers=clerk).status_code == 200
    r = client.post("/api/v1/cases", headers=clerk, json={
        "matter_code": "ZJ-001", "window_no": 1, "applicant": PERSON, "materials": SG_ALL, "outcome": "accept"})
    assert r.status_code == 201, r.text
    return t, r.json()


def pdftext(pdf: bytes, tmp_path: Path) -> str:
    p = tmp_path / "n.pdf"
    p.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, timeout=30,
                         check=True).stdout
    return "".join(out.split())


def test_the_acceptance_notice_pdf_invites_a_rating_of_that_service(client, kiosk, login, tmp_path):
    clerk = login("1001", window_no=1)
    t, case = accept_at_window(client, kiosk, clerk)
    pdf = client.get(case["notices"][0]["pdf_url"], headers=clerk)
    assert pdf.status_code == 200
    text = pdftext(pdf.content, tmp_path)
    assert "服务评价" in text and "办理进度查询" in text
    assert t["rating_url"].split("/")[-1] in text  # the link printed under its QR


def test_the_notice_slip_fields_carry_the_rating_link_of_the_cases_ticket(client, kiosk, login):
    clerk = login("1001", window_no=1)
    t, case = accept_at_window(client, kiosk, clerk)
    slip = client.get(f"/api/v1/cases/{case['case_no']}/slip", headers=clerk).json()
    assert slip["rating_url"] == t["rating_url"] and slip["query_url"] != slip["rating_url"]


def test_a_case_taken_without_a_ticket_has_no_rating_qr(client, kiosk, login, tmp_path):
    clerk = login("1001", window_no=1)
    _, case = accept_at_window(client, kiosk, clerk, with_ticket=False)
    slip = client.get(f"/api/v1/cases/{case['case_no']}/slip", headers=clerk).json()
    assert slip["rating_url"] == ""
    assert "服务评价" not in pdftext(client.get(case["notices"][0]["pdf_url"], headers=clerk).content, tmp_path)
