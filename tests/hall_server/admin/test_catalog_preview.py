"""The xlsx catalog import preview lists every row's problem, in Chinese, before
anything is written."""
from __future__ import annotations

import io

from openpyxl import load_workbook


def _catalog(client, admin) -> bytes:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/catalog/export", params={"format": "xlsx"}, headers=admin)
    assert r.status_code == 200
    return r.content


def test_preview_lists_every_kind_of_bad_row_and_writes_nothing(client, app, login):
    admin = login("9001")
    wb = load_workbook(io.BytesIO(_catalog(client, admin)))
    ws = wb["事项"]
    head = [c.value for c in ws[1]]
    first = [c.value for c in ws[2]]
    col = {h: i for i, h in enumerate(head)}

    def row(**changes: object) -> list[object]:
        r = list(first)
        for label, v in changes.items():
            r[col[label]] = v
        return r

    n_existing = ws.max_row - 1
    ws.append(row(事项编码="NEW-0001", 事项名称="新增的好事项"))                       # good, new
    ws.append(row(事项编码="BAD-NAME", 事项名称=None))                                # missing name
    ws.append(row(事项编码="NEW-0001", 事项名称="重复编码"))                           # duplicate code
    ws.append(row(事项编码="BAD-DEPT", 部门编码="NOPE"))                              # unknown department
    ws.append(row(事项编码="BAD-CAT", 取号类别="Z"))                                  # unknown queue
    ws.append(row(事项编码="BAD-KIND", 办件类型="急办件"))                             # bad kind
    ws.append(row(事项编码="BAD-LIMIT", 法定时限=5, 承诺时限=10, 法定时限单位="工作日",
                  承诺时限单位="工作日"))                                               # promised > statutory
    ws.append(row(事项编码="BAD-INT", 法定时限="二十"))                                # not a number
    ms = wb["材料"]
    ms.append(["NEW-0001", "M1", "身份证", "原件", "两份", "是", ""])                  # copies not a number
    ms.append(["GHOST-1", "M1", "申请表", "原件", 1, "是", ""])                        # matter not in sheet
    buf = io.BytesIO()
    wb.save(buf)
    from hall_server.services import events
    with app.state.ctx.db.read() as s:
        seq = events.last_seq(s)
    r = client.post("/api/v1/admin/catalog/preview", content=buf.getvalue(), headers=admin)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["ok"] is False and out["total"] == n_existing + 8
    by = {}
    for x in out["rows"]:
        by.setdefault(x["code"], []).append(x)
    assert all(x["action"] == "update" and not x["problems"] for x in by[first[col["事项编码"]]])
    good, dup = by["NEW-0001"]
    assert "两份" in " ".join(good["problems"])  # its material row is bad
    assert "与第" in dup["problems"][0]
    assert "“事项名称”不能为空" in by["BAD-NAME"][0]["problems"]
    assert "部门编码“NOPE”不存在" in by["BAD-DEPT"][0]["problems"][0]
    assert "取号类别“Z”不存在" in by["BAD-CAT"][0]["problems"][0]
    assert "取值不在可选范围" in by["BAD-KIND"][0]["problems"][0]
    assert by["BAD-LIMIT"][0]["problems"] == ["承诺时限不能长于法定时限"]
    assert "应为合理的整数" in by["BAD-INT"][0]["problems"][0]
    assert "在事项表中不存在" in by["GHOST-1"][0]["problems"][0]
    assert out["bad"] == 9  # the 8 bad rows, and the good row whose material row is bad
    with app.state.ctx.db.read() as s:
        assert events.last_seq(s) == seq  # nothing written


def test_a_clean_file_previews_ok_and_then_imports(client, login):
    admin = login("9001")
    raw = _catalog(client, admin)
    out = client.post("/api/v1/admin/catalog/preview", content=raw, headers=admin).json()
    assert out["ok"] is True and out["bad"] == 0
    r = client.post("/api/v1/catalog/import", params={"format": "xlsx"}, content=raw, headers=admin)
    assert r.status_code == 200 and r.json()["updated"] == out["total"]


def test_a_file_that_is_not_xlsx_is_refused_in_chinese(client, login):
    r = client.post("/api/v1/admin/catalog/preview", content=b"hello", headers=login("9001"))
    assert r.status_code == 422 and "xlsx" in r.json()["error"]["message"]
