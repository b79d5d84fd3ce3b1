"""Several server processes on one PostgreSQL database (``api/tail.py``): a subscriber of
each process sees every event, whichever process wrote it, in seq order with no gap;
``run --workers N`` starts N processes on one port; on SQLite it is refused in Chinese."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import PG_URL, free_port

TIMEOUT = 30
ISSUES_PER_PROCESS = 30


@pytest.fixture
def backend() -> str:
    if not PG_URL:
        pytest.skip("HALL_TEST_PG_URL not set")
    return "pg"


def _cmd() -> list[str]:
    exe = shutil.which("hall-server")
    return [exe] if exe and not os.environ.get("PYTHONPATH") else [sys.executable, "-m", "hall_server"]


def _env() -> dict[str, str]:
    env = {**os.environ, "HALL_ARGON2_MEMORY_KIB": "256", "HALL_ARGON2_TIME_COST": "1"}
    env.pop("HALL_DATABASE_URL", None)
    return env


def _wait_healthy(base: str, procs: list[subprocess.Popen[bytes]], log: Path) -> None:
    with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        for _ in range(600):
            try:
                if c.get("/api/v1/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            for p in procs:
                assert p.poll() is None, log.read_text()
            try:
                procs[0].wait(0.05)  # a bounded wait on the process itself, not a sleep
            except subprocess.TimeoutExpired:
                pass
    raise AssertionError("server did not come up: " + log.read_text())


@contextmanager
def _servers(args_list: list[list[str]], tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    log = tmp_path / "servers.log"
    procs: list[subprocess.Popen[bytes]] = []
    with log.open("wb") as out:
        try:
            for args in args_list:
                procs.append(subprocess.Popen([*_cmd(), *args], env=_env(), stdout=out, stderr=out))
            yield procs
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            for p in procs:
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    raise


def _subscribe(port: int, token: str, after: int, until: int, got: list[int]) -> None:
    """Read frames until seq ``until`` has arrived; record every seq in arrival order."""
    with connect(f"ws://127.0.0.1:{port}/api/v1/events?after={after}&token={token}",
                 open_timeout=TIMEOUT) as ws:
        while not got or got[-1] < until:
            got.extend(e["seq"] for e in json.loads(ws.recv(timeout=TIMEOUT)))


def test_each_process_subscriber_sees_every_event_of_both_processes_in_seq_order(
        db_url: str, device_tokens: dict[str, str], tmp_path: Path):
    ports = [free_port(), free_port()]
    runs = [["--database-url", db_url, "--data-dir", str(tmp_path), "run", "--port", str(p)] for p in ports]
    with _servers(runs, tmp_path) as procs:
        for p in ports:
            _wait_healthy(f"http://127.0.0.1:{p}", procs, tmp_path / "servers.log")
        with httpx.Client(timeout=TIMEOUT) as c:
            start = c.get(f"http://127.0.0.1:{ports[0]}/api/v1/health").json()["last_seq"]
        expected_end = start + 2 * ISSUES_PER_PROCESS  # one ticket.issued each
        kiosk = {"Authorization": f"Bearer {device_tokens['kiosk-1']}"}
        seen: list[list[int]] = [[], []]
        readers = [threading.Thread(target=_subscribe, args=(p, device_tokens["display-1"], start, expected_end,
                                                             seen[i])) for i, p in enumerate(ports)]
        for t in readers:
            t.start()
        answers: list[list[str]] = [[], []]

        def issue(i: int) -> None:  # both processes write at the same time
            with httpx.Client(base_url=f"http://127.0.0.1:{ports[i]}/api/v1", timeout=TIMEOUT) as c:
                for _ in range(ISSUES_PER_PROCESS):
                    r = c.post("/tickets", json={"category": "A"}, headers=kiosk)
                    assert r.status_code == 201, r.text
                    answers[i].append(r.json()["number"])

        writers = [threading.Thread(target=issue, args=(i,)) for i in range(2)]
        for t in writers:
            t.start()
        for t in writers + readers:
            t.join(120)
        assert not any(t.is_alive() for t in writers + readers)
    want = list(range(start + 1, expected_end + 1))
    assert seen[0] == want and seen[1] == want  # every event, in seq order, no gap, no repeat
    numbers = sorted(answers[0] + answers[1])
    assert numbers == [f"A{n:03d}" for n in range(1, 2 * ISSUES_PER_PROCESS + 1)]  # numbers stay exact
    assert answers[0] and answers[1]


def test_workers_start_n_processes_on_one_port(db_url: str, device_tokens: dict[str, str], tmp_path: Path):
    port = free_port()
    with _servers([["--database-url", db_url, "--data-dir", str(tmp_path), "run", "--workers", "2",
                    "--port", str(port)]], tmp_path) as procs:
        _wait_healthy(f"http://127.0.0.1:{port}", procs, tmp_path / "servers.log")
        kiosk = {"Authorization": f"Bearer {device_tokens['kiosk-1']}"}
        numbers = []
        for _ in range(10):  # a fresh connection each: the kernel spreads them over the workers
            with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=TIMEOUT) as c:
                r = c.post("/tickets", json={"category": "B"}, headers=kiosk)
                assert r.status_code == 201, r.text
                numbers.append(r.json()["number"])
        assert numbers == [f"B{n:03d}" for n in range(1, 11)]
        workers = subprocess.run(["pgrep", "-P", str(procs[0].pid)], capture_output=True, text=True).stdout.split()
        assert len(workers) == 2
    assert procs[0].returncode == 0


def test_workers_on_sqlite_are_refused_in_chinese(tmp_path: Path):
    r = subprocess.run([*_cmd(), "--data-dir", str(tmp_path), "run", "--workers", "2"],
                       env=_env(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "PostgreSQL" in r.stdout and "只能由一个服务进程使用" in r.stdout
