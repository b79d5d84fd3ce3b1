"""Benchmark: the rate-later QR (issue 7) — what it costs on paper and on the wire.

Builds a fresh migrated, seeded demo hall in a temp SQLite file and measures:
- POST /tickets (the answer now carries the rating link: one HMAC, no extra row), median/p95;
- GET /m/t/{token} (the ticket's phone page, issue 15) median/p95 and its size;
- the kiosk ticket's bytes and 9600-baud wire time without and with the QR (80 mm);
- the acceptance slip's bytes with the progress QR only and with the rating QR too.
Not a timed test: read the numbers.

    python tests/bench/bench_followups.py            # --n 200
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def figures(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"{name:<36} n={len(ms):<5} median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms")


def wire(name: str, n: int) -> None:
    print(f"{name:<36} {n:5d} bytes   {n * 10 / 9600 * 1000:6.0f} ms at 9600 baud")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=200)
    args = p.parse_args()
    from fastapi.testclient import TestClient

    from hall_server import migrate
    from hall_server.app import create_app
    from hall_server.db import Database
    from hall_server.demo import seed
    from hall_server.settings import Settings
    from printers import open_device
    from printers.slips import AcceptanceSlip, TicketSlip

    data = Path(tempfile.mkdtemp(prefix="hall-bench-fu-"))
    url = f"sqlite:///{data / 'hall.sqlite3'}"
    settings = Settings(data_dir=data, database_url=url, argon2_time_cost=1, argon2_memory_kib=256,
                        phone_rate_burst=10**6)  # one client asks n times: measure the page, not the limit
    migrate.upgrade(url)
    db = Database(url)
    with db.write() as s:
        tokens = seed(s, settings=settings, now=T0 - timedelta(days=1)).device_tokens
    db.dispose()
    app = create_app(settings, clock=lambda: T0)
    kiosk = {"Authorization": f"Bearer {tokens['kiosk-1']}"}
    t_issue, t_page, last = [], [], {}
    with TestClient(app) as c:
        for _ in range(args.n):
            t = time.perf_counter()
            r = c.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
            t_issue.append(time.perf_counter() - t)
            assert r.status_code == 201, r.text
            last = r.json()
        path = urlsplit(last["rating_url"]).path
        for _ in range(args.n):
            t = time.perf_counter()
            page = c.get(path)
            t_page.append(time.perf_counter() - t)
            assert page.status_code == 200
    figures("POST /tickets (with rating_url)", t_issue)
    figures("GET /m/t/{token} (ticket phone page)", t_page)
    print(f"{'phone page size':<36} {len(page.content):5d} bytes (self-contained HTML)")
    printer = open_device("sim:printer")
    try:
        at = datetime(2026, 11, 24, 9, 0)
        plain = TicketSlip(hall_name="示范市政务服务中心", number=last["number"], category_name=last["category_name"],
                           waiting_ahead=last["waiting_ahead"], issued_at=at)
        with_qr = replace(plain, qr_payload=last["rating_url"], tip="请留意叫号，过号需重新取号\n扫码看排队进度，办结后可评价")
        wire("kiosk ticket 80mm, no QR", len(printer.render(plain).data))
        wire("kiosk ticket 80mm, rating QR", len(printer.render(with_qr).data))
        notice = AcceptanceSlip(hall_name="示范市政务服务中心", case_no="SG20261124-0001", matter_name="建设工程施工许可证核发",
                                applicant="张*", issued_at=at, query_code="K7PQ2M", notice_no="SG20261124-0001-SL",
                                query_url="http://127.0.0.1:8080/api/v1/cases/SG20261124-0001/public?code=K7PQ2M")
        wire("acceptance slip, progress QR", len(printer.render(notice).data))
        wire("acceptance slip, + rating QR", len(printer.render(replace(notice, rating_url=last["rating_url"])).data))
    finally:
        printer.close()
    print(f"rating URL ({len(last['rating_url'])} chars): {last['rating_url']}")


if __name__ == "__main__":
    main()
