"""The hall board: live calls, highlight, voice fallback, waiting counts."""
from __future__ import annotations

WAIT_MS = 8000


def test_a_call_updates_the_board_and_is_announced(qtbot, display_client, clerk_api, take_ticket):
    d = display_client.widget
    take_ticket("A")
    clerk = clerk_api("1001", 1)
    with qtbot.wait_signal(d.announcer.announced, timeout=WAIT_MS) as got:
        assert clerk.post("/windows/1/call-next").status_code == 200
    assert got.args[0] == "请A001号到1号窗口办理"
    assert got.args[1] in ("speech", "clips", "chime", "text")  # a test machine: clips (aplay), chime or text
    assert d.big_number.text() == "A001" and d.big.text() == "请到 1 号窗口办理"
    assert "A001" in d.tiles[1].text() and d.tiles[1].property("fresh") == "true"
    assert "最新呼叫" in d.tiles[1].text()  # the highlight is said, not only coloured
    assert d.recent.text().startswith("A001 → 1 号窗口")


def test_recall_is_announced_again_and_marked(qtbot, display_client, clerk_api, take_ticket):
    d = display_client.widget
    take_ticket("A")
    clerk = clerk_api("1001", 1)
    clerk.post("/windows/1/call-next")
    qtbot.wait_until(lambda: "A001" in d.tiles[1].text(), timeout=WAIT_MS)
    with qtbot.wait_signal(d.announcer.announced, timeout=WAIT_MS):
        clerk.post("/windows/1/recall")
    assert "（重呼）" in d.recent.text().splitlines()[0]


def test_highlight_fades_after_the_configured_time(qtbot, client_factory, clerk_api, take_ticket):
    b = client_factory("display", display_highlight_s=0.05)
    take_ticket("A")
    clerk_api("1001", 1).post("/windows/1/call-next")
    qtbot.wait_until(lambda: b.widget.tiles[1].property("fresh") == "true", timeout=WAIT_MS)
    qtbot.wait_until(lambda: b.widget.tiles[1].property("fresh") == "false", timeout=WAIT_MS)


def test_board_shows_hall_name_and_waiting_counts(qtbot, display_client, take_ticket):
    d = display_client.widget
    take_ticket("B")
    qtbot.wait_until(lambda: "不动产登记：1 人" in d.waiting.text(), timeout=WAIT_MS)
    assert d.title.text() == "示范市政务服务中心"
    qtbot.wait_until(lambda: 1 in d.tiles, timeout=WAIT_MS)
    assert "1 号窗口" in d.tiles[1].text() and "暂停服务" in d.tiles[1].text()


def test_no_gui_display_drives_the_led_bus_alone(qtbot, live_server, device_tokens, clerk_api, take_ticket):
    from hall_client.config import ClientConfig, DeviceConfig
    from hall_client.connection import Connection
    from hall_client.modes.display import LedBusDriver
    from hall_client.simdevices import open_sims
    from hall_client.store import HallStore
    cfg = ClientConfig(server_url=live_server.url, device_token=device_tokens["display-1"], snapshot_refresh_s=0,
                       backoff_min_s=0.05)
    api = Connection(cfg)
    store = HallStore(api, refresh_s=0)
    devices, sims = open_sims(DeviceConfig(led="sim:led"))
    try:
        LedBusDriver(store, devices, store)
        api.start_stream()
        qtbot.wait_until(lambda: api.online and store.loaded, timeout=WAIT_MS)
        take_ticket("B")
        clerk_api("1005", 5).post("/windows/5/call-next")
        qtbot.wait_until(lambda: (5, "请B001号到5号窗口") in sims["led"].calls, timeout=WAIT_MS)
    finally:
        api.close()
        devices.close()
