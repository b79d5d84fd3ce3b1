"""Evaluator mode against the live server: armed when its window completes a service,
one press sends one rating tied to ticket, window and clerk; the clerk never sees it."""
from __future__ import annotations

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget

WAIT_MS = 8000


def complete_one(qtbot, window_client, take_ticket):  # type: ignore[no-untyped-def]
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F1)
    with qtbot.wait_signal(s.ticket_changed, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F5)
    with qtbot.wait_signal(s.ticket_completed, timeout=WAIT_MS) as got:
        qtbot.keyClick(w, Qt.Key.Key_F5)
    return got.args[0]


def ratings(live_server):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=f"{live_server.url}/api/v1", trust_env=False) as c:
        tok = c.post("/auth/login", json={"staff_no": "4001", "password": "demo1234"}).json()["token"]
        return c.get("/ratings", headers={"Authorization": f"Bearer {tok}"}).json()["items"]


def test_a_rating_from_the_evaluator_is_tied_to_ticket_window_and_clerk(
        qtbot, window_client, client_factory, device_tokens, take_ticket, live_server):
    ev = client_factory("evaluator", token=device_tokens["evaluator-1"])
    screen = ev.widget
    qtbot.wait_until(lambda: screen.window_no == 1, timeout=WAIT_MS)  # learnt from its token
    assert not any(b.isEnabled() for b in screen.level_buttons.values())  # nothing to rate yet
    with qtbot.wait_signal(screen.armed, timeout=WAIT_MS) as armed:
        done = complete_one(qtbot, window_client, take_ticket)
    assert armed.args[0]["ticket"] == done.number and screen.prompt.text() == "请您对本次服务作出评价"
    screen.reason_buttons["fast"].click()
    with qtbot.wait_signal(screen.rated, timeout=WAIT_MS) as got:
        screen.level_buttons["satisfied"].click()
    assert got.args[0].ticket == done.number and "感谢" in screen.prompt.text()
    assert not any(b.isEnabled() for b in screen.level_buttons.values())  # one press, one rating
    row = next(r for r in ratings(live_server) if r["ticket"] == done.number)
    assert (row["level"], row["window_no"], row["staff_no"], row["channel"], row["reasons"]) == (
        "satisfied", 1, "1001", "evaluator", ["fast"])


def test_a_bad_rating_from_the_evaluator_opens_a_follow_up(
        qtbot, window_client, client_factory, device_tokens, take_ticket, live_server):
    screen = client_factory("evaluator", token=device_tokens["evaluator-1"]).widget
    qtbot.wait_until(lambda: screen.window_no == 1, timeout=WAIT_MS)
    with qtbot.wait_signal(screen.armed, timeout=WAIT_MS):
        complete_one(qtbot, window_client, take_ticket)
    screen.reason_buttons["long_wait"].click()
    with qtbot.wait_signal(screen.rated, timeout=WAIT_MS) as got:
        screen.level_buttons["very_dissatisfied"].click()
    assert "回访" in got.args[0].message
    row = next(r for r in ratings(live_server) if r["id"] == got.args[0].id)
    assert row["bad"] is True and row["followup"]["state"] == "callback"


def test_the_clerks_screen_never_shows_the_rating(
        qtbot, window_client, client_factory, device_tokens, take_ticket):
    screen = client_factory("evaluator", token=device_tokens["evaluator-1"]).widget
    qtbot.wait_until(lambda: screen.window_no == 1, timeout=WAIT_MS)
    with qtbot.wait_signal(screen.armed, timeout=WAIT_MS):
        complete_one(qtbot, window_client, take_ticket)
    store = window_client.ctx.store
    with qtbot.wait_signal(store.event_received, timeout=WAIT_MS,
                           check_params_cb=lambda e: e.type == "rating.recorded"):  # the clerk's PC got it...
        screen.level_buttons["very_dissatisfied"].click()
    texts = [lbl.text() for lbl in window_client.widget.findChildren(QLabel)]
    texts += [lst.item(i).text() for lst in window_client.widget.findChildren(QListWidget)
              for i in range(lst.count())]
    assert not [t for t in texts if "满意" in t or "差评" in t]  # ...and shows nothing of it


def test_an_evaluator_of_another_window_stays_dark(
        qtbot, window_client, client_factory, device_tokens, take_ticket):
    other = client_factory("evaluator", token=device_tokens["evaluator-2"]).widget
    qtbot.wait_until(lambda: other.window_no == 2, timeout=WAIT_MS)
    with qtbot.wait_signal(other.ctx.store.event_received, timeout=WAIT_MS,
                           check_params_cb=lambda e: e.type == "ticket.completed"):
        complete_one(qtbot, window_client, take_ticket)
    assert not other.is_armed and not any(b.isEnabled() for b in other.level_buttons.values())


def test_nobody_pressing_disarms_the_screen(qtbot, window_client, client_factory, device_tokens, take_ticket):
    screen = client_factory("evaluator", token=device_tokens["evaluator-1"],
                            extra={"evaluator_timeout_s": 0.2}).widget
    qtbot.wait_until(lambda: screen.window_no == 1, timeout=WAIT_MS)
    with qtbot.wait_signal(screen.disarmed, timeout=WAIT_MS) as got:
        complete_one(qtbot, window_client, take_ticket)
    assert got.args[0] == "timeout" and screen.prompt.text() == "欢迎您办理业务"


def test_the_serial_evaluator_is_armed_and_its_key_is_sent(
        qtbot, window_client, client_factory, device_tokens, take_ticket, live_server):
    ev = client_factory("evaluator", token=device_tokens["evaluator-1"], devices={"evaluator": "sim:evaluator"})
    screen, sim = ev.widget, ev.sims["evaluator"]
    qtbot.wait_until(lambda: screen.window_no == 1, timeout=WAIT_MS)
    with qtbot.wait_signal(screen.armed, timeout=WAIT_MS):
        done = complete_one(qtbot, window_client, take_ticket)
    qtbot.wait_until(lambda: sim.state == "armed" and sim.txn_id == done.number, timeout=WAIT_MS)
    with qtbot.wait_signal(screen.rated, timeout=WAIT_MS) as got:
        assert sim.press(2)  # 不满意, pressed on the device
    assert got.args[0].level == "dissatisfied" and got.args[0].ticket == done.number
    row = next(r for r in ratings(live_server) if r["id"] == got.args[0].id)
    assert row["channel"] == "evaluator" and row["bad"] is True
