"""The demo's audit step: the office's signing key, a signed checkpoint, the file the
office keeps, and the supervision client's integrity check (chain, kept checkpoints,
business rows) as a screenshot. Called once from ``demo.run_headless``."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger(__name__)


def run(*, server: Any, make: Callable[..., Any], artifacts: Path, clients: list[Any],
        wait: Callable[..., None]) -> None:
    # the key: in the demo's data folder (a real hall keeps it with the office, docs/audit.md)
    if not (Path(server.data_dir) / "audit-key.pem").exists():
        subprocess.run([sys.executable, "-m", "hall_server", "--data-dir", str(server.data_dir), "audit-key"],
                       check=True, capture_output=True, timeout=60)
    with httpx.Client(base_url=server.url + "/api/v1", timeout=10, trust_env=False) as http:
        tok = http.post("/auth/login", json={"staff_no": "4001", "password": "demo1234"}).json()["token"]
        h = {"Authorization": f"Bearer {tok}"}
        http.post("/supervision/checkpoints", headers=h).raise_for_status()
        (artifacts / "audit-checkpoints.jsonl").write_bytes(
            http.get("/supervision/checkpoints.jsonl", headers=h).content)
    # a supervision PC with its own data folder keeps the checkpoint and checks against it
    os.environ["XDG_DATA_HOME"] = str(artifacts / "supervision-pc")
    office, _sims = make("supervision", devices={})
    clients.append(office)
    w = office.widget
    got: dict[str, Any] = {}
    w.cards.loaded.connect(lambda _o: got.update(cards=True))
    w.audit.checked.connect(lambda r: got.update(check=r))
    w.login.staff_no.setText("4001")
    w.login.password.setText("demo1234")
    w.login.button.click()
    wait(lambda: got.get("cards", False), what="监察红黄牌加载")
    w.tabs.setCurrentWidget(w.audit)
    w.audit.go.click()
    wait(lambda: "check" in got, timeout=60, what="日志完整性校验")
    w.grab().save(str(artifacts / "screenshots" / "supervision-integrity.png"))
    log.info("demo audit: integrity check ok=%s, %d checkpoint(s) kept", got["check"].ok, len(w.audit.store.all()))
