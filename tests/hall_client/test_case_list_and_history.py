"""我的办件 and 办件全程 in the real window client (offscreen) against the live server:
a case walked through its whole lifecycle from the clerk's list, with the buttons
following the server's transition table and the days left shown at each step; the
extension approved by a manager's own password (a wrong one refused and logged); and the
case's history — ticket, intake, fees — in order with Chinese labels, never showing the
clerk a rating's level."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from hall_client.widgets.case_list import COL_DUE, COL_LEFT, CaseListPanel
from hall_server.contract import CaseBrief

OK_ID = "11010519491231002X"


def applicant() -> dict[str, str]:
    return {"kind": "person", "name": "张三", "id_number": OK_ID, "phone": "13800138000"}


def accept(api: httpx.Client, *, matter: str, window_no: int) -> dict[str, Any]:
    mats = api.get(f"/matters/{matter}").json()["materials"]
    r = api.post("/cases", json={"matter_code": matter, "window_no": window_no, "applicant": applicant(),
                                 "materials": [{"code": m["code"], "status": "received"} for m in mats],
                                 "outcome": "accept"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def enabled(lst: CaseListPanel) -> set[str]:
    return {n for n, b in lst.buttons.items() if b.isEnabled()}


def cell(lst: CaseListPanel, no: str, col: int) -> str:
    return str(lst.table.item(lst.row_of(no), col).text())


def ctrl(qtbot, lst: CaseListPanel, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(lst.table, key, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def my_cases(qtbot, window_client, wait_ms) -> CaseListPanel:  # type: ignore[no-untyped-def]
    """Clerk 1001 (住建局) at window 1, on the 我的办件 page of the 受理 tab."""
    p = window_client.widget.panel("受理")
    p.pages.setCurrentWidget(p.case_list)
    qtbot.wait_until(lambda: not p.case_list._loading, timeout=wait_ms)
    return p.case_list  # type: ignore[no-any-return]


def test_a_case_walks_review_suspension_extension_conclusion_and_delivery_with_the_buttons_of_its_state(
        qtbot, my_cases, clerk_api, clock, live_server, wait_ms):
    lst = my_cases
    colleague = clerk_api("1002", 2)  # same department, another window: the list follows the stream
    no = accept(colleague, matter="ZJ-001", window_no=2)["case_no"]
    qtbot.wait_until(lambda: lst.row_of(no) >= 0, timeout=wait_ms)
    assert lst.select(no)
    assert cell(lst, no, COL_DUE) == "2026-11-27" and cell(lst, no, COL_LEFT) == "3"  # Tue + 3 working days
    assert enabled(lst) == {"start_review", "suspend", "extend", "conclude"}
    assert not lst.buttons["resume"].isEnabled() and not lst.buttons["deliver"].isEnabled()

    with qtbot.wait_signal(lst.case_changed, timeout=wait_ms) as got:
        ctrl(qtbot, lst, Qt.Key.Key_1)  # 开始审查
    assert got.args[0].state == "in_review" and cell(lst, no, 3) == "审查中"
    assert enabled(lst) == {"suspend", "extend", "conclude"}

    with qtbot.wait_signal(lst.dialog_opened, timeout=wait_ms) as opened:
        ctrl(qtbot, lst, Qt.Key.Key_2)  # 暂停计时
    dlg = opened.args[0]
    assert not lst.buttons["conclude"].isEnabled()  # nothing else while a dialog is open
    dlg.kind.setCurrentIndex(dlg.kind.findData("expert"))
    dlg.reason.setText("组织专家评审")
    with qtbot.wait_signal(lst.case_changed, timeout=wait_ms) as got:
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    case = got.args[0]
    assert case.state == "suspended" and case.days_left == 3 and "中止中" in case.clock_text
    assert enabled(lst) == {"resume"} and dlg.isHidden()
    assert "恢复后剩余 3 个工作日" in cell(lst, no, 6)

    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc))  # 17:00 the same day: the clock stood still
    with qtbot.wait_signal(lst.case_changed, timeout=wait_ms) as got:
        ctrl(qtbot, lst, Qt.Key.Key_3)  # 恢复计时
    assert got.args[0].state == "in_review" and got.args[0].days_left == 3

    with qtbot.wait_signal(lst.dialog_opened, timeout=wait_ms) as opened:
        ctrl(qtbot, lst, Qt.Key.Key_4)  # 延期
    dlg = opened.args[0]
    dlg.days.setValue(2)
    dlg.reason.setText("需现场核查")
    dlg.approver.setText("3001")
    dlg.password.setText("not-the-password")
    with qtbot.wait_signal(lst.action_failed, timeout=wait_ms) as failed:
        dlg.submit()
    assert "审批人工号或密码错误" in failed.args[0] and "审批人工号或密码错误" in dlg.error.text()
    assert not dlg.isHidden() and dlg.password.text() == ""  # retype the password, not the form
    assert cell(lst, no, COL_DUE) == "2026-11-27"
    dlg.password.setText("demo1234")
    with qtbot.wait_signal(lst.case_changed, timeout=wait_ms) as got:
        dlg.submit()
    case = got.args[0]
    assert case.extended_days == 2 and case.due_date == date(2026, 12, 1) and case.days_left == 5
    assert cell(lst, no, COL_DUE) == "2026-12-01" and cell(lst, no, COL_LEFT) == "5"

    with qtbot.wait_signal(lst.dialog_opened, timeout=wait_ms) as opened:
        ctrl(qtbot, lst, Qt.Key.Key_5)  # 办结
    dlg = opened.args[0]
    dlg.outcome.setCurrentIndex(dlg.outcome.findData("refuse"))
    dlg.submit()  # 不予许可 without a reason: caught before sending
    assert "不予许可须写明理由" in dlg.error.text()
    dlg.outcome.setCurrentIndex(dlg.outcome.findData("approve"))
    with qtbot.wait_signal(lst.case_changed, timeout=wait_ms) as got:
        dlg.submit()
    assert got.args[0].state == "approved" and got.args[0].days_left is None
    assert enabled(lst) == {"deliver"} and cell(lst, no, COL_LEFT) == "—"

    with qtbot.wait_signal(lst.dialog_opened, timeout=wait_ms) as opened:
        ctrl(qtbot, lst, Qt.Key.Key_6)  # 送达
    with qtbot.wait_signal(lst.case_changed, timeout=wait_ms) as got:
        opened.args[0].submit()
    assert got.args[0].state == "delivered"
    qtbot.wait_until(lambda: lst.row_of(no) == -1, timeout=wait_ms)  # done: off the work list
    assert enabled(lst) == set()
    # the server kept who approved, and the refused attempt
    log = httpx.get(f"{live_server.url}/api/v1/cases/{no}/history", trust_env=False,
                    headers=colleague.headers).json()["items"]
    steps = [i["type"] for i in log if i["type"].startswith("case.")]
    assert steps == ["case.accepted", "case.review_started", "case.suspended", "case.resumed",
                     "case.extension_refused", "case.extended", "case.concluded", "case.delivered"]
    ext = next(i for i in log if i["type"] == "case.extended")
    assert ext["data"]["approved_by"] == "3001" and "郑主任" in ext["detail"]


def test_rows_near_or_over_the_limit_are_coloured_and_sort_by_days_left(my_cases):  # type: ignore[no-untyped-def]
    lst = my_cases

    def brief(no: str, left: int | None, state: str = "accepted") -> CaseBrief:
        return CaseBrief(case_no=no, matter_code="ZJ-001", matter_name="建设工程施工许可证核发", state=state,
                         state_label="已受理", applicant_name="张*", received_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                         due_date=date(2026, 11, 20), days_left=left, clock_text="")
    lst.show_cases([brief("SG20261101-0001", 7), brief("SG20261101-0002", -2), brief("SG20261101-0003", 1),
                    brief("SG20261101-0004", None, "approved"), brief("SG20261101-0005", 0)])
    order = [lst.table.item(r, 0).text() for r in range(lst.table.rowCount())]
    assert order == ["SG20261101-0002", "SG20261101-0005", "SG20261101-0003", "SG20261101-0001", "SG20261101-0004"]
    bg = {lst.table.item(r, 0).text(): lst.table.item(r, 0).background().color().name()
          for r in range(lst.table.rowCount())}
    assert bg["SG20261101-0002"] == "#f8d0d0"  # overdue: red
    assert bg["SG20261101-0005"] == bg["SG20261101-0003"] == "#fbe8b0"  # due today / 1 day left: amber
    assert cell(lst, "SG20261101-0002", COL_LEFT) == "超 2"
    assert "临近到期 2 件" in lst.summary.text() and "已超期 1 件" in lst.summary.text()
    lst.table.sortItems(COL_LEFT, Qt.SortOrder.DescendingOrder)
    assert lst.table.item(1, 0).text() == "SG20261101-0001"


def test_case_history_shows_ticket_case_and_fee_steps_in_order_and_never_a_rating_level_to_the_clerk(
        qtbot, client_factory, sign_in, clerk_api, take_ticket, live_server, device_tokens, wait_ms):
    b = client_factory("window", window_no=5)
    sign_in(b, "1005")  # 不动产登记中心 clerk reading a colleague's case
    colleague = clerk_api("1006", 6)
    t = take_ticket("B")
    assert colleague.post("/windows/6/call-next").status_code == 200
    assert colleague.post("/windows/6/start").status_code == 200
    no = accept(colleague, matter="BDC-001", window_no=6)["case_no"]
    r = colleague.post("/fees/notices", json={"case_no": no, "lines": [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}]})
    assert r.status_code == 201, r.text
    notice = r.json()
    assert colleague.post("/windows/6/complete").status_code == 200
    r = httpx.post(f"{live_server.url}/api/v1/ratings", json={"level": "very_dissatisfied"}, trust_env=False,
                   headers={"Authorization": f"Bearer {device_tokens['evaluator-6']}"})
    assert r.status_code == 201, r.text
    cashier = clerk_api("2001", 12)
    r = cashier.post("/fees/receipts", json={"notice": notice["notice_no"], "method": "cash",
                                             "tendered_fen": notice["total_fen"]})
    assert r.status_code == 201, r.text

    p = b.widget.panel("受理")
    p.pages.setCurrentWidget(p.history)
    with qtbot.wait_signal(p.history.history_loaded, timeout=wait_ms) as got:
        p.history.number.setText(no.lower())
        qtbot.keyClick(p.history.number, Qt.Key.Key_Return)
    shown = got.args[0]
    assert shown.restricted and shown.ticket_no == t["number"]
    assert p.history.labels() == ["取号", "叫号", "开始办理", "受理", "开具缴费通知单", "窗口服务结束",
                                  "办事群众已评价（评价结果不向窗口人员显示）", "缴费（开具票据）"]
    text = p.history.text()
    assert no in text and t["number"] in text and notice["notice_no"] in text
    for leak in ("非常不满意", "不满意", "very_dissatisfied", "差评", "回访"):
        assert leak not in text
    rating = next(i for i in shown.items if i.type == "rating.recorded")
    assert rating.data.get("level") is None and rating.detail == ""
    assert all(not i.type.startswith("rating.followup") for i in shown.items)
    # the list's Enter opens the same view
    p.pages.setCurrentWidget(p.case_list)
    qtbot.wait_until(lambda: p.case_list.row_of(no) >= 0, timeout=wait_ms)
    p.case_list.select(no)
    with qtbot.wait_signal(p.history.history_loaded, timeout=wait_ms):
        p.case_list.history_button.click()
    assert p.pages.currentWidget() is p.history
