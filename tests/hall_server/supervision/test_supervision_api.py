"""The supervision office over HTTP on the real migrated demo hall: cards raised from
what happened, opened on their evidence, signed off (itself an event), log search,
timelines, the chain check and exports read back."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

API = "/api/v1"


def take(client, kiosk, category="A"):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/tickets", json={"category": category}, headers=kiosk)
    assert r.status_code == 201, r.text
    return r.json()["number"]


@pytest.fixture
def long_wait_morning(client, kiosk, login, clock):  # type: ignore[no-untyped-def]
    """A001 taken at 09:00; clerk 1001 signs in only at 10:05 and calls it."""
    take(client, kiosk)
    clock.advance(minutes=65)
    clerk = login("1001", window_no=1)
    assert client.post(f"{API}/windows/1/call-next", headers=clerk).status_code == 200
    return clerk


def test_a_65_minute_wait_and_a_late_start_raise_red_cards(client, login, long_wait_morning):
    sup = login("4001")
    r = client.get(f"{API}/supervision/cards", headers=sup)
    assert r.status_code == 200, r.text
    body = r.json()
    keys = {k["key"] for k in body["cards"]}
    assert "long_wait/2026-11-24/red/A001" in keys
    assert "off_duty/2026-11-24/red/1001" in keys
    wait = next(k for k in body["cards"] if k["rule"] == "long_wait")
    assert wait["facts"]["wait_minutes"] == 65 and wait["level_label"] == "红牌" and not wait["signed_off"]
    assert body["open"] == len(body["cards"]) and body["red"] >= 2


def test_a_card_opens_on_the_log_entries_it_rests_on(client, login, long_wait_morning):
    sup = login("4001")
    r = client.get(f"{API}/supervision/cards/detail", params={"key": "long_wait/2026-11-24/red/A001"}, headers=sup)
    assert r.status_code == 200, r.text
    types = [e["type"] for e in r.json()["events"]]
    assert types == ["ticket.issued", "ticket.called"]
    bad = client.get(f"{API}/supervision/cards/detail", params={"key": "long_wait/2026-11-24/red/Z999"}, headers=sup)
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "card_not_found"


def test_sign_off_is_an_event_once_per_card_and_retries_are_idempotent(client, login, long_wait_morning):
    sup = login("4001")
    key = "long_wait/2026-11-24/red/A001"
    h = {**sup, "Idempotency-Key": "so-1"}
    r = client.post(f"{API}/supervision/cards/signoff", json={"key": key, "note": "已约谈窗口负责人"}, headers=h)
    assert r.status_code == 201, r.text
    seq = r.json()["event_seq"]
    again = client.post(f"{API}/supervision/cards/signoff", json={"key": key, "note": "已约谈窗口负责人"}, headers=h)
    assert again.status_code == 201 and again.json()["event_seq"] == seq
    twice = client.post(f"{API}/supervision/cards/signoff", json={"key": key}, headers=sup)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_signed_off"
    log = client.get(f"{API}/supervision/events", params={"type": "card.signed_off"}, headers=sup).json()
    assert [e["seq"] for e in log["events"]] == [seq]
    assert log["events"][0]["data"]["card_key"] == key and log["events"][0]["data"]["staff_no"] == "4001"
    listed = client.get(f"{API}/supervision/cards", params={"rule": "long_wait"}, headers=sup).json()
    assert listed["cards"][0]["signed_off"] and listed["cards"][0]["note"] == "已约谈窗口负责人"
    assert client.get(f"{API}/supervision/cards", params={"open_only": True, "rule": "long_wait"},
                      headers=sup).json()["cards"] == []


def test_only_the_supervision_office_signs_off_and_clerks_see_no_cards(client, login, long_wait_morning):
    key = "long_wait/2026-11-24/red/A001"
    manager = login("3001")
    assert client.get(f"{API}/supervision/cards", headers=manager).status_code == 200
    r = client.post(f"{API}/supervision/cards/signoff", json={"key": key}, headers=manager)
    assert r.status_code == 403
    assert client.get(f"{API}/supervision/cards", headers=long_wait_morning).status_code == 403
    assert client.get(f"{API}/supervision/events", headers=long_wait_morning).status_code == 403


def test_a_malformed_card_key_is_a_422_not_a_500(client, login):
    sup = login("4001")
    r = client.post(f"{API}/supervision/cards/signoff", json={"key": "rubbish-key"}, headers=sup)
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_card_key"


def test_log_search_by_ticket_staff_window_type_and_pages(client, kiosk, login, clock, long_wait_morning):
    sup = login("4001")
    for _ in range(3):
        take(client, kiosk, "B")
    s = lambda **p: client.get(f"{API}/supervision/events", params=p, headers=sup).json()  # noqa: E731
    assert [e["type"] for e in s(ticket="A001")["events"]] == ["ticket.called", "ticket.issued"]
    assert {e["type"] for e in s(staff_no="1001")["events"]} >= {"duty.started", "ticket.called"}
    assert all(e["window_no"] == 1 for e in s(window_no=1)["events"])
    issued = s(type="ticket.issued")
    assert issued["count"] == 4 and not issued["more"]
    page1 = s(type="ticket.", limit=2)
    assert page1["count"] == 2 and page1["more"]
    page2 = s(type="ticket.", limit=10, before_seq=page1["events"][-1]["seq"])
    assert page2["count"] == 3 and not page2["more"]
    assert s(**{"from": "2026-11-24T10:00:00", "to": "2026-11-24T23:00:00", "type": "ticket.issued"})["count"] == 3


def test_staff_day_timeline_counts_duty_and_calls(client, login, clock, long_wait_morning):
    clock.advance(minutes=30)
    sup = login("4001")
    r = client.get(f"{API}/supervision/timeline/staff/1001", params={"day": "2026-11-24"}, headers=sup)
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["summary"]["called"] == 1 and t["summary"]["on_duty_minutes"] == 30
    assert "王建国" in t["title"]
    assert client.get(f"{API}/supervision/timeline/staff/0000", headers=sup).status_code == 404


def test_chain_check_reports_ok_and_is_itself_logged(client, login, long_wait_morning):
    sup = login("4001")
    r = client.post(f"{API}/supervision/audit-check", headers=sup)
    assert r.status_code == 200
    out = r.json()
    assert out["ok"] is True and out["reason"] == "完整" and out["checked"] == out["last_seq"]
    logged = client.get(f"{API}/supervision/events", params={"type": "audit.checked"}, headers=sup).json()
    assert logged["events"][0]["seq"] == out["event_seq"] and logged["events"][0]["data"]["ok"] is True


def test_exports_read_back_as_xlsx_cells_and_pdf_text(client, login, long_wait_morning):
    sup = login("4001")
    params = {"from": "2026-11-24T00:00:00", "to": "2026-11-25T00:00:00"}
    x = client.get(f"{API}/supervision/export.xlsx", params=params, headers=sup)
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(x.content))
    log = wb["事件日志"]
    rows = list(log.iter_rows(min_row=4, values_only=True))
    assert ("叫号", "A001") in {(r[4], r[7]) for r in rows}
    called = next(r[5] for r in rows if r[4] == "叫号" and r[7] == "A001")
    assert re.fullmatch(r"\S+（1001）在 1 号窗口叫号 A001", called)  # the catalogue's sentence, with the name
    assert not any("{" in str(c) or "ticket." in str(c) for r in rows for c in r)  # no JSON, no type codes
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[1]) for r in rows)  # full local times
    cards = list(wb["红黄牌"].iter_rows(min_row=4, values_only=True))
    assert any(r[0] == "红牌" and r[11] == "long_wait/2026-11-24/red/A001" for r in cards)
    p = client.get(f"{API}/supervision/export.pdf", params=params, headers=sup)
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(p.content)).pages)
    assert "监察报告" in text and "在 1 号窗口叫号 A001" in text.replace("\n", "") and "红牌" in text
    assert "ticket.called" not in text and '{"' not in text
