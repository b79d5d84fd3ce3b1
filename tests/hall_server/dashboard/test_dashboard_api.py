"""The manager's dashboard, device heartbeats and the hall reports over HTTP, on the
real migrated demo hall; reports are opened back (PDF text, xlsx cells)."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

API = "/api/v1"


def take(client, kiosk, category="A"):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/tickets", json={"category": category}, headers=kiosk)
    assert r.status_code == 201, r.text
    return r.json()["number"]


def serve_one(client, clerk, window_no, clock, *, wait_min=0, service_min=0):  # type: ignore[no-untyped-def]
    clock.advance(minutes=wait_min)
    assert client.post(f"{API}/windows/{window_no}/call-next", headers=clerk).status_code == 200
    assert client.post(f"{API}/windows/{window_no}/start", headers=clerk).status_code == 200
    clock.advance(minutes=service_min)
    assert client.post(f"{API}/windows/{window_no}/complete", headers=clerk).status_code == 200


def busy_morning(client, kiosk, login, clock):  # type: ignore[no-untyped-def]
    """3 A tickets and 1 B; window 1 serves two A (waits 10 and 20 min, 5 min each);
    window 5 pauses; one A is still waiting."""
    for cat in "AAAB":
        take(client, kiosk, cat)
    w1 = login("1001", window_no=1)
    serve_one(client, w1, 1, clock, wait_min=10, service_min=5)   # A001 waited 10
    serve_one(client, w1, 1, clock, wait_min=5, service_min=5)    # A002 waited 20
    w5 = login("1005", window_no=5)
    assert client.post(f"{API}/windows/5/pause", json={"reason": "系统维护"}, headers=w5).status_code == 200
    return w1, w5


def test_dashboard_shows_queues_windows_and_todays_figures(client, kiosk, login, clock):
    busy_morning(client, kiosk, login, clock)
    mgr = login("3001")
    r = client.get(f"{API}/dashboard", headers=mgr)
    assert r.status_code == 200, r.text
    d = r.json()
    a = next(k for k in d["categories"] if k["prefix"] == "A")
    assert a["waiting"] == 1 and a["served"] == 2
    assert a["avg_wait_s"] == 15 * 60 and a["avg_service_s"] == 5 * 60
    assert a["longest_wait_s"] == 25 * 60  # A003 taken at 09:00, now 09:25
    wins = {w["window_no"]: w for w in d["windows"]}
    assert wins[1]["state"] == "idle" and wins[1]["staff_name"] == "王建国" and wins[1]["served_today"] == 2
    assert wins[5]["state"] == "paused" and wins[5]["pause_reason"] == "系统维护"
    assert wins[9]["state"] == "offline"
    assert d["today"]["tickets"] == 4 and d["today"]["served"] == 2
    assert [h["key"] for h in d["by_hour"]] == ["09"]
    assert d["trend"][-1]["day"] == "2026-11-24" and d["trend"][-1]["tickets"] == 4
    assert d["last_seq"] > 0 and len(d["trend"]) == 30


def test_dashboard_is_for_managers_not_clerks_or_kiosks(client, kiosk, login):
    assert client.get(f"{API}/dashboard", headers=login("1001")).status_code == 403
    assert client.get(f"{API}/dashboard", headers=kiosk).status_code == 403
    assert client.get(f"{API}/dashboard", headers=login("4001")).status_code == 200


def test_device_status_change_is_an_event_a_heartbeat_is_not(client, login, device_tokens, clock):
    ev = {"Authorization": f"Bearer {device_tokens['evaluator-3']}"}
    body = {"devices": [{"name": "evaluator-3", "kind": "evaluator", "status": "ok"}]}
    assert client.post(f"{API}/devices/health", json=body, headers=ev).json() == {"received": 1, "changed": 1}
    clock.advance(seconds=60)
    assert client.post(f"{API}/devices/health", json=body, headers=ev).json()["changed"] == 0
    clerk = login("1003", window_no=3)
    pc = {"devices": [{"name": "window-3/receipt-printer", "kind": "printer", "status": "error", "detail": "缺纸"}]}
    assert client.post(f"{API}/devices/health", json=pc, headers=clerk).json()["changed"] == 1
    sup = login("4001")
    evs = client.get(f"{API}/supervision/events", params={"type": "device.status", "from": "2026-11-24T00:00:00"},
                     headers=sup).json()["events"]
    assert [(e["data"]["device"], e["data"]["status"]) for e in evs] == [
        ("window-3/receipt-printer", "error"), ("evaluator-3", "ok")]
    assert evs[0]["window_no"] == 3
    devs = {x["name"]: x for x in client.get(f"{API}/dashboard", headers=login("3001")).json()["devices"]}
    assert devs["window-3/receipt-printer"]["status"] == "error" and devs["window-3/receipt-printer"]["detail"] == "缺纸"
    assert devs["evaluator-3"]["status"] == "ok"
    assert devs["kiosk-1"]["status"] == "never"  # registered, never reported: says so


def test_a_device_whose_heartbeat_stopped_shows_offline(client, login, device_tokens, clock):
    ev = {"Authorization": f"Bearer {device_tokens['evaluator-2']}"}
    client.post(f"{API}/devices/health", json={"devices": [{"name": "evaluator-2", "kind": "evaluator",
                                                            "status": "ok"}]}, headers=ev)
    clock.advance(minutes=5)
    devs = {x["name"]: x for x in client.get(f"{API}/devices/health", headers=login("3001")).json()}
    assert devs["evaluator-2"]["status"] == "offline" and devs["evaluator-2"]["reported"] == "ok"


def test_bad_device_report_is_422(client, login):
    r = client.post(f"{API}/devices/health", json={"devices": [{"name": "x", "kind": "toaster", "status": "ok"}]},
                    headers=login("1001"))
    assert r.status_code == 422


def test_yesterday_from_the_rollup_equals_yesterday_computed_live(client, kiosk, login, clock):
    busy_morning(client, kiosk, login, clock)
    mgr = login("3001")
    live = client.get(f"{API}/reports/daily", params={"day": "2026-11-24"}, headers=mgr).json()
    clock.advance(days=1)
    mgr = login("3001")
    rolled = client.get(f"{API}/reports/daily", params={"day": "2026-11-24"}, headers=mgr).json()
    assert rolled["total"] == live["total"] and rolled["by_window"] == live["by_window"]
    assert rolled["total"]["tickets"] == 4 and rolled["total"]["avg_wait_s"] == 15 * 60
    month = client.get(f"{API}/reports/monthly", params={"month": "2026-11"}, headers=mgr).json()
    assert month["total"]["tickets"] == 4 and len(month["by_day"]) == 25  # up to today, the 25th
    year = client.get(f"{API}/reports/yearly", params={"year": 2026}, headers=mgr).json()
    assert year["total"]["served"] == 2 and [m["key"] for m in year["by_month"]][-2:] == ["2026-10", "2026-11"]


def test_daily_report_pdf_and_xlsx_open_back_with_the_same_figures(client, kiosk, login, clock):
    busy_morning(client, kiosk, login, clock)
    mgr = login("3001")
    pdf = client.get(f"{API}/reports/daily", params={"day": "2026-11-24", "format": "pdf"}, headers=mgr)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "日报" in text and "2026-11-24" in text and "分时段取号与办结" in text and "15.0 分钟" in text
    x = client.get(f"{API}/reports/daily", params={"day": "2026-11-24", "format": "xlsx"}, headers=mgr)
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["汇总", "分类别", "分部门", "分窗口", "分时段"]
    rows = {r[0]: r for r in wb["分类别"].iter_rows(min_row=3, values_only=True)}
    a = next(v for k, v in rows.items() if k.startswith("A "))
    assert a[1] == 3 and a[2] == 2 and a[4] == 15.0  # tickets, served, avg wait in minutes


def test_monthly_and_yearly_reports_render_as_pdf_and_xlsx(client, kiosk, login, clock):
    busy_morning(client, kiosk, login, clock)
    mgr = login("3001")
    for path, params, word in (("monthly", {"month": "2026-11"}, "月报"), ("yearly", {"year": 2026}, "年度")):
        p = client.get(f"{API}/reports/{path}", params={**params, "format": "pdf"}, headers=mgr)
        assert p.status_code == 200, p.text
        assert word in "".join(pg.extract_text() for pg in PdfReader(io.BytesIO(p.content)).pages)
        x = client.get(f"{API}/reports/{path}", params={**params, "format": "xlsx"}, headers=mgr)
        assert x.status_code == 200
        assert load_workbook(io.BytesIO(x.content))["汇总"]["A1"].value.endswith(
            ("2026-11", "年度政务服务数据"))


def test_bad_month_is_422(client, login):
    r = client.get(f"{API}/reports/monthly", params={"month": "2026-13"}, headers=login("3001"))
    assert r.status_code == 422
