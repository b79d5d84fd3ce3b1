"""The manager's 设备 and 绿色通道 tabs against the live server: a replaced printer and a
never-heard-from kiosk say so and are retired (the kiosk's token stops working); a
绿色通道 number is issued with its reason, printed on this PC's ticket printer (the
kiosk's slip, marked 绿色通道) and called before the citizens already waiting."""
from __future__ import annotations

import httpx
from PySide6.QtCore import Qt

from printers.decode import decode

DEVICES_TAB, PRIORITY_TAB = 3, 4


def _manager(qtbot, client_factory, wait_ms, **devices):  # type: ignore[no-untyped-def]
    b = client_factory("dashboard", token="", wait_online=False, devices=devices or None)
    w = b.widget
    w.login.staff_no.setText("3001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(w.updated, timeout=wait_ms):
        w.login.button.click()
    w.resize(1366, 768)
    w.show()
    w.activateWindow()
    qtbot.wait_until(w.isActiveWindow, timeout=wait_ms)
    return b


def _rows(tab):  # type: ignore[no-untyped-def]
    """By device id (the 编号 column); the first column says what the device is."""
    return {tab.table.item(r, 1).text(): [tab.table.item(r, c).text() for c in range(tab.table.columnCount())]
            for r in range(tab.table.rowCount())}


def test_replaced_and_never_reported_devices_say_so_and_are_retired(qtbot, client_factory, clerk_api, clock,
                                                                   live_server, device_tokens, wait_ms):
    pc = clerk_api("1003", 3)
    assert pc.post("/devices/health", json={"devices": [{"name": "window-3/printer-old", "kind": "printer",
                                                         "status": "ok"}]}).status_code == 200
    clock.advance(minutes=10)
    assert pc.post("/devices/health", json={"devices": [{"name": "window-3/printer-new", "kind": "printer",
                                                         "status": "ok"}]}).status_code == 200
    b = _manager(qtbot, client_factory, wait_ms)
    w = b.widget
    tab = w.device_tab
    with qtbot.wait_signal(tab.loaded, timeout=wait_ms):
        w.tabs.setCurrentIndex(DEVICES_TAB)
    assert w.tabs.tabText(DEVICES_TAB) == "设备"
    rows = _rows(tab)
    assert rows["window-3/printer-old"][3] == "已被替换（由 window-3/printer-new 取代）"
    assert rows["window-3/printer-old"][4] == "2026-11-24 09:00"  # its last report, local time
    assert rows["window-3/printer-new"][3] == "正常"
    assert rows["kiosk-1"][0] == "1 号取号机" and rows["kiosk-1"][2:5] == ["", "从未上报", "从未"]
    assert "需处理" in tab.summary.text()
    # the live board shows the same words
    board = {w.devices.item(r, 0).text(): w.devices.item(r, 2).text() for r in range(w.devices.rowCount())}
    assert board["1 号取号机"] == "从未上报"

    row = next(i for i, d in enumerate(tab.devices) if d.name == "kiosk-1")
    tab.table.selectRow(row)
    assert not tab.retire.isEnabled()  # a reason first
    tab.reason.setText("已更换新取号机")
    assert tab.retire.isEnabled()
    with qtbot.wait_signal(tab.loaded, timeout=wait_ms):
        with qtbot.wait_signal(tab.retired, timeout=wait_ms) as got:
            qtbot.keyClick(tab, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert got.args[0].tokens_revoked >= 1 and "kiosk-1" not in _rows(tab)
    r = httpx.post(f"{live_server.url}/api/v1/tickets", json={"category": "A"}, trust_env=False,
                   headers={"Authorization": f"Bearer {device_tokens['kiosk-1']}"})
    assert r.status_code == 401
    qtbot.wait_until(lambda: all(w.devices.item(i, 0).text() != "1 号取号机" for i in range(w.devices.rowCount())),
                     timeout=wait_ms)


def test_a_priority_number_is_issued_with_its_reason_printed_and_called_first(qtbot, client_factory, take_ticket,
                                                                             clerk_api, wait_ms):
    take_ticket("A")
    take_ticket("A")
    b = _manager(qtbot, client_factory, wait_ms, printer="sim:printer?status=required")
    w = b.widget
    tab = w.priority
    qtbot.keyClick(w.tabs, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)  # Alt+5: the 咨询台's tab
    assert w.tabs.currentIndex() == PRIORITY_TAB and w.tabs.tabText(PRIORITY_TAB) == "绿色通道"
    qtbot.wait_until(lambda: tab.category.count() > 0, timeout=wait_ms)
    assert not tab.issue.isEnabled()  # a reason first
    tab.category.setCurrentIndex(tab.category.findData("A"))
    tab.reason.setCurrentIndex(0)
    tab.note.setText("持老年证")
    assert tab.issue.isEnabled() and tab.reason_text() == "老年人（70 周岁以上）；持老年证"
    with qtbot.wait_signal(tab.printed, timeout=wait_ms) as got:
        qtbot.keyClick(tab, Qt.Key.Key_F2)
    t = got.args[0]
    assert t.priority and t.number == "A003" and tab.number.text() == "A003"
    assert "号票 A003 已打印" in tab.status.text() and tab.reprint.isEnabled()
    slip = decode(b.sims["printer"].slips()[-1], strict=False).text
    assert "A003" in slip and "绿色通道" in slip
    clerk = clerk_api("1001", 1)
    assert clerk.post("/windows/1/call-next").json()["number"] == "A003"  # ahead of A001 and A002


def test_without_a_printer_the_number_is_shown_to_write_down(qtbot, client_factory, wait_ms):
    b = _manager(qtbot, client_factory, wait_ms)
    tab = b.widget.priority
    b.widget.tabs.setCurrentIndex(PRIORITY_TAB)
    qtbot.wait_until(lambda: tab.category.count() > 0, timeout=wait_ms)
    tab.reason.setEditText("残疾人")
    with qtbot.wait_signal(tab.issued, timeout=wait_ms) as got:
        tab.issue.click()
    n = got.args[0].number
    assert tab.number.text() == n and f"本机未连接取号打印机，请将号码 {n} 告知群众" in tab.status.text()
    assert not tab.reprint.isEnabled()
