"""The README's main command, headless: real server process, real client, simulated devices."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_headless_demo_writes_screenshots_slips_led_frames_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "artifacts"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    r = subprocess.run([sys.executable, "-m", "hall_client", "demo", "--headless", "--artifacts", str(out),
                        "--tickets", "14"], env=env, capture_output=True, timeout=180, cwd=tmp_path)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-3000:]
    shots = {p.name for p in (out / "screenshots").glob("*.png")}
    assert {"window.png", "kiosk-ticket.png", "kiosk-home.png", "kiosk-out-of-paper.png", "display.png"} <= shots
    assert {"kiosk-1080p-keyboard.png", "kiosk-1080p-guide.png", "board-12.png", "board-40.png", "board-80.png"} <= shots
    texts = sorted((out / "slips").glob("*.txt"))
    assert len(texts) >= 14 and len(list((out / "slips").glob("*.png"))) == len(texts)
    first = texts[0].read_text(encoding="utf-8")
    assert "示范市政务服务中心" in first and any(n in first for n in ("工程建设审批", "不动产登记", "规划与用地"))
    assert "请" in (out / "led-frames.txt").read_text(encoding="utf-8")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "取号" in summary and "打印机缺纸" in summary
