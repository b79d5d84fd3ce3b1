"""The 受理 panel in the real window client (offscreen) against the live server: pinyin
search, 身份证 from the reader, materials, the three outcomes on F7/F8/F9, correction
and resumption, and the slip on the window printer."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from printers.simulators import TEST_CARDS

CARD = TEST_CARDS[0]  # 张三, on the simulated GA/T 467 reader


@pytest.fixture
def panel(qtbot, client_factory, sign_in, take_ticket, wait_ms):  # type: ignore[no-untyped-def]
    """Window 1 with a simulated receipt printer and 身份证 reader (card on it), A001 called."""
    b = client_factory("window", window_no=1, devices={"printer": "sim:printer", "idcard": "sim:idcard?card=0"})
    sign_in(b)
    take_ticket("A")
    with qtbot.wait_signal(b.session.ticket_called, timeout=wait_ms):
        qtbot.keyClick(b.widget, Qt.Key.Key_F1)
    p = b.widget.panel("受理")
    p.printer = b.ctx.devices.handles["printer"]
    return p


def pick_matter(qtbot, p, query: str, code: str, wait_ms: int) -> None:  # type: ignore[no-untyped-def]
    with qtbot.wait_signal(p.matters_found, timeout=wait_ms,
                           check_params_cb=lambda items: bool(items) and items[0].code == code):
        p.search.setText(query)
    with qtbot.wait_signal(p.matter_loaded, timeout=wait_ms):
        qtbot.keyClick(p.search, Qt.Key.Key_Return)
    assert p.matter is not None and p.matter.code == code


def read_card(qtbot, p, wait_ms: int) -> None:  # type: ignore[no-untyped-def]
    with qtbot.wait_signal(p.card_read, timeout=wait_ms):
        qtbot.keyClick(p.name, Qt.Key.Key_F10)
    assert p.name.text() == CARD.name and p.id_number.text() == CARD.id_number


def test_typing_sgxk_then_f7_accepts_prints_the_slip_and_shows_due_date(qtbot, panel, window_client, wait_ms):
    p = panel
    assert "A001" in p.ticket_label.text()
    pick_matter(qtbot, p, "sgxk", "ZJ-001", wait_ms)
    read_card(qtbot, p, wait_ms)
    p.phone.setText("13800138000")
    p.mark_all("received")
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms) as printed:
        with qtbot.wait_signal(p.case_saved, timeout=wait_ms) as saved:
            qtbot.keyClick(p.phone, Qt.Key.Key_F7)
    case = saved.args[0]
    assert case.case_no == "SG20261124-0001" and case.state == "accepted" and case.ticket_no == "A001"
    assert "2026-11-27" in p.result.text() and "剩余 3 个工作日" in p.result.text()
    data = printed.args[0]
    assert "受理回执".encode("gb18030") in data and b"SG20261124-0001" in data
    assert bytes(p.printer.driver.simulator.received).endswith(data)  # the printer got exactly the slip
    assert p.name.text() == "" and p.matter is None  # ready for the next applicant


def test_missing_material_is_refused_then_f8_tells_all_at_once_and_resumption_accepts(qtbot, panel, wait_ms):
    p = panel
    pick_matter(qtbot, p, "施工许可", "ZJ-001", wait_ms)
    read_card(qtbot, p, wait_ms)
    p.phone.setText("13800138000")
    p.mark_all("received")
    p.set_material("M4", "defective", "缺少发包方签章")
    p.set_material("M6", "missing")
    with qtbot.wait_signal(p.problem, timeout=wait_ms) as refused:
        qtbot.keyClick(p.phone, Qt.Key.Key_F7)
    assert "材料不齐全" in refused.args[0]
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms) as printed:
        with qtbot.wait_signal(p.case_saved, timeout=wait_ms) as saved:
            qtbot.keyClick(p.phone, Qt.Key.Key_F8)
    case = saved.args[0]
    assert case.state == "correction" and [m.code for m in case.to_correct] == ["M4", "M6"]
    assert "补正材料告知单".encode("gb18030") in printed.args[0]
    # the applicant comes back: the clerk types the case number from the notice
    with qtbot.wait_signal(p.matter_loaded, timeout=wait_ms):
        p.resume_no.setText(case.case_no)
        qtbot.keyClick(p.resume_no, Qt.Key.Key_Return)
    assert p.resuming is not None and p.resuming.case_no == case.case_no
    assert dict((t["code"], t["status"]) for t in p.ticks())["M4"] == "defective"
    p.mark_all("received")
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms):  # the slip is printed before the test ends
        with qtbot.wait_signal(p.case_saved, timeout=wait_ms) as again:
            qtbot.keyClick(p.resume_no, Qt.Key.Key_F7)
    assert again.args[0].case_no == case.case_no and again.args[0].state == "accepted"


def test_invalid_id_number_is_caught_before_sending(qtbot, panel, wait_ms):
    p = panel
    pick_matter(qtbot, p, "ZJ-002", "ZJ-002", wait_ms)
    p.name.setText("张三")
    p.id_number.setText("110105194912310021")
    p.phone.setText("13800138000")
    sent: list[str] = []
    p.api.request_sent.connect(lambda m, path: sent.append(f"{m} {path}"))
    with qtbot.wait_signal(p.problem, timeout=wait_ms) as got:
        qtbot.keyClick(p.phone, Qt.Key.Key_F7)
    assert "身份证号码校验不通过" in got.args[0] and not [s for s in sent if s.startswith("POST")]


def test_rejection_needs_reason_and_basis_then_f9_rejects(qtbot, panel, wait_ms):
    p = panel
    pick_matter(qtbot, p, "rqjy", "RQ-001", wait_ms)
    p.kind.setCurrentIndex(1)
    p.name.setText("某燃气有限公司")
    p.id_number.setText("91350100M000100Y43")
    p.phone.setText("0591-87654321")
    p.agent_name.setText("李四")
    with qtbot.wait_signal(p.problem, timeout=wait_ms):
        qtbot.keyClick(p.name, Qt.Key.Key_F9)
    p.reject_reason.setText("申请人不具备燃气经营主体资格")
    p.reject_basis.setText("《城镇燃气管理条例》第十五条")
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms):
        with qtbot.wait_signal(p.case_saved, timeout=wait_ms) as saved:
            qtbot.keyClick(p.name, Qt.Key.Key_F9)
    assert saved.args[0].state == "rejected" and saved.args[0].case_no.startswith("RQ")
