"""The demo's phone part (issue 15): what a citizen's phone shows after scanning the QR
codes the hall printed, photographed at 360 × 800 in Debian's headless Chromium.

Runs against the demo server over plain HTTP like any phone: clerk 1002 signs in at
window 2 (the demo's Qt windows are 1, 5 and 9), the kiosk takes numbers, the clerk
calls, accepts a case and completes, and the pages are shot as they change. Uses
Selenium with /usr/bin/chromedriver when installed (the test extras), else Chromium's
own ``--screenshot``; without Chromium it only says so (summary.md).
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=360,800")
APPLICANT = {"kind": "person", "name": "李明华", "id_number": "11010519491231002X", "phone": "13800138000"}


class Camera(AbstractContextManager["Camera"]):
    """One headless Chromium for every shot (Selenium), or one process per shot (CLI)."""

    def __init__(self, out: Path) -> None:
        self.out, self.driver, self.profile = out, None, tempfile.mkdtemp(prefix="hall-phone-")

    def __enter__(self) -> "Camera":
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
        except ImportError:
            return self
        os.environ.setdefault("SE_OFFLINE", "true")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for f in (*FLAGS, f"--user-data-dir={self.profile}"):
            opts.add_argument(f)
        self.driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
        self._metrics(800)  # desktop Chromium keeps a window at least 500 px wide: emulate the phone
        return self

    def __exit__(self, *exc: object) -> None:
        if self.driver is not None:
            self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def shot(self, url: str, name: str, *, then: Any = None, full: bool = False) -> Path:
        path = self.out / name
        if self.driver is None:
            subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", f"--screenshot={path}", url],
                           check=True, capture_output=True, timeout=60)
            return path
        self.driver.get(url)
        if then is not None:
            then(self.driver)
        self.driver.save_screenshot(str(path))
        if full:  # the whole page too, for the pages longer than one screen
            h = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
            self._metrics(max(h, 800))
            self.driver.save_screenshot(str(path.with_name(path.stem + "-full.png")))
            self._metrics(800)
        return path

    def _metrics(self, height: int) -> None:
        assert self.driver is not None
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 360, "height": height, "deviceScaleFactor": 1, "mobile": True})


def _local(url: str, server_url: str) -> str:
    """The printed address, opened here: same path, the demo server's host."""
    u = urlsplit(url)
    return server_url + u.path + (f"?{u.query}" if u.query else "")


def run(*, server_url: str, kiosk_token: str, artifacts: Path) -> list[str]:
    """Shoot the phone pages into ``artifacts/screenshots``; returns lines for summary.md."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER if _has_selenium() else CHROMIUM)):
        return ["手机页面截图跳过：本机未安装 chromium（scripts/install.sh 会安装）。"]
    out = artifacts / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    api = server_url + "/api/v1"
    kiosk = httpx.Client(base_url=api, trust_env=False, timeout=15, headers={"Authorization": f"Bearer {kiosk_token}"})
    clerk = httpx.Client(base_url=api, trust_env=False, timeout=15)
    notes: list[str] = []
    try:
        tok = clerk.post("/auth/login", json={"staff_no": "1002", "password": "demo1234", "window_no": 2})
        tok.raise_for_status()
        clerk.headers["Authorization"] = f"Bearer {tok.json()['token']}"

        def window(*steps: str) -> dict[str, Any]:
            body: dict[str, Any] = {}
            for step in steps:
                r = clerk.post(f"/windows/2/{step}")
                r.raise_for_status()
                body = r.json()
            return body

        mine = [kiosk.post("/tickets", json={"category": "A"}).json() for _ in range(3)][-1]
        with Camera(out) as cam:
            cam.shot(_local(mine["rating_url"], server_url), "phone-ticket.png")
            notes.append(f"手机扫 {mine['number']} 号票的二维码：排队页显示前面人数和预计等候（每次叫号自动更新），"
                         f"见 screenshots/phone-ticket.png；二维码地址 {mine['rating_url']}。")
            # a window calls, accepts a case and completes: the notice's QR and the rating
            called = window("call-next", "start")
            r = clerk.post("/cases", json={"matter_code": "ZJ-001", "window_no": 2, "applicant": APPLICANT,
                                           "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 7)],
                                           "outcome": "accept"})
            r.raise_for_status()
            case = r.json()
            cam.shot(_local(case["public_url"], server_url), "phone-case.png", full=True)
            no_code = f"{server_url}/m/c/{case['case_no']}"
            cam.shot(no_code, "phone-case-no-code.png")
            notes.append(f"受理通知书的二维码打开办件进度页（申请人脱敏、每一步日期、承诺/法定时限、费用、电话），"
                         f"见 screenshots/phone-case.png（整页 phone-case-full.png）；不带查询码只要求输入查询码（phone-case-no-code.png）。"
                         f"新办件查询码 {len(case['query_code'])} 位。")
            window("complete")
            rate_url = clerk.get(f"/ratings/link?ticket_id={called['id']}").json()["url"]
            cam.shot(_local(rate_url, server_url), "phone-rate.png", full=True)
            notes.append(f"{called.get('number', '')} 办结后，同一二维码页面出现评价表单（不开脚本也能提交），"
                         "见 screenshots/phone-rate.png。")
            alerted = False
            for _ in range(40):  # the queue moves on until it is my turn
                ahead = httpx.get(_local(mine["rating_url"], server_url) + "/status", trust_env=False).json()["ahead"]
                if not alerted and cam.driver is not None and ahead is not None and ahead <= 2:
                    cam.shot(_local(mine["rating_url"], server_url), "phone-ticket-alert.png", then=_watch)
                    notes.append(f"前面还剩 {ahead} 人时，开启了“快轮到时提醒”的手机振动、响铃并显示提醒，"
                                 "见 screenshots/phone-ticket-alert.png。")
                    alerted = True
                nxt = window("call-next")
                if nxt.get("number") == mine["number"]:
                    break
                window("start", "complete")
            cam.shot(_local(mine["rating_url"], server_url), "phone-called.png")
            notes.append(f"轮到 {mine['number']}：页面显示“请到 2 号窗口办理”，见 screenshots/phone-called.png。")
            window("start", "complete")
    except (httpx.HTTPError, subprocess.SubprocessError, OSError) as e:
        log.error("phone demo failed: %s", e)
        notes.append(f"手机页面演示未完成：{e}")
    except Exception as e:  # selenium's own errors: the rest of the demo goes on, loudly noted
        if type(e).__module__.startswith("selenium"):
            log.error("phone demo browser failed: %s", e)
            notes.append(f"手机页面演示未完成（浏览器）：{type(e).__name__}")
        else:
            raise
    finally:
        clerk.post("/auth/logout")
        kiosk.close()
        clerk.close()
    return notes


def _watch(d: Any) -> None:
    """The citizen asks to be alerted at 3 ahead; with 2 ahead it fires at once."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    WebDriverWait(d, 10).until(lambda d: d.find_element(By.ID, "watchbox").is_displayed())
    Select(d.find_element(By.ID, "n")).select_by_value("3")
    d.find_element(By.ID, "watch").click()
    WebDriverWait(d, 10).until(lambda d: d.find_element(By.ID, "alert").is_displayed())


def _has_selenium() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return True

