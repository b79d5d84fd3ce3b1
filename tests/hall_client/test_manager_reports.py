"""The manager's 报表 tab against the live server on a crafted day: the figures on screen
are the day's (tickets, waits, fees of the department that raised the notice), the PDF
opens in the system viewer (a real PDF, read back), the xlsx is saved where asked and
holds numbers; the fee reconciliation of the period agrees."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from pypdf import PdfReader

from hall_server.domain.money import yuan

BDC_MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]


@pytest.fixture
def crafted_day(take_ticket, clerk_api, clock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """2026-11-24: A×3 and B×1 taken at 09:00; window 1 serves two A (waits 10 and 20
    minutes); window 5 accepts a 不动产登记 case and raises a notice; the cashier takes it."""
    for cat in "AAAB":
        take_ticket(cat)
    w1 = clerk_api("1001", 1)
    for wait in (10, 5):
        clock.advance(minutes=wait)
        for step in ("call-next", "start", "complete"):
            assert w1.post(f"/windows/1/{step}").status_code == 200
        clock.advance(minutes=5)
    bdc = clerk_api("1005", 5)
    case = bdc.post("/cases", json={"matter_code": "BDC-001", "window_no": 5, "outcome": "accept",
                                    "materials": BDC_MATERIALS,
                                    "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X",
                                                  "phone": "13800138000"}})
    assert case.status_code == 201, case.text
    notice = bdc.post("/fees/notices", json={"case_no": case.json()["case_no"],
                                             "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]})
    assert notice.status_code == 201, notice.text
    cashier = clerk_api("2001", 12)
    due = int(notice.json()["total_fen"])
    paid = cashier.post("/fees/receipts", json={"notice": notice.json()["notice_no"], "method": "cash",
                                                "tendered_fen": due})
    assert paid.status_code == 201, paid.text
    return {"fee_fen": int(paid.json()["amount_fen"])}


def _manager(qtbot, client_factory, wait_ms):  # type: ignore[no-untyped-def]
    b = client_factory("dashboard", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("3001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(w.updated, timeout=wait_ms):
        w.login.button.click()
    w.resize(1366, 768)
    w.show()
    w.activateWindow()
    qtbot.wait_until(w.isActiveWindow, timeout=wait_ms)  # shortcuts act in the active window
    w.tabs.setCurrentIndex(1)
    return b


def test_daily_report_on_screen_shows_the_crafted_day(qtbot, client_factory, wait_ms, crafted_day, tmp_path):
    w = _manager(qtbot, client_factory, wait_ms).widget
    tab = w.reports
    assert tab.day.date() == QDate(2026, 11, 24)  # the hall's business day, not this PC's
    assert tab.go.isEnabled() and not tab.pdf.isEnabled() and not tab.xlsx.isEnabled()
    with qtbot.wait_signal(tab.loaded, timeout=wait_ms):
        qtbot.keyClick(tab, Qt.Key.Key_F5)
    assert tab.title.text().endswith("日报（2026年11月24日）")
    assert tab.fig["取号"].text() == "4" and tab.fig["办结（号）"].text() == "2"
    assert tab.fig["平均等候"].text() == "15.0 分钟"
    assert tab.fig["受理办件"].text() == "1"
    assert tab.fig["收费金额"].text() == yuan(crafted_day["fee_fen"]) and tab.fig["收费票据"].text() == "1"
    assert tab.pdf.isEnabled() and tab.xlsx.isEnabled()
    # by department: the two departments that worked that day (which department a fee
    # counts for is the report's rule, issue 12 part 6; the screen shows what the server says)
    assert tab.dimension.currentText() == "分部门" and tab.table.rowCount() == 2
    assert tab.table.horizontalHeaderItem(6).text() == "收费金额"
    tab.dimension.setCurrentText("分时段")
    assert tab.table.item(0, 0).text() == "09:00" and tab.table.item(0, 1).text() == "4"
    assert tab.chart.labels == ["9时"] and tab.chart.values == [4.0]

    opened: list[Any] = []
    tab.open_url = lambda url: opened.append(url) or True
    with qtbot.wait_signal(tab.pdf_opened, timeout=wait_ms) as pdf:
        qtbot.keyClick(tab, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    path = Path(pdf.args[0])
    assert opened and opened[0].toLocalFile() == str(path) and path.read_bytes()[:5] == b"%PDF-"
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert "日报" in text and "2026-11-24" in text

    dest = tmp_path / "日报.xlsx"
    tab.ask_path = lambda: dest
    with qtbot.wait_signal(tab.xlsx_saved, timeout=wait_ms):
        qtbot.keyClick(tab, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wb = load_workbook(dest)
    cats = {r[0]: r for r in wb["分类别"].iter_rows(min_row=3, values_only=True) if r[0]}
    a = next(v for k, v in cats.items() if str(k).startswith("A "))
    assert a[1] == 3 and a[2] == 2 and isinstance(a[1], int)  # numbers, not text


def test_fee_reconciliation_of_a_period_on_screen_and_as_xlsx(qtbot, client_factory, wait_ms, crafted_day,
                                                             tmp_path):
    w = _manager(qtbot, client_factory, wait_ms).widget
    tab = w.reports
    qtbot.keyClick(tab, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert tab.kind.currentText() == "收费对账" and tab.periods.currentWidget().isVisibleTo(tab)
    tab.start.setDate(QDate(2026, 11, 1))
    tab.end.setDate(QDate(2026, 11, 30))
    with qtbot.wait_signal(tab.loaded, timeout=wait_ms):
        tab.go.click()
    fee = yuan(crafted_day["fee_fen"])
    assert tab.title.text().endswith("收费对账（2026年11月01日 至 2026年11月30日）")
    assert tab.fig["收款合计"].text() == fee and tab.fig["净额"].text() == fee and tab.fig["收款笔数"].text() == "1"
    assert tab.fig["未日结"].text() == "1" and "尚未日结：2001 2026-11-24" in tab.notes.text()
    assert tab.table.rowCount() == 1 and tab.table.item(0, 4).text() == fee
    dest = tmp_path / "对账.xlsx"
    tab.ask_path = lambda: dest
    with qtbot.wait_signal(tab.xlsx_saved, timeout=wait_ms):
        tab.xlsx.click()
    values = [c for row in load_workbook(dest).active.iter_rows(values_only=True) for c in row]
    assert any(isinstance(v, (int, float)) and round(v * 100) == crafted_day["fee_fen"] for v in values)


def test_monthly_and_yearly_reports_show_their_period(qtbot, client_factory, wait_ms, crafted_day):
    w = _manager(qtbot, client_factory, wait_ms).widget
    tab = w.reports
    tab.kind.setCurrentIndex(1)
    with qtbot.wait_signal(tab.loaded, timeout=wait_ms):
        tab.go.click()
    assert tab.title.text().endswith("月报（2026年11月）") and tab.fig["取号"].text() == "4"
    assert tab.chart.values[-1] == 4.0 and list(tab.view.tables) == ["分部门", "分窗口", "逐日"]
    tab.kind.setCurrentIndex(2)
    assert not tab.pdf.isEnabled()  # the file would not be the report on screen
    with qtbot.wait_signal(tab.loaded, timeout=wait_ms):
        tab.go.click()
    assert "2026 年度政务服务数据" in tab.title.text() and tab.fig["收费金额"].text() == yuan(crafted_day["fee_fen"])
    assert "11 月" in tab.chart.labels
