"""The README's main command, headless: real server process, real client, simulated devices."""
from __future__ import annotations

import os
import re
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
    assert {f"admin-{p}.png" for p in ("profile", "departments", "categories", "windows", "staff", "devices",
                                       "matters", "fees", "cards", "holidays")} <= shots
    assert {"kiosk-1080p-keyboard.png", "kiosk-1080p-guide.png", "board-12.png", "board-40.png", "board-80.png"} <= shots
    texts = sorted((out / "slips").glob("*.txt"))
    assert len(texts) >= 14 and len(list((out / "slips").glob("*.png"))) == len(texts)
    first = texts[0].read_text(encoding="utf-8")
    assert "示范市政务服务中心" in first and any(n in first for n in ("工程建设审批", "不动产登记", "规划与用地"))
    assert "请" in (out / "led-frames.txt").read_text(encoding="utf-8")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "取号" in summary and "打印机缺纸" in summary
    # one citizen's whole thread: the A4 documents, the supervision timeline, the day's figures
    assert {"supervision-timeline.png", "supervision-cards.png", "dashboard.png", "supervision.png",
            "window-case-history.png"} <= shots
    pdfs = {p.name: p for p in (out / "pdfs").glob("*.pdf")}
    assert {"acceptance-notice.pdf", "payment-notice.pdf", "receipt.pdf", "daily-report.pdf",
            "supervision-export.pdf"} <= set(pdfs)
    notice = _pdf_text(pdfs["acceptance-notice.pdf"])
    assert "受理通知书" in notice and "张建华" in notice
    assert "日报" in _pdf_text(pdfs["daily-report.pdf"])
    export = _pdf_text(pdfs["supervision-export.pdf"]).replace("\n", "")
    assert "在 6 号窗口受理 张建华" in export and "case.accepted" not in export and '{"' not in export
    assert re.search(r"受理办件 1 件", summary) and re.search(r"收费票据 1 张，金额 ¥\d", summary)
    assert re.search(r"评价 1 条（差评 1 条），投诉 1 件", summary) and "黄牌 1" in summary
    timeline = summary.split("## 监察时间线")[1].split("##")[0]
    assert "在 6 号窗口受理 张建华" in timeline and "收款员 孙会计（2001）收取" in timeline
    assert "ticket." not in timeline and "staff:" not in timeline
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d　", timeline)  # full local date-times
    if os.path.exists("/usr/bin/chromium") and os.path.exists("/usr/bin/chromedriver"):  # issue 15: phone pages
        assert {"phone-ticket.png", "phone-case.png", "phone-rate.png", "phone-called.png"} <= shots, shots
        assert "手机页面演示未完成" not in summary
        server = re.search(r"服务器：(http://127\.0\.0\.1:\d+)", summary)
        assert server and f"二维码地址 {server.group(1)}/m/t/" in summary  # printed QR codes lead where it listens


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    return "".join(page.extract_text() for page in PdfReader(str(path)).pages)
