"""Benchmark: a peak hour of a 150-window hall against a real ``hall-server run``.

    python tests/bench/bench_server.py [--seconds 60] [--rate 300] [--subscribers 200]

What it does:
1. seeds a temp data dir (the demo hall plus 150 windows, 150 clerks, 8 kiosks),
2. starts ``python -m hall_server run`` on a loopback port (SQLite, the default),
3. signs the 150 clerks in at their windows, opens N WebSocket subscribers (displays
   masked, a few supervisors unmasked) in a separate process,
4. replays a time-compressed peak hour open-loop at ``--rate`` operations/s: kiosks issue
   numbers, windows call-next / start / complete (each window is a little state machine),
5. prints throughput and p50/p99 latency per operation, and the call-to-delivery latency
   of ``ticket.called`` events at the subscribers (event time stamped by the server when it
   handles the call -> frame decoded by the subscriber; same machine, same wall clock).

Open-loop: requests are sent on a fixed schedule whatever the answers' speed, so latency
includes queueing at the server (a closed loop would hide it). Not a pytest test: the
figures of a shared machine are information, not a pass/fail.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench1234"
FIRST_WINDOW = 101


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


# --- seeding -------------------------------------------------------------------

def seed(data_dir: Path, *, windows: int, kiosks: int) -> dict[str, Any]:
    """Demo hall + a 150-window floor, through the same services the server uses."""
    from hall_server import migrate
    from hall_server.db import Database
    from hall_server.demo import seed as demo_seed
    from hall_server.domain.roles import Role
    from hall_server.services import admin, auth
    from hall_server.services.actors import SYSTEM
    from hall_server.settings import Settings

    settings = Settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.sqlalchemy_url)
    db = Database(settings.sqlalchemy_url)
    now = datetime.now(timezone.utc) - timedelta(minutes=1)
    tokens: dict[str, Any] = {"kiosks": [], "clerks": []}
    cats = ["A", "B", "C"]
    try:
        with db.write() as s:
            report = demo_seed(s, settings=settings, now=now)
            tokens["display"] = report.device_tokens["display-1"]
            for i in range(windows):
                no = FIRST_WINDOW + i
                order = cats[i % 3:] + cats[:i % 3]  # each window its own main queue, then the others
                admin.add_window(s, window_no=no, name=f"综合窗口 {no}", categories=order, actor=SYSTEM, now=now)
            for i in range(kiosks):
                _, tok = auth.add_device(s, name=f"bench-kiosk-{i}", kind=Role.KIOSK, actor=SYSTEM, now=now)
                tokens["kiosks"].append(tok)
        # staff in a few transactions (argon2 at production cost takes a while)
        for start in range(0, windows, 25):
            with db.write() as s:
                for i in range(start, min(windows, start + 25)):
                    staff_no = f"6{i:03d}"
                    auth.add_staff(s, settings=settings, staff_no=staff_no, name=f"窗口员{i}", password=PASSWORD,
                                   roles=[Role.CLERK], actor=SYSTEM, now=now)
                    tokens["clerks"].append((FIRST_WINDOW + i, staff_no))
    finally:
        db.dispose()
    return tokens


# --- subscribers (own process, own event loop) ------------------------------------

def quiet_gc() -> None:
    """The instrument must not add pauses of its own: its set-up objects are frozen, so a
    full collection in the measuring process does not walk them (seen: 50-130 ms stalls
    in the load generator, counted as the server's latency)."""
    gc.collect()
    gc.freeze()


def subscriber_main(url: str, tokens: list[str], after: int, ready: Any, stop: Any, out: Any) -> None:
    quiet_gc()
    asyncio.run(_subscribers(url, tokens, after, ready, stop, out))


async def _subscribers(url: str, tokens: list[str], after: int, ready: Any, stop: Any, out: Any) -> None:
    import websockets

    latencies: list[float] = []
    counts = {"frames": 0, "events": 0, "closed": 0, "lagging": 0}
    # Every subscriber of a kind receives the same frames: each distinct frame is decoded
    # once (event count, server times of its ticket.called events), and each subscriber's
    # delivery latency is still its own receive time minus those. Decoding 200 copies
    # made this process the busiest on the machine and delayed its own clock readings.
    decoded: dict[str, tuple[int, list[float]]] = {}

    def decode(msg: str) -> tuple[int, list[float]]:
        hit = decoded.get(msg)
        if hit is None:
            evs = json.loads(msg)
            hit = (len(evs), [datetime.fromisoformat(e["at"]).timestamp() for e in evs
                              if e["type"] == "ticket.called"])
            if len(decoded) > 5000:
                decoded.clear()
            decoded[msg] = hit
        return hit

    async def one(tok: str) -> None:
        try:
            async with websockets.connect(f"{url}/api/v1/events?after={after}&token={tok}", max_size=None,
                                          open_timeout=60, ping_interval=None) as ws:
                async for msg in ws:
                    t = time.time()
                    n, called_at = decode(str(msg))
                    counts["frames"] += 1
                    counts["events"] += n
                    latencies.extend(t - at for at in called_at)
        except websockets.ConnectionClosed as e:
            counts["closed"] += 1
            if e.rcvd is not None and e.rcvd.code == 4409:
                counts["lagging"] += 1
        except (OSError, asyncio.TimeoutError):
            counts["closed"] += 1

    tasks = [asyncio.create_task(one(t)) for t in tokens]
    await asyncio.sleep(0)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.2)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out.send({"latencies": latencies, **counts, "subscribers": len(tokens)})


