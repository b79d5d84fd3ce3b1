"""Case workflow benchmark (run as a script; pytest does not collect bench_*.py):

    python tests/bench/bench_case_workflow.py [--open 500] [--pg URL]

Figures: the clerk's 我的办件 list (open cases of one department with due date and days
left, soonest due first), one lifecycle step (开始审查, one write transaction with its
event), the §42 extension with the approver's password checked at the production argon2
cost (hash outside the writer lock + the approval transaction + the step), and the
办件全程 history of a case with ticket, lifecycle and fee events. Prints medians and p95s;
no pass/fail (a shared machine's clock is noise).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def report(name: str, xs: list[float]) -> None:
    print(f"{name:<52} n={len(xs):<5} median {statistics.median(xs) * 1000:8.2f} ms   p95 {pct(xs, 0.95) * 1000:8.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--open", type=int, default=500, help="open cases in the clerk's department")
    ap.add_argument("--pg", default="")
    args = ap.parse_args()

    from sqlalchemy import select

    from hall_server import contract as c
    from hall_server import migrate
    from hall_server.db import Database
    from hall_server.demo import seed
    from hall_server.domain.roles import Role
    from hall_server.models import Staff
    from hall_server.services import auth, events
    from hall_server.services import cases as svc
    from hall_server.services import queue as qsvc
    from hall_server.services.actors import Actor
    from hall_server.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-cases-"))
    url = args.pg or f"sqlite:///{tmp / 'hall.sqlite3'}"
    fast = Settings(data_dir=tmp, database_url=url, argon2_time_cost=1, argon2_memory_kib=256)
    t0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
    migrate.upgrade(url)
    db = Database(url)
    with db.write() as s:
        seed(s, settings=fast, now=t0 - timedelta(days=1))
    with db.write() as s:  # the approver's password at the production cost
        prod = Settings(data_dir=tmp, database_url=url)
        mgr = s.scalar(select(Staff).where(Staff.staff_no == "3001"))
        assert mgr is not None
        mgr.password_hash = auth.hasher(prod).hash("demo1234")
        staff = s.scalar(select(Staff).where(Staff.staff_no == "1001"))
        assert staff is not None
        qsvc.start_duty(s, staff=staff, window_no=1, now=t0)
        actor = Actor(kind="staff", id=staff.id, name=staff.name, roles=frozenset({Role.CLERK}), staff_no="1001",
                      window_no=1, department_id=staff.department_id)

    body = c.IntakeIn.model_validate({
        "matter_code": "ZJ-001", "window_no": 1, "outcome": "accept",
        "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 7)]})
    nos: list[str] = []
    for i in range(args.open):  # spread over 20 days so due dates differ
        now = t0 - timedelta(days=i % 20, seconds=i)
        with db.write() as s:
            case = svc.intake(s, settings=fast, actor=actor, now=now, body=body)
            nos.append(case.case_no)
            events.append(s, "fee.paid", actor="staff:2001", at=now, window_no=12,
                          data={"case_no": case.case_no, "receipt_no": f"R{i:08d}", "amount_fen": 8000})
    print(f"database: {url.split('@')[-1]}   open cases in the department: {args.open}")

    list_t: list[float] = []
    for _ in range(30):
        a = time.perf_counter()
        with db.read() as s:
            page = svc.list_cases(s, settings=fast, now=t0, open_only=True, mine=actor, limit=500)
        list_t.append(time.perf_counter() - a)
    assert page.total == args.open
    report(f"我的办件 list ({min(args.open, 500)} rows, days left each)", list_t)

    step_t: list[float] = []
    for no in nos[:60]:
        a = time.perf_counter()
        with db.write() as s:
            case = svc.transition(s, settings=fast, actor=actor, now=t0, case_no=no,
                                  body=c.CaseActionIn(action="start_review"))
            svc.case_out(s, case, settings=fast, now=t0)
        step_t.append(time.perf_counter() - a)
    report("lifecycle step 开始审查 (one transaction)", step_t)

    ext_t: list[float] = []
    for no in nos[:20]:
        ext = c.CaseActionIn(action="extend", days=2, reason="需现场核查", approver_staff_no="3001",
                             approver_password="demo1234")
        a = time.perf_counter()
        with db.read() as s:
            stored = auth.password_hash_of(s, "3001")
        ok = auth.check_password(prod, stored, "demo1234")  # outside the writer lock
        with db.write() as s:
            approver = svc.approve_extension(s, settings=prod, actor=actor, now=t0, case_no=no, body=ext,
                                             verified_hash=stored if ok else None, checked_hash=None)
        with db.write() as s:
            svc.transition(s, settings=prod, actor=actor, now=t0, case_no=no, body=ext, approver_no=approver)
        ext_t.append(time.perf_counter() - a)
    report("延期 with approver password (production argon2)", ext_t)

    hist_t: list[float] = []
    for no in nos[:60]:
        a = time.perf_counter()
        with db.read() as s:
            svc.history(s, settings=fast, case_no=no, reader=actor)
        hist_t.append(time.perf_counter() - a)
    report("办件全程 history (case + fee events)", hist_t)
    db.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
