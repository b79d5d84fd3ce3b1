"""首问/投诉 panel of the window client, against the live server: log in a few keystrokes,
a referral appears live on the receiver's panel and is closed there, complaints.

QTest cannot type Chinese (it arrives through the IME), so Chinese text is set and
ASCII (工号, phone numbers, Enter) is typed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

WAIT_MS = 8000


def panel_of(built):  # type: ignore[no-untyped-def]
    return built.widget.panel("首问/投诉")


def test_an_inquiry_answered_on_the_spot_takes_a_few_keystrokes(qtbot, window_client):
    p = panel_of(window_client)
    p.question.setText("燃气经营许可证多久能办好？")  # via the IME
    p.answer.setText("承诺 10 个工作日。")  # via the IME
    with qtbot.wait_signal(p.logged, timeout=WAIT_MS) as got:
        qtbot.keyClick(p.answer, Qt.Key.Key_Return)
    assert got.args[0].state == "closed" and got.args[0].first_staff_no == "1001"
    assert p.question.text() == "" and "已当场答复办结" in p.status.text()
    qtbot.wait_until(lambda: len(p.mine) == 1 and p.mine[0].state == "closed", timeout=WAIT_MS)


def test_a_referral_appears_live_on_the_receivers_panel_and_is_closed_there(
        qtbot, window_client, client_factory, sign_in):
    receiver = client_factory("window", window_no=5)
    sign_in(receiver, "1005")
    inbox = panel_of(receiver)
    first = panel_of(window_client)
    first.question.setText("二手房过户要带哪些材料？")  # via the IME
    qtbot.keyClicks(first.phone, "13812345678")
    qtbot.keyClicks(first.refer_to, "1005")
    with qtbot.wait_signal(inbox.inbox_changed, timeout=WAIT_MS,
                           check_params_cb=lambda items: len(items) == 1):  # live, from the event stream
        qtbot.keyClick(first.refer_to, Qt.Key.Key_Return)
    ref = inbox.inbox[0]
    assert ref.first_staff_no == "1001" and ref.citizen_phone == "13812345678"
    assert "13812345678" in inbox.inbox_list.item(0).text() and inbox.selected_no() == ref.inquiry_no
    inbox.reply.setText("已电话告知：身份证、不动产权证书、完税凭证。")  # via the IME
    with qtbot.wait_signal(inbox.closed, timeout=WAIT_MS) as got:
        qtbot.keyClick(inbox.reply, Qt.Key.Key_Return)
    assert got.args[0].state == "closed" and got.args[0].closed_by_staff_no == "1005"
    qtbot.wait_until(lambda: inbox.inbox == [], timeout=WAIT_MS)
    # the first person asked sees it closed, live
    qtbot.wait_until(lambda: bool(first.mine) and first.mine[0].state == "closed", timeout=WAIT_MS)


def test_closing_without_an_answer_is_refused_in_plain_chinese(qtbot, window_client, client_factory, sign_in):
    receiver = client_factory("window", window_no=5)
    sign_in(receiver, "1005")
    inbox, first = panel_of(receiver), panel_of(window_client)
    first.question.setText("问题")  # via the IME
    qtbot.keyClicks(first.refer_to, "1005")
    with qtbot.wait_signal(inbox.inbox_changed, timeout=WAIT_MS, check_params_cb=lambda items: len(items) == 1):
        first.submit()
    with qtbot.wait_signal(receiver.ctx.bridge.message, timeout=WAIT_MS) as got:
        inbox.close_selected()
    assert got.args[0] == "error" and "答复内容" in got.args[1]


def test_a_referral_to_nobody_is_refused(qtbot, window_client):
    p = panel_of(window_client)
    p.question.setText("问题")  # via the IME
    qtbot.keyClicks(p.refer_to, "7777")
    with qtbot.wait_signal(window_client.ctx.bridge.message, timeout=WAIT_MS) as got:
        p.submit()
    assert got.args[0] == "error" and "7777" in got.args[1]
    assert p.question.text() == "问题"  # nothing typed is lost


def test_a_complaint_is_registered_from_the_window(qtbot, window_client):
    p = panel_of(window_client)
    p.c_content.setText("排队时有人插队，工作人员未制止。")  # via the IME
    qtbot.keyClicks(p.c_phone, "13900001111")
    with qtbot.wait_signal(p.complaint_registered, timeout=WAIT_MS) as got:
        p.c_button.click()
    assert got.args[0].channel == "window" and got.args[0].state == "registered"
    assert "已登记" in p.status.text()


def test_a_citizen_registers_a_complaint_at_the_kiosk(qtbot, kiosk_client):
    k = kiosk_client.widget
    k.show()  # the page wipes itself when hidden: it must have been visible
    k.pages.setCurrentWidget(k.extra["投诉建议"])
    page = next(w for w in k.extra["投诉建议"].findChildren(QWidget) if hasattr(w, "registered"))
    page.kinds[2].click()  # 窗口无人或离岗: touched, nothing typed
    for digit in "13900001111":
        page.keyboard.keys[digit].click()
    assert page.phone.text() == "13900001111"
    page.keyboard.set_target(page.window)
    page.keyboard.keys["3"].click()
    with qtbot.wait_signal(page.registered, timeout=WAIT_MS) as got:
        page.submit_button.click()
    c = got.args[0]
    assert c.channel == "kiosk" and c.window_no == 3 and c.complainant_phone == "139****1111"
    assert c.complaint_no in page.result.text() and "12月01日" in page.result.text()
    k.go_home()
    assert page.result.text() == "" and not page.chosen() and page.phone.text() == ""  # the next citizen sees nothing