# --- load ------------------------------------------------------------------------

@dataclass
class Window:
    no: int
    headers: dict[str, str]
    state: str = "idle"  # idle -> called -> serving -> idle
    busy: bool = False


@dataclass
class Stats:
    lat: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    status: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    late: int = 0


async def run_load(base: str, clerks: list[tuple[int, dict[str, str]]], kiosks: list[dict[str, str]],
                   *, rate: float, seconds: float, prefill: int, max_inflight: int) -> tuple[Stats, float]:
    """Each window PC and each kiosk has its own HTTP client with one keep-alive
    connection, as in a hall (one shared pool of hundreds of connections makes httpx
    itself the bottleneck: its pool costs grow with the number of connections)."""
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    rnd = random.Random(7)
    stats = Stats()
    windows = [Window(no, h) for no, h in clerks]
    wclients = [httpx.AsyncClient(base_url=base, timeout=30, limits=one) for _ in windows]
    kclients = [httpx.AsyncClient(base_url=base, timeout=30, limits=one) for _ in kiosks]
    kiosk_busy = [False] * len(kiosks)
    waiting = 0

    async def issue(k: int, record: bool = True) -> None:
        nonlocal waiting
        t0 = time.perf_counter()
        try:
            r = await kclients[k].post("/api/v1/tickets", json={"category": rnd.choice("ABC")}, headers=kiosks[k])
            code = r.status_code
        except httpx.TransportError:
            code = 0  # counted as a failure, the run goes on
        finally:
            kiosk_busy[k] = False
        if record:
            stats.lat["issue"].append(time.perf_counter() - t0)
            stats.status["issue"][code] += 1
        if code == 201:
            waiting += 1

    async def step(i: int) -> None:
        nonlocal waiting
        w = windows[i]
        op = {"idle": "call-next", "called": "start", "serving": "complete"}[w.state]
        t0 = time.perf_counter()
        try:
            r = await wclients[i].post(f"/api/v1/windows/{w.no}/{op}", headers=w.headers)
            code = r.status_code
        except httpx.TransportError:
            code = 0
        finally:
            w.busy = False
        stats.lat[op].append(time.perf_counter() - t0)
        stats.status[op][code] += 1
        if code == 200:
            w.state = {"call-next": "called", "start": "serving", "complete": "idle"}[op]
            if op == "call-next":
                waiting -= 1

    try:
        for i in range(prefill):
            await issue(i % len(kiosks), record=False)
        inflight: set[asyncio.Task[None]] = set()
        interval = 1.0 / rate
        t_start = time.perf_counter()
        next_t = t_start
        n = 0
        while True:
            now = time.perf_counter()
            if now - t_start >= seconds:
                break
            while next_t <= now:
                next_t += interval
                n += 1
                if len(inflight) >= max_inflight:
                    stats.late += 1
                    continue
                coro = None
                if n % 4 == 0 or waiting < 50:
                    free_k = [k for k, b in enumerate(kiosk_busy) if not b]
                    if free_k:
                        k = free_k[rnd.randrange(len(free_k))]
                        kiosk_busy[k] = True
                        coro = issue(k)
                else:
                    free = [i for i, w in enumerate(windows) if not w.busy]
                    if free:
                        i = free[rnd.randrange(len(free))]
                        windows[i].busy = True
                        coro = step(i)
                if coro is None:
                    stats.late += 1  # every device of that kind still busy: the server is behind
                    continue
                task = asyncio.create_task(coro)
                inflight.add(task)
                task.add_done_callback(inflight.discard)
            await asyncio.sleep(max(0.0, next_t - time.perf_counter()))
        if inflight:
            await asyncio.wait(inflight, timeout=30)
        elapsed = time.perf_counter() - t_start
    finally:
        for c in wclients + kclients:
            await c.aclose()
    return stats, elapsed


