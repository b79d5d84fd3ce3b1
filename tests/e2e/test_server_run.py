"""``hall-server run --demo`` as a real process on a fresh data folder: it migrates,
seeds, serves on loopback, and stops cleanly on Ctrl+C."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_demo_serves_a_fresh_hall_and_stops_on_ctrl_c(tmp_path: Path):
    port = _free_port()
    exe = shutil.which("hall-server")
    cmd = [exe] if exe else [sys.executable, "-m", "hall_server"]
    env = {**os.environ, "HALL_ARGON2_MEMORY_KIB": "256", "HALL_ARGON2_TIME_COST": "1"}
    env.pop("HALL_DATABASE_URL", None)
    log = tmp_path / "server.log"
    with log.open("w") as err, subprocess.Popen(
            [*cmd, "--data-dir", str(tmp_path / "data"), "run", "--demo", "--port", str(port)],
            env=env, stdout=subprocess.PIPE, stderr=err, text=True) as proc:
        _drive(proc, port, tmp_path, log)
    assert proc.returncode == 0, log.read_text()


def _drive(proc: subprocess.Popen[str], port: int, tmp_path: Path, log: Path) -> None:
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # wait on the server's own words, not on a clock
            if "政务大厅服务已启动" in line:
                break
        else:
            raise AssertionError("server did not start: " + log.read_text())
        tokens = dict(line.split("=", 1) for line in
                      (tmp_path / "data" / "demo-device-tokens.txt").read_text(encoding="utf-8").split())
        base = f"http://127.0.0.1:{port}/api/v1"
        with httpx.Client(base_url=base, timeout=30) as c:
            for _ in range(100):  # uvicorn binds just after the banner line
                try:
                    c.get("/health")
                    break
                except httpx.ConnectError:
                    proc.poll()
                    assert proc.returncode is None
                    try:
                        proc.wait(0.05)
                    except subprocess.TimeoutExpired:
                        pass
            r = c.post("/tickets", json={"category": "A"}, headers={"Authorization": f"Bearer {tokens['kiosk-1']}"})
            assert r.status_code == 201 and r.json()["number"] == "A001"
            r = c.post("/auth/login", json={"staff_no": "1001", "password": "demo1234", "window_no": 1})
            assert r.status_code == 200 and r.json()["badge"]["name"] == "王建国"
        assert (tmp_path / "data" / "hall.sqlite3").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
