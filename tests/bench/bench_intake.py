"""Intake benchmark (run as a script, not collected by pytest):

    python tests/bench/bench_intake.py [--cases 300] [--matters 1500] [--pg URL]

Figures: 受理 through the service layer (one write transaction per case, with the
materials check, case number, due date, notice content and events), the acceptance
notice PDF render, catalog search over a city-sized catalog (pinyin initials), and the
working-day arithmetic. Prints medians and p95s; no pass/fail.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def report(name: str, xs: list[float]) -> None:
    print(f"{name:<44} n={len(xs):<5} median {statistics.median(xs) * 1000:8.2f} ms   p95 {pct(xs, 0.95) * 1000:8.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--matters", type=int, default=1500)
    ap.add_argument("--pg", default="")
    args = ap.parse_args()

    from sqlalchemy import select

    from hall_server import contract as c
    from hall_server import migrate
    from hall_server.db import Database
    from hall_server.demo import seed
    from hall_server.demo.catalog import MATTERS
    from hall_server.domain.workdays import LimitUnit
    from hall_server.models import Staff
    from hall_server.reports.notices import NoticeData, render
    from hall_server.services import cases as svc
    from hall_server.services import catalog as cat
    from hall_server.services import queue as qsvc
    from hall_server.services.actors import SYSTEM, Actor
    from hall_server.domain.roles import Role
    from hall_server.models.cases import CaseNotice
    from hall_server.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    url = args.pg or f"sqlite:///{tmp / 'hall.sqlite3'}"
    settings = Settings(data_dir=tmp, database_url=url, argon2_time_cost=1, argon2_memory_kib=256)
    t0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
    migrate.upgrade(url)
    db = Database(url)
    with db.write() as s:
        seed(s, settings=settings, now=t0 - timedelta(days=1))
    with db.write() as s:
        staff = s.scalar(select(Staff).where(Staff.staff_no == "1001"))
        assert staff is not None
        qsvc.start_duty(s, staff=staff, window_no=1, now=t0)
        actor = Actor(kind="staff", id=staff.id, name=staff.name, roles=frozenset({Role.CLERK}), staff_no="1001",
                      window_no=1)
        # a city-sized catalog for the search figure
        base = MATTERS[0]
        extra = [c.MatterIn.model_validate({**base, "code": f"X-{i:04d}", "name": f"{base['name']}（第{i}类）",
                                            "case_prefix": "X"}) for i in range(args.matters)]
        cat.import_matters(s, items=extra, actor=SYSTEM, now=t0)

    body = c.IntakeIn.model_validate({
        "matter_code": "ZJ-001", "window_no": 1, "outcome": "accept",
        "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 7)]})
    lat: list[float] = []
    for i in range(args.cases):
        now = t0 + timedelta(seconds=30 * i)
        a = time.perf_counter()
        with db.write() as s:
            case = svc.intake(s, settings=settings, actor=actor, now=now, body=body)
            svc.case_out(s, case, settings=settings, now=now)
        lat.append(time.perf_counter() - a)
    print(f"database: {url.split('@')[-1]}   catalog: {args.matters + len(MATTERS)} matters")
    report("受理 (intake, one transaction)", lat)

    with db.read() as s:
        notice = s.scalars(select(CaseNotice).limit(1)).one()
        data = NoticeData.from_dict(notice.content)
    render(data)  # font registration once
    pdf_t: list[float] = []
    for _ in range(30):
        a = time.perf_counter()
        pdf = render(data)
        pdf_t.append(time.perf_counter() - a)
    report(f"acceptance notice PDF ({len(pdf) // 1024} KiB)", pdf_t)

    search_t: list[float] = []
    for q in ["sgxk", "施工许可", "ZJ-001", "bdcdj", "预售"] * 6:
        with db.read() as s:
            a = time.perf_counter()
            cat.search(s, query=q)
            search_t.append(time.perf_counter() - a)
    report("catalog search (load + rank)", search_t)

    cal = svc.calendar(settings)
    due_t: list[float] = []
    for i in range(2000):
        a = time.perf_counter()
        d = cal.due_date(date(2026, 1, 1) + timedelta(days=i % 300), 20, LimitUnit.WORKING)
        cal.days_left(date(2026, 1, 1), d, LimitUnit.WORKING)
        due_t.append(time.perf_counter() - a)
    report("due date + days left (20 working days)", due_t)
    db.dispose()


if __name__ == "__main__":
    sys.exit(main())
