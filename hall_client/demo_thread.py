"""The headless demo's main story: one citizen's whole thread through the hall.

张建华 takes a 不动产登记 number at the kiosk, is called at window 6, the clerk accepts
the application (受理通知书, A4 PDF) and raises a payment notice (缴费通知单), the cashier
at the fee window takes the money (票据, A4 PDF), the citizen rates the service 不满意 at
the window's evaluator, which opens a 差评 follow-up the office calls back and rectifies,
and she also files a complaint the office assigns and answers. The supervision office then
reads the case's timeline as Chinese sentences, and the manager prints the daily report.

Before her, window 6's morning had a run of no-shows (过号), so the supervision client has
a 过号率 card to open. Clerk, cashier and office steps go over HTTP as those staff (each
signs in from their own PC in a real hall); the kiosk, the supervision client and the
dashboard are the real Qt clients, screenshotted. Writes ``pdfs/`` and screenshots, and
returns the lines and figures ``summary.md`` reports.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger(__name__)

WINDOW, CLERK = 6, "1006"  # 不动产登记 6 号窗 (not used by the busy hour)
FEE_WINDOW, CASHIER = 12, "2001"
MATTER = "BDC-001"
MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]
APPLICANT = {"kind": "person", "name": "张建华", "id_number": "11010519491231002X", "phone": "13800138000"}
FEES = [("BDC-DJF-ZZ", "1"), ("BDC-GBF", "2")]
PASSWORD = "demo1234"
NO_SHOW_CALLS, NO_SHOWS = 20, 5  # window 6's morning before her: 25% 过号 (the card's yellow line is 20%)


@dataclass
class Thread:
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)
    case_no: str = ""
    sentences: list[str] = field(default_factory=list)

    def summary_md(self) -> str:
        f = self.figures
        lines = ["", "## 一位群众的全程（取号 → 叫号 → 受理 → 缴费 → 评价 → 差评整改与投诉 → 监察 → 日报）",
                 *[f"- {n}" for n in self.notes],
                 "", "## 当日数字（日报，服务器统计）",
                 f"- 取号 {f.get('tickets', 0)} 张，叫号 {f.get('called', 0)} 次，办结 {f.get('served', 0)} 个，"
                 f"过号 {f.get('skipped', 0)} 个",
                 f"- 受理办件 {f.get('cases_accepted', 0)} 件，办结办件 {f.get('cases_concluded', 0)} 件",
                 f"- 收费票据 {f.get('receipts', 0)} 张，金额 {_yuan(f.get('fees_fen', 0))}",
                 f"- 评价 {f.get('ratings', 0)} 条（差评 {f.get('ratings_bad', 0)} 条），投诉 {f.get('complaints', 0)} 件",
                 f"- 红黄牌：红牌 {f.get('cards_red', 0)}，黄牌 {f.get('cards_yellow', 0)}",
                 "", f"## 监察时间线（办件 {self.case_no}，与监察客户端所示相同的句子）",
                 *[f"- {s}" for s in self.sentences],
                 "", "## A4 文书", *[f"- {p}" for p in self.files]]
        return "\n".join(lines) + "\n"


def _yuan(fen: int) -> str:
    from hall_server.contract.show import yuan
    return yuan(fen)


class Staff:
    """One staff member's PC: signed in over HTTP (at a window when given)."""

    def __init__(self, url: str, staff_no: str, window_no: int | None = None) -> None:
        self.http = httpx.Client(base_url=f"{url}/api/v1", trust_env=False, timeout=20)
        body: dict[str, Any] = {"staff_no": staff_no, "password": PASSWORD}
        if window_no is not None:
            body["window_no"] = window_no
        r = self.http.post("/auth/login", json=body)
        r.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {r.json()['token']}"
        self.name = str(r.json().get("name", staff_no))

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.post(path, json=body or {})
        if r.status_code >= 400:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def get(self, path: str, **params: Any) -> httpx.Response:
        r = self.http.get(path, params=params)
        r.raise_for_status()
        return r

    def close(self) -> None:
        self.http.close()


def _device(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{url}/api/v1", trust_env=False, timeout=20,
                        headers={"Authorization": f"Bearer {token}"})


