"""The 收费 panel in the real window client (offscreen) against the live server: a
department clerk raises a notice by quantities only; the cashier scans it, takes cash
with change, prints the receipt, voids it with a supervisor's approval, takes it again
by card, reprints (重打) and closes the day."""
from __future__ import annotations

from typing import Any

import pytest

from hall_client.devices import DeviceHandle
from printers.printer import Printer
from printers.transport import MemoryTransport

BDC_MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]


@pytest.fixture
def case_no(clerk_api) -> str:  # type: ignore[no-untyped-def]
    """An accepted 不动产登记 case, taken in by clerk 1006 at window 6 on another PC."""
    api = clerk_api("1006", 6)
    r = api.post("/cases", json={"matter_code": "BDC-001", "window_no": 6, "outcome": "accept",
                                 "materials": BDC_MATERIALS,
                                 "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X",
                                               "phone": "13800138000"}})
    assert r.status_code == 201, r.text
    return str(r.json()["case_no"])


def fee_panel(built: Any) -> Any:
    return built.widget.panel("收费")


def with_printer(built: Any) -> MemoryTransport:
    transport = MemoryTransport()
    built.ctx.devices.handles["printer"] = DeviceHandle("printer", lambda: Printer(transport, status_mode="off"))
    return transport


def test_clerk_raises_a_notice_by_quantities_only(qtbot, client_factory, sign_in, case_no, wait_ms):
    b = client_factory("window", window_no=5)
    sign_in(b, "1005")
    p = fee_panel(b)
    assert not p.is_cashier
    with qtbot.wait_signal(p.items_loaded, timeout=wait_ms) as got:
        p.case_no.setText(case_no)
        p.load_case()
    codes = [i.code for i in got.args[0]]
    assert {"BDC-DJF-ZZ", "BDC-GBF", "BDC-CHF"} <= set(codes)
    p.set_line("BDC-DJF-ZZ", "1")
    p.set_line("BDC-CHF", "120.55")
    with qtbot.wait_signal(p.notice_raised, timeout=wait_ms) as raised:
        p.raise_button.click()
    n = raised.args[0]
    assert n.total_fen == 8000 + 16395 and n.case_no == case_no
    assert n.notice_no in p.result.text() and "贰佰肆拾叁元玖角伍分" in p.result.text()
    # a quantity of zero is refused by the server, in plain Chinese, and nothing is raised
    p.set_line("BDC-GBF", "0")
    with qtbot.wait_signal(p.problem, timeout=wait_ms) as bad:
        p.raise_button.click()
    assert "大于 0" in bad.args[0]


def test_cashier_takes_cash_prints_voids_with_approval_retakes_by_card_and_closes_the_day(
        qtbot, client_factory, sign_in, clerk_api, case_no, wait_ms):
    clerk = clerk_api("1005", 5)
    r = clerk.post("/fees/notices", json={"case_no": case_no, "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"},
                                                                       {"item_code": "BDC-GBF", "quantity": "4"}]})
    assert r.status_code == 201, r.text
    qr_text = r.json()["qr_text"]
    b = client_factory("window", window_no=12)
    sign_in(b, "2001")
    transport = with_printer(b)
    p = fee_panel(b)
    assert p.is_cashier
    with qtbot.wait_signal(p.notice_loaded, timeout=wait_ms) as found:
        p.lookup.setText(qr_text)  # what the scanner types
        p.find_notice()
    assert found.args[0].total_fen == 12000 and "壹佰贰拾元整" in p.notice_label.text()
    p.tendered.setText("200")
    assert p.change.text() == "找零：¥80.00"
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms) as printed:
        with qtbot.wait_signal(p.receipt_issued, timeout=wait_ms) as issued:
            p.pay_button.click()
    first = issued.args[0]
    assert first.receipt_no == "SF202600000001" and first.change_fen == 8000
    assert first.receipt_no.encode() in printed.args[0] and "收费收据".encode("gb18030") in printed.args[0]
    assert bytes(transport.written) == printed.args[0]

    # 作废: the supervisor signs in beside the cashier; a wrong password first
    p.ask_void()
    assert p.approval is not None and p.approval.isVisible()
    p.approval.approver.setText("4002")
    p.approval.password.setText("wrong")
    p.approval.reason.setText("缴费人要求改刷卡")
    with qtbot.wait_signal(p.problem, timeout=wait_ms) as refused:
        p.approval.buttons.button(p.approval.buttons.StandardButton.Ok).click()
    assert "审批人工号或密码错误" in refused.args[0]
    p.ask_void()
    p.approval.approver.setText("4002")
    p.approval.password.setText("demo1234")
    p.approval.reason.setText("缴费人要求改刷卡")
    with qtbot.wait_signal(p.receipt_voided, timeout=wait_ms) as voided:
        p.approval.buttons.button(p.approval.buttons.StandardButton.Ok).click()
    assert voided.args[0].void and voided.args[0].void_approved_by == "4002"

    # the notice is payable again: by card this time, under the next number
    with qtbot.wait_signal(p.notice_loaded, timeout=wait_ms):
        p.lookup.setText(qr_text)
        p.find_notice()
    p.method.setCurrentIndex(p.method.findData("card"))
    p.reference.setText("POS-000123")
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms):
        with qtbot.wait_signal(p.receipt_issued, timeout=wait_ms) as again:
            p.pay_button.click()
    assert again.args[0].receipt_no == "SF202600000002" and again.args[0].method == "card"

    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms) as reprinted:
        p.reprint_button.click()
    assert "重打".encode("gb18030") in reprinted.args[0]

    p.counted.setText("0")
    with qtbot.wait_signal(p.day_previewed, timeout=wait_ms):
        p.close_button.click()
    assert p.day_dialog is not None and p.day_dialog.difference.text() == "无差额"
    with qtbot.wait_signal(p.day_closed, timeout=wait_ms) as closed:
        p.day_dialog.ok_button().click()
    d = closed.args[0]
    assert d.receipt_count == 2 and d.void_count == 1 and d.total_fen == 12000 and d.difference_fen == 0
    assert "已日结" in p.result.text() and "SF202600000001–SF202600000002" in p.result.text()
