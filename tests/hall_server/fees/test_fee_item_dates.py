"""A price change keeps old receipts right: the old fee item stops on a date and the new
one starts the day after; items of one exclusive group never share a notice."""
from __future__ import annotations


def test_a_price_change_is_a_new_item_from_a_date_and_the_old_one_stops(client, login, raise_notice, new_case,
                                                                        bdc_clerk, clock):
    admin = login("9001")
    old = raise_notice([("BDC-DJF-ZZ", "1")])  # 80.00 today (2026-11-24)
    r = client.patch("/api/v1/fees/items/BDC-DJF-ZZ", json={"valid_to": "2026-11-24"}, headers=admin)
    assert r.status_code == 200 and r.json()["valid_to"] == "2026-11-24"
    item = client.get("/api/v1/fees/items", headers=admin).json()
    zz = next(i for i in item if i["code"] == "BDC-DJF-ZZ")
    body = {k: zz[k] for k in ("name", "matter_code", "department_code", "account_code", "income_type",
                               "legal_basis", "unit")}
    r = client.post("/api/v1/fees/items", headers=admin, json={
        **body, "code": "BDC-DJF-ZZ-2027", "standard": {"kind": "fixed", "price_fen": 9000},
        "valid_from": "2026-11-25"})
    assert r.status_code == 201, r.text
    tomorrow = {"case_no": new_case(), "lines": [{"item_code": "BDC-DJF-ZZ-2027", "quantity": "1"}]}
    r = client.post("/api/v1/fees/notices", json=tomorrow, headers=bdc_clerk)
    assert r.status_code == 422 and "2026-11-25 起执行" in r.json()["error"]["message"]
    clock.advance(days=1)
    clerk = login("1005", window_no=5)
    r = client.post("/api/v1/fees/notices", json={"case_no": old["case_no"],
                                                  "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]},
                    headers=clerk)
    assert r.status_code == 422 and "已于 2026-11-24 停止执行" in r.json()["error"]["message"]
    r = client.post("/api/v1/fees/notices", json=tomorrow, headers=clerk)
    assert r.status_code == 201 and r.json()["total_fen"] == 9000
    offered = [i["code"] for i in client.get("/api/v1/fees/items", params={"matter_code": "BDC-001"},
                                            headers=clerk).json()]
    assert "BDC-DJF-ZZ-2027" in offered and "BDC-DJF-ZZ" not in offered  # the window offers what is in force
    again = client.get(f"/api/v1/fees/notices/{old['notice_no']}", headers=clerk).json()
    assert again["total_fen"] == 8000  # yesterday's notice keeps its price


def test_items_of_one_exclusive_group_never_share_a_notice(client, login, bdc_clerk, new_case, events_of):
    admin = login("9001")
    for code in ("BDC-DJF-ZZ", "BDC-DJF-FZZ"):
        assert client.patch(f"/api/v1/fees/items/{code}", json={"exclusive_group": "登记费"},
                            headers=admin).status_code == 200
    r = client.post("/api/v1/fees/notices", headers=bdc_clerk, json={
        "case_no": new_case(), "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"},
                                         {"item_code": "BDC-DJF-FZZ", "quantity": "1"}]})
    assert r.status_code == 422 and "互斥" in r.json()["error"]["message"]
    ev = events_of("fee.item_updated")[-1]["data"]
    assert ev["changes"]["exclusive_group"] == {"from": "BDC-DJF", "to": "登记费"}  # the demo hall groups them already


def test_a_stop_date_before_the_start_date_is_refused(client, login):
    r = client.patch("/api/v1/fees/items/BDC-GBF", json={"valid_from": "2027-01-02", "valid_to": "2027-01-01"},
                     headers=login("9001"))
    assert r.status_code == 422 and r.json()["error"]["message"] == "停止执行日期不能早于执行日期。"
