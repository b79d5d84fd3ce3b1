"""Dashboard mode against the live server: loads the snapshot after sign-in and then
follows the event stream (no polling): numbers taken, calls, pauses and a device
fault appear on screen as they happen."""
from __future__ import annotations

from datetime import datetime, timezone

from hall_server.contract import DashboardOut, DeviceHealthOut, EventOut, FiguresOut
from hall_client.widgets.dashboard_state import Dash, apply


def _signed_in_dashboard(qtbot, client_factory, wait_ms):  # type: ignore[no-untyped-def]
    b = client_factory("dashboard", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("3001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(w.updated, timeout=wait_ms):
        w.login.button.click()
    return b


def test_dashboard_follows_the_stream_without_polling(qtbot, client_factory, take_ticket, clerk_api, wait_ms):
    b = _signed_in_dashboard(qtbot, client_factory, wait_ms)
    w = b.widget
    gets: list[str] = []
    b.ctx.api.request_sent.connect(lambda method, path: gets.append(path))
    assert w.dash is not None and w.dash.cat("A").waiting == 0
    take_ticket("A")
    take_ticket("A")
    qtbot.wait_until(lambda: w.dash.cat("A").waiting == 2, timeout=wait_ms)
    assert w.fig["tickets"].text() == "2"
    clerk = clerk_api("1001", 1)
    assert clerk.post("/windows/1/call-next").status_code == 200
    qtbot.wait_until(lambda: w.dash.window(1).state == "calling", timeout=wait_ms)
    assert w.dash.cat("A").waiting == 1 and w.dash.window(1).staff_name == "王建国"
    row = next(r for r in range(w.windows.rowCount()) if w.windows.item(r, 0).text().startswith("工程建设审批 1"))
    assert w.windows.item(row, 1).text() == "叫号中" and w.windows.item(row, 2).text() == "王建国"
    assert clerk.post("/windows/1/start").status_code == 200
    assert clerk.post("/windows/1/complete").status_code == 200
    qtbot.wait_until(lambda: w.fig["served"].text() == "1", timeout=wait_ms)
    assert w.dash.served_by_window[1] == 1
    assert "/dashboard" not in gets  # updated from events, not by asking again


def test_a_device_fault_reported_by_a_window_pc_shows_up(qtbot, client_factory, clerk_api, wait_ms):
    b = _signed_in_dashboard(qtbot, client_factory, wait_ms)
    w = b.widget
    pc = clerk_api("1003", 3)
    r = pc.post("/devices/health", json={"devices": [{"name": "window-3/receipt-printer", "kind": "printer",
                                                        "status": "error", "detail": "缺纸"}]})
    assert r.status_code == 200
    qtbot.wait_until(lambda: any(w.devices.item(i, 0).text() == "3 号窗口的票据打印机"
                                 for i in range(w.devices.rowCount())), timeout=wait_ms)
    row = next(i for i in range(w.devices.rowCount()) if w.devices.item(i, 0).text() == "3 号窗口的票据打印机")
    assert w.devices.item(row, 2).text() == "故障" and w.devices.item(row, 3).text() == "缺纸"


def test_a_paused_window_shows_its_reason(qtbot, client_factory, clerk_api, wait_ms):
    b = _signed_in_dashboard(qtbot, client_factory, wait_ms)
    w = b.widget
    clerk = clerk_api("1005", 5)
    assert clerk.post("/windows/5/pause", json={"reason": "系统维护"}).status_code == 200
    qtbot.wait_until(lambda: w.dash.window(5).state == "paused", timeout=wait_ms)
    row = next(r for r in range(w.windows.rowCount()) if w.windows.item(r, 0).text().startswith("不动产登记 5"))
    assert w.windows.item(row, 1).text() == "暂停（系统维护）"


def _snap(**kw):  # type: ignore[no-untyped-def]
    base = dict(business_day="2026-11-24", timezone="Asia/Shanghai", now="2026-11-24T01:00:00Z", last_seq=10,
                heartbeat_timeout_s=180, today=FiguresOut(), categories=[
                    {"prefix": "A", "name": "工程", "waiting": 0, "longest_wait_s": 0, "avg_wait_s": None,
                     "avg_service_s": None, "served": 0}],
                windows=[{"window_no": 1, "name": "1", "state": "idle"}], by_hour=[], by_window=[], trend=[],
                devices=[])
    base.update(kw)
    return DashboardOut.model_validate(base)


def ev(seq, type_, minute, window_no=None, **data):  # type: ignore[no-untyped-def]
    return EventOut(seq=seq, at=datetime(2026, 11, 24, 1, minute, tzinfo=timezone.utc), actor="x",
                    window_no=window_no, type=type_, data=data)


def test_state_longest_and_average_wait_follow_the_events():
    d = Dash.from_snapshot(_snap())
    d = apply(d, ev(11, "ticket.issued", 0, ticket="A001", category="A"))
    d = apply(d, ev(12, "ticket.issued", 5, ticket="A002", category="A"))
    d = apply(d, ev(13, "ticket.called", 20, 1, ticket="A001", category="A", waited_s=1200))
    k = d.cat("A")
    assert k.waiting == 1 and k.longest_wait_s(d.now) == 15 * 60 and k.avg_wait_s == 1200
    assert d.by_hour == {"09": 2} and d.window(1).state == "calling"
    assert apply(d, ev(13, "ticket.called", 21, 1, ticket="A002", category="A")) is d  # seen already


def test_state_a_silent_device_turns_offline():
    dev = DeviceHealthOut(name="led-1", kind="led", status="ok", reported="ok",
                          last_seen_at=datetime(2026, 11, 24, 0, 58, 30, tzinfo=timezone.utc))
    d = Dash.from_snapshot(_snap(devices=[dev]))
    assert d.device_status(d.devices[0]) == "ok"
    d = apply(d, ev(11, "ticket.issued", 2, ticket="A001", category="A"))  # 01:02, 210 s after
    assert d.device_status(d.devices[0]) == "offline"


def test_a_clerk_signing_in_to_the_dashboard_is_told_no(qtbot, client_factory, wait_ms):
    b = client_factory("dashboard", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("1001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(b.ctx.bridge.message, timeout=wait_ms,
                           check_params_cb=lambda level, text: level == "error") as got:
        w.login.button.click()
    assert "无权" in got.args[1] and w.dash is None
