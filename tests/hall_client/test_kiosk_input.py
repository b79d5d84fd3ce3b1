"""Kiosk input without a keyboard: the on-screen keyboard types into the touched field, a
scanner's keystroke burst is one input that opens the notice's case, slow typing is not a
scan, and a half-filled form is warned about (and can be kept with one touch) before the
idle reset clears it."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from hall_client.widgets.kiosk_keyboard import BACKSPACE, CLEAR, ENTER, OnScreenKeyboard
from hall_client.widgets.kiosk_scan import Burst

WAIT_MS = 8000
OK_ID = "11010519491231002X"


def on_home(k) -> bool:  # type: ignore[no-untyped-def]
    return k.pages.currentWidget() is k.home


def make_case(clerk_api):  # type: ignore[no-untyped-def]
    r = clerk_api("1001", 1).post("/cases", json={
        "matter_code": "ZJ-001", "window_no": 1, "outcome": "request_correction",
        "applicant": {"kind": "person", "name": "欧阳娜娜", "id_number": OK_ID, "phone": "13800138000"},
        "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 6)]})
    assert r.status_code == 201, r.text
    return r.json()


def type_burst(widget, text: str, *, start_ms: int = 1000, gap_ms: int = 4) -> None:  # type: ignore[no-untyped-def]
    """Keys as a wedge scanner sends them, with the window system's timestamps."""
    t = start_ms
    for ch in text:
        ev = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, ch)
        ev.setTimestamp(t)
        QApplication.sendEvent(widget, ev)
        t += gap_ms
    ev = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
    ev.setTimestamp(t)
    QApplication.sendEvent(widget, ev)


# --- the keyboard -----------------------------------------------------------------------

def test_keys_type_into_the_touched_field_and_switch_the_key_set(qtbot):
    from PySide6.QtWidgets import QLineEdit, QWidget, QVBoxLayout
    host = QWidget()
    lay = QVBoxLayout(host)
    case_no, phone = QLineEdit(), QLineEdit()
    kb = OnScreenKeyboard()
    kb.bind(case_no, "alnum")
    kb.bind(phone, "digits")
    for w in (case_no, phone, kb):
        lay.addWidget(w)
    qtbot.addWidget(host)
    for key in "SG2026":
        qtbot.mouseClick(kb.keys[key], Qt.MouseButton.LeftButton)
    assert case_no.text() == "SG2026" and kb.layout_name == "alnum"
    kb.set_target(phone)
    assert kb.layout_name == "digits" and "Q" not in kb.keys
    for key in "1380":
        qtbot.mouseClick(kb.keys[key], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kb.keys[BACKSPACE], Qt.MouseButton.LeftButton)
    assert phone.text() == "138" and case_no.text() == "SG2026"
    with qtbot.wait_signal(kb.entered, timeout=WAIT_MS):
        qtbot.mouseClick(kb.keys[ENTER], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kb.keys[CLEAR], Qt.MouseButton.LeftButton)
    assert phone.text() == ""


def test_a_key_never_takes_the_focus_from_the_field(qtbot):
    kb = OnScreenKeyboard("digits")
    qtbot.addWidget(kb)
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in kb.keys.values())


def test_the_lookup_is_typed_on_the_keyboard_alone(qtbot, kiosk_client, clerk_api):
    case = make_case(clerk_api)
    k = kiosk_client.widget
    k.show()
    k.extra_buttons["办件查询"].click()
    p = k.lookup_page()
    for ch in case["case_no"]:
        p.keyboard.press(ch)
    p.keyboard.press(ENTER)  # 确定 on the case number moves on to the code
    assert p.keyboard.target is p.code
    for ch in case["query_code"]:
        p.keyboard.press(ch)
    with qtbot.wait_signal(p.shown, timeout=WAIT_MS) as got:
        p.keyboard.press(ENTER)
    assert got.args[0].case_no == case["case_no"]


# --- the scanner ------------------------------------------------------------------------

def test_burst_timing_tells_a_scanner_from_a_person():
    fast, slow = Burst(), Burst()
    for i, ch in enumerate("SG20261124-0001"):
        fast.add(ch, 1000 + 5 * i)
        slow.add(ch, 1000 + 180 * i)
    assert fast.is_scan() and not slow.is_scan()
    url = Burst()
    for i, ch in enumerate("http://h/api/v1/cases/SG20261124-0001/public?code=K7PQ2M"):
        url.add(ch, 1000 + 120 * i)  # a slow scanner: the URL's shape alone says it is a scan
    assert url.is_scan()
    page = Burst()  # today's notices print the phone page's address
    for i, ch in enumerate("http://h/m/c/SG20261124-0001?code=K7PQ2M9XB3TA"):
        page.add(ch, 1000 + 120 * i)
    assert page.is_scan()


