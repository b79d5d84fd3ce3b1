"""Client benchmark: cold start to a usable window, and click-to-LED-frame latency.

Run: ``QT_QPA_PLATFORM=offscreen python tests/bench/bench_client.py [--calls 30]``
Starts the demo server as a subprocess (like the demo), then in this process builds the
window client for window 1 with a simulated LED strip and measures:
- cold start: from the first line of this script (before Qt is imported) to the window
  being usable (signed in, snapshot loaded, live stream online, F1 enabled);
- click → LED: from pressing F1 to the LED strip having received the call frame.
Prints figures; not a pass/fail test.
"""
from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--calls", type=int, default=30)
    p.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return client_run(args.child, os.environ["HALL_BENCH_KIOSK_TOKEN"], calls=args.calls)
    import subprocess
    import sys

    from hall_client.demo import free_port, start_server
    t_srv = time.perf_counter()
    server = start_server(Path(tempfile.mkdtemp(prefix="hall-bench-")) / "data", free_port())
    print(f"demo server start (subprocess, migrate+seed, to /health OK): {(time.perf_counter() - t_srv) * 1000:.0f} ms")
    try:
        # the client in a fresh process, so its cold start counts imports, Qt and fonts
        subprocess.run([sys.executable, __file__, "--calls", str(args.calls), "--child", server.url], check=True,
                       env={**os.environ, "HALL_BENCH_KIOSK_TOKEN": server.tokens["kiosk-1"]})
    finally:
        server.stop()


def client_run(url: str, kiosk_token: str, *, calls: int) -> None:
    import httpx

    from hall_client.demo import _wait
    t_client = time.perf_counter()
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    from hall_client.app import build, qt_app
    from hall_client.config import ClientConfig, DeviceConfig
    from hall_client.simdevices import open_sims, sim_api
    app = qt_app(["bench"])
    cfg = ClientConfig(server_url=url, mode="window", window_no=1, snapshot_refresh_s=0)
    cfg.devices = DeviceConfig(led="sim:led")
    devs, sims = open_sims(cfg.devices)
    client = build(cfg, "window", devices=devs)
    w = client.widget
    w.resize(1280, 800)
    w.show()
    w.login.staff_no.setText("1001")
    w.login.password.setText("demo1234")
    w.login.button.click()
    _wait(lambda: w.session.login is not None and client.ctx.api.online and client.ctx.store.loaded
          and w.buttons["call"].isEnabled(), what="usable window")
    t_usable = time.perf_counter()
    kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    with httpx.Client(base_url=url + "/api/v1", headers=kiosk, trust_env=False) as http:
        for _ in range(calls):
            assert http.post("/tickets", json={"category": "A"}).status_code == 201
    _wait(lambda: client.ctx.store.state.categories["A"].waiting >= calls, what="tickets seen")
    led = sims.get("led")
    lat: list[float] = []
    for _ in range(calls):
        n = sim_api.led_count(led)
        t = time.perf_counter()
        w.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier))
        _wait(lambda: sim_api.led_count(led) > n, what="LED frame")
        lat.append((time.perf_counter() - t) * 1000)
        _wait(lambda: not w.session.busy)
        w.work.trigger("start_complete")  # start
        _wait(lambda: not w.session.busy)
        w.work.trigger("start_complete")  # complete
        _wait(lambda: not w.session.busy and w.buttons["call"].isEnabled())
    client.close()
    app.processEvents()
    q = statistics.quantiles(lat, n=20)
    print(f"cold start to usable window (process start -> signed in, online, F1 enabled): "
          f"{(t_usable - T_START) * 1000:.0f} ms (client part from Qt import: {(t_usable - t_client) * 1000:.0f} ms)")
    print(f"click F1 -> LED frame received, {len(lat)} calls: median {statistics.median(lat):.1f} ms, "
          f"p95 {q[18]:.1f} ms, max {max(lat):.1f} ms")
    app.shutdown()  # tear Qt down before the interpreter does


if __name__ == "__main__":
    main()