async def sign_in(base: str, clerks: list[tuple[int, str]]) -> list[tuple[int, dict[str, str]]]:
    sem = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        async def one(no: int, staff_no: str) -> tuple[int, dict[str, str]]:
            async with sem:
                r = await c.post("/api/v1/auth/login", json={"staff_no": staff_no, "password": PASSWORD,
                                                             "window_no": no})
                r.raise_for_status()
                return no, {"Authorization": f"Bearer {r.json()['token']}"}
        return list(await asyncio.gather(*(one(no, s) for no, s in clerks)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rate", type=float, default=300, help="operations per second offered (open loop)")
    ap.add_argument("--subscribers", type=int, default=200)
    ap.add_argument("--supervisors", type=int, default=10, help="of the subscribers, how many see unmasked data")
    ap.add_argument("--windows", type=int, default=150)
    ap.add_argument("--kiosks", type=int, default=8)
    ap.add_argument("--prefill", type=int, default=300, help="people already waiting when the hour starts")
    ap.add_argument("--max-inflight", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="keep the temp data dir")
    ap.add_argument("--ws", default="websockets-sansio", help="the server's WebSocket implementation")
    ap.add_argument("--profile", metavar="FILE", help="profile the server during the load with py-spy "
                    "(collapsed stacks to FILE; needs `pip install py-spy`)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    data = tmp / "data"
    t = time.perf_counter()
    tok = seed(data, windows=args.windows, kiosks=args.kiosks)
    print(f"seeded {args.windows} windows, {args.windows} clerks, {args.kiosks} kiosks in {time.perf_counter() - t:.1f}s")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HALL_DATA_DIR": str(data)}
    server = subprocess.Popen([sys.executable, "-m", "hall_server", "run", "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning", "--ws", args.ws], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sub_proc = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("server did not start: " + (server.stderr.read().decode() if server.stderr else ""))
            time.sleep(0.1)  # a benchmark script, not a test: polling a starting process is fine

        t = time.perf_counter()
        clerks = asyncio.run(sign_in(base, tok["clerks"]))
        print(f"{len(clerks)} clerks signed in at their windows in {time.perf_counter() - t:.1f}s")
        kiosks = [{"Authorization": f"Bearer {k}"} for k in tok["kiosks"]]

        sup_tokens: list[str] = []
        for i in range(max(1, min(args.supervisors, args.subscribers))):
            r = httpx.post(f"{base}/api/v1/auth/login", json={"staff_no": "4001", "password": "demo1234"}, timeout=30)
            sup_tokens.append(r.json()["token"])
        sub_tokens = (sup_tokens + [tok["display"]] * args.subscribers)[:args.subscribers]
        after = httpx.get(f"{base}/api/v1/health", timeout=10).json()["last_seq"]
        ctx = mp.get_context("spawn")
        ready, stop = ctx.Event(), ctx.Event()
        recv, send = ctx.Pipe(duplex=False)
        if args.subscribers:
            sub_proc = ctx.Process(target=subscriber_main,
                                   args=(base.replace("http", "ws"), sub_tokens, after, ready, stop, send))
            sub_proc.start()
            ready.wait(60)
        print(f"{args.subscribers} WebSocket subscribers ({min(len(sup_tokens), args.subscribers)} unmasked); offering {args.rate:.0f} ops/s "
              f"for {args.seconds:.0f}s (prefill {args.prefill} waiting)")

        spy = subprocess.Popen(["py-spy", "record", "--gil", "--format", "raw", "-r", "100", "-d", str(int(args.seconds)),
                                "-o", args.profile, "--pid", str(server.pid)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) if args.profile else None
        quiet_gc()
        stats, elapsed = asyncio.run(run_load(base, clerks, kiosks, rate=args.rate, seconds=args.seconds,
                                              prefill=args.prefill, max_inflight=args.max_inflight))
        if spy is not None:
            spy.wait(60)
        sub: dict[str, Any] = {}
        if sub_proc is not None:
            time.sleep(1.0)  # let the last events arrive
            stop.set()
            sub = recv.recv() if recv.poll(60) else {}
            sub_proc.join(30)
        verify = httpx.get(f"{base}/api/v1/audit/verify", timeout=120,
                           headers={"Authorization": f"Bearer {sup_tokens[0]}"} if sup_tokens else {}).json()
    finally:
        server.send_signal(2)  # Ctrl+C: a clean shutdown (and py-spy writes its profile)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        if sub_proc is not None and sub_proc.is_alive():
            sub_proc.terminate()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    total = sum(len(v) for v in stats.lat.values())
    ok = sum(n for op in stats.status.values() for code, n in op.items() if code < 400)
    print()
    print(f"operations: {total} in {elapsed:.1f}s = {total / elapsed:.0f} ops/s "
          f"({ok / elapsed:.0f}/s succeeded; {stats.late} scheduled operations skipped: every device busy)")
    print(f"{'operation':<11}{'count':>7}{'ops/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses")
    every: list[float] = []
    for op in ("issue", "call-next", "start", "complete"):
        v = stats.lat.get(op, [])
        every += v
        codes = ", ".join(f"{k}: {n}" for k, n in sorted(stats.status[op].items()))
        print(f"{op:<11}{len(v):>7}{len(v) / elapsed:>8.0f}{pct(v, 50) * 1e3:>9.1f}{pct(v, 99) * 1e3:>9.1f}"
              f"{(max(v) if v else float('nan')) * 1e3:>9.1f}  {codes}")
    print(f"{'all':<11}{len(every):>7}{len(every) / elapsed:>8.0f}{pct(every, 50) * 1e3:>9.1f}"
          f"{pct(every, 99) * 1e3:>9.1f}{(max(every) if every else float('nan')) * 1e3:>9.1f}")
    if sub:
        lat = sub["latencies"]
        print(f"event delivery (ticket.called, server handling -> subscriber): {len(lat)} deliveries to "
              f"{sub['subscribers']} subscribers, p50 {pct(lat, 50) * 1e3:.1f} ms, p99 {pct(lat, 99) * 1e3:.1f} ms, "
              f"max {(max(lat) if lat else float('nan')) * 1e3:.1f} ms; {sub['frames']} frames, "
              f"{sub['events']} events, {sub['closed']} closed early ({sub['lagging']} for lagging)")
        if lat:
            print(f"  mean {statistics.fmean(lat) * 1e3:.1f} ms")
    print(f"audit chain after the run: {verify}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
