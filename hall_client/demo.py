"""``hall-client demo``: the README's main command.

Starts ``hall-server run --demo`` on a fresh data folder, then
- with a screen: opens the window (窗口 1), kiosk and display clients with simulated devices;
- without one: plays a scripted busy hour headless (compressed into well under a minute)
  and writes an artifacts folder: a screenshot of each mode, every printed slip as decoded
  text and PNG, the LED frames sent, and ``summary.md``.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from . import demo_manager
from . import demo_admin
from . import demo_kiosk
from . import demo_audit

log = logging.getLogger(__name__)

WINDOWS = [(1, "1001"), (5, "1005"), (9, "1009")]  # window, clerk signed in there


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and \
        os.environ.get("QT_QPA_PLATFORM", "") != "offscreen"


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    tokens: dict[str, str]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def start_server(data_dir: Path, port: int, *, timeout: float = 60.0) -> Server:
    """``hall-server --data-dir DIR run --demo --port P``; waits for /health, reads device tokens."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    log_file = (data_dir / "server.log").open("wb")
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "hall_server", "--data-dir", str(data_dir), "run", "--demo",
                             "--port", str(port)], stdout=log_file, stderr=subprocess.STDOUT,
                            env={**os.environ, "HALL_PUBLIC_BASE_URL": url})  # QR codes: where it listens
    deadline = time.monotonic() + timeout
    while True:  # a child process has no signal to wait on: poll its health, bounded
        if proc.poll() is not None:
            raise SystemExit(f"服务器未能启动，见 {data_dir / 'server.log'}")
        try:
            if httpx.get(url + "/api/v1/health", timeout=1, trust_env=False).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("服务器启动超时")
        time.sleep(0.2)
    tokens = {}
    for line in (data_dir / "demo-device-tokens.txt").read_text(encoding="utf-8").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            tokens[k.strip()] = v.strip()
    return Server(proc, url, data_dir, tokens)