def play(*, server: Any, artifacts: Path, take: Callable[[str], Any], make: Callable[..., Any],
         wait: Callable[..., None], clients: list[Any]) -> Thread:
    """Play the thread on the running demo server; ``take``/``make``/``wait`` are the
    headless demo's own (kiosk take-a-number, build a client, wait on Qt)."""
    th = Thread()
    pdfs = artifacts / "pdfs"
    pdfs.mkdir(parents=True, exist_ok=True)
    shots = artifacts / "screenshots"
    kiosk_dev = _device(server.url, server.tokens["kiosk-1"])
    clerk = Staff(server.url, CLERK, WINDOW)
    staff: list[Staff] = [clerk]
    try:
        _no_show_morning(th, clerk, kiosk_dev)
        # 1. 取号 at the kiosk (the real kiosk client prints the slip)
        ticket = take("B")
        number = ticket.number
        th.notes.append(f"张建华在取号机取号 {number}（不动产登记）。")
        # 2. 叫号 at window 6: earlier numbers of the queue first
        for _ in range(50):
            called = clerk.post(f"/windows/{WINDOW}/call-next")
            if called["number"] == number:
                break
            clerk.post(f"/windows/{WINDOW}/start")
            clerk.post(f"/windows/{WINDOW}/complete")
        clerk.post(f"/windows/{WINDOW}/start")
        th.notes.append(f"{clerk.name}（{CLERK}）在 {WINDOW} 号窗口叫号 {number}，开始办理。")
        # 3. 受理 with the acceptance notice
        case = clerk.post("/cases", {"matter_code": MATTER, "window_no": WINDOW, "outcome": "accept",
                                     "materials": MATERIALS, "applicant": APPLICANT})
        th.case_no = case["case_no"]
        notice = case["notices"][0]
        _save(th, pdfs / "acceptance-notice.pdf", clerk.http.get(notice["pdf_url"].removeprefix("/api/v1")))
        th.notes.append(f"受理办件 {th.case_no}「{case['matter_name']}」，承诺 {case['due_date']} 前办结，"
                        f"出具受理通知书 {notice['notice_no']}（pdfs/acceptance-notice.pdf）。")
        # 4. 缴费通知单 raised by the clerk, paid at the fee window
        pn = clerk.post("/fees/notices", {"case_no": th.case_no,
                                          "lines": [{"item_code": c, "quantity": q} for c, q in FEES]})
        _save(th, pdfs / "payment-notice.pdf", clerk.get(f"/fees/notices/{pn['notice_no']}/pdf"))
        clerk.post(f"/windows/{WINDOW}/complete")
        cashier = Staff(server.url, CASHIER, FEE_WINDOW)
        staff.append(cashier)
        receipt = cashier.post("/fees/receipts", {"notice": pn["qr_text"], "method": "cash",
                                                  "tendered_fen": (pn["total_fen"] // 10000 + 1) * 10000})
        _save(th, pdfs / "receipt.pdf", cashier.get(f"/fees/receipts/{receipt['receipt_no']}/pdf"))
        th.notes.append(f"开具缴费通知单 {pn['notice_no']} {_yuan(pn['total_fen'])}；收款员 {cashier.name}（{CASHIER}）"
                        f"收取现金，开具票据 {receipt['receipt_no']}（pdfs/payment-notice.pdf、pdfs/receipt.pdf）。")
        # 5. 评价 at the window's evaluator: 不满意 opens a 差评 follow-up
        with _device(server.url, server.tokens[f"evaluator-{WINDOW}"]) as ev:
            r = ev.post("/ratings", json={"level": "dissatisfied", "reasons": ["long_wait"]})
            r.raise_for_status()
        th.notes.append("张建华在评价器上评价“不满意”（等候时间长）：系统启动差评回访整改。")
        # 6. the office: call back and rectify the 差评; register, assign and answer a complaint
        office = Staff(server.url, "4001")
        staff.append(office)
        fu = max((f for f in office.get("/ratings/followups").json() if f["state"] == "callback"), key=lambda f: f["id"])
        office.post(f"/ratings/followups/{fu['id']}/call-back", {"note": "已电话回访，群众反映取号后等候较久"})
        office.post(f"/ratings/followups/{fu['id']}/rectify", {"note": "高峰时段增开不动产登记窗口"})
        th.notes.append(f"监察室 {office.name}（4001）电话回访并完成整改，等待群众复评。")
        comp = kiosk_dev.post("/complaints", json={
            "content": "不动产登记窗口上午过号较多，等候时间长。", "complainant_name": "张建华",
            "complainant_phone": "13800138000", "case_no": th.case_no, "window_no": WINDOW})
        comp.raise_for_status()
        cno = comp.json()["complaint_no"]
        manager = Staff(server.url, "3001")
        staff.append(manager)
        manager.post(f"/complaints/{cno}/assign", {"to_staff_no": "1007", "note": "请核实并答复"})
        handler = Staff(server.url, "1007")
        staff.append(handler)
        handler.post(f"/complaints/{cno}/reply", {"reply": "经核实，已调整高峰时段窗口安排，并电话向您致歉。",
                                                  "method": "phone"})
        th.notes.append(f"张建华在取号机登记投诉 {cno}；大厅主任交办 1007，承办人电话答复办结。")
        # 7. supervision: the case's timeline as sentences, the raw record one click away
        _supervision(th, server=server, make=make, wait=wait, clients=clients, shots=shots, office=office)
        # the clerk's 办件全程 of her case at window 1 (window staff: the rating shows only as recorded)
        _clerk_history(th, window_client=clients[2], wait=wait, shots=shots)
        # 8. the daily report
        _save(th, pdfs / "daily-report.pdf", manager.get("/reports/daily", format="pdf"))
        rep = manager.get("/reports/daily").json()
        th.figures = {**rep["total"], "cards_red": rep.get("cards_red", 0), "cards_yellow": rep.get("cards_yellow", 0)}
        th.notes.append("大厅主任打印当日日报（pdfs/daily-report.pdf）。")
    finally:
        for s in staff:
            s.close()
        kiosk_dev.close()
    return th


def _no_show_morning(th: Thread, clerk: Staff, kiosk: httpx.Client) -> None:
    """Window 6 before her: 20 numbers called, 5 of them not there (过号)."""
    for _ in range(NO_SHOW_CALLS):
        kiosk.post("/tickets", json={"category": "B"}).raise_for_status()
    skipped = 0
    for i in range(NO_SHOW_CALLS):
        clerk.post(f"/windows/{WINDOW}/call-next")
        if i % (NO_SHOW_CALLS // NO_SHOWS) == 1 and skipped < NO_SHOWS:
            clerk.post(f"/windows/{WINDOW}/skip")
            skipped += 1
        else:
            clerk.post(f"/windows/{WINDOW}/start")
            clerk.post(f"/windows/{WINDOW}/complete")
    th.notes.append(f"此前 {WINDOW} 号窗口叫号 {NO_SHOW_CALLS} 次，{skipped} 位群众未到场过号（过号率超过黄牌线）。")


def _save(th: Thread, path: Path, r: httpx.Response) -> None:
    r.raise_for_status()
    path.write_bytes(r.content)
    th.files.append(f"{path.parent.name}/{path.name}（{len(r.content) // 1024} KB）")


def _supervision(th: Thread, *, server: Any, make: Callable[..., Any], wait: Callable[..., None],
                 clients: list[Any], shots: Path, office: Staff) -> None:
    from hall_server.contract import TimelineOut

    from .widgets.event_log import rows

    sup, _sims = make("supervision", devices={})
    clients.append(sup)
    w = sup.widget
    w.resize(1366, 768)
    got: dict[str, Any] = {}
    w.cards.loaded.connect(lambda out: got.update(cards=out))
    w.cards.opened.connect(lambda d: got.update(card=d))
    w.timeline.shown.connect(lambda t: got.update(timeline=t))
    w.login.staff_no.setText("4001")
    w.login.password.setText(PASSWORD)
    w.login.button.click()
    wait(lambda: "cards" in got, what="监察红黄牌加载")
    cards = got["cards"].cards
    if cards:
        row = next((i for i, k in enumerate(cards) if k.rule == "skip_rate"), 0)
        w.cards.table.selectRow(row)
        w.cards.open_card(row)
        wait(lambda: "card" in got, what="红黄牌依据")
        if w.cards.evidence.rowCount():
            w.cards.evidence.table.setCurrentCell(0, 5)
        wait(lambda: True)
        w.grab().save(str(shots / "supervision-cards.png"))
        th.notes.append(f"监察客户端：当日红黄牌 {len(cards)} 张，打开“{cards[row].title}”查看依据（screenshots/supervision-cards.png）。")
    w.tabs.setCurrentWidget(w.timeline)
    w.timeline.case_no.setText(th.case_no)
    w.timeline.load_case()
    wait(lambda: "timeline" in got, what="办件时间线")
    t: TimelineOut = got["timeline"]
    log_view = w.timeline.table
    accepted = next((i for i, e in enumerate(t.events) if e.type == "case.accepted"), 0)
    log_view.table.setCurrentCell(accepted, 5)
    wait(lambda: True)
    w.grab().save(str(shots / "supervision-timeline.png"))
    tz = getattr(sup.ctx.devices, "hall_tz", "") or "Asia/Shanghai"
    th.sentences = [f"{r[1]}　{r[5]}" for r in rows(t.events, names=t.names, tz=tz)]
    th.notes.append(f"监察室查看办件 {th.case_no} 的时间线：{len(t.events)} 条记录，每条是一句中文，"
                    "选中一条即在下方显示原始记录（screenshots/supervision-timeline.png）。")
    # the office's own export of that case, as it would hand it on
    r = office.get("/supervision/export.pdf", case_no=th.case_no)
    _save(th, shots.parent / "pdfs" / "supervision-export.pdf", r)



def _clerk_history(th: Thread, *, window_client: Any, wait: Callable[..., None], shots: Path) -> None:
    w = window_client.widget
    tabs = w.work.tabs
    panel = next((tabs.widget(i) for i in range(tabs.count()) if hasattr(tabs.widget(i), "show_history")), None)
    if panel is None:
        log.warning("demo: the window client has no intake panel; no 办件全程 screenshot")
        return
    tabs.setCurrentWidget(panel)
    got: dict[str, Any] = {}
    panel.history.history_loaded.connect(lambda h: got.update(h=h))
    panel.show_history(th.case_no)
    wait(lambda: "h" in got, what="办件全程")
    wait(lambda: True)
    w.grab().save(str(shots / "window-case-history.png"))
    th.notes.append(f"1 号窗口的办件全程：办件 {th.case_no} 共 {len(got['h'].items)} 个环节，"
                    "评价只显示“办事群众已评价”（screenshots/window-case-history.png）。")
