"""Benchmark: dashboard and report figures over a year of history.

Generates (once) a year of synthetic history — about 2 million tickets and 500,000
cases — into its own SQLite file, builds the daily rollups, then times the real HTTP
endpoints (FastAPI TestClient, auth included) and prints the figures. Not a timed test:
on a shared machine a pass/fail on the clock is noise; read the numbers.

    python tests/bench/bench_dashboard.py                      # /tmp/hall-bench/hall.sqlite3
    python tests/bench/bench_dashboard.py --days 30            # a quicker, smaller run
    HALL_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        python tests/bench/bench_dashboard.py --pg              # the same on PostgreSQL
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)  # 11:00 in the hall


def _pg_database(base: str, name: str, fresh: bool) -> str:
    import psycopg
    admin = base.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/hall-bench/hall.sqlite3")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--regen", action="store_true", help="throw the file away and generate again")
    ap.add_argument("--pg", action="store_true", help="use PostgreSQL at HALL_TEST_PG_URL (database hall_bench)")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()

    from hall_server.db import Database
    from hall_server.demo import history
    from hall_server.models import Ticket
    from hall_server.models.cases import Case
    from hall_server.services import stats

    if a.pg:
        base = os.environ.get("HALL_TEST_PG_URL", "")
        if not base:
            sys.exit("set HALL_TEST_PG_URL")
        url = _pg_database(base, "hall_bench", a.regen)
        fresh = a.regen
    else:
        path = Path(a.db)
        if a.regen and path.exists():
            for p in path.parent.glob(path.name + "*"):
                p.unlink()
        fresh = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path.resolve()}"
    db = Database(url)
    with db.read() as s:
        try:
            have = s.scalar(select(func.count()).select_from(Ticket)) or 0
        except Exception:
            have = 0
    if fresh or have == 0:
        db.dispose()
        t = time.perf_counter()
        db = history.prepare(url, now=NOW)
        rep = history.generate(db, end=TODAY, days=a.days)
        print(f"generated {rep.days} working days: {rep.tickets:,} tickets, {rep.cases:,} cases, "
              f"{rep.receipts:,} receipts, {rep.ratings:,} ratings, {rep.complaints:,} complaints "
              f"in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    n = stats.ensure_rollups(db, tz=TZ, now=NOW)
    print(f"rollups: built {n} day(s) in {time.perf_counter() - t:.1f} s")
    with db.read() as s:
        tickets = s.scalar(select(func.count()).select_from(Ticket))
        cases = s.scalar(select(func.count()).select_from(Case))
        today = s.scalar(select(func.count()).select_from(Ticket).where(Ticket.business_day == TODAY))
    print(f"history: {tickets:,} tickets, {cases:,} cases; today so far {today:,} tickets")
    db.dispose()

    from fastapi.testclient import TestClient

    from hall_server.app import create_app
    from hall_server.settings import Settings
    settings = Settings(database_url=url, data_dir=Path("/tmp/hall-bench"), argon2_time_cost=1,
                        argon2_memory_kib=256)
    app = create_app(settings, clock=lambda: NOW, migrate_db=False)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    with TestClient(app) as client:
        def login(no: str) -> dict[str, str]:
            r = client.post("/api/v1/auth/login", json={"staff_no": no, "password": "demo1234"})
            r.raise_for_status()
            return {"Authorization": f"Bearer {r.json()['token']}"}
        mgr, sup = login("3001"), login("4001")
        cases_ = [
            ("dashboard (live today + 30-day trend)", "/api/v1/dashboard", {}, mgr),
            ("daily report, today (live)", "/api/v1/reports/daily", {"day": TODAY.isoformat()}, mgr),
            ("daily report, yesterday (rollup)", "/api/v1/reports/daily", {"day": yesterday}, mgr),
            ("monthly report 2026-11", "/api/v1/reports/monthly", {"month": "2026-11"}, mgr),
            ("yearly figures 2026", "/api/v1/reports/yearly", {"year": 2026}, mgr),
            ("yearly figures 2026 as xlsx", "/api/v1/reports/yearly", {"year": 2026, "format": "xlsx"}, mgr),
            ("monthly report as PDF (charts)", "/api/v1/reports/monthly", {"month": "2026-11", "format": "pdf"}, mgr),
            ("红黄牌, today", "/api/v1/supervision/cards", {}, sup),
        ]
        print(f"\n{'endpoint':44s} {'median ms':>10s} {'max ms':>8s}")
        for label, path, params, h in cases_:
            times = []
            for _ in range(a.runs):
                t = time.perf_counter()
                r = client.get(path, params=params, headers=h)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text[:300]
            print(f"{label:44s} {statistics.median(times):10.1f} {max(times):8.1f}")
        y = client.get("/api/v1/reports/yearly", params={"year": 2026}, headers=mgr).json()["total"]
        print(f"\nyear 2026: {y['tickets']:,} tickets, {y['cases_accepted']:,} cases accepted, "
              f"on-time {y['on_time_rate']:.1%}, 一次性办结 {y['once_rate']:.1%}, 满意率 {y['satisfaction_rate']:.1%}")


if __name__ == "__main__":
    main()
