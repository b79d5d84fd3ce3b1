"""Issue 15 over HTTP (TestClient on the migrated demo hall): the printed addresses come
from the one setting, the case page needs its code, rating works as a plain form, the
public endpoints are rate limited per source, and every page is small."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from fastapi.routing import APIRoute

BASE = "http://hall.example.cn:9000"
SG_ALL = [{"code": f"M{i}", "status": "received"} for i in range(1, 7)]
PERSON = {"kind": "person", "name": "张三丰", "id_number": "11010519491231002X", "phone": "13800138000"}


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"public_base_url": BASE})


def accept(client, kiosk, clerk) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    t = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    assert client.post("/api/v1/windows/1/call-next", headers=clerk).status_code == 200
    assert client.post("/api/v1/windows/1/start", headers=clerk).status_code == 200
    r = client.post("/api/v1/cases", headers=clerk, json={
        "matter_code": "ZJ-001", "window_no": 1, "applicant": PERSON, "materials": SG_ALL, "outcome": "accept"})
    assert r.status_code == 201, r.text
    return t, r.json()


def path_of(url: str) -> str:
    u = urlsplit(url)
    return u.path + (f"?{u.query}" if u.query else "")


def test_every_printed_qr_and_link_is_built_from_the_setting(client, kiosk, login, tmp_path):
    from hall_client.widgets.intake_panel import slip_for
    from hall_server.contract import SlipOut
    from printers import open_device
    from printers.decode import decode
    from printers.slips import TicketSlip
    clerk = login("1001", window_no=1)
    t, case = accept(client, kiosk, clerk)
    assert t["rating_url"].startswith(BASE + "/m/t/") and case["public_url"].startswith(BASE + "/m/c/")
    fields = SlipOut.model_validate(client.get(f"/api/v1/cases/{case['case_no']}/slip", headers=clerk).json())
    printer = open_device("sim:printer")
    try:
        notice = decode(bytes(printer.render(slip_for(fields, tz=ZoneInfo("Asia/Shanghai"), window_no=1,
                                                      clerk_no="1001")).data))
        ticket = decode(bytes(printer.render(TicketSlip(hall_name="h", number=t["number"], category_name="A",
                                                        waiting_ahead=0, issued_at=fields.issued_at,
                                                        qr_payload=t["rating_url"])).data))
    finally:
        printer.close()
    qrs = notice.qr_payloads + ticket.qr_payloads
    assert qrs == [case["public_url"], t["rating_url"], t["rating_url"]]
    assert all(q.startswith(BASE + "/m/") for q in qrs)
    pdf = tmp_path / "n.pdf"
    pdf.write_bytes(client.get(case["notices"][0]["pdf_url"], headers=clerk).content)
    text = "".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                  timeout=30, check=True).stdout.split())
    assert BASE + "/m/c/" + case["case_no"] in text and BASE + "/m/t/" in text
    assert "127.0.0.1" not in text
    for url in qrs:  # and each one opens a page of this server
        assert client.get(path_of(url)).status_code == 200


def test_new_query_codes_have_12_characters_and_old_6_character_codes_still_open(client, kiosk, login, app):
    from sqlalchemy import update

    from hall_server.models.cases import Case
    clerk = login("1001", window_no=1)
    _, case = accept(client, kiosk, clerk)
    assert len(case["query_code"]) == 12
    with app.state.ctx.db.write() as s:  # a notice printed before the change
        s.execute(update(Case).where(Case.case_no == case["case_no"]).values(query_code="K7PQ2M"))
    r = client.get(f"/m/c/{case['case_no']}", params={"code": "k7pq2m"})
    assert r.status_code == 200 and "办理进程" in r.text


def test_guessing_any_case_of_a_year_at_the_limit_stays_below_one_in_a_million(settings):
    from hall_server.domain import cases as dc
    per_year = settings.case_guess_burst + settings.case_guess_per_hour * 24 * 365
    odds = dc.guess_odds(cases_per_year=1_000_000, guesses_per_year=per_year)
    assert odds < 1e-6, odds
    assert dc.guess_odds(cases_per_year=1_000_000, guesses_per_year=per_year, length=6) > 1  # why 6 was not enough


def test_the_case_page_shows_nothing_without_its_code(client, kiosk, login):
    _, case = accept(client, kiosk, login("1001", window_no=1))
    r = client.get(f"/m/c/{case['case_no']}")
    assert r.status_code == 200 and 'name="code"' in r.text
    for secret in ("张", "ZJ-001", "施工", "13800138000", "138****8000"):
        assert secret not in r.text


def test_the_case_page_with_its_code_shows_masked_applicant_steps_limits_fees_and_phones(client, kiosk, login):
    _, case = accept(client, kiosk, login("1001", window_no=1))
    html = client.get(path_of(case["public_url"])).text
    assert "张**" in html and "张三丰" not in html and "11010519491231002X" not in html and "138" not in html
    for what in ("承诺时限", "3 个工作日", "法定时限", "个工作日", "受理", "2026年11月24日 09:", "应缴未缴", "¥0.00",
                 "咨询电话", "投诉电话", case["matter_name"]):
        assert what in html, what


def test_an_unknown_case_and_a_wrong_code_get_the_same_answer(client, kiosk, login):
    _, case = accept(client, kiosk, login("1001", window_no=1))
    real, ghost = case["case_no"], "SG20261124-0999"
    wrong = client.get(f"/m/c/{real}", params={"code": "AAAAAAAAAAAA"})
    unknown = client.get(f"/m/c/{ghost}", params={"code": "AAAAAAAAAAAA"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.text.replace(real, "X") == unknown.text.replace(ghost, "X")
    api_wrong = client.get(f"/api/v1/cases/{real}/public", params={"code": "AAAAAAAAAAAA"})
    api_unknown = client.get(f"/api/v1/cases/{ghost}/public", params={"code": "AAAAAAAAAAAA"})
    assert api_wrong.status_code == api_unknown.status_code == 404 and api_wrong.json() == api_unknown.json()


def test_wrong_codes_spend_the_guess_allowance_and_then_every_lookup_is_refused(client, kiosk, login, settings):
    _, case = accept(client, kiosk, login("1001", window_no=1))
    for _ in range(5):  # right codes cost nothing
        assert client.get(path_of(case["public_url"])).status_code == 200
    for _ in range(settings.case_guess_burst):
        assert client.get(f"/m/c/{case['case_no']}", params={"code": "WRONGWRONG22"}).status_code == 404
    r = client.get(path_of(case["public_url"]))  # now even the right code: guessing learns nothing
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "访问过于频繁" in r.text and r.headers["content-type"].startswith("text/html")
    api = client.get(f"/api/v1/cases/{case['case_no']}/public", params={"code": case["query_code"]})
    assert api.status_code == 429 and api.json()["error"]["code"] == "rate_limited"
    assert "秒后再试" in api.json()["error"]["message"] and api.headers["retry-after"]
    # the kiosk is signed in: its citizens' lookups are not charged to its address
    ok = client.get(f"/api/v1/cases/{case['case_no']}/public", params={"code": case["query_code"]}, headers=kiosk)
    assert ok.status_code == 200


def test_too_many_page_requests_from_one_address_get_429_in_chinese_with_retry_after(client, settings):
    codes = [client.get("/m/t/1-notatoken").status_code for _ in range(settings.phone_rate_burst)]
    assert set(codes) == {404}
    r = client.get("/m/t/1-notatoken")
    assert r.status_code == 429 and r.headers["retry-after"] == "1"  # 60 a minute: one more each second
    assert "访问过于频繁，请 1 秒后再试。" in r.text
    j = client.get("/api/v1/rate/1-notatoken")
    assert j.status_code == 429 and j.json()["error"]["message"] == "访问过于频繁，请 1 秒后再试。"


def _deps(route: APIRoute) -> set[Any]:
    out, stack = set(), list(route.dependant.dependencies)
    while stack:
        d = stack.pop()
        out.add(d.call)
        stack.extend(d.dependencies)
    return out


def test_every_public_endpoint_but_sign_in_and_health_is_rate_limited(app):
    from hall_server.api.deps import public
    from hall_server.api.ratelimit import phone_public
    from fastapi.routing import iter_route_contexts
    routes = [(rc.path, rc.original_route) for rc in iter_route_contexts(app.routes)
              if isinstance(rc.original_route, APIRoute)]
    open_routes = [(p, r) for p, r in routes if public in _deps(r) or phone_public in _deps(r)]
    limited = {p for p, r in open_routes if phone_public in _deps(r)}
    unlimited = {p for p, _ in open_routes} - limited
    assert unlimited == {"/api/v1/auth/login", "/api/v1/health"}  # sign-in has its own lockout
    assert {"/m/t/{token}", "/m/t/{token}/events", "/m/t/{token}/rate", "/m/c/{case_no}",
            "/api/v1/cases/{case_no}/public", "/api/v1/rate/{token}"} <= limited


def test_the_rating_form_works_as_a_plain_post_without_javascript(client, kiosk, login):
    t = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    clerk = login("1001", window_no=1)
    for step in ("call-next", "start", "complete"):
        assert client.post(f"/api/v1/windows/1/{step}", headers=clerk).status_code == 200
    page = client.get(path_of(t["rating_url"])).text
    action = re.search(r'<form id="rate"[^>]* method="post" action="([^"]+)"', page).group(1)
    r = client.post(action, content="level=satisfied&reason=long_wait&comment=%E5%BE%88%E5%A5%BD",
                    headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?rated=1")
    after = client.get(r.headers["location"]).text
    assert "感谢您的评价" in after and "已评价" in after and '<form id="rate"' not in after
    again = client.post(action, content="level=dissatisfied", follow_redirects=False,
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert again.status_code == 303  # rated once: the repeat changes nothing
    ratings = client.get("/api/v1/ratings?limit=50", headers=login("4001")).json()
    mine = [x for x in (ratings.get("items") or ratings.get("ratings") or []) if x.get("ticket") == t["number"]]
    assert [x["level"] for x in mine] in ([], ["satisfied"])
    empty = client.post(action, content="", headers={"content-type": "application/x-www-form-urlencoded"})
    assert empty.status_code == 422 and "请选择一项评价" in empty.text


def test_every_phone_page_is_under_100_kb_and_loads_nothing_from_elsewhere(client, kiosk, login):
    t, case = accept(client, kiosk, login("1001", window_no=1))
    pages = [client.get(path_of(t["rating_url"])), client.get(path_of(case["public_url"])),
             client.get(f"/m/c/{case['case_no']}"), client.get("/m/t/1-bad")]
    for r in pages:
        assert len(r.content) < 100_000, (r.url, len(r.content))
        assert not re.search(r'(src|href)="(https?:)?//', r.text) and "@import" not in r.text
        assert "<html lang=\"zh-CN\">" in r.text and "width=device-width" in r.text


def test_the_ticket_page_counts_who_is_ahead_and_estimates_from_recent_services(client, kiosk, login, clock):
    clerk = login("1001", window_no=1)
    for _ in range(4):  # four services of 6 minutes each: the pace the estimate uses
        client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
        client.post("/api/v1/windows/1/call-next", headers=clerk)
        client.post("/api/v1/windows/1/start", headers=clerk)
        clock.advance(minutes=6)
        client.post("/api/v1/windows/1/complete", headers=clerk)
    mine = [client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json() for _ in range(3)][-1]
    token = urlsplit(mine["rating_url"]).path.rsplit("/", 1)[1]
    s = client.get(f"/m/t/{token}/status").json()
    assert s["state"] == "waiting" and s["ahead"] == 2 and s["serving_windows"] >= 1
    assert s["estimate_min"] == -(-2 * 6 // s["serving_windows"])
    assert "最近 4 位" in s["estimate_basis"]
    assert "仅供参考" in client.get(f"/m/t/{token}").text
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    assert client.get(f"/m/t/{token}/status").json()["ahead"] == 1


def test_a_loopback_address_is_said_loudly_and_a_malformed_one_refused(settings):
    from pydantic import ValidationError

    from hall_server.services import public_url
    from hall_server.settings import Settings
    for url in ("http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:8080", "http://0.0.0.0:80"):
        assert public_url.is_loopback(url)
        assert "回环" in (public_url.startup_warning(settings.model_copy(update={"public_base_url": url})) or "")
    assert public_url.startup_warning(settings) is None and not public_url.is_loopback(BASE)
    assert "未设置" in (public_url.startup_warning(settings.model_copy(update={"public_base_url": ""})) or "")
    for bad in ("hall.example.cn", "ftp://x", "http://h/?a=1"):
        with pytest.raises(ValidationError):
            Settings(public_base_url=bad)
    assert Settings(public_base_url="https://zwfw.example.gov.cn/").public_base_url == "https://zwfw.example.gov.cn"


def test_without_a_setting_run_prints_qr_codes_for_the_address_it_listens_on():
    from hall_server.__main__ import listen_url
    assert listen_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert listen_url("0.0.0.0", 8123).startswith("http://") and listen_url("0.0.0.0", 8123).endswith(":8123")


def test_the_case_page_shows_fees_owed_and_then_paid(client, login):
    clerk, cashier = login("1005", window_no=5), login("2001", window_no=12)
    r = client.post("/api/v1/cases", headers=clerk, json={
        "matter_code": "BDC-001", "window_no": 5, "outcome": "accept", "applicant": PERSON,
        "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]})
    assert r.status_code == 201, r.text
    case = r.json()
    notice = client.post("/api/v1/fees/notices", headers=clerk, json={
        "case_no": case["case_no"], "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]}).json()
    owed = notice["total_fen"]
    money = re.compile(r'应缴未缴</span><b>([^<]+)</b>.*?已缴</span><b>([^<]+)</b>')
    from hall_server.domain.money import yuan
    assert money.search(client.get(path_of(case["public_url"])).text).groups() == (yuan(owed), "¥0.00")
    paid = client.post("/api/v1/fees/receipts", headers=cashier, json={"notice": notice["notice_no"], "method": "cash",
                                                                        "tendered_fen": owed})
    assert paid.status_code == 201, paid.text
    assert money.search(client.get(path_of(case["public_url"])).text).groups() == ("¥0.00", yuan(owed))


def test_the_server_refuses_to_start_on_an_address_phones_cannot_open(monkeypatch, capsys, tmp_path):
    from hall_server.__main__ import main
    monkeypatch.setenv("HALL_PUBLIC_BASE_URL", "hall.local")
    assert main(["--data-dir", str(tmp_path), "run", "--port", "1"]) == 2
    assert "设置有误：HALL_PUBLIC_BASE_URL 应为手机能访问的网址" in capsys.readouterr().err


def test_the_receipt_carries_the_cases_phone_page_built_from_the_setting(client, login, tmp_path):
    from hall_client.widgets.fee_panel import receipt_slip
    from hall_server.contract import ReceiptOut
    from printers import open_device
    from printers.decode import decode
    clerk, cashier = login("1005", window_no=5), login("2001", window_no=12)
    case = client.post("/api/v1/cases", headers=clerk, json={
        "matter_code": "BDC-001", "window_no": 5, "outcome": "accept", "applicant": PERSON,
        "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]}).json()
    notice = client.post("/api/v1/fees/notices", headers=clerk, json={
        "case_no": case["case_no"], "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]}).json()
    r = client.post("/api/v1/fees/receipts", headers=cashier, json={
        "notice": notice["notice_no"], "method": "cash", "tendered_fen": notice["total_fen"]})
    assert r.status_code == 201, r.text
    receipt = ReceiptOut.model_validate(r.json())
    assert receipt.case_url == case["public_url"] and receipt.case_url.startswith(BASE + "/m/c/")
    printer = open_device("sim:printer")
    try:
        slip = decode(bytes(printer.render(receipt_slip(receipt, tz=ZoneInfo("Asia/Shanghai"))).data))
    finally:
        printer.close()
    assert slip.qr_payloads == [case["public_url"]] and "扫码查看办件进度" in "".join(slip.texts)
    pdf = client.get(f"/api/v1/fees/receipts/{receipt.receipt_no}/pdf", headers=cashier)
    assert pdf.status_code == 200, pdf.text
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = "".join(subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                                  text=True, timeout=30, check=True).stdout.split())
    assert case["public_url"] in text
    assert client.get(path_of(receipt.case_url)).status_code == 200


def test_the_address_saved_in_the_hall_profile_is_the_one_printed_from_then_on(client, kiosk, login):
    """系统管理 → 大厅信息 → 公网地址 overrides the setting for every printed QR, from the next print on."""
    admin, clerk = login("9001"), login("1001", window_no=1)
    before = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    assert before["rating_url"].startswith(BASE + "/m/t/")
    prof = client.get("/api/v1/admin/profile", headers=admin).json()
    saved = "https://zwfw.example.cn"
    assert client.put("/api/v1/admin/profile", json={**prof, "public_base_url": saved + "/"},
                      headers=admin).status_code == 200
    t, case = accept(client, kiosk, clerk)
    assert t["rating_url"].startswith(saved + "/m/t/") and case["public_url"].startswith(saved + "/m/c/")
    assert client.get(path_of(t["rating_url"])).status_code == 200
