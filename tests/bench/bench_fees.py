"""Benchmark: the fee window under load, against a real ``hall-server run --demo``.

    python tests/bench/bench_fees.py [--cashiers 6] [--receipts 3000]

1. starts the demo server as a subprocess (SQLite, the default) on a loopback port,
2. the admin adds cashiers over the API; clerk 1005 takes in one 不动产登记 case and raises
   ``--receipts`` payment notices (timed: notices/s),
3. the cashiers pay them all at once, closed loop, one thread each (timed: receipts/s,
   p50/p95/p99 latency of ``POST /fees/receipts``),
4. each cashier closes the day; checks the numbers are contiguous and the totals exact,
5. times the reconciliation as JSON, PDF and xlsx over the day.

Figures of a shared machine are information, not a pass/fail.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

API = "/api/v1"


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, round(p / 100 * (len(v) - 1))))]


def login(h: httpx.Client, staff_no: str, password: str = "demo1234", window_no: int | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"staff_no": staff_no, "password": password}
    if window_no is not None:
        body["window_no"] = window_no
    r = h.post(f"{API}/auth/login", json=body)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cashiers", type=int, default=6)
    ap.add_argument("--receipts", type=int, default=3000)
    args = ap.parse_args()
    from hall_client.demo import free_port, start_server
    server = start_server(Path(tempfile.mkdtemp(prefix="hall-bench-fees-")) / "data", free_port())
    try:
        run(server.url, args.cashiers, args.receipts)
    finally:
        server.proc.terminate()
        server.proc.wait(15)


def run(url: str, n_cashiers: int, n_receipts: int) -> None:
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as h:
        admin = login(h, "9001")
        cashiers = ["2001", "2002"] + [f"29{i:02d}" for i in range(n_cashiers - 2)]
        for no in cashiers[2:]:
            h.post(f"{API}/admin/staff", headers=admin, json={
                "staff_no": no, "name": f"收费员{no}", "password": "demo1234", "roles": ["cashier"]}).raise_for_status()
        clerk = login(h, "1005", window_no=5)
        case = h.post(f"{API}/cases", headers=clerk, json={
            "matter_code": "BDC-001", "window_no": 5, "outcome": "accept",
            "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 8)],
            "applicant": {"kind": "person", "name": "压测", "id_number": "11010519491231002X", "phone": "13800138000"}})
        case.raise_for_status()
        case_no = case.json()["case_no"]
        t0 = time.perf_counter()
        notices: list[tuple[str, int]] = []
        for i in range(n_receipts):
            lines = [{"item_code": "BDC-DJF-ZZ", "quantity": "1"}, {"item_code": "BDC-CHF", "quantity": f"{50 + i % 900}.25"}]
            r = h.post(f"{API}/fees/notices", headers=clerk, json={"case_no": case_no, "lines": lines})
            r.raise_for_status()
            notices.append((r.json()["notice_no"], r.json()["total_fen"]))
        notice_s = time.perf_counter() - t0

    lat: list[float] = []
    got: dict[str, list[dict[str, Any]]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(n_cashiers)

    def cashier(i: int, staff_no: str) -> None:
        mine = notices[i::n_cashiers]
        out: list[dict[str, Any]] = []
        with httpx.Client(base_url=url, timeout=60, trust_env=False) as hc:
            hdr = login(hc, staff_no)
            barrier.wait(60)
            local: list[float] = []
            for k, (no, total) in enumerate(mine):
                body: dict[str, Any] = {"notice": no, "method": "cash", "tendered_fen": total} if k % 2 else \
                    {"notice": no, "method": "qr", "reference": f"{staff_no}-{k}"}
                t = time.perf_counter()
                r = hc.post(f"{API}/fees/receipts", headers=hdr, json=body)
                local.append(time.perf_counter() - t)
                r.raise_for_status()
                out.append(r.json())
        with lock:
            lat.extend(local)
            got[staff_no] = out

    threads = [threading.Thread(target=cashier, args=(i, no)) for i, no in enumerate(cashiers)]
    t1 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pay_s = time.perf_counter() - t1
    receipts = [r for rs in got.values() for r in rs]
    numbers = sorted(r["receipt_no"] for r in receipts)
    contiguous = numbers == [f"SF2026{n:08d}" for n in range(1, n_receipts + 1)]
    exact = sum(r["amount_fen"] for r in receipts) == sum(t for _, t in notices)

    with httpx.Client(base_url=url, timeout=120, trust_env=False) as h:
        t2 = time.perf_counter()
        closed_total = 0
        for no in cashiers:
            hdr = login(h, no)
            exp = h.get(f"{API}/fees/day", headers=hdr).json()["expected_cash_fen"]
            r = h.post(f"{API}/fees/day-close", headers=hdr, json={"counted_cash_fen": exp})
            r.raise_for_status()
            closed_total += r.json()["total_fen"]
        close_s = time.perf_counter() - t2
        mgr = login(h, "3001")
        day = receipts[0]["business_day"]
        times = {}
        for fmt in ("json", "pdf", "xlsx"):
            t = time.perf_counter()
            h.get(f"{API}/fees/reconciliation", headers=mgr,
                  params={"start": day, "end": day, "format": fmt}).raise_for_status()
            times[fmt] = time.perf_counter() - t

    print(f"notices raised:   {n_receipts} in {notice_s:.1f} s = {n_receipts / notice_s:.0f}/s (one clerk, sequential)")
    print(f"receipts issued:  {len(receipts)} by {n_cashiers} cashiers in {pay_s:.1f} s = {len(receipts) / pay_s:.0f}/s")
    print(f"payment latency:  p50 {pct(lat, 50) * 1000:.1f} ms  p95 {pct(lat, 95) * 1000:.1f} ms  "
          f"p99 {pct(lat, 99) * 1000:.1f} ms  max {max(lat) * 1000:.1f} ms")
    print(f"numbers contiguous and unique: {contiguous};  totals exact to the fen: {exact and closed_total == sum(t for _, t in notices)}")
    print(f"day close x{n_cashiers}: {close_s:.2f} s;  reconciliation json {times['json'] * 1000:.0f} ms, "
          f"pdf {times['pdf'] * 1000:.0f} ms, xlsx {times['xlsx'] * 1000:.0f} ms")
    print(f"mean latency {statistics.mean(lat) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
