"""The cashier's back office and the clerk's A4 documents in the real window client
(offscreen) against the live server: refund with the supervisor's approval, correcting
and cancelling a wrong payment notice, the case coming over from this window's intake,
the 日结 confirmation with a cash difference and its note, the printed 日结单 (thermal
bytes decoded) and the A4 PDFs opened (files written and read back)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pypdf import PdfReader

from hall_client import documents
from hall_client.devices import DeviceHandle
from printers.decode import decode
from printers.printer import Printer
from printers.transport import MemoryTransport

BDC_MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]


@pytest.fixture
def opened(monkeypatch) -> list[Path]:  # type: ignore[no-untyped-def]
    """Files handed to the system PDF viewer (none pops up on a build machine)."""
    seen: list[Path] = []
    monkeypatch.setattr(documents, "system_open", lambda p: seen.append(p) or True)
    return seen


def pdf_text(path: str | Path) -> str:
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF")
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def with_printer(built: Any) -> MemoryTransport:
    transport = MemoryTransport()
    built.ctx.devices.handles["printer"] = DeviceHandle("printer", lambda: Printer(transport, status_mode="off"))
    return transport


def accepted_case(clerk_api: Any, name: str = "张三") -> str:
    api = clerk_api("1006", 6)
    r = api.post("/cases", json={"matter_code": "BDC-001", "window_no": 6, "outcome": "accept",
                                 "materials": BDC_MATERIALS,
                                 "applicant": {"kind": "person", "name": name, "id_number": "11010519491231002X",
                                               "phone": "13800138000"}})
    assert r.status_code == 201, r.text
    return str(r.json()["case_no"])


def cashier_window(client_factory: Any, sign_in: Any, staff_no: str = "2001") -> tuple[Any, Any, MemoryTransport]:
    b = client_factory("window", window_no=12)
    sign_in(b, staff_no)
    transport = with_printer(b)
    return b, b.widget.panel("收费"), transport


def test_refund_needs_the_supervisors_password_and_prints_a_refund_slip(
        qtbot, client_factory, sign_in, clerk_api, wait_ms):
    case_no = accepted_case(clerk_api)
    clerk = clerk_api("1005", 5)
    n = clerk.post("/fees/notices", json={"case_no": case_no, "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"},
                                                                       {"item_code": "BDC-GBF", "quantity": "2"}]})
    assert n.status_code == 201, n.text
    other = clerk_api("2002", 12)  # yesterday's shift, in effect: paid, then closed
    r = other.post("/fees/receipts", json={"notice": n.json()["notice_no"], "method": "cash", "tendered_fen": 10000})
    assert r.status_code == 201, r.text
    receipt_no = r.json()["receipt_no"]
    assert other.post("/fees/day-close", json={"counted_cash_fen": 10000}).status_code == 201
    assert other.post("/windows/12/sign-out").status_code == 200  # the window is free for 2001

    b, p, transport = cashier_window(client_factory, sign_in)
    assert p.refund_button.isEnabled() and p.refund_button.text() == "退费…"
    p.ask_refund()
    dlg = p.refund_dialog
    assert dlg is not None and dlg.isVisible() and dlg.windowTitle() == "退费（需审批）"
    dlg.receipt.setText(receipt_no)
    dlg.amount.setText("20")
    dlg.reason.setText("工本费多收两本")
    dlg.approver.setText("4001")
    dlg.password.setText("wrong")
    with qtbot.wait_signal(p.problem, timeout=wait_ms) as refused:
        dlg.ok_button().click()
    assert "审批人工号或密码错误" in refused.args[0]
    assert dlg.password.text() == ""  # never left lying in the dialog

    p.ask_refund()
    dlg = p.refund_dialog
    dlg.receipt.setText(receipt_no)
    dlg.amount.setText("20.00")
    dlg.reason.setText("工本费多收两本")
    dlg.approver.setText("4001")
    dlg.password.setText("demo1234")
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms) as printed:
        with qtbot.wait_signal(p.receipt_refunded, timeout=wait_ms) as refunded:
            dlg.ok_button().click()
    t = refunded.args[0]
    assert t.kind == "refund" and t.amount_fen == -2000 and t.refund_of == receipt_no and t.refund_approved_by == "4001"
    assert "已退费" in p.result.text() and t.receipt_no in p.result.text() and "贰拾元整" in p.result.text()
    slip = decode(printed.args[0]).text
    assert "退费凭证" in slip and t.receipt_no in slip and receipt_no in slip and "4001" in slip
    assert bytes(transport.written) == printed.args[0]


def test_day_close_with_a_short_needs_a_note_then_prints_the_day_sheet_and_opens_the_a4(
        qtbot, client_factory, sign_in, clerk_api, wait_ms, opened):
    case_no = accepted_case(clerk_api)
    n = clerk_api("1005", 5).post("/fees/notices", json={"case_no": case_no,
                                                         "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]})
    b, p, transport = cashier_window(client_factory, sign_in)
    with qtbot.wait_signal(p.notice_loaded, timeout=wait_ms):
        p.lookup.setText(n.json()["qr_text"])
        qtbot.keyClick(p.lookup, Qt.Key.Key_Return)
    p.tendered.setText("100")
    with qtbot.wait_signal(p.receipt_issued, timeout=wait_ms):
        with qtbot.wait_signal(p.slip_printed, timeout=wait_ms):
            qtbot.keyClick(p.tendered, Qt.Key.Key_F11)  # 收费 is F11: F5 belongs to the queue

    p.counted.setText("79.50")
    with qtbot.wait_signal(p.day_previewed, timeout=wait_ms):
        qtbot.keyClick(p.counted, Qt.Key.Key_Return)
    dlg = p.day_dialog
    assert dlg is not None and dlg.isVisible()
    assert (dlg.expected.text(), dlg.counted.text(), dlg.difference.text()) == ("¥80.00", "¥79.50", "短款 ¥0.50")
    assert not dlg.ok_button().isEnabled() and "写明差额原因" in dlg.hint.text()
    dlg.note.setText("找零多找五角")
    assert dlg.ok_button().isEnabled()
    with qtbot.wait_signal(p.slip_printed, timeout=wait_ms) as printed:
        with qtbot.wait_signal(p.day_closed, timeout=wait_ms) as closed:
            dlg.ok_button().click()
    d = closed.args[0]
    assert d.closed and d.difference_fen == -50 and d.note == "找零多找五角"
    assert "已日结" in p.result.text() and "短款 ¥0.50（找零多找五角）" in p.result.text()
    assert not p.pay_button.isEnabled()
    sheet = decode(printed.args[0])
    text = sheet.text
    for want in ("收费日结单", "工号 2001", "SF202600000001", "现金", "应有现金", "清点现金", "短款", "0.50",
                 "找零多找五角", "收费员签字"):
        assert want in text, (want, text)
    assert sheet.cuts == 1 and bytes(transport.written).endswith(printed.args[0])

    with qtbot.wait_signal(p.document_opened, timeout=wait_ms) as doc:
        p.day_pdf_button.click()
    assert opened == [Path(doc.args[0])]
    a4 = pdf_text(doc.args[0])
    for want in ("收费日结单", "2001", "SF202600000001", "¥79.50", "短款 ¥0.50", "找零多找五角"):
        assert want in a4, want


def fill_bdc_intake(qtbot: Any, intake: Any, wait_ms: int) -> None:
    with qtbot.wait_signal(intake.matters_found, timeout=wait_ms,
                           check_params_cb=lambda items: bool(items) and items[0].code == "BDC-001"):
        intake.search.setText("BDC-001")
    with qtbot.wait_signal(intake.matter_loaded, timeout=wait_ms):
        qtbot.keyClick(intake.search, Qt.Key.Key_Return)
    intake.name.setText("王建国")
    intake.id_number.setText("11010519491231002X")
    intake.phone.setText("13800138000")
    intake.mark_all("received")


def test_the_case_just_accepted_comes_to_the_fee_tab_and_a_wrong_notice_is_corrected_then_cancelled(
        qtbot, client_factory, sign_in, wait_ms, opened):
    b = client_factory("window", window_no=5)
    sign_in(b, "1005")
    intake, fee = b.widget.panel("受理"), b.widget.panel("收费")
    fill_bdc_intake(qtbot, intake, wait_ms)
    with qtbot.wait_signal(fee.items_loaded, timeout=wait_ms):
        with qtbot.wait_signal(fee.case_prefilled, timeout=wait_ms) as pre:
            with qtbot.wait_signal(intake.case_saved, timeout=wait_ms) as saved:
                qtbot.keyClick(intake.phone, Qt.Key.Key_F7)
    case_no = saved.args[0].case_no
    assert pre.args[0] == case_no and fee.case_no.text() == case_no and case_no in fee.case_label.text()

    # 住宅 / 非住宅 exclude each other: ticking one greys the other out
    fee.set_line("BDC-DJF-FZZ", "1")
    assert not fee.item_enabled("BDC-DJF-ZZ") and fee.item_enabled("BDC-GBF")
    with qtbot.wait_signal(fee.notices_loaded, timeout=wait_ms, check_params_cb=lambda ns: len(ns) == 1):
        with qtbot.wait_signal(fee.notice_raised, timeout=wait_ms) as raised:
            qtbot.keyClick(fee.case_no, Qt.Key.Key_F12)
    wrong = raised.args[0]
    assert wrong.total_fen == 55000 and fee.notice_table.rowCount() == 1

    # the property is a dwelling: tick 住宅 instead and correct the notice
    fee.clear_lines()
    assert fee.item_enabled("BDC-DJF-ZZ")
    fee.set_line("BDC-DJF-ZZ", "1")
    assert not fee.item_enabled("BDC-DJF-FZZ")
    fee.select_notice(wrong.notice_no)
    assert fee.correct_notice_button.isEnabled() and fee.cancel_notice_button.isEnabled()
    fee.ask_correct()
    dlg = fee.reason_dialog
    assert dlg is not None and wrong.notice_no in dlg.windowTitle() and not dlg.ok_button().isEnabled()
    dlg.reason.setText("房屋用途为住宅")
    with qtbot.wait_signal(fee.notices_loaded, timeout=wait_ms, check_params_cb=lambda ns: len(ns) == 2):
        with qtbot.wait_signal(fee.notice_corrected, timeout=wait_ms) as corrected:
            dlg.ok_button().click()
    new = corrected.args[0]
    assert new.replaces == wrong.notice_no and new.total_fen == 8000
    assert f"{wrong.notice_no} 作废" in fee.result.text() and new.notice_no in fee.result.text()
    table = [[fee.notice_table.item(r, c).text() for c in range(4)] for r in range(fee.notice_table.rowCount())]
    assert table[0][:3] == [wrong.notice_no, "¥550.00", "已撤销"] and f"已更正为 {new.notice_no}" in table[0][3]
    assert table[1][:3] == [new.notice_no, "¥80.00", "待缴费"] and f"更正自 {wrong.notice_no}" in table[1][3]

    # the A4 payment notice of the replacement, opened in the viewer
    fee.select_notice(new.notice_no)
    with qtbot.wait_signal(fee.document_opened, timeout=wait_ms) as doc:
        fee.open_notice_button.click()
    text = pdf_text(doc.args[0])
    assert new.notice_no in text and case_no in text and "80.00" in text

    # and cancelled after all (the applicant withdraws): a cancelled notice offers no cancel
    fee.ask_cancel()
    fee.reason_dialog.reason.setText("申请人撤回申请")
    with qtbot.wait_signal(fee.notices_loaded, timeout=wait_ms,
                           check_params_cb=lambda ns: [n.state for n in ns] == ["cancelled", "cancelled"]):
        with qtbot.wait_signal(fee.notice_cancelled, timeout=wait_ms) as cancelled:
            fee.reason_dialog.ok_button().click()
    assert cancelled.args[0].state == "cancelled"
    fee.select_notice(new.notice_no)
    assert not fee.cancel_notice_button.isEnabled() and not fee.correct_notice_button.isEnabled()
    assert fee.open_notice_button.isEnabled()


def test_the_clerk_opens_the_a4_acceptance_notice_from_the_intake_panel(
        qtbot, client_factory, sign_in, wait_ms, opened):
    b = client_factory("window", window_no=5)
    sign_in(b, "1005")
    intake = b.widget.panel("受理")
    assert not intake.open_notice_button.isEnabled()
    fill_bdc_intake(qtbot, intake, wait_ms)
    with qtbot.wait_signal(intake.case_saved, timeout=wait_ms) as saved:
        qtbot.keyClick(intake.phone, Qt.Key.Key_F7)
    case = saved.args[0]
    assert intake.open_notice_button.isEnabled()
    with qtbot.wait_signal(intake.document_opened, timeout=wait_ms) as doc:
        intake.open_notice_button.click()
    path = Path(doc.args[0])
    assert opened == [path] and path.exists() and case.case_no in path.name
    text = pdf_text(path)
    assert "受理通知书" in text and case.case_no in text and "王建国" in text
    assert "11010519491231002X" not in text  # the identity number never whole on paper either


def test_printing_an_a4_document_goes_through_qprinter(qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrinter
    from reportlab.pdfgen import canvas
    src = tmp_path / "in.pdf"
    c = canvas.Canvas(str(src))
    for page in range(2):
        c.drawString(100, 700, f"page {page}")
        c.showPage()
    c.save()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    assert documents.print_file(src, printer) == 2
    assert len(PdfReader(str(tmp_path / "out.pdf")).pages) == 2


def test_the_live_dashboard_counts_a_refund_as_money_back_not_a_receipt():
    from datetime import datetime, timezone

    from hall_client.widgets.dashboard_state import Dash, apply
    from hall_server.contract import DashboardOut, EventOut, FiguresOut
    snap = DashboardOut.model_validate(dict(
        business_day="2026-11-24", timezone="Asia/Shanghai", now="2026-11-24T01:00:00Z", last_seq=10,
        heartbeat_timeout_s=180, today=FiguresOut(), categories=[], windows=[], by_hour=[], by_window=[], trend=[],
        devices=[]))

    def ev(seq: int, type_: str, **data: Any) -> EventOut:
        return EventOut(seq=seq, at=datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc), actor="2001", window_no=12,
                        type=type_, data=data)
    d = apply(Dash.from_snapshot(snap), ev(11, "fee.paid", amount_fen=10000, receipt_no="SF1"))
    d = apply(d, ev(12, "fee.refunded", amount_fen=-2000, receipt_no="TF1", refund_of="SF1"))
    assert (d.today.fees_fen, d.today.receipts) == (8000, 1)


def test_the_cashier_scanning_a_corrected_notice_is_led_to_its_replacement(
        qtbot, client_factory, sign_in, clerk_api, wait_ms):
    case_no = accepted_case(clerk_api)
    clerk = clerk_api("1005", 5)
    wrong = clerk.post("/fees/notices", json={"case_no": case_no,
                                              "lines": [{"item_code": "BDC-DJF-FZZ", "quantity": "1"}]}).json()
    new = clerk.post(f"/fees/notices/{wrong['notice_no']}/correct",
                     json={"reason": "房屋用途为住宅", "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]}).json()
    b, p, _t = cashier_window(client_factory, sign_in)
    with qtbot.wait_signal(p.notice_loaded, timeout=wait_ms):
        p.lookup.setText(wrong["qr_text"])  # the applicant hands over the old print
        qtbot.keyClick(p.lookup, Qt.Key.Key_Return)
    assert "已撤销" in p.notice_label.text() and f"已更正为 {new['notice_no']}" in p.notice_label.text()
    assert not p.pay_button.isEnabled() and p.lookup.text() == new["notice_no"]
    with qtbot.wait_signal(p.notice_loaded, timeout=wait_ms) as got:
        qtbot.keyClick(p.lookup, Qt.Key.Key_Return)
    assert got.args[0].notice_no == new["notice_no"] and got.args[0].total_fen == 8000 and p.pay_button.isEnabled()


def test_qts_own_print_dialog_speaks_chinese(qapp):
    from PySide6.QtCore import QCoreApplication
    assert documents.qt_in_chinese()
    assert QCoreApplication.translate("QPrintDialog", "Print") == "打印"
