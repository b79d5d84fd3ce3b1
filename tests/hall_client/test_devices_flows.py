"""The modes driving simulated devices: LED strip and hall LED, evaluator, printer, 身份证."""
from __future__ import annotations

from PySide6.QtCore import Qt

from printers.decode import decode

WAIT_MS = 8000


def test_call_lights_the_window_strip(qtbot, window_client, take_ticket):
    led = window_client.sims["led"]
    qtbot.wait_until(lambda: led.last_text() == "1号窗口 王建国（工号1001）为您服务", timeout=WAIT_MS)
    take_ticket("A")
    qtbot.keyClick(window_client.widget, Qt.Key.Key_F1)
    qtbot.wait_until(lambda: led.last_text() == "请A001号到1号窗口", timeout=WAIT_MS)
    assert led.calls[-1] == (1, "请A001号到1号窗口")


def test_completion_arms_the_evaluator_with_the_ticket(qtbot, window_client, take_ticket):
    ev = window_client.sims["evaluator"]
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F1)
    with qtbot.wait_signal(s.ticket_changed, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F5)
    assert ev.state == "idle"  # never armed before the service is done
    with qtbot.wait_signal(s.ticket_completed, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F5)
    qtbot.wait_until(lambda: ev.state == "armed" and ev.txn_id == "A001", timeout=WAIT_MS)


def test_display_drives_the_hall_led_bus(qtbot, display_client, clerk_api, take_ticket):
    led = display_client.sims["led"]
    take_ticket("A")
    clerk_api("1001", 1).post("/windows/1/call-next")
    qtbot.wait_until(lambda: (1, "请A001号到1号窗口") in led.calls, timeout=WAIT_MS)


def test_kiosk_ticket_is_printed_with_number_and_queue(qtbot, kiosk_client, take_ticket):
    k, printer = kiosk_client.widget, kiosk_client.sims["printer"]
    take_ticket("A")
    qtbot.wait_until(lambda: k.pages.currentWidget() is k.home, timeout=WAIT_MS)
    with qtbot.wait_signal(k.ticket_printed, timeout=WAIT_MS):
        k.home.buttons["A"].click()
    slip = decode(printer.slips()[-1], strict=False)
    assert "A002" in slip.texts and "工程建设审批" in slip.texts
    assert "示范市政务服务中心" in slip.texts and any("前面还有 1 人" in t for t in slip.texts)
    assert len(printer.slips()[-1]) < 400  # under half a second at 9600 baud
    assert "请取走号票。" in k.ticket_page.printer.text()


def test_printer_out_of_paper_keeps_the_number_and_offers_reprint(qtbot, kiosk_client):
    k, printer = kiosk_client.widget, kiosk_client.sims["printer"]
    qtbot.wait_until(lambda: k.pages.currentWidget() is k.home, timeout=WAIT_MS)
    printer.set(paper_out=True)
    with qtbot.wait_signal(k.ticket_issued, timeout=WAIT_MS):
        k.home.buttons["B"].click()
    qtbot.wait_until(lambda: not k.ticket_page.reprint.isHidden(), timeout=WAIT_MS)
    assert "缺纸" in k.ticket_page.printer.text() and "号码已保留" in k.ticket_page.printer.text()
    assert k.ticket_page.number.text() == "B001" and printer.slips() == []
    printer.set(paper_out=False)
    with qtbot.wait_signal(k.ticket_printed, timeout=WAIT_MS):
        k.ticket_page.reprint.click()
    assert "B001" in decode(printer.slips()[-1], strict=False).texts
    assert k.ticket_page.reprint.isHidden()


def test_printer_offline_is_said_in_plain_chinese(qtbot, kiosk_client):
    k, printer = kiosk_client.widget, kiosk_client.sims["printer"]
    qtbot.wait_until(lambda: k.pages.currentWidget() is k.home, timeout=WAIT_MS)
    printer.set(online=False)
    with qtbot.wait_signal(k.ticket_issued, timeout=WAIT_MS):
        k.home.buttons["A"].click()
    qtbot.wait_until(lambda: not k.ticket_page.reprint.isHidden(), timeout=WAIT_MS)
    assert "号码已保留" in k.ticket_page.printer.text() and k.ticket_page.number.text() == "A001"


def test_id_card_gives_a_real_name_ticket_shown_masked(qtbot, kiosk_client):
    k, reader = kiosk_client.widget, kiosk_client.sims["idcard"]
    qtbot.wait_until(lambda: k.pages.currentWidget() is k.home, timeout=WAIT_MS)
    card = reader.place(0)
    k.home.idcard.click()
    qtbot.wait_until(lambda: k.id_card is not None, timeout=WAIT_MS)
    masked = card.id_number[:6] + "********" + card.id_number[-4:]
    assert masked in k.home.card.text() and card.id_number not in k.home.card.text()
    with qtbot.wait_signal(k.ticket_issued, timeout=WAIT_MS) as got:
        k.home.buttons["B"].click()
    t = got.args[0]
    assert t.citizen_id_number == masked and t.citizen_name.startswith(card.name[0]) and "*" in t.citizen_name
    assert card.id_number not in k.ticket_page.detail.text() and masked in k.ticket_page.detail.text()
