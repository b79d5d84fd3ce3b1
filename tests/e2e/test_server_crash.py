"""kill -9 in the middle of group-committed writes: nothing acknowledged is lost, nothing
is doubled, the chain verifies (SQLite: one process; PostgreSQL: two processes writing).

Eight kiosks issue numbers as fast as the server answers; once enough answers have come
back the server processes are killed with SIGKILL while requests are still in flight. The
database is then read directly: every number a kiosk received is there exactly once, the
numbers of the day run without a gap (a batch commits whole or not at all), and the chain
and its head agree.
"""
from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import httpx

from hall_server.db import Database
from hall_server.models import Ticket
from hall_server.services import events
from tests.conftest import free_port
from tests.e2e.test_server_workers import TIMEOUT, _cmd, _env, _wait_healthy

KIOSKS, ACKS_BEFORE_KILL = 8, 160


def test_kill_9_during_group_commit_loses_no_acknowledged_number(
        db_url: str, backend: str, device_tokens: dict[str, str], tmp_path: Path) -> None:
    ports = [free_port()] if backend == "sqlite" else [free_port(), free_port()]
    log = tmp_path / "servers.log"
    acked: list[str] = []
    enough = threading.Event()
    lock = threading.Lock()
    kiosk = {"Authorization": f"Bearer {device_tokens['kiosk-1']}"}
    with log.open("wb") as out:
        procs = [subprocess.Popen([*_cmd(), "--database-url", db_url, "--data-dir", str(tmp_path), "run",
                                   "--port", str(p)], env=_env(), stdout=out, stderr=out) for p in ports]
        try:
            for p in ports:
                _wait_healthy(f"http://127.0.0.1:{p}", procs, log)

            def kiosk_loop(i: int) -> None:
                base = f"http://127.0.0.1:{ports[i % len(ports)]}/api/v1"
                with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
                    while True:
                        try:
                            r = c.post("/tickets", json={"category": "A"}, headers=kiosk)
                        except httpx.TransportError:
                            return  # the server died under us: this request's fate is unknown
                        assert r.status_code == 201, r.text
                        with lock:
                            acked.append(r.json()["number"])
                            if len(acked) >= ACKS_BEFORE_KILL:
                                enough.set()

            threads = [threading.Thread(target=kiosk_loop, args=(i,)) for i in range(KIOSKS)]
            for t in threads:
                t.start()
            assert enough.wait(120), log.read_text()
            for p in procs:
                os.kill(p.pid, signal.SIGKILL)  # with requests in flight
            for t in threads:
                t.join(60)
            assert not any(t.is_alive() for t in threads)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait(30)
    assert all(p.returncode == -signal.SIGKILL for p in procs)

    db = Database(db_url)
    try:
        with db.read() as s:
            stored = [t.number for t in s.query(Ticket).filter(Ticket.prefix == "A").order_by(Ticket.id)]
            report = events.verify(s)
            head = events.last_seq(s)
    finally:
        db.dispose()
    assert len(acked) >= ACKS_BEFORE_KILL
    assert set(acked) <= set(stored)  # every acknowledged number survived
    assert len(stored) == len(set(stored))  # none twice
    assert sorted(stored) == [f"A{n:03d}" for n in range(1, len(stored) + 1)]  # no gap
    assert report.ok and report.last_seq == head
