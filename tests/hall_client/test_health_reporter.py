"""Device health reporting from the client PCs (issue 8): real clients, offscreen, against
the live server, with the ``printers`` simulators; every wait is on a signal."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from hall_server.contract.events import device_text

from hall_client.health import HealthReporter

pytestmark = pytest.mark.usefixtures("qapp")


def _report_after(qtbot: Any, reporter: HealthReporter, wait_ms: int, *,
                  check: Any = None) -> list[dict[str, Any]]:
    """Trigger a heartbeat and return what the server accepted."""
    with qtbot.wait_signal(reporter.reported, timeout=wait_ms,
                           check_params_cb=check or (lambda _r: True)) as got:
        reporter.report_now()
    return list(got.args[0])


def _manager_get(url: str, path: str) -> Any:
    with httpx.Client(base_url=f"{url}/api/v1", trust_env=False, timeout=10) as c:
        r = c.post("/auth/login", json={"staff_no": "3001", "password": "demo1234"})
        assert r.status_code == 200, r.text
        r = c.get(path, headers={"Authorization": f"Bearer {r.json()['token']}"})
        assert r.status_code == 200, r.text
        return r.json()


def _signed_in_dashboard(qtbot: Any, client_factory: Any, wait_ms: int) -> Any:
    b = client_factory("dashboard", token="", wait_online=False)
    b.widget.login.staff_no.setText("3001")
    b.widget.login.password.setText("demo1234")
    with qtbot.wait_signal(b.widget.updated, timeout=wait_ms):
        b.widget.login.button.click()
    return b


def _by_name(reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in reports}


@pytest.fixture
def window_pc(qtbot, client_factory, sign_in):  # type: ignore[no-untyped-def]
    """Window 2's PC with a receipt printer and a window LED strip, clerk 1002 signed in."""
    b = client_factory("window", window_no=2, devices={"printer": "sim:printer", "led": "sim:led"})
    sign_in(b, "1002")
    return b


def test_a_window_pc_reports_its_printer_and_led_as_ok_and_the_manager_sees_them(
        qtbot, window_pc, live_server, wait_ms):
    reporter = window_pc.app.health
    assert isinstance(reporter, HealthReporter)
    got = _by_name(_report_after(qtbot, reporter, wait_ms))
    assert got["window-2/printer"]["status"] == "ok" and got["window-2/printer"]["kind"] == "printer"
    assert got["window-2/led"]["status"] == "ok" and got["window-2/led"]["kind"] == "led"
    rows = {d["name"]: d for d in _manager_get(live_server.url, "/devices/health")}
    for name in ("window-2/printer", "window-2/led"):
        assert rows[name]["status"] == "ok" and rows[name]["window_no"] == 2
        assert rows[name]["last_seen_at"] is not None


def test_paper_out_is_reported_at_once_and_shows_on_the_dashboard(qtbot, window_pc, client_factory, wait_ms):
    dash = _signed_in_dashboard(qtbot, client_factory, wait_ms)
    reporter = window_pc.app.health
    _report_after(qtbot, reporter, wait_ms)  # both ok first
    window_pc.sims["printer"].set(paper_out=True)
    # a print job fails on the empty printer: the fault is reported without waiting for the beat
    with qtbot.wait_signal(reporter.reported, timeout=wait_ms,
                           check_params_cb=lambda r: "缺纸" in _by_name(r)["window-2/printer"]["detail"]) as got:
        window_pc.ctx.devices.fault.emit("printer", "打印机缺纸")
    printer = _by_name(got.args[0])["window-2/printer"]
    assert printer["status"] == "error"
    table = dash.widget.devices

    def row_of(name: str) -> int | None:
        return next((i for i in range(table.rowCount()) if table.item(i, 0).text() == device_text(name)), None)
    qtbot.wait_until(lambda: row_of("window-2/printer") is not None
                     and "缺纸" in table.item(row_of("window-2/printer"), 3).text(), timeout=wait_ms)
    assert table.item(row_of("window-2/printer"), 2).text() == "故障"
    window_pc.sims["printer"].set(paper_out=False)
    again = _report_after(qtbot, reporter, wait_ms)
    assert _by_name(again)["window-2/printer"]["status"] == "ok"


