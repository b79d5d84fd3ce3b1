"""投诉与差评 work list in the dashboard against the live server: a complaint is assigned
(never to the person complained about) and answered; a missed deadline is red and says
「已超期」; a 差评 goes 回访 → 整改 → the citizen's re-rating (three levels) → closed."""
from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtCore import Qt

WORKLIST_TAB = 2


def _desk(qtbot, client_factory, wait_ms):  # type: ignore[no-untyped-def]
    b = client_factory("dashboard", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("3001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(w.updated, timeout=wait_ms):
        w.login.button.click()
    w.resize(1366, 768)
    w.show()
    w.activateWindow()
    qtbot.wait_until(w.isActiveWindow, timeout=wait_ms)
    with qtbot.wait_signal(w.desk.loaded, timeout=wait_ms):
        w.tabs.setCurrentIndex(WORKLIST_TAB)
    assert w.tabs.tabText(WORKLIST_TAB) == "投诉与差评"
    return w.desk


def _row(desk, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    r = next(i for i, it in enumerate(desk.shown) if it.key == key)
    return [desk.table.item(r, c).text() for c in range(desk.table.columnCount())]


def _complain(clerk_api, about: str = "1001") -> str:  # type: ignore[no-untyped-def]
    c = clerk_api("1002", 2)
    r = c.post("/complaints", json={"content": "窗口人员态度生硬，材料没有一次告知清楚", "about_staff_no": about,
                                    "window_no": 1, "complainant_name": "李四", "complainant_phone": "13900139000"})
    assert r.status_code == 201, r.text
    return str(r.json()["complaint_no"])


def _act(qtbot, desk, key, wait_ms):  # type: ignore[no-untyped-def]
    with qtbot.wait_signal(desk.loaded, timeout=wait_ms):
        with qtbot.wait_signal(desk.acted, timeout=wait_ms):
            qtbot.keyClick(desk, key)


def test_a_complaint_is_assigned_never_to_its_subject_and_answered(qtbot, client_factory, clerk_api, wait_ms):
    no = _complain(clerk_api)
    desk = _desk(qtbot, client_factory, wait_ms)
    assert desk.filters.tabText(0) == "新登记（1）"
    kind, key, subject, about, state, due_at, due = _row(desk, no)
    assert (kind, state, due) == ("投诉", "已登记", "剩 5 个工作日")
    assert "态度生硬" in subject and about == "王建国（1001）、1 号窗口"
    assert due_at == "2026-12-01 23:59"  # full local date-time
    desk.select_key(no)
    assert desk.assign_box.isVisibleTo(desk) and not desk.rerate_box.isVisibleTo(desk)  # 复评 is for 差评
    desk.assignee.setText("1001")
    assert not desk.assign_btn.isEnabled() and desk.assign_hint.text() == "不能交由被投诉人本人办理。"
    assert desk.reply_btn.isEnabled()  # the office may also answer itself
    desk.assignee.setText("1003")
    assert desk.assign_btn.isEnabled() and desk.assign_hint.text() == ""
    desk.assign_note.setText("请三日内核实")
    _act(qtbot, desk, Qt.Key.Key_F6, wait_ms)
    assert desk.filters.tabText(1) == "办理中（1）"
    desk.select_key(no)
    assert desk.current is not None and desk.current.stage == "办理中"
    assert "承办：" in _row(desk, no)[4] and "1003" in _row(desk, no)[4]
    assert desk.rectify_box.isVisibleTo(desk) and desk.rectify_btn.isEnabled()
    assert not desk.callback_btn.isEnabled()  # 回访 follows the reply
    desk.rectify_note.setText("已对当事人批评教育，并在窗口张贴材料清单")
    _act(qtbot, desk, Qt.Key.Key_F8, wait_ms)
    desk.select_key(no)
    assert not desk.rectify_btn.isEnabled() and "整改（2026-11-24 09:00）：已对当事人批评教育" in desk.detail.text()
    desk.reply_text.setText("经核实，已对窗口人员批评教育，并补充告知所需材料。")
    _act(qtbot, desk, Qt.Key.Key_F10, wait_ms)
    desk.filters.setCurrentIndex(3)  # 已办结
    assert _row(desk, no)[4] == "已答复" and _row(desk, no)[6] == "已办结"
    desk.select_key(no)
    assert "答复（电话）：经核实" in desk.detail.text()
    assert not desk.assign_btn.isEnabled() and not desk.reply_btn.isEnabled()
    assert desk.callback_btn.isEnabled() and desk.callback_level.isVisibleTo(desk)
    assert [desk.callback_level.itemText(i) for i in range(1, 4)] == ["满意", "基本满意", "不满意"]
    desk.callback_note.setText("电话回访，群众对处理结果表示认可")
    desk.callback_level.setCurrentIndex(1)
    _act(qtbot, desk, Qt.Key.Key_F7, wait_ms)
    desk.select_key(no)
    assert _row(desk, no)[4] == "已答复，已回访（满意）" and not desk.callback_btn.isEnabled()


def test_the_server_refuses_to_assign_a_complaint_to_its_subject(live_server, clerk_api):
    no = _complain(clerk_api)
    with httpx.Client(base_url=f"{live_server.url}/api/v1", trust_env=False) as c:
        tok = c.post("/auth/login", json={"staff_no": "4001", "password": "demo1234"}).json()["token"]
        r = c.post(f"/complaints/{no}/assign", json={"to_staff_no": "1001"}, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 409 and r.json()["error"]["message"] == "不能交由被投诉人本人办理。"


def test_a_missed_deadline_is_red_and_says_so(qtbot, client_factory, clerk_api, clock, wait_ms):
    no = _complain(clerk_api)
    clock.advance(days=10)  # 2026-12-04: the limit ended on 12-01
    desk = _desk(qtbot, client_factory, wait_ms)
    assert desk.filters.tabText(2) == "已超期（1）" and "其中已超期 1 件" in desk.summary.text()
    desk.filters.setCurrentIndex(2)
    assert [it.key for it in desk.shown] == [no]
    assert _row(desk, no)[6] == "已超期 3 个工作日"  # a text mark, not colour alone
    assert desk.table.item(0, 6).foreground().color().name() == "#c62828"


def test_a_bad_rating_goes_call_back_fix_rerate_and_closes(qtbot, client_factory, take_ticket, clerk_api,
                                                          device_tokens, live_server, wait_ms):
    take_ticket("A")
    clerk = clerk_api("1001", 1)
    for step in ("call-next", "start", "complete"):
        assert clerk.post(f"/windows/1/{step}").status_code == 200
    r = httpx.post(f"{live_server.url}/api/v1/ratings", json={"level": "dissatisfied", "reasons": ["long_wait"]},
                   headers={"Authorization": f"Bearer {device_tokens['evaluator-1']}"}, trust_env=False)
    assert r.status_code == 201, r.text
    desk = _desk(qtbot, client_factory, wait_ms)
    item: Any = next(i for i in desk.shown if i.kind == "差评")
    kind, key, subject, about, state, _due_at, due = _row(desk, item.key)
    assert (subject, state, due) == ("不满意：等候时间长", "待回访", "剩 1 个工作日")
    assert about.startswith("王建国（1001）、1 号窗口、号票 A001")
    desk.select_key(item.key)
    assert desk.callback_btn.isEnabled() and not desk.rectify_btn.isEnabled() and not desk.rerate_btn.isEnabled()
    assert not desk.assign_box.isVisibleTo(desk) and not desk.callback_level.isVisibleTo(desk)
    desk.callback_note.setText("已电话联系群众，反映上午等候过久")
    _act(qtbot, desk, Qt.Key.Key_F7, wait_ms)
    desk.select_key(item.key)
    assert _row(desk, item.key)[4] == "待整改" and desk.rectify_btn.isEnabled()
    desk.rectify_note.setText("高峰时段增开 2 号窗口分流")
    _act(qtbot, desk, Qt.Key.Key_F8, wait_ms)
    desk.select_key(item.key)
    assert _row(desk, item.key)[4] == "待复评" and desk.rerate_btn.isEnabled()
    assert [desk.rerate.itemText(i) for i in range(desk.rerate.count())] == ["满意", "基本满意", "不满意"]
    desk.rerate.setCurrentIndex(1)
    _act(qtbot, desk, Qt.Key.Key_F9, wait_ms)
    desk.select_key(item.key)
    assert _row(desk, item.key)[4] == "已结束（复评：基本满意）" and _row(desk, item.key)[6] == "已办结"
    assert "回访（2026-11-24 09:00）：已电话联系群众" in desk.detail.text()
    assert not any(b.isEnabled() for b in (desk.callback_btn, desk.rectify_btn, desk.rerate_btn))


def test_the_supervision_office_has_the_same_work_list(qtbot, client_factory, clerk_api, wait_ms):
    no = _complain(clerk_api)
    b = client_factory("supervision", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("4001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(w.cards.loaded, timeout=wait_ms):
        w.login.button.click()
    i = next(i for i in range(w.tabs.count()) if w.tabs.tabText(i) == "投诉与差评")
    with qtbot.wait_signal(w.desk.loaded, timeout=wait_ms):
        w.tabs.setCurrentIndex(i)
    assert _row(w.desk, no)[:2] == ["投诉", no]
    w.desk.select_key(no)
    assert w.desk.assign_box.isVisibleTo(w.desk) and w.desk.reply_btn.isEnabled()


def test_a_new_complaint_appears_without_a_refresh(qtbot, client_factory, clerk_api, wait_ms):
    desk = _desk(qtbot, client_factory, wait_ms)
    assert desk.filters.tabText(0) == "新登记（0）"
    with qtbot.wait_signal(desk.loaded, timeout=wait_ms):
        no = _complain(clerk_api)  # registered at window 2; the stream tells the dashboard
    assert desk.filters.tabText(0) == "新登记（1）" and desk.shown[0].key == no
