"""Six cashiers take 3,000 payments at once over real loopback HTTP (uvicorn): receipt
numbers are unique and contiguous, contested notices are paid exactly once, and every
total — receipts, day closes, reconciliation — is exact to the 分."""
from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from hall_server.contract import NoticeIn, NoticeLineIn
from hall_server.domain.roles import Role
from hall_server.services import auth
from hall_server.services import fees as fee_svc
from hall_server.services.actors import SYSTEM, Actor

CASHIERS = ["2001", "2002", "2101", "2102", "2103", "2104"]
RECEIPTS = 3000
CONTESTED = 20  # notices every cashier tries to pay at the same moment
API = "/api/v1"

pytestmark = pytest.mark.slow


def _prepare(app: Any, live_url: str) -> tuple[list[str], dict[str, int]]:
    """4 more cashiers and 3,000 notices on one real case, straight through the services
    (the setup is not what is under test; the payments are)."""
    ctx = app.state.ctx
    with httpx.Client(base_url=live_url, timeout=30) as h:
        clerk = h.post(f"{API}/auth/login", json={"staff_no": "1005", "password": "demo1234", "window_no": 5}).json()
        body = {"matter_code": "BDC-001", "window_no": 5, "outcome": "accept",
                "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 8)],
                "applicant": {"kind": "person", "name": "并发测试", "id_number": "11010519491231002X",
                              "phone": "13800138000"}}
        r = h.post(f"{API}/cases", json=body, headers={"Authorization": f"Bearer {clerk['token']}"})
        assert r.status_code == 201, r.text
        case_no = r.json()["case_no"]
    rng = random.Random(20261124)
    notices: list[str] = []
    totals: dict[str, int] = {}
    clerk_actor = None
    with ctx.db.write() as s:
        for no in CASHIERS[2:]:
            auth.add_staff(s, settings=ctx.settings, staff_no=no, name=f"收费员{no}", password="demo1234",
                           roles=[Role.CASHIER], actor=SYSTEM, now=ctx.clock())
        from hall_server.models import Staff
        st = s.query(Staff).filter_by(staff_no="1005").one()
        clerk_actor = Actor(kind="staff", id=st.id, name=st.name, roles=frozenset({Role.CLERK}), staff_no="1005",
                            window_no=5, department_id=st.department_id)
        for _ in range(RECEIPTS):
            lines = [NoticeLineIn(item_code="BDC-DJF-ZZ", quantity="1")]
            if rng.random() < 0.5:
                lines.append(NoticeLineIn(item_code="BDC-GBF", quantity=str(rng.randint(1, 5))))
            if rng.random() < 0.5:
                lines.append(NoticeLineIn(item_code="BDC-CHF", quantity=f"{rng.randint(1, 200000) / 100:.2f}"))
            n = fee_svc.raise_notice(s, settings=ctx.settings, body=NoticeIn(case_no=case_no, lines=lines),
                                     actor=clerk_actor, now=ctx.clock())
            notices.append(n.notice_no)
            totals[n.notice_no] = n.total_fen
    return notices, totals


def test_six_cashiers_issue_3000_receipts_gap_free_and_exact_to_the_fen(app, live_urls):
    """On PostgreSQL also with the cashiers spread over two server instances (e2e/conftest.py)."""
    notices, totals = _prepare(app, live_urls[0])
    contested, own = notices[:CONTESTED], notices[CONTESTED:]
    start = threading.Barrier(len(CASHIERS))
    results: dict[str, list[dict[str, Any]]] = {}
    conflicts: Counter[str] = Counter()

    def cashier(i: int, staff_no: str) -> None:
        with httpx.Client(base_url=live_urls[i % len(live_urls)], timeout=60) as h:
            tok = h.post(f"{API}/auth/login", json={"staff_no": staff_no, "password": "demo1234"}).json()["token"]
            hdr = {"Authorization": f"Bearer {tok}"}
            mine = contested + own[i::len(CASHIERS)]
            got: list[dict[str, Any]] = []
            start.wait(timeout=30)
            for k, notice_no in enumerate(mine):
                method = ("cash", "card", "qr", "transfer")[k % 4]
                body: dict[str, Any] = {"notice": notice_no, "method": method}
                if method == "cash":
                    body["tendered_fen"] = totals[notice_no] + k % 7 * 100
                else:
                    body["reference"] = f"{staff_no}-{k}"
                r = h.post(f"{API}/fees/receipts", json=body, headers=hdr)
                if r.status_code == 409:
                    assert r.json()["error"]["code"] == "already_paid", r.text
                    conflicts[staff_no] += 1
                    continue
                assert r.status_code == 201, r.text
                got.append(r.json())
            results[staff_no] = got

    with ThreadPoolExecutor(len(CASHIERS)) as pool:
        for f in [pool.submit(cashier, i, no) for i, no in enumerate(CASHIERS)]:
            f.result(timeout=600)

    receipts = [r for rs in results.values() for r in rs]
    numbers = sorted(r["receipt_no"] for r in receipts)
    assert numbers == [f"SF2026{n:08d}" for n in range(1, RECEIPTS + 1)]  # unique and contiguous
    assert sum(conflicts.values()) == CONTESTED * (len(CASHIERS) - 1)  # each contested notice paid once
    assert Counter(r["notice_no"] for r in receipts) == Counter(notices)
    assert sum(r["amount_fen"] for r in receipts) == sum(totals.values())
    for r in receipts:
        assert r["amount_fen"] == totals[r["notice_no"]]
        assert sum(ln["amount_fen"] for ln in r["lines"]) == r["amount_fen"]
        if r["method"] == "cash":
            assert r["tendered_fen"] - r["change_fen"] == r["amount_fen"]

    with httpx.Client(base_url=live_urls[-1], timeout=60) as h:
        day_total = 0
        for staff_no in CASHIERS:
            tok = h.post(f"{API}/auth/login", json={"staff_no": staff_no, "password": "demo1234"}).json()["token"]
            hdr = {"Authorization": f"Bearer {tok}"}
            preview = h.get(f"{API}/fees/day", headers=hdr).json()
            close = h.post(f"{API}/fees/day-close", json={"counted_cash_fen": preview["expected_cash_fen"]},
                           headers=hdr).json()
            mine = results[staff_no]
            assert close["receipt_count"] == len(mine) and close["difference_fen"] == 0
            assert close["total_fen"] == sum(r["amount_fen"] for r in mine)
            assert close["expected_cash_fen"] == sum(r["amount_fen"] for r in mine if r["method"] == "cash")
            day_total += close["total_fen"]
        assert day_total == sum(totals.values())
        mgr = h.post(f"{API}/auth/login", json={"staff_no": "3001", "password": "demo1234"}).json()["token"]
        recon = h.get(f"{API}/fees/reconciliation", params={"start": "2026-11-24", "end": "2026-11-24"},
                      headers={"Authorization": f"Bearer {mgr}"}).json()
        assert recon["total_net_fen"] == sum(totals.values()) and recon["open_days"] == []
        sup = h.post(f"{API}/auth/login", json={"staff_no": "4001", "password": "demo1234"}).json()["token"]
        assert h.get(f"{API}/audit/verify", headers={"Authorization": f"Bearer {sup}"}).json()["ok"] is True
