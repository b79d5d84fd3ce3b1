"""Fee figures of the daily report on a crafted day: money counts for the department that
raised the notice as well as the fee window that took it, a refund lowers the money but
is not a receipt, and every figure in the workbooks is a number, not text."""
from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

API = "/api/v1"
BDC_MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]
APPROVER = {"approver_staff_no": "4001", "approver_password": "demo1234"}


def _paid_notice(client: Any, clerk: dict[str, str], cashier: dict[str, str], lines: list[tuple[str, str]]) -> str:
    case = client.post(f"{API}/cases", headers=clerk, json={
        "matter_code": "BDC-001", "window_no": 5, "outcome": "accept", "materials": BDC_MATERIALS,
        "applicant": {"kind": "person", "name": "李四", "id_number": "11010519491231002X", "phone": "13800138000"}})
    assert case.status_code == 201, case.text
    n = client.post(f"{API}/fees/notices", headers=clerk, json={
        "case_no": case.json()["case_no"], "lines": [{"item_code": c, "quantity": q} for c, q in lines]}).json()
    r = client.post(f"{API}/fees/receipts", headers=cashier,
                    json={"notice": n["notice_no"], "method": "cash", "tendered_fen": n["total_fen"]})
    assert r.status_code == 201, r.text
    return str(r.json()["receipt_no"])


def crafted_day(client: Any, login: Any) -> None:
    """BDC (window 5) raises two notices, ¥100 and ¥80; cashier 2001 at fee window 12 takes
    both and closes; cashier 2002 refunds ¥20 of the first the same afternoon."""
    clerk = login("1005", window_no=5)
    cashier = login("2001", window_no=12)
    first = _paid_notice(client, clerk, cashier, [("BDC-DJF-ZZ", "1"), ("BDC-GBF", "2")])
    _paid_notice(client, clerk, cashier, [("BDC-DJF-ZZ", "1")])
    assert client.post(f"{API}/fees/day-close", json={"counted_cash_fen": 18000}, headers=cashier).status_code == 201
    r = client.post(f"{API}/fees/receipts/{first}/refund", headers=login("2002"),
                    json={**APPROVER, "amount_fen": 2000, "reason": "工本费多收两本", "item_code": "BDC-GBF"})
    assert r.status_code == 201, r.text


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(r["figures"] for r in rows if r["key"] == key)


def test_fees_count_for_the_raising_department_and_a_refund_is_not_a_receipt(client, login):
    crafted_day(client, login)
    day = client.get(f"{API}/reports/daily", params={"day": "2026-11-24"}, headers=login("3001")).json()
    assert day["total"]["receipts"] == 2  # two payments; the refund is not a receipt
    assert day["total"]["fees_fen"] == 18000 - 2000  # net of the refund
    bdc = _by(day["by_department"], "BDC")
    assert bdc["fees_fen"] == 16000 and bdc["receipts"] == 2
    assert _by(day["by_window"], "12")["fees_fen"] == 18000  # what window 12 took
    assert all(r["figures"]["fees_fen"] == 0 for r in day["by_department"] if r["key"] != "BDC")


def _numbers_are_numbers(ws: Any) -> list[str]:
    """Cells below the header that read as a figure but are stored as text."""
    bad = []
    for row in ws.iter_rows(min_row=3):
        for cell in row[1:]:
            v = cell.value
            if isinstance(v, str) and any(ch.isdigit() for ch in v) and not v.startswith(("20", "A ", "B ")):
                bad.append(f"{ws.title}!{cell.coordinate}={v!r}")
    return bad


def test_report_workbooks_hold_figures_as_numbers(client, login):
    crafted_day(client, login)
    mgr = login("3001")
    for path, params in (("daily", {"day": "2026-11-24"}), ("monthly", {"month": "2026-11"}),
                         ("yearly", {"year": 2026})):
        x = client.get(f"{API}/reports/{path}", params={**params, "format": "xlsx"}, headers=mgr)
        wb = load_workbook(io.BytesIO(x.content))
        bad = [b for ws in wb.worksheets for b in _numbers_are_numbers(ws)]
        assert not bad, bad
        summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=3, values_only=True)}
        assert summary["收费金额(元)"] == 160.0 and summary["票据张数"] == 2
        assert wb["汇总"]["B13"].number_format == "#,##0.00"
    recon = client.get(f"{API}/fees/reconciliation", headers=mgr,
                       params={"start": "2026-11-24", "end": "2026-11-24", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(recon.content))["对账单"]
    total = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "合计")
    assert total[6:10] == (180.0, 1, -20.0, 160.0) and total[10:13] == (18000, -2000, 16000)