def write_config(path: Path, *, url: str, token: str = "", window_no: int | None = None,
                 devices: dict[str, str] | None = None) -> Path:
    lines = [f'server_url = "{url}"']
    if token:
        lines.append(f'device_token = "{token}"')
    if window_no is not None:
        lines.append(f"window_no = {window_no}")
    lines.append("[devices]")
    lines += [f'{k} = "{v}"' for k, v in (devices or {}).items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_gui(server: Server) -> int:
    """Three client processes side by side; closing them all ends the demo."""
    d = server.data_dir
    cfgs = [
        ("window", write_config(d / "window-1.toml", url=server.url, window_no=1,
                                devices={"led": "sim:led", "evaluator": "sim:evaluator"})),
        ("kiosk", write_config(d / "kiosk.toml", url=server.url, token=server.tokens["kiosk-1"],
                               devices={"printer": "sim:printer?status=required", "idcard": "sim:idcard"})),
        ("display", write_config(d / "display.toml", url=server.url, token=server.tokens["display-1"],
                                 devices={"led": "sim:led"})),
    ]
    procs = [subprocess.Popen([sys.executable, "-m", "hall_client", "--mode", m, "--config", str(c)])
             for m, c in cfgs]
    print(f"服务器：{server.url}　窗口 1 请用工号 1001、密码 demo1234 登录。关闭全部窗口结束演示。")
    try:
        for p in procs:
            p.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the clients too (one process group): they close themselves
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.terminate()
        print("演示已结束。")
    return 0


# --- headless busy hour ------------------------------------------------------------------

@dataclass
class Record:
    slips: list[tuple[str, bytes]] = field(default_factory=list)
    led: list[tuple[float, str, str]] = field(default_factory=list)  # t, device, text
    faults: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def _wait(pred: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    """Let Qt run until ``pred()``; the demo's only way to wait (bounded, never a blind sleep)."""
    from PySide6.QtCore import QEventLoop, QTimer
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"演示步骤超时：{what}")
        loop = QEventLoop()
        QTimer.singleShot(10, loop.quit)
        loop.exec()


def run_headless(server: Server, artifacts: Path, *, tickets: int = 36, seed: int = 7) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .app import build, qt_app
    from .config import ClientConfig, DeviceConfig
    from .simdevices import open_sims, sim_api

    app = qt_app(["hall-client-demo"])
    rnd = random.Random(seed)
    rec = Record()
    (artifacts / "slips").mkdir(parents=True, exist_ok=True)
    (artifacts / "screenshots").mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    def make(mode: str, *, token: str = "", window_no: int | None = None, devices: dict[str, str]) -> Any:
        cfg = ClientConfig(server_url=server.url, mode=mode, window_no=window_no, device_token=token,
                           snapshot_refresh_s=5, kiosk_idle_reset_s=600)
        cfg.devices = DeviceConfig(**devices)
        devs, sims = open_sims(cfg.devices)
        client = build(cfg, mode, devices=devs)
        client.widget.resize(1280, 800)
        client.widget.show()
        return client, sims

    kiosk, kiosk_sims = make("kiosk", token=server.tokens["kiosk-1"], devices={"printer": "sim:printer?status=required",
                                                                               "idcard": "sim:idcard"})
    display, display_sims = make("display", token=server.tokens["display-1"], devices={"led": "sim:led"})
    windows = []
    for no, _staff in WINDOWS:
        windows.append(make("window", window_no=no, devices={"led": "sim:led", "evaluator": "sim:evaluator"}))
    clients = [kiosk, display] + [c for c, _s in windows]

    def led_recorder(name: str) -> Callable[[str], None]:
        return lambda text: rec.led.append((time.monotonic() - t0, name, text))
    display.ctx.devices.led_sent.connect(led_recorder("综合屏 LED"))
    for (no, _), (c, _s) in zip(WINDOWS, windows):
        c.ctx.devices.led_sent.connect(led_recorder(f"{no} 号窗口屏"))
    kiosk.ctx.devices.printed.connect(lambda data: rec.slips.append((kiosk.widget.ticket.number
                                                                        if kiosk.widget.ticket else "?", data)))
    display.ctx.store.event_received.connect(lambda ev: rec.events.update([ev.type]))
    k = kiosk.widget
    _wait(lambda: kiosk.ctx.api.online and k.pages.currentWidget() is k.home, what="取号机联网")
    _wait(lambda: display.ctx.api.online, what="综合屏联网")

    # 1. clerks sign in (挂牌上岗)
    for (no, staff), (c, _s) in zip(WINDOWS, windows):
        w = c.widget
        w.login.staff_no.setText(staff)
        w.login.password.setText("demo1234")
        w.login.button.click()
        _wait(lambda w=w: w.session.login is not None, what=f"{no} 号窗口登录")
    rec.notes.append(f"{len(WINDOWS)} 名窗口人员挂牌上岗：" + "、".join(
        f"{c.widget.session.login.badge.name}（{no} 号窗口）" for (no, _), (c, _s) in zip(WINDOWS, windows)))

    def take(prefix: str) -> Any:
        n = len(rec.slips)
        k.take(prefix)
        _wait(lambda: len(rec.slips) > n or k.ticket_page.reprint.isVisible(), what="取号打印")
        return k.ticket

    def window_step(c: Any) -> None:
        """What a clerk does next: call when free, start a called ticket, complete a served one."""
        w, s = c.widget, c.widget.session
        t = s.active_ticket
        if t is None:
            wv = c.ctx.store.state.windows.get(s.window_no)
            if wv is None or c.ctx.store.state.waiting_for(wv.categories) == 0:
                return
            before = len(rec.led)
            started = time.monotonic()
            w.work.trigger("call")
            _wait(lambda: not s.busy, what="叫号")
            if s.active_ticket is not None:
                _wait(lambda: len(rec.led) > before, what="窗口屏")
                rec.latencies_ms.append((time.monotonic() - started) * 1000)
        elif t.state == "called":
            w.work.trigger("start_complete")
            _wait(lambda: not s.busy, what="开始办理")
        else:
            w.work.trigger("start_complete")
            _wait(lambda: not s.busy, what="办理完成")

    def ensure_called(c: Any) -> bool:
        """Step a window until it has a freshly called ticket (for recall / skip)."""
        for _ in range(4):
            t = c.widget.session.active_ticket
            if t is not None and t.state == "called":
                return True
            window_step(c)
        t = c.widget.session.active_ticket
        return t is not None and t.state == "called"

    # 2. the morning rush: citizens arrive, windows work
    categories = ["A"] * 4 + ["B"] * 4 + ["C"] * 2
    shots_done = set()
    printer = kiosk_sims.get("printer")
    idcard = kiosk_sims.get("idcard")
    for i in range(tickets):
        if i == 4 and idcard is not None:
            sim_api.insert_card(idcard, 0)
            k.read_card()
            _wait(lambda: k.id_card is not None or bool(k.message.text()), what="读身份证")
            rec.notes.append("第 5 位群众刷身份证实名取号（屏幕与号票上均为脱敏显示）。")
        if i == 10 and printer is not None:
            sim_api.set_paper(printer, False)
            t = take("B")
            k.grab().save(str(artifacts / "screenshots" / "kiosk-out-of-paper.png"))
            rec.faults.append(f"{t.number}: {demo_kiosk.plain_text(k.ticket_page.printer.text())}")
            sim_api.set_paper(printer, True)
            n = len(rec.slips)
            k.ticket_page.reprint.click()
            _wait(lambda: len(rec.slips) > n, what="重新打印")
            rec.notes.append(f"打印机缺纸：{t.number} 号保留，换纸后“重新打印”成功。")
            k.go_home()
            continue
        take(rnd.choice(categories))
        if i == 2 and "kiosk" not in shots_done:
            k.grab().save(str(artifacts / "screenshots" / "kiosk-ticket.png"))
            shots_done.add("kiosk")
        k.go_home()
        if i % 2 == 1:
            for c, _s in windows:
                window_step(c)
        if i == 12:
            c = windows[0][0]
            s = c.widget.session
            if ensure_called(c):
                c.widget.work.trigger("recall")
                _wait(lambda: not s.busy, what="重呼")
                rec.notes.append(f"1 号窗口重呼 {s.active_ticket.number}（综合屏再次播报）。")
        if i == 16:
            c = windows[1][0]
            s = c.widget.session
            if ensure_called(c):
                num = s.active_ticket.number
                c.widget.work.trigger("skip")
                _wait(lambda: not s.busy, what="过号")
                rec.notes.append(f"5 号窗口 {num} 未到，过号。")
        if i == 20:
            from . import operations as ops
            c = windows[2][0]
            s = c.widget.session
            if s.active_ticket is not None:
                num = s.active_ticket.number
                ops.transfer(api=c.ctx.api, session=s, devices=c.ctx.devices, bridge=c.ctx.bridge, to_window=1)
                _wait(lambda: not s.busy, what="转移")
                rec.notes.append(f"9 号窗口把 {num} 转到 1 号窗口优先办理。")
        if i == tickets // 2:
            windows[0][0].widget.grab().save(str(artifacts / "screenshots" / "window.png"))
    for _round in range(6):  # the windows work on as the rush ends
        for c, _s in windows:
            window_step(c)
    d = display.widget
    _wait(lambda: d.big.text() != "", timeout=5, what="综合屏叫号")
    d.grab().save(str(artifacts / "screenshots" / "display.png"))
    k.go_home()
    k.grab().save(str(artifacts / "screenshots" / "kiosk-home.png"))
    if "kiosk" not in shots_done:
        k.grab().save(str(artifacts / "screenshots" / "kiosk-ticket.png"))
    rec.notes += demo_kiosk.run(kiosk=kiosk, display=display, artifacts=artifacts, wait=_wait)  # issue 13: kiosk, voice, board

    from . import demo_thread  # one citizen's whole thread, PDFs and the supervision timeline
    thread = demo_thread.play(server=server, artifacts=artifacts, take=take, make=make, wait=_wait, clients=clients)
    # the hall manager's dashboard, the supervision office and a window's evaluator screen
    for mode, staff in (("dashboard", "3001"), ("supervision", "4001")):
        office, _sims = make(mode, devices={})
        clients.append(office)
        w = office.widget
        ready = {"cards": False}
        if mode == "supervision":
            w.cards.loaded.connect(lambda _out, ready=ready: ready.update(cards=True))
        w.login.staff_no.setText(staff)
        w.login.password.setText("demo1234")
        w.login.button.click()
        if mode == "dashboard":
            _wait(lambda w=w: w.dash is not None, what="大厅管理看板加载")
        else:
            _wait(lambda: ready["cards"], what="监察红黄牌加载")
        _wait(lambda: True)
        w.grab().save(str(artifacts / "screenshots" / f"{mode}.png"))
    rec.notes.extend(demo_manager.show(server=server, artifacts=artifacts, make=make, wait=_wait))
    demo_audit.run(server=server, make=make, artifacts=artifacts, clients=clients, wait=_wait)  # docs/audit.md
    ev, _sims = make("evaluator", token=server.tokens["evaluator-1"], window_no=1, devices={})
    clients.append(ev)
    _wait(lambda: ev.ctx.api.online, what="评价器联网")
    ev.widget.grab().save(str(artifacts / "screenshots" / "evaluator.png"))
    from .demo_layout import shoot_sizes; rec.notes += shoot_sizes(clients, artifacts / "screenshots")  # noqa: E702
    rec.notes += demo_admin.run(make=make, wait=_wait, artifacts=artifacts, clients=clients)  # 系统管理 pages

    from . import demo_phone  # the phones of citizens who scanned the printed QR codes (issue 15)
    rec.notes += demo_phone.run(server_url=server.url, kiosk_token=server.tokens["kiosk-1"], artifacts=artifacts)

    from . import demo_cashier
    clients += demo_cashier.run(make=make, wait=_wait, artifacts=artifacts, notes=rec.notes)
    # 3. artifacts
    from printers.decode import decode
    from printers.preview import save_preview
    for n, (number, data) in enumerate(rec.slips, start=1):
        stem = artifacts / "slips" / f"{n:02d}-{number}"
        stem.with_suffix(".txt").write_text(decode(data, strict=False).text + "\n", encoding="utf-8")
        save_preview(data, stem.with_suffix(".png"))
    frames = [("综合屏 LED", sim_api.led_frames(display_sims.get("led")))] + [
        (f"{no} 号窗口屏", sim_api.led_frames(s.get("led"))) for (no, _), (_c, s) in zip(WINDOWS, windows)]
    with (artifacts / "led-frames.txt").open("w", encoding="utf-8") as f:
        f.write("# 秒\t设备\t显示内容\n")
        for t, dev, text in rec.led:
            f.write(f"{t:7.2f}\t{dev}\t{text}\n")
        for dev, hexes in frames:
            f.write(f"\n# {dev}：发出的原始帧（十六进制，LED_PROTOCOL.md）\n")
            f.writelines(f"{fr}\n" for fr in hexes)
    summary = summarize(rec, server, artifacts, time.monotonic() - t0) + thread.summary_md()
    (artifacts / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    for c in clients:
        c.close()
    app.processEvents()
    return 0


def summarize(rec: Record, server: Server, artifacts: Path, seconds: float) -> str:
    ev = rec.events
    lat = sorted(rec.latencies_ms)
    med = lat[len(lat) // 2] if lat else 0.0
    lines = [
        "# 演示：繁忙的一小时（无屏幕，脚本回放）", "",
        f"- 服务器：{server.url}（演示大厅，数据目录 {server.data_dir}）",
        f"- 用时 {seconds:.1f} 秒（把一小时压缩回放）",
        f"- 取号 {ev['ticket.issued']} 张，叫号 {ev['ticket.called']} 次，重呼 {ev['ticket.recalled']} 次，"
        f"办结 {ev['ticket.completed']} 件，过号 {ev['ticket.skipped']} 个，转移 {ev['ticket.transferred']} 个",
        f"- 打印号票 {len(rec.slips)} 张（slips/ 下每张有解码文本 .txt 与预览 .png）",
        f"- LED 显示 {len(rec.led)} 次（led-frames.txt）",
        f"- 点击叫号到窗口屏收到帧：中位 {med:.0f} ms（{len(lat)} 次）",
        "", "## 经过", *[f"- {n}" for n in rec.notes],
        "", "## 设备故障", *([f"- {f}" for f in rec.faults] or ["- 无"]),
        "", "## 截图", *[f"- screenshots/{p.name}" for p in sorted((artifacts / "screenshots").glob("*.png"))],
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="hall-client demo", description="启动演示服务器和三个客户端，或无屏幕时回放繁忙的一小时")
    p.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tickets", type=int, default=36)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--headless", action="store_true", help="即使有屏幕也回放脚本并写出 artifacts")
    g.add_argument("--gui", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    artifacts: Path = args.artifacts.resolve()
    gui = args.gui or (has_screen() and not args.headless)
    if not gui:
        if artifacts.exists():
            shutil.rmtree(artifacts)
        artifacts.mkdir(parents=True)
    import tempfile
    server = start_server(Path(tempfile.mkdtemp(prefix="hall-demo-")) / "data", args.port or free_port())
    try:
        return run_gui(server) if gui else run_headless(server, artifacts, tickets=args.tickets)
    finally:
        server.stop()
