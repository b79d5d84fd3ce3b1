"""Each class of bad input a client can send gets a 422 with a Chinese message (or is
cleaned where that is right), on SQLite and PostgreSQL: NUL and control characters,
integers beyond 64 bits, dates at the ends of the calendar, control characters stored
earlier reaching an xlsx export."""
from __future__ import annotations

import io

import pytest

BIG = "9" * 25  # beyond 64 bits (and beyond PostgreSQL's bigint)


def _is_422_in_chinese(r) -> bool:  # type: ignore[no-untyped-def]
    if r.status_code != 422:
        return False
    msg = r.json()["error"]["message"]
    return any("\u4e00" <= ch <= "\u9fff" for ch in msg)


def test_nul_and_control_characters_in_a_body_are_refused(client, login):
    clerk = login("1001", window_no=1)
    for bad in ("问\u0000题", "问\u0001题", "问\u001b[31m题"):
        r = client.post("/api/v1/inquiries", json={"question": bad}, headers=clerk)
        assert _is_422_in_chinese(r) and r.json()["error"]["code"] == "control_character", r.text
    ok = client.post("/api/v1/inquiries", json={"question": "第一行\n第二行\t缩进"}, headers=clerk)
    assert ok.status_code == 201  # line breaks and tabs are text


def test_nul_in_a_path_or_query_is_refused(client, login):
    sup = login("4001")
    for url in ("/api/v1/supervision/events?staff_no=10%0001", "/api/v1/supervision/timeline/case/AB%00C",
                "/api/v1/supervision/timeline/staff/1001%00"):
        r = client.get(url, headers=sup)
        assert _is_422_in_chinese(r), (url, r.status_code, r.text)


@pytest.mark.parametrize("url", [
    f"/api/v1/supervision/events?before_seq={BIG}",
    f"/api/v1/events/log?after={BIG}",
    f"/api/v1/supervision/events?window_no={BIG}",
])
def test_integers_beyond_64_bits_in_a_query_are_422(client, login, url):
    r = client.get(url, headers=login("4001"))
    assert r.status_code < 500 and (r.status_code == 200 or _is_422_in_chinese(r)), (r.status_code, r.text)


def test_integers_beyond_64_bits_in_a_path_and_a_body_are_422(client, login):
    admin = login("9001")
    r = client.post("/api/v1/admin/windows", json={"window_no": int(BIG), "name": "x", "categories": ["A"]},
                    headers=admin)
    assert _is_422_in_chinese(r), r.text
    clerk = login("1001", window_no=1)
    r = client.post(f"/api/v1/windows/{BIG}/call-next", headers=clerk)
    assert r.status_code < 500 and r.status_code in (403, 404, 422), r.text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_422_or_answered(client, login, day):
    sup = login("4001")
    for url in (f"/api/v1/supervision/timeline/staff/1001?day={day}",
                f"/api/v1/supervision/cards?from={day}&to={day}",
                f"/api/v1/supervision/events?from={day}T00:00:00&to={day}T23:59:59",
                f"/api/v1/supervision/export.xlsx?from={day}T00:00:00"):
        r = client.get(url, headers=sup)
        assert r.status_code < 500 and (r.status_code == 200 or _is_422_in_chinese(r)), (url, r.status_code,
                                                                                       r.text[:200])


def test_control_characters_stored_earlier_are_cleaned_in_the_xlsx_export(client, app, login):
    from openpyxl import load_workbook

    from hall_server.services import events
    from hall_server.services.actors import SYSTEM
    with app.state.ctx.db.write() as s:  # as if stored before the door refused them
        events.append(s, "inquiry.logged", actor=SYSTEM, at=app.state.ctx.now(),
                      data={"question": "旧数据", "inquiry_no": "Q-OLD", "staff_no": "10\u000101\u000c"})
    r = client.get("/api/v1/supervision/export.xlsx", headers=login("4001"))
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content))
    text = "".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value)
    assert "1001" in text and "\u0001" not in text and "\u000c" not in text
