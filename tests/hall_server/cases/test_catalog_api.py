"""The matter catalog over HTTP: pinyin search at window and kiosk, 八公开 content,
admin save, JSON and xlsx export/import round trips, all-or-nothing import."""
from __future__ import annotations

import json


def test_typing_sgxk_finds_the_construction_permit(client, kiosk, login):
    for headers in (kiosk, login("1001")):
        r = client.get("/api/v1/matters", params={"q": "sgxk"}, headers=headers)
        assert r.status_code == 200
        assert [m["code"] for m in r.json()] == ["ZJ-001"]
        assert r.json()[0]["name"] == "建设工程施工许可证核发"
    names = [m["name"] for m in client.get("/api/v1/matters", params={"q": "许可"}, headers=kiosk).json()]
    assert "商品房预售许可" in names and "建设工程规划许可证核发" in names
    assert client.get("/api/v1/matters", params={"q": "BDC-002"}, headers=kiosk).json()[0]["kind_label"] == "即办件"


def test_matter_shows_its_public_content(client, kiosk):
    m = client.get("/api/v1/matters/BDC-001", headers=kiosk).json()
    assert m["department"] == "市不动产登记中心" and m["kind"] == "promised"
    assert "不动产登记暂行条例" in m["legal_basis"] and m["conditions"] and m["procedure"][0] == "申请"
    mat = m["materials"][0]
    assert set(mat) == {"code", "name", "form", "copies", "required", "notes"}
    assert m["statutory_limit"] == 30 and m["promised_limit"] == 5 and m["promised_unit"] == "working"
    assert {f["code"] for f in m["fee_items"]} >= {"BDC-DJF-ZZ"} and m["complaint_phone"] == "12345"
    assert m["limit_text"] == "承诺 5 个工作日（法定 30 个工作日）"
    r = client.get("/api/v1/matters/NOPE", headers=kiosk)
    assert r.status_code == 404 and r.json()["error"]["code"] == "matter_not_found"


def test_admin_saves_a_matter_and_bad_limits_are_refused(client, login):
    admin = login("9001")
    body = client.get("/api/v1/matters/ZJ-002", headers=admin).json()
    body = {k: v for k, v in body.items() if k not in ("department", "kind_label", "initials", "limit_text")}
    body["promised_limit"] = 4
    r = client.put("/api/v1/matters/ZJ-002", json=body, headers=admin)
    assert r.status_code == 200 and r.json()["promised_limit"] == 4
    body["promised_limit"] = 40
    r = client.put("/api/v1/matters/ZJ-002", json=body, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_limit"
    assert client.put("/api/v1/matters/ZJ-002", json=body, headers=login("1001")).status_code == 403


def test_json_export_import_round_trip_and_all_or_nothing(client, login):
    admin = login("9001")
    exported = client.get("/api/v1/catalog/export", params={"format": "json"}, headers=admin)
    assert exported.status_code == 200
    doc = json.loads(exported.content)
    assert len(doc["matters"]) >= 5
    doc["matters"][0]["name"] = doc["matters"][0]["name"] + "（修订）"
    doc["matters"].append({**doc["matters"][1], "code": "NEW-001", "name": "城市建筑垃圾处置核准", "case_prefix": "LJ"})
    r = client.post("/api/v1/catalog/import", params={"format": "json"},
                    content=json.dumps(doc, ensure_ascii=False).encode(), headers=admin)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 1, "updated": len(doc["matters"]) - 1, "total": len(doc["matters"])}
    assert client.get("/api/v1/matters", params={"q": "ljcz"}, headers=admin).json()[0]["code"] == "NEW-001"
    # one bad row rejects the whole file
    doc["matters"][0]["name"] = "不应保存"
    doc["matters"][1]["promised_limit"] = -1
    r = client.post("/api/v1/catalog/import", content=json.dumps(doc).encode(), headers=admin)
    assert r.status_code == 422 and "第 2 个事项" in r.json()["error"]["message"]
    assert "不应保存" not in client.get(f"/api/v1/matters/{doc['matters'][0]['code']}", headers=admin).json()["name"]
    r = client.post("/api/v1/catalog/import", content=b"{not json", headers=admin)
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_file"


def test_xlsx_export_is_editable_and_imports_back(client, login):
    import io

    from openpyxl import load_workbook
    admin = login("9001")
    r = client.get("/api/v1/catalog/export", params={"format": "xlsx"}, headers=admin)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["事项"]
    assert ws.cell(1, 1).value == "事项编码" and ws.cell(1, 6).value == "办件类型"
    ws.cell(2, 12).value = 2  # promised limit of the first matter (BDC-001)
    assert ws.cell(2, 1).value == "BDC-001"
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/api/v1/catalog/import", params={"format": "xlsx"}, content=buf.getvalue(), headers=admin)
    assert r.status_code == 200, r.text
    m = client.get("/api/v1/matters/BDC-001", headers=admin).json()
    assert m["promised_limit"] == 2 and len(m["materials"]) == 7 and m["materials"][1]["form"] == "original_and_copy"
    assert [f["code"] for f in m["fee_items"]][:1] == ["BDC-DJF-FZZ"]
    r = client.post("/api/v1/catalog/import", params={"format": "xlsx"}, content=b"not a zip", headers=admin)
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_file"
