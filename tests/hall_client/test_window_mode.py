"""The clerk's window against the live server: sign-in, badge, F-keys, state machine."""
from __future__ import annotations

from PySide6.QtCore import Qt

WAIT_MS = 8000


def test_sign_in_shows_the_badge_and_enables_only_call(qtbot, window_client):
    w = window_client.widget
    assert w.work.badge.name.text() == "王建国"
    assert "1001" in w.work.badge.staff_no.text()
    assert "市住房和城乡建设局" in w.work.badge.department.text()
    assert w.buttons["call"].isEnabled()
    assert not w.buttons["recall"].isEnabled() and not w.buttons["start_complete"].isEnabled()


def test_f1_calls_the_next_ticket_and_enables_what_the_machine_allows(qtbot, window_client, take_ticket):
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS) as got:
        qtbot.keyClick(w, Qt.Key.Key_F1)
    assert got.args[0].number == "A001"
    assert w.current_ticket.text() == "A001"
    assert not w.buttons["call"].isEnabled()
    assert all(w.buttons[n].isEnabled() for n in ("recall", "skip", "transfer", "start_complete"))
    assert w.buttons["start_complete"].text() == "F5 开始办理"


def test_f5_starts_then_completes_and_f2_recalls(qtbot, window_client, take_ticket):
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F1)
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS) as got:
        qtbot.keyClick(w, Qt.Key.Key_F2)
    assert got.args[0].number == "A001"
    with qtbot.wait_signal(s.ticket_changed, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F5)
    assert s.ticket.state == "serving" and w.work.ticket_state.text() == "办理中"
    assert w.buttons["start_complete"].text() == "F5 办理完成" and not w.buttons["recall"].isEnabled()
    with qtbot.wait_signal(s.ticket_completed, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F5)
    assert s.ticket.state == "done" and w.buttons["call"].isEnabled()


def test_f3_skips_a_no_show(qtbot, window_client, take_ticket):
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F1)
    with qtbot.wait_signal(s.ticket_changed, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F3)
    assert s.ticket.state == "skipped" and w.buttons["call"].isEnabled()


def test_f4_transfers_to_another_window(qtbot, window_client, take_ticket):
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F1)
    qtbot.keyClick(w, Qt.Key.Key_F4)
    dlg = w.work._dialog
    dlg.target.setCurrentIndex(dlg.target.findText("5 号窗口", Qt.MatchFlag.MatchStartsWith))
    with qtbot.wait_signal(s.ticket_changed, timeout=WAIT_MS):
        dlg.accept()
    assert s.ticket.state == "waiting" and s.active_ticket is None and w.buttons["call"].isEnabled()


def test_f6_pauses_with_a_reason_and_blocks_calling_until_resumed(qtbot, window_client, take_ticket):
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    qtbot.keyClick(w, Qt.Key.Key_F6)
    with qtbot.wait_signal(s.paused_changed, timeout=WAIT_MS):
        w.work._dialog.accept()
    assert s.paused and not w.buttons["call"].isEnabled() and w.buttons["pause"].text() == "F6 恢复服务"
    qtbot.wait_until(lambda: window_client.sims["led"].last_text() == "1号窗口 暂停服务", timeout=WAIT_MS)
    qtbot.wait_until(lambda: window_client.ctx.store.state.windows[1].state == "paused", timeout=WAIT_MS)
    with qtbot.wait_signal(s.paused_changed, timeout=WAIT_MS):
        qtbot.keyClick(w, Qt.Key.Key_F6)
    assert not s.paused and w.buttons["call"].isEnabled()


def test_disabled_shortcut_does_nothing(qtbot, window_client, take_ticket):
    sent: list[str] = []
    window_client.ctx.api.request_sent.connect(lambda m, p: sent.append(p))
    qtbot.keyClick(window_client.widget, Qt.Key.Key_F5)  # no ticket: start/complete is off
    qtbot.keyClick(window_client.widget, Qt.Key.Key_F2)
    assert sent == []


def test_empty_queue_shows_the_servers_message(qtbot, window_client):
    with qtbot.wait_signal(window_client.ctx.bridge.message, timeout=WAIT_MS) as got:
        qtbot.keyClick(window_client.widget, Qt.Key.Key_F1)
    assert got.args[0] == "error" and got.args[1]  # the server's Chinese text, shown as is
    assert window_client.widget.banner.text() == got.args[1]
    assert window_client.widget.buttons["call"].isEnabled()


def test_waiting_counts_follow_the_live_stream(qtbot, window_client, take_ticket):
    take_ticket("A")
    take_ticket("A")
    qtbot.wait_until(lambda: "等候 2 人" in window_client.widget.work.waiting.text(), timeout=WAIT_MS)


def test_wrong_password_is_told_in_chinese(qtbot, client_factory):
    b = client_factory("window", window_no=2, wait_online=False)
    b.widget.login.staff_no.setText("1002")
    b.widget.login.password.setText("wrong-pass")
    b.widget.login.button.click()
    qtbot.wait_until(lambda: b.widget.login.error.text() != "", timeout=WAIT_MS)
    assert b.session.login is None and b.widget.pages.currentWidget() is b.widget.login


def test_window_shows_the_area_panels_as_tabs_beside_the_queue(window_client):
    tabs = window_client.widget.work.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["受理", "收费", "首问/投诉"]


def test_a_panel_module_not_there_yet_shows_a_placeholder(window_client):
    from hall_client.panels import load_panel
    w = load_panel(None, "档案", "hall_client.widgets.no_such_panel")  # type: ignore[arg-type]
    assert w.objectName() == "panelPlaceholder" and "尚未安装" in w.text()


def test_sign_out_returns_to_the_login_page(qtbot, window_client):
    with qtbot.wait_signal(window_client.session.signed_out, timeout=WAIT_MS):
        window_client.widget.work.sign_out.click()
    assert window_client.widget.pages.currentWidget() is window_client.widget.login


def test_f_keys_work_while_typing_in_a_panel(qtbot, window_client, take_ticket):
    from PySide6.QtWidgets import QLineEdit
    take_ticket("A")
    w, s = window_client.widget, window_client.session
    edit = w.work.tabs.currentWidget().findChild(QLineEdit)
    if edit is None:
        edit = QLineEdit(w.work.tabs.currentWidget())
    with qtbot.wait_signal(s.ticket_called, timeout=WAIT_MS):
        qtbot.keyClick(edit, Qt.Key.Key_F1)
    assert w.current_ticket.text() == "A001"
