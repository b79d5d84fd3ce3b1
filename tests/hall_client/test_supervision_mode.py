"""Supervision mode against the live server: an inspector signs in, opens a red card on
its evidence and signs it off, searches the log, checks the chain and exports."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate
from pypdf import PdfReader


@pytest.fixture
def morning_with_a_long_wait(take_ticket, clerk_api, clock):  # type: ignore[no-untyped-def]
    take_ticket("A")
    clock.advance(minutes=65)
    clerk = clerk_api("1001", 1)
    assert clerk.post("/windows/1/call-next").status_code == 200
    return clerk


@pytest.fixture(autouse=True)
def _client_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The supervision PC keeps audit checkpoints in its data folder: a fresh one per test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "client-data"))


def _inspector(qtbot, client_factory, wait_ms):  # type: ignore[no-untyped-def]
    b = client_factory("supervision", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("4001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(w.cards.loaded, timeout=wait_ms):
        w.login.button.click()
    day = QDate(2026, 11, 24)
    w.cards.start.setDate(day)
    w.cards.end.setDate(day)
    with qtbot.wait_signal(w.cards.loaded, timeout=wait_ms):
        w.cards.go.click()
    return b


def test_inspector_opens_a_red_card_on_its_evidence_and_signs_it_off(qtbot, client_factory, wait_ms,
                                                                     morning_with_a_long_wait):
    w = _inspector(qtbot, client_factory, wait_ms).widget
    tab = w.cards
    row = next(i for i, k in enumerate(tab.cards) if k.rule == "long_wait")
    assert tab.table.item(row, 0).text() == "红牌" and tab.table.item(row, 4).text() == "未签阅"
    with qtbot.wait_signal(tab.opened, timeout=wait_ms) as got:
        tab.table.cellClicked.emit(row, 0)
    assert [e.type for e in got.args[0].events] == ["ticket.issued", "ticket.called"]
    assert tab.evidence.rowCount() == 2 and tab.sign.isEnabled()
    tab.note.setText("已核实，约谈窗口")
    with qtbot.wait_signal(tab.signed, timeout=wait_ms) as signed:
        tab.sign.click()
    assert signed.args[0].signed_by == "4001"
    qtbot.wait_until(lambda: any(k.key == signed.args[0].key and k.signed_off for k in tab.cards), timeout=wait_ms)
    row = next(i for i, k in enumerate(tab.cards) if k.key == signed.args[0].key)
    assert tab.table.item(row, 4).text() == "钱监察（4001）"


def test_log_search_and_staff_timeline(qtbot, client_factory, wait_ms, morning_with_a_long_wait):
    w = _inspector(qtbot, client_factory, wait_ms).widget
    w.search.ticket.setText("a001")
    with qtbot.wait_signal(w.search.searched, timeout=wait_ms) as got:
        w.search.go.click()
    assert [e.type for e in got.args[0].events] == ["ticket.called", "ticket.issued"]
    assert w.search.table.rowCount() == 2 and w.search.table.item(0, 4).text() == "叫号"
    w.timeline.staff_no.setText("1001")
    w.timeline.day.setDate(QDate(2026, 11, 24))
    with qtbot.wait_signal(w.timeline.shown, timeout=wait_ms) as t:
        w.timeline.staff_go.click()
    assert "王建国（1001）" in w.timeline.title.text() and t.args[0].summary["called"] == 1
    assert "叫号：1" in w.timeline.summary.text() and "called" not in w.timeline.summary.text()
    assert "王建国（1001）在 1 号窗口叫号 A001" in w.timeline.table.sentences()


def test_search_shows_chinese_sentences_in_local_time_and_the_raw_record_in_the_detail_pane(
        qtbot, client_factory, wait_ms, morning_with_a_long_wait):
    w = _inspector(qtbot, client_factory, wait_ms).widget
    w.search.ticket.setText("A001")
    with qtbot.wait_signal(w.search.searched, timeout=wait_ms) as got:
        w.search.go.click()
    called = got.args[0].events[0]
    log = w.search.table
    # the fake clock's morning: 09:00 Shanghai + 65 min = 02:05 UTC; the screen shows the hall's 10:05
    assert log.item(0, 1).text() == "2026-11-24 10:05:00"
    assert log.item(0, 2).text() == "王建国（1001）" and log.item(0, 4).text() == "叫号"
    assert log.sentences() == ["王建国（1001）在 1 号窗口叫号 A001", "1 号取号机发出号码 A001，前面等候 0 人"]
    shown = "\n".join("\t".join(log.item(r, c).text() for c in range(6)) for r in range(log.rowCount()))
    assert "ticket." not in shown and "{" not in shown and "staff:" not in shown
    assert log.detail.toPlainText() == ""
    with qtbot.wait_signal(log.selected, timeout=wait_ms):
        log.table.setCurrentCell(0, 5)
    raw = log.detail.toPlainText()
    assert "ticket.called" in raw and '"ticket": "A001"' in raw and "staff:1001" in raw and "2026-11-24 10:05:00" in raw
    assert "王建国（1001）" in raw
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    hall_today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the filters open on the hall's clock, not the PC's
    assert w.search.end.date().toPython() in (hall_today + timedelta(days=1), hall_today + timedelta(days=2))
    ti = w.search.type_.findData("ticket.called")
    assert ti > 0 and w.search.type_.itemText(ti) == "号票 · 叫号"


def test_chain_check_shows_its_result(qtbot, client_factory, wait_ms):
    w = _inspector(qtbot, client_factory, wait_ms).widget
    with qtbot.wait_signal(w.audit.checked, timeout=wait_ms) as got:
        w.audit.go.click()
    assert got.args[0].ok and "日志完整" in w.audit.result.text()


def test_exports_are_saved_and_open_back(qtbot, client_factory, wait_ms, tmp_path: Path, morning_with_a_long_wait):
    w = _inspector(qtbot, client_factory, wait_ms).widget
    w.export.ask_path = lambda suffix: tmp_path / f"export.{suffix}"
    with qtbot.wait_signal(w.export.exported, timeout=wait_ms) as got:
        w.export.xlsx.click()
    wb = load_workbook(Path(got.args[0]))
    assert any(r[4] == "叫号" for r in wb["事件日志"].iter_rows(min_row=4, values_only=True))
    assert any(r[0] == "红牌" for r in wb["红黄牌"].iter_rows(min_row=4, values_only=True))
    with qtbot.wait_signal(w.export.exported, timeout=wait_ms) as got:
        w.export.pdf.click()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(got.args[0]).read_bytes())).pages)
    assert "监察报告" in text and "A001" in text


def test_a_clerk_cannot_use_the_supervision_client(qtbot, client_factory, wait_ms):
    b = client_factory("supervision", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("1001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(b.ctx.bridge.message, timeout=wait_ms,
                           check_params_cb=lambda level, text: level == "error") as got:
        w.login.button.click()
    assert "无权" in got.args[1] and w.cards.cards == []
