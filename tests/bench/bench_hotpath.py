"""Benchmark: CPU per hot-path operation at 0 and at 20,000 tickets waiting.

    python tests/bench/bench_hotpath.py [--ops 300] [--waiting 20000] [--database-url URL]

Starts a real ``hall-server run`` (SQLite in a temp dir by default, or the PostgreSQL
database given: it is seeded first, so use an empty one), then for each queue depth:
issues ``--ops`` tickets, then has one window call-next / start / complete ``--ops`` times,
and prints the server process's CPU time per operation (user + system from
``/proc/PID/stat``, so the load generator's own CPU is not counted) and the median latency.
The deep case inserts the waiting tickets straight into the database first (the day's
queue of a very busy hall, one category). With the hot path indexes (migration 0013) and
the queue counts (0014: "waiting ahead" and the waiting counts read a counter, not a count
over the queue) the CPU per operation should not grow with the queue. Not a pytest test: on a shared machine
the figures are information, not targets.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def seed(url: str, data_dir: Path) -> dict[str, str]:
    from hall_server import migrate
    from hall_server.db import Database
    from hall_server.demo import seed as demo_seed
    from hall_server.settings import Settings
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.write() as s:
            report = demo_seed(s, settings=Settings(data_dir=data_dir, database_url=url),
                               now=datetime.now(timezone.utc) - timedelta(minutes=1))
    finally:
        db.dispose()
    return report.device_tokens


def fill(url: str, n: int, prefix: str) -> None:
    """``n`` more tickets waiting in ``prefix`` today, after the numbers already issued."""
    from sqlalchemy import insert, select, update

    from hall_server.db import Database
    from hall_server.domain import queue as q
    from hall_server.models import Ticket, TicketCounter
    from hall_server.services.queue import recount_waiting
    from hall_server.settings import Settings
    now = datetime.now(timezone.utc)
    day = q.business_day(now, Settings().tz)
    db = Database(url)
    try:
        with db.write() as s:
            last = s.scalar(select(TicketCounter.last).where(TicketCounter.business_day == day,
                                                             TicketCounter.prefix == prefix)) or 0
            rows = [dict(business_day=day, prefix=prefix, issued_prefix=prefix, seq=last + i + 1,
                         number=q.format_number(prefix, last + i + 1), state="waiting", priority=False,
                         issued_at=now, queued_at=now + timedelta(microseconds=i), requeues=0, recalls=0,
                         source="bench", wait_estimate_min=0) for i in range(n)]
            s.execute(insert(Ticket), rows)
            s.execute(update(TicketCounter).where(TicketCounter.business_day == day, TicketCounter.prefix == prefix)
                      .values(last=last + n))
            recount_waiting(s, day)  # written around the services: count them as migration 0014 does
        if not db.is_sqlite:  # PostgreSQL's autovacuum would analyze soon; SQLite never does by itself
            with db.write_engine.connect() as c:
                c.exec_driver_sql("ANALYZE tickets")
                c.commit()
    finally:
        db.dispose()


def ahead_read_ms(url: str, prefix: str, n: int = 300) -> tuple[float, float]:
    """Wall time of one "waiting ahead" read, statement and round trip (the database's time
    too, which the server's CPU does not show on PostgreSQL): the queue counts the server
    reads (migration 0014), and the index-only count over the tickets it replaced."""
    from sqlalchemy import func, select

    from hall_server.db import Database
    from hall_server.domain import queue as q
    from hall_server.models import Ticket
    from hall_server.services import queue as svc
    from hall_server.settings import Settings
    day = q.business_day(datetime.now(timezone.utc), Settings().tz)
    counted = select(func.count()).select_from(Ticket).where(
        Ticket.business_day == day, Ticket.state == q.TicketState.WAITING, Ticket.prefix == prefix)
    db = Database(url)
    out: list[float] = []
    try:
        with db.read() as s:
            for stmt in (svc._AHEAD.stmt, counted):  # the prepared statement's own Core form
                s.execute(stmt, {"day": day, "p": prefix, "pr": False}).all()  # compiled and cached before timing
                t = time.perf_counter()
                for _ in range(n):
                    s.execute(stmt, {"day": day, "p": prefix, "pr": False}).all()
                out.append((time.perf_counter() - t) * 1000 / n)
    finally:
        db.dispose()
    return out[0], out[1]


def measure(c: httpx.Client, pid: int, kiosk: dict[str, str], clerk: dict[str, str], ops: int) -> dict[str, float]:
    out: dict[str, float] = {}
    lat: list[float] = []
    cpu = cpu_seconds(pid)
    for _ in range(ops):
        t = time.perf_counter()
        r = c.post("/tickets", json={"category": "A"}, headers=kiosk)
        lat.append(time.perf_counter() - t)
        assert r.status_code == 201, r.text
    out["issue_cpu_ms"] = (cpu_seconds(pid) - cpu) * 1000 / ops
    out["issue_p50_ms"] = statistics.median(lat) * 1000
    lat = []
    cpu = cpu_seconds(pid)
    for _ in range(ops):
        t = time.perf_counter()
        r = c.post("/windows/1/call-next", headers=clerk)
        lat.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text
        for step in ("start", "complete"):
            assert c.post(f"/windows/1/{step}", headers=clerk).status_code == 200
    out["cycle_cpu_ms"] = (cpu_seconds(pid) - cpu) * 1000 / ops
    out["call_next_p50_ms"] = statistics.median(lat) * 1000
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ops", type=int, default=300)
    ap.add_argument("--waiting", type=int, default=20_000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hall-hotpath-"))
    url = args.database_url or f"sqlite:///{tmp / 'hall.sqlite3'}"
    tokens = seed(url, tmp)
    port = int(subprocess.check_output([sys.executable, "-c", "import socket;s=socket.socket();"
                                        "s.bind(('127.0.0.1',0));print(s.getsockname()[1])"]))
    server = subprocess.Popen([sys.executable, "-m", "hall_server", "--database-url", url, "--data-dir", str(tmp),
                               "run", "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as c:
            for _ in range(600):
                try:
                    if c.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)  # a script polling a starting process
            kiosk = {"Authorization": f"Bearer {tokens['kiosk-1']}"}
            tok = c.post("/auth/login", json={"staff_no": "1001", "password": "demo1234", "window_no": 1}).json()
            clerk = {"Authorization": f"Bearer {tok['token']}"}
            measure(c, server.pid, kiosk, clerk, 20)  # warm up
            rows = [("0 waiting", measure(c, server.pid, kiosk, clerk, args.ops))]
            reads = [ahead_read_ms(url, "A")]
            fill(url, args.waiting, "A")
            rows.append((f"{args.waiting} waiting", measure(c, server.pid, kiosk, clerk, args.ops)))
            reads.append(ahead_read_ms(url, "A"))
    finally:
        server.send_signal(2)
        server.wait(30)
    print(f"{'queue':>16}  issue CPU/op  issue p50  cycle CPU/op  call-next p50   ({args.ops} ops each, {url.split(':')[0]})")
    for name, r in rows:
        print(f"{name:>16}  {r['issue_cpu_ms']:9.2f} ms  {r['issue_p50_ms']:6.2f} ms  {r['cycle_cpu_ms']:9.2f} ms"
              f"  {r['call_next_p50_ms']:9.2f} ms")
    print(f"{'queue':>16}  waiting-ahead read: queue counts  count over the tickets (wall, per statement)")
    for (name, _), (counts, counted) in zip(rows, reads):
        print(f"{name:>16}  {counts:29.3f} ms  {counted:18.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