def test_a_scanned_notice_url_opens_its_case_from_the_home_page(qtbot, kiosk_client, clerk_api):
    case = make_case(clerk_api)
    k = kiosk_client.widget
    k.show()
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    p = k.lookup_page()
    with qtbot.wait_signal(p.shown, timeout=WAIT_MS) as got:
        type_burst(k, case["public_url"])
    assert got.args[0].case_no == case["case_no"]
    assert k.pages.currentWidget() is k.extra["办件查询"]
    assert p.case_no.text() == case["case_no"] and p.code.text() == case["query_code"]


def test_the_lookup_does_not_fire_on_half_a_scan(qtbot, kiosk_client, clerk_api):
    """The old bug: the field's Enter fired before the query code had arrived."""
    case = make_case(clerk_api)
    k = kiosk_client.widget
    k.show()
    k.extra_buttons["办件查询"].click()
    p = k.lookup_page()
    p.case_no.setFocus()
    fails: list[str] = []
    p.not_found.connect(fails.append)
    with qtbot.wait_signal(k.scanned, timeout=WAIT_MS) as got, qtbot.wait_signal(p.shown, timeout=WAIT_MS):
        type_burst(p.case_no, case["public_url"])
    assert got.args[0] == case["public_url"] and fails == []


def test_slow_typing_on_a_technicians_keyboard_is_typed_not_scanned(qtbot, kiosk_client):
    k = kiosk_client.widget
    k.show()
    k.extra_buttons["办件查询"].click()
    p = k.lookup_page()
    p.case_no.setFocus()
    scans: list[str] = []
    k.scanned.connect(scans.append)
    type_burst(p.case_no, "SG2026", gap_ms=200)
    assert scans == [] and p.case_no.text() == "SG2026"


# --- the idle reset ---------------------------------------------------------------------

def test_a_half_filled_form_is_warned_about_and_one_touch_keeps_it(qtbot, client_factory):
    b = client_factory("kiosk", kiosk_idle_reset_s=0.2, kiosk_idle_warn_s=30)
    k = b.widget
    k.show()
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    k.extra_buttons["投诉建议"].click()
    page = next(w for w in k.extra["投诉建议"].findChildren(QWidget) if hasattr(w, "registered"))
    page.kinds[0].click()
    page.keyboard.press("1")
    with qtbot.wait_signal(k.idle_warned, timeout=WAIT_MS) as got:
        pass
    assert got.args[0] == 30 and not k.warning.isHidden() and "30 秒" in k.warning.label.text()
    with qtbot.wait_signal(k.idle_extended, timeout=WAIT_MS):
        qtbot.mouseClick(k.warning.extend, Qt.MouseButton.LeftButton)
    assert k.warning.isHidden() and k.pages.currentWidget() is k.extra["投诉建议"]
    assert page.chosen() == [page.kinds[0].label] and page.phone.text() == "1"


def test_an_unanswered_warning_clears_the_form_and_goes_home(qtbot, client_factory):
    b = client_factory("kiosk", kiosk_idle_reset_s=0.1, kiosk_idle_warn_s=1)
    k = b.widget
    k.show()
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    k.extra_buttons["办件查询"].click()
    p = k.lookup_page()
    p.keyboard.press("S")
    with qtbot.wait_signal(k.idle_warned, timeout=WAIT_MS):
        pass
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    assert p.case_no.text() == "" and k.warning.isHidden()


def test_an_empty_page_goes_home_without_a_warning(qtbot, client_factory):
    b = client_factory("kiosk", kiosk_idle_reset_s=0.05, kiosk_idle_warn_s=30)
    k = b.widget
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    warned: list[int] = []
    k.idle_warned.connect(warned.append)
    k.open_guide()
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    assert warned == []


def test_the_guide_is_searched_by_pinyin_initials_and_opened_by_a_touch(qtbot, kiosk_client):
    k = kiosk_client.widget
    k.resize(1920, 1080)
    k.show()
    qtbot.wait_until(lambda: on_home(k), timeout=WAIT_MS)
    k.home.guide.click()
    for ch in "SGXK":
        k.guide.keyboard.press(ch)
    qtbot.wait_until(lambda: k.guide.list.count() == 1, timeout=WAIT_MS)
    assert "施工许可" in k.guide.list.item(0).text()
    rect = k.guide.list.visualItemRect(k.guide.list.item(0))
    qtbot.mouseClick(k.guide.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.wait_until(lambda: "收费标准及依据" in k.guide.detail.toPlainText(), timeout=WAIT_MS)
    text = k.guide.detail.toPlainText()
    for field in ("办理地点", "办理时间", "办理时限", "申请材料", "设定依据", "咨询电话", "投诉电话", "监督电话"):
        assert field in text
    assert "号窗口" in text and ("原件" in text or "复印件" in text)
