"""Benchmark: accountability over real HTTP handling (FastAPI TestClient, auth included).

Builds a fresh migrated, seeded demo hall in a temp SQLite file (or PostgreSQL with
``--pg``), then times:
- logging a first inquiry with a referral (POST /inquiries);
- rating a completed service from the evaluator (POST /ratings), a third of them 差评
  so follow-ups open;
- registering a complaint (POST /complaints);
- one overdue sweep with every referral, follow-up and complaint late (plus the stars).
Prints per-request medians/p95 and the sweep's time. Not a timed test: read the numbers.

    python tests/bench/bench_accountability.py                 # --n 300
    python tests/bench/bench_accountability.py --n 1000
    HALL_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        python tests/bench/bench_accountability.py --pg
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def figures(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"{name:<34} n={len(ms):<5} median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   "
          f"{len(ms) / sum(samples):7.1f}/s")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--pg", action="store_true")
    args = p.parse_args()
    from fastapi.testclient import TestClient

    from hall_server import migrate
    from hall_server.app import create_app
    from hall_server.db import Database
    from hall_server.demo import seed
    from hall_server.settings import Settings

    data = Path(tempfile.mkdtemp(prefix="hall-bench-acc-"))
    if args.pg:
        import psycopg
        base = os.environ["HALL_TEST_PG_URL"]
        name = f"hall_bench_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite:///{data / 'hall.sqlite3'}"
    try:
        settings = Settings(data_dir=data, database_url=url, argon2_time_cost=1, argon2_memory_kib=256)
        migrate.upgrade(url)
        db = Database(url)
        with db.write() as s:
            tokens = seed(s, settings=settings, now=T0 - timedelta(days=1)).device_tokens
        db.dispose()
        now = [T0]
        app = create_app(settings, clock=lambda: now[0])
        with TestClient(app) as c:
            def login(staff_no: str, window_no: int | None = None) -> dict[str, str]:
                body: dict[str, Any] = {"staff_no": staff_no, "password": "demo1234"}
                if window_no:
                    body["window_no"] = window_no
                return {"Authorization": f"Bearer {c.post('/api/v1/auth/login', json=body).json()['token']}"}

            clerk, kiosk = login("1001", 1), {"Authorization": f"Bearer {tokens['kiosk-1']}"}
            ev = {"Authorization": f"Bearer {tokens['evaluator-1']}"}
            t_inq, t_rate, t_cpl = [], [], []
            for i in range(args.n):
                t = time.perf_counter()
                r = c.post("/api/v1/inquiries", json={"question": f"问题 {i}", "refer": {"to_staff_no": "1005"}},
                           headers=clerk)
                t_inq.append(time.perf_counter() - t)
                assert r.status_code == 201, r.text
            levels = ["very_satisfied", "satisfied", "dissatisfied"]
            for i in range(args.n):
                c.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
                for step in ("call-next", "start", "complete"):
                    c.post(f"/api/v1/windows/1/{step}", headers=clerk)
                t = time.perf_counter()
                r = c.post("/api/v1/ratings", json={"level": levels[i % 3]}, headers=ev)
                t_rate.append(time.perf_counter() - t)
                assert r.status_code == 201, r.text
            for i in range(args.n):
                t = time.perf_counter()
                r = c.post("/api/v1/complaints", json={"content": f"投诉内容 {i}", "anonymous": True}, headers=kiosk)
                t_cpl.append(time.perf_counter() - t)
                assert r.status_code == 201, r.text
            now[0] = T0 + timedelta(days=30)
            office = login("3001")
            t = time.perf_counter()
            swept = c.post("/api/v1/accountability/sweep", headers=office).json()
            sweep_s = time.perf_counter() - t
            t = time.perf_counter()
            again = c.post("/api/v1/accountability/sweep", headers=office).json()
            idle_s = time.perf_counter() - t
        backend = "PostgreSQL" if args.pg else "SQLite"
        print(f"accountability benchmark on {backend}, n={args.n}")
        figures("POST /inquiries (with referral)", t_inq)
        figures("POST /ratings (evaluator)", t_rate)
        figures("POST /complaints (kiosk)", t_cpl)
        print(f"{'sweep, everything late':<34} {sweep_s * 1000:8.1f} ms   {swept}")
        print(f"{'sweep again (nothing new)':<34} {idle_s * 1000:8.1f} ms   {again}")
    finally:
        if args.pg:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


if __name__ == "__main__":
    main()
