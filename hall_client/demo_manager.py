"""The manager's part of the headless demo: a complaint and a 差评 reach the work list,
the 大厅主任 opens the day's report and the fee reconciliation, saves the PDF and xlsx,
looks at device health and issues a 绿色通道 number on the 咨询台 printer. Screenshots
go to ``artifacts/screenshots/manager-*.png``, the report files to ``artifacts/reports/``.

Called with one line from ``demo.run_headless``; returns lines for the summary.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger(__name__)
SIZE = (1366, 768)


def _http(server: Any, staff_no: str) -> httpx.Client:
    c = httpx.Client(base_url=server.url + "/api/v1", trust_env=False, timeout=10)
    r = c.post("/auth/login", json={"staff_no": staff_no, "password": "demo1234"})
    r.raise_for_status()
    c.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return c


def _seed_work(server: Any) -> list[str]:
    """Two complaints (one by phone, one at the office) and a 差评 from window 1's evaluator."""
    notes: list[str] = []
    office = _http(server, "4001")
    try:
        for body in ({"content": "1 号窗口工作人员态度生硬，材料没有一次告知清楚", "about_staff_no": "1001", "window_no": 1,
                      "channel": "phone", "complainant_name": "李四", "complainant_phone": "13900139000"},
                     {"content": "取号机打印的号票字迹太淡，看不清号码", "anonymous": True}):
            r = office.post("/complaints", json=body)
            if r.status_code == 201:
                notes.append(f"监察室登记投诉 {r.json()['complaint_no']}（答复时限 5 个工作日）。")
    finally:
        office.close()
    r = httpx.post(server.url + "/api/v1/ratings", json={"level": "dissatisfied", "reasons": ["long_wait"]},
                   headers={"Authorization": f"Bearer {server.tokens['evaluator-1']}"}, trust_env=False, timeout=10)
    if r.status_code == 201:
        notes.append("1 号窗口评价器收到一条“不满意”（等候时间长），自动生成差评整改（1 个工作日内回访）。")
    return notes


def show(*, server: Any, artifacts: Path, make: Callable[..., Any], wait: Callable[..., None]) -> list[str]:
    notes = _seed_work(server)
    shots = artifacts / "screenshots"
    files = artifacts / "reports"
    files.mkdir(parents=True, exist_ok=True)
    client, sims = make("dashboard", devices={"printer": "sim:printer"})
    w = client.widget
    w.resize(*SIZE)
    w.login.staff_no.setText("3001")
    w.login.password.setText("demo1234")
    w.login.button.click()
    wait(lambda: w.dash is not None, what="大厅管理看板加载")

    def shot(name: str) -> None:
        from PySide6.QtWidgets import QApplication
        for _ in range(3):  # let posted layout requests settle (a tab's text changed its width)
            QApplication.processEvents()
        w.grab().save(str(shots / f"manager-{name}.png"))

    # 报表: today's daily report on screen, its PDF (no viewer in a headless run) and xlsx
    tab = w.reports
    w.tabs.setCurrentWidget(w.tabs.widget(1))
    got: dict[str, Any] = {}
    tab.loaded.connect(lambda v: got.update(view=v))
    tab.load()
    wait(lambda: "view" in got, what="日报查询")
    v = got.pop("view")
    notes.append("大厅主任查看日报：" + "，".join(f"{k} {val}" for k, val in v.figures[:9]))
    shot("reports")
    tab.open_url = lambda url: True
    tab.pdf_opened.connect(lambda p: got.update(pdf=p))
    tab.open_pdf()
    wait(lambda: "pdf" in got, what="日报 PDF")
    pdf = files / Path(got["pdf"]).name
    pdf.write_bytes(Path(got["pdf"]).read_bytes())
    tab.ask_path = lambda: files / "日报.xlsx"
    tab.xlsx_saved.connect(lambda p: got.update(xlsx=p))
    tab.save_xlsx()
    wait(lambda: "xlsx" in got, what="日报 Excel")
    notes.append(f"日报已生成 PDF（reports/{pdf.name}）并另存 Excel（reports/日报.xlsx）。")
    tab.kind.setCurrentIndex(3)
    tab.load()
    wait(lambda: "view" in got, what="收费对账查询")
    v = got.pop("view")
    notes.append("收费对账（今日）：" + "，".join(f"{k} {val}" for k, val in v.figures[:4]))
    shot("reconciliation")
    tab.kind.setCurrentIndex(1)
    tab.load()
    wait(lambda: "view" in got, what="月报查询")
    got.pop("view")
    shot("monthly")

    # 投诉与差评
    desk = w.desk
    desk.loaded.connect(lambda items: got.update(items=items))
    w.tabs.setCurrentIndex(2)
    wait(lambda: "items" in got, what="投诉与差评加载")
    items = got.pop("items")
    open_ = [i for i in items if not i.closed]
    if open_:
        desk.select_key(open_[0].key)
    notes.append(f"投诉与差评工作台：未办结 {len(open_)} 件（投诉 {sum(i.kind == '投诉' for i in open_)}，"
                 f"差评 {sum(i.kind == '差评' for i in open_)}），已办结 {len(items) - len(open_)} 件。")
    shot("complaints")

    # 设备
    dt = w.device_tab
    dt.loaded.connect(lambda devs: got.update(devs=devs))
    w.tabs.setCurrentIndex(3)
    wait(lambda: "devs" in got, what="设备列表")
    devs = got.pop("devs")
    never = [d.name for d in devs if d.status == "never"]
    notes.append(f"设备：共 {len(devs)} 台，从未上报 {len(never)} 台" + (f"（如 {never[0]}）" if never else "") + "。")
    shot("devices")

    # 绿色通道
    pt = w.priority
    w.tabs.setCurrentIndex(4)
    wait(lambda: pt.category.count() > 0, what="业务类别")
    pt.reason.setCurrentIndex(0)
    pt.printed.connect(lambda t: got.update(ticket=t))
    pt.issue_ticket()
    wait(lambda: "ticket" in got, what="绿色通道发号打印")
    notes.append(f"咨询台为一位老年人发绿色通道号 {got['ticket'].number}，在咨询台打印机上打印，优先叫号。")
    shot("priority")
    client.close()
    return notes
