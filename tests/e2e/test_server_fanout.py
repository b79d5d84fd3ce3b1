"""``hall-server run --fanout-port`` as real processes on SQLite: the server starts the
fan-out process, rings it after each commit, a display subscribed there receives what a
kiosk wrote through the server, and Ctrl+C stops both."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from websockets.sync.client import connect

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _answering(c: httpx.Client, proc: subprocess.Popen[str]) -> dict[str, object]:
    """The process binds just after its banner: retry the connection, bounded, while it runs."""
    for _ in range(400):
        try:
            return dict(c.get("/health").json())
        except httpx.TransportError:
            assert proc.poll() is None, "server exited"
            try:
                proc.wait(0.05)
            except subprocess.TimeoutExpired:
                pass
    raise AssertionError("no answer")


def test_run_with_a_fanout_port_streams_the_servers_events_from_a_second_process(tmp_path: Path):
    port, fport = free_port(), free_port()
    cmd = [sys.executable, "-m", "hall_server"]  # this checkout's, not whichever ``hall-server`` is installed
    env = {**os.environ, "HALL_ARGON2_MEMORY_KIB": "256", "HALL_ARGON2_TIME_COST": "1"}
    env.pop("HALL_DATABASE_URL", None)
    log = tmp_path / "server.log"
    child = None
    with log.open("w") as err, subprocess.Popen(
            [*cmd, "--data-dir", str(tmp_path / "data"), "run", "--demo", "--port", str(port),
             "--fanout-port", str(fport)], env=env, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT) as proc:
        try:
            assert proc.stdout is not None
            for line in proc.stdout:  # wait on the server's own words, not on a clock
                if m := re.search(r"事件推送进程已启动.*进程号 (\d+)", line):
                    child = int(m.group(1))
                if "政务大厅服务已启动" in line:
                    break
            assert child is not None, log.read_text()
            tokens = dict(line.split("=", 1) for line in
                          (tmp_path / "data" / "demo-device-tokens.txt").read_text(encoding="utf-8").split())
            with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as api, \
                    httpx.Client(base_url=f"http://127.0.0.1:{fport}/api/v1", timeout=30) as fan:
                last = int(_answering(api, proc)["last_seq"])  # type: ignore[call-overload]
                assert _answering(fan, proc)["role"] == "fanout"
                url = f"ws://127.0.0.1:{fport}/api/v1/events?after={last}&token={tokens['display-1']}"
                with connect(url, open_timeout=30) as ws:
                    r = api.post("/tickets", json={"category": "A"},
                                 headers={"Authorization": f"Bearer {tokens['kiosk-1']}"})
                    assert r.status_code == 201
                    got = json.loads(ws.recv(timeout=30))
            assert [e["seq"] for e in got] == [last + 1] and got[0]["type"] == "ticket.issued"
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
    assert proc.returncode == 0, log.read_text()
    assert child is not None and not Path(f"/proc/{child}").exists() or \
        Path(f"/proc/{child}/stat").read_text().split(") ", 1)[1].startswith("Z"), "fan-out process left running"
