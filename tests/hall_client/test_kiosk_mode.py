"""The kiosk against the live server: take a number, guide, idle reset, server down and back."""
from __future__ import annotations

import pytest

WAIT_MS = 8000


def on_home(k) -> bool:  # type: ignore[no-untyped-def]
    return k.pages.currentWidget() is k.home


def test_home_offers_one_large_button_per_queue_with_waiting_counts(qtbot, kiosk_client, take_ticket):
    k = kiosk_client.widget
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    take_ticket("A")
    qtbot.wait_until(lambda: "等候 1 人" in k.home.buttons["A"].label_text(), timeout=WAIT_MS)
    assert set(k.home.buttons) == {"A", "B", "C", "D"}
    assert k.home.buttons["A"].label_text().startswith("工程建设审批")
    assert k.home.title.text() == "欢迎来到示范市政务服务中心"


def test_tapping_a_queue_issues_and_shows_the_number(qtbot, kiosk_client, take_ticket):
    k = kiosk_client.widget
    take_ticket("B")
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    with qtbot.wait_signal(k.ticket_issued, timeout=WAIT_MS) as got:
        k.home.buttons["B"].click()
    assert got.args[0].number == "B002"
    assert k.pages.currentWidget() is k.ticket_page and k.ticket_page.number.text() == "B002"
    assert "您前面还有 1 人" in k.ticket_page.detail.text()


def test_a_double_tap_takes_one_number(qtbot, kiosk_client, take_ticket):
    k = kiosk_client.widget
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    with qtbot.wait_signal(k.ticket_issued, timeout=WAIT_MS):
        k.take("A")
        k.take("A")
    assert take_ticket("A")["number"] == "A002"


def test_idle_kiosk_returns_home(qtbot, client_factory):
    b = client_factory("kiosk", kiosk_idle_reset_s=0.05)
    k = b.widget
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    with qtbot.wait_signal(k.ticket_issued, timeout=WAIT_MS):
        k.home.buttons["A"].click()
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)


def test_service_guide_lists_and_opens_matters(qtbot, kiosk_client):
    k = kiosk_client.widget
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    k.home.guide.click()
    assert k.pages.currentWidget() is k.guide
    qtbot.wait_until(lambda: k.guide.list.count() > 0 or "没有找到" in k.guide.detail.toPlainText(),
                     timeout=WAIT_MS)
    if k.guide.list.count():
        k.guide.open_item(k.guide.list.item(0))
        qtbot.wait_until(lambda: "申请材料" in k.guide.detail.toPlainText(), timeout=WAIT_MS)
    k.guide.back.click()
    assert on_home(k)


def test_server_down_says_pause_and_recovers_by_itself(qtbot, kiosk_client, server_control):
    k = kiosk_client.widget
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    server_control.stop()
    qtbot.wait_until(lambda: k.pages.currentWidget() is k.suspended, timeout=WAIT_MS)
    assert k.suspended.title.text() == "暂停取号" and not k.home.buttons["A"].isEnabled()
    server_control.start()
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    with qtbot.wait_signal(k.ticket_issued, timeout=WAIT_MS) as got:
        k.home.buttons["A"].click()
    assert got.args[0].number == "A001"


def test_other_areas_pages_also_return_home_when_left_idle(qtbot, client_factory):
    b = client_factory("kiosk", kiosk_idle_reset_s=0.05)
    k = b.widget
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    if not k.extra:
        pytest.skip("no kiosk page module installed in this tree")
    title, page = next(iter(k.extra.items()))
    k.extra_buttons[title].click()
    assert k.pages.currentWidget() is page
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