def test_a_printer_that_never_answers_is_unknown_never_ok(qtbot, client_factory, sign_in, wait_ms):
    b = client_factory("window", window_no=4, devices={"printer": "sim:printer?online=0"})
    sign_in(b, "1004")
    got = _by_name(_report_after(qtbot, b.app.health, wait_ms))
    assert got["window-4/printer"]["status"] == "unknown"


def test_the_heartbeat_repeats_on_its_timer(qtbot, client_factory, wait_ms):
    b = client_factory("display", devices={"led": "sim:led"}, health_interval_s=0.2)
    reporter = b.app.health
    for _ in range(2):  # a beat, then another, without anyone asking
        with qtbot.wait_signal(reporter.reported, timeout=wait_ms) as got:
            pass
        assert _by_name(got.args[0])["display-1/led"]["status"] == "ok"


def test_a_fault_check_that_changes_nothing_sends_nothing(qtbot, window_pc, wait_ms):
    reporter = window_pc.app.health
    _report_after(qtbot, reporter, wait_ms)
    qtbot.wait_until(lambda: not reporter.busy, timeout=wait_ms)
    sent: list[str] = []
    window_pc.ctx.api.request_sent.connect(lambda m, p: sent.append(p))
    reporter._on_fault("led", "显示屏忙")  # transient: the probe finds the strip fine
    assert reporter.busy
    qtbot.wait_until(lambda: not reporter.busy, timeout=wait_ms)
    assert "/devices/health" not in sent


def test_offline_heartbeats_are_dropped_not_queued(qtbot, client_factory, server_control, wait_ms):
    b = client_factory("display", devices={"led": "sim:led"})
    reporter = b.app.health
    _report_after(qtbot, reporter, wait_ms)
    server_control.stop()
    qtbot.wait_until(lambda: not b.ctx.api.online, timeout=wait_ms)
    with qtbot.wait_signal(reporter.dropped, timeout=wait_ms) as why:
        reporter.report_now()
    assert why.args[0] == "offline" and not reporter._posting
    server_control.start()
    qtbot.wait_until(lambda: b.ctx.api.online, timeout=wait_ms * 2)
    got = _report_after(qtbot, reporter, wait_ms)  # the next beat goes through again
    assert _by_name(got)["display-1/led"]["status"] == "ok"


def test_a_kiosk_names_its_devices_after_its_token(qtbot, kiosk_client, wait_ms):
    got = _by_name(_report_after(qtbot, kiosk_client.app.health, wait_ms))
    assert got["kiosk-1/printer"]["status"] == "ok" and got["kiosk-1/idcard"]["status"] == "ok"


def test_a_window_pc_before_sign_in_does_not_post(qtbot, client_factory, wait_ms):
    b = client_factory("window", window_no=6, token="", wait_online=False, devices={"led": "sim:led"})
    with qtbot.wait_signal(b.app.health.dropped, timeout=wait_ms) as why:
        b.app.health.report_now()
    assert why.args[0] == "no_token"


def test_a_heartbeat_answered_later_than_its_interval_is_dropped_as_stale(qtbot, window_pc, wait_ms):
    ticks = iter([100.0, 131.0])  # the round starts at 100 s; its answers are in 31 s later
    reporter = HealthReporter(window_pc.ctx.api, window_pc.ctx.devices, interval_s=30, name="window-2",
                              clock=lambda: next(ticks))
    sent: list[str] = []
    window_pc.ctx.api.request_sent.connect(lambda m, p: sent.append(p))
    with qtbot.wait_signal(reporter.dropped, timeout=wait_ms) as why:
        reporter.report_now()
    assert why.args[0] == "stale" and "/devices/health" not in sent


def test_the_health_section_of_the_client_config_sets_interval_and_name():
    from hall_client.config import ClientConfig
    cfg = ClientConfig.from_dict({"health": {"interval_s": 12, "name": "kiosk-east"}})
    assert cfg.health_interval_s == 12.0 and cfg.health_name == "kiosk-east"
    assert ClientConfig.from_dict({}).health_interval_s == 30.0
