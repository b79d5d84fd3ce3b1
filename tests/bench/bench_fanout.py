"""Benchmark: event fan-out to many WebSocket subscribers under a peak-hour load.

    python tests/bench/bench_fanout.py [--seconds 25] [--rate 300] [--subscribers 1000]
        [--sub-procs 2] [--fanout] [--httpx] [--pg postgresql://postgres@127.0.0.1:5432]

The hall, the load (open loop, kiosks issue and windows call/start/complete) and the
server are those of ``bench_server.py`` (imported from it). The load is sent over bare
HTTP/1.1 keep-alive connections with pre-built requests (``run_load_raw``, one connection
per device, the same schedule and state machine as ``bench_server.run_load``): over httpx the
generator took 0.67 of a core at 300 ops/s on this 2-core machine, now under 0.1
(``--httpx`` for the old generator, to compare with earlier figures). What differs is the
instrument on the subscriber side: 1,000 subscribers over the ``websockets`` library in one
process were the busiest thing on the machine (a frame parse, a task wake-up and a JSON
decode per subscriber per frame), so the measured delivery time was mostly the
instrument's own queue. Here each subscriber is a bare asyncio ``Protocol`` that does the
handshake itself, cuts server frames out of the byte stream (server frames are unmasked
and unfragmented), stamps the receipt time once per read, and looks each frame's payload
up in a per-process table: every distinct frame is decoded once whichever subscriber gets
it first. The subscribers are spread over ``--sub-procs`` processes.

The instrument also checks what a subscriber must get: each subscriber's frames continue
its seq exactly (no gap, no repeat), and after the load every subscriber has reached the
server's last seq.

``--fanout`` starts the server with ``run --fanout-port``: subscribers connect to the
separate fan-out process (``hall_server/api/fanout.py``), operations to the main port.
``--pg URL`` runs on a fresh PostgreSQL database made under that server URL.

Printed: operation p50/p99 per kind, delivery p50/p99 of ``ticket.called`` (the server's
event time -> the subscriber's receipt, same machine clock; it includes the server's own
time from the event to its commit), CPU used by each process during the load and how much
of it was in the kernel, and what the instrument itself (subscribers + load generator)
used: whatever it takes is taken from the server and the fan-out on this machine. The
subscribers' CPU is mostly the kernel's ``read`` and ``epoll`` (a py-spy ``--native``
profile: ~80 %), one read per subscriber per frame; their Python is ~15 % of it. Not a
pytest test: figures of a shared machine are information.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import (Devices, HttpConn, Stats, connect, drive, free_port, http_request, pct,  # noqa: E402
                          quiet_gc, run_load, seed, sign_in)

BUCKET_MS = 0.5  # latency histogram resolution
BUCKETS = 20_000  # up to 10 s


# --- a bare WebSocket subscriber ---------------------------------------------------

class Shared:
    """Per subscriber process: the decoded frames and the counters of every subscriber."""

    def __init__(self) -> None:
        self.decoded: dict[bytes, tuple[int, int, int, list[float]]] = {}
        self.hist = [0] * BUCKETS
        self.frames = 0
        self.events = 0
        self.gaps = 0
        self.repeats = 0
        self.closed: dict[int, int] = {}
        self.subs: list[Sub] = []
        self.target = 0
        self.reached: asyncio.Event | None = None

    def decode(self, payload: bytes) -> tuple[int, int, int, list[float]]:
        hit = self.decoded.get(payload)
        if hit is None:
            evs = json.loads(payload)
            called = [datetime.fromisoformat(e["at"]).timestamp() for e in evs if e["type"] == "ticket.called"]
            hit = (evs[0]["seq"], evs[-1]["seq"], len(evs), called) if evs else (0, 0, 0, called)
            if len(self.decoded) > 20_000:
                self.decoded.clear()
            self.decoded[payload] = hit
        return hit

    def check_reached(self) -> None:
        if self.reached is not None and self.target and all(s.last >= self.target or s.gone for s in self.subs):
            self.reached.set()


class Sub(asyncio.Protocol):
    """One subscriber: handshake, then text frames (and pings, answered) off the stream."""

    def __init__(self, shared: Shared, path: str, host: str, after: int) -> None:
        self.shared, self.path, self.host = shared, path, host
        self.last = after
        self.buf = bytearray()
        self.upgraded = False
        self.gone = False
        self.open = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"  # type: ignore[attr-defined]
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())

    def data_received(self, data: bytes) -> None:
        t = time.time()
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            del buf[:end + 4]
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self._gone(-1)
                return
            self.upgraded = True
            if not self.open.done():
                self.open.set_result(None)
        sh = self.shared
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            n = b1 & 0x7F
            pos = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n = struct.unpack_from("!H", buf, 2)[0]
                pos = 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n = struct.unpack_from("!Q", buf, 2)[0]
                pos = 10
            if len(buf) < pos + n:
                return
            payload = bytes(buf[pos:pos + n])
            del buf[:pos + n]
            op = b0 & 0x0F
            if op == 0x1:
                first, last, count, called = sh.decode(payload)
                sh.frames += 1
                sh.events += count
                if count:
                    if first > self.last + 1:
                        sh.gaps += 1
                    elif first <= self.last:
                        sh.repeats += 1
                    self.last = max(self.last, last)
                for at in called:
                    k = int((t - at) * 1000 / BUCKET_MS)
                    sh.hist[min(max(k, 0), BUCKETS - 1)] += 1
                if sh.target and self.last >= sh.target:
                    sh.check_reached()
            elif op == 0x9:  # ping: pong with the same payload (client frames are masked)
                assert self.transport is not None
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
            elif op == 0x8:
                code = struct.unpack_from("!H", payload)[0] if len(payload) >= 2 else 1005
                self._gone(code)
                return

    def _gone(self, code: int) -> None:
        if not self.gone:
            self.gone = True
            self.shared.closed[code] = self.shared.closed.get(code, 0) + 1
            if self.transport is not None:
                self.transport.close()
            if not self.open.done():
                self.open.set_exception(ConnectionError(f"refused: {code}"))
            self.shared.check_reached()

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone(1006)


def fast_loop() -> None:
    """uvloop for the instrument's own processes (the server uses it too, through uvicorn):
    asyncio's pure-Python loop costs more per socket read than the frame's parse, and the
    instrument shares the machine's two cores with what it measures."""
    try:
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass


def subscriber_main(host: str, port: int, tokens: list[str], after: int, conn: Any) -> None:
    quiet_gc()
    fast_loop()
    asyncio.run(_subscribers(host, port, tokens, after, conn))


async def _subscribers(host: str, port: int, tokens: list[str], after: int, conn: Any) -> None:
    loop = asyncio.get_running_loop()
    sh = Shared()
    sh.reached = asyncio.Event()
    sem = asyncio.Semaphore(50)

    async def one(tok: str) -> None:
        async with sem:
            _, p = await loop.create_connection(lambda: Sub(sh, f"/api/v1/events?after={after}&token={tok}",
                                                            f"{host}:{port}", after), host, port)
            sh.subs.append(p)
            await asyncio.wait_for(p.open, 60)

    await asyncio.gather(*(one(t) for t in tokens))
    conn.send("ready")
    # the parent sends the server's last seq after the load: wait until every subscriber has it
    target = await loop.run_in_executor(None, conn.recv)
    t0 = time.monotonic()
    sh.target = target
    sh.check_reached()
    try:
        await asyncio.wait_for(sh.reached.wait(), 30)
    except asyncio.TimeoutError:
        pass
    behind = sum(1 for s in sh.subs if s.last < target)
    conn.send({"hist": sh.hist, "frames": sh.frames, "events": sh.events, "gaps": sh.gaps,
               "repeats": sh.repeats, "closed": sh.closed, "subscribers": len(sh.subs),
               "behind": behind, "catch_up_s": time.monotonic() - t0})
    for s in sh.subs:
        if s.transport is not None:
            s.transport.close()


# --- a light open-loop load ---------------------------------------------------------

async def run_load_raw(port: int, clerks: list[tuple[int, dict[str, str]]], kiosks: list[dict[str, str]],
                       *, rate: float, seconds: float, prefill: int, max_inflight: int) -> tuple[Stats, float]:
    """The load of ``bench_server.run_load`` (the same schedule, ``bench_server.drive``; the
    same state machine per window, one keep-alive connection per device) on bare HTTP/1.1 connections with
    pre-built requests: httpx cost the generator 0.67 of a core at 300 ops/s, a third of
    this 2-core machine taken from what it measures; this costs a fraction of that."""
    rnd = random.Random(7)
    stats = Stats()
    wstate = ["idle"] * len(clerks)
    nxt = {"idle": "call-next", "called": "start", "serving": "complete"}
    after_ok = {"call-next": "called", "start": "serving", "complete": "idle"}
    wreq = [{op: http_request(port, "POST", f"/api/v1/windows/{no}/{op}", h["Authorization"][7:], b"")
             for op in after_ok} for no, h in clerks]
    kreq = [{c: http_request(port, "POST", "/api/v1/tickets", h["Authorization"][7:],
                             json.dumps({"category": c}).encode()) for c in "ABC"} for h in kiosks]
    wconn: list[HttpConn] = [await connect(port) for _ in clerks]
    kconn: list[HttpConn] = [await connect(port) for _ in kiosks]
    dev = Devices(kiosk_busy=[False] * len(kiosks), window_busy=[False] * len(clerks))

    async def send(conns: list[HttpConn], i: int, data: bytes) -> int:
        try:
            return await conns[i].request(data)
        except ConnectionError:
            conns[i] = await connect(port)  # counted as a failure, the run goes on
            return 0

    async def issue(k: int, record: bool) -> None:
        t0 = time.perf_counter()
        try:
            code = await send(kconn, k, kreq[k][rnd.choice("ABC")])
        finally:
            dev.kiosk_busy[k] = False
        if record:
            stats.lat["issue"].append(time.perf_counter() - t0)
            stats.status["issue"][code] += 1
        if code == 201:
            dev.waiting += 1

    async def step(i: int) -> None:
        op = nxt[wstate[i]]
        t0 = time.perf_counter()
        try:
            code = await send(wconn, i, wreq[i][op])
        finally:
            dev.window_busy[i] = False
        stats.lat[op].append(time.perf_counter() - t0)
        stats.status[op][code] += 1
        if code == 200:
            wstate[i] = after_ok[op]
            if op == "call-next":
                dev.waiting -= 1

    try:
        elapsed = await drive(dev, issue, step, rnd=rnd, stats=stats, rate=rate, seconds=seconds,
                              prefill=prefill, max_inflight=max_inflight)
    finally:
        for c in wconn + kconn:
            if c.transport is not None:
                c.transport.close()
    return stats, elapsed


# --- helpers -----------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children so far (clock ticks -> seconds)."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")


def sys_seconds(pid: int) -> float:
    """stime of a process so far: the kernel's share (socket writes and reads)."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return int(f[12]) / os.sysconf("SC_CLK_TCK")


def hist_pct(hist: list[int], p: float) -> float:
    total = sum(hist)
    if not total:
        return float("nan")
    want = p / 100 * total
    run = 0
    for i, n in enumerate(hist):
        run += n
        if run >= want:
            return (i + 0.5) * BUCKET_MS
    return BUCKETS * BUCKET_MS


def wait_health(base: str, proc: subprocess.Popen[bytes], what: str, errlog: Any) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            errlog.seek(0)
            raise SystemExit(f"{what} did not start: " + errlog.read().decode(errors="replace"))
        time.sleep(0.1)  # a benchmark script: polling a starting process is fine


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=25)
    ap.add_argument("--rate", type=float, default=300)
    ap.add_argument("--subscribers", type=int, default=1000)
    ap.add_argument("--supervisors", type=int, default=10, help="of the subscribers, how many see unmasked data")
    ap.add_argument("--sub-procs", type=int, default=2, help="processes the subscribers are spread over")
    ap.add_argument("--windows", type=int, default=150)
    ap.add_argument("--kiosks", type=int, default=8)
    ap.add_argument("--prefill", type=int, default=300)
    ap.add_argument("--max-inflight", type=int, default=200)
    ap.add_argument("--fanout", action="store_true", help="serve subscribers from a fan-out process of their own")
    ap.add_argument("--fanout-nice", type=int, default=0, metavar="N",
                    help="lower the fan-out process's CPU priority by N (a 2-core machine shared with the load)")
    ap.add_argument("--pg", metavar="URL", help="PostgreSQL server URL (a fresh database bench_fanout_<pid> is made)")
    ap.add_argument("--profile", metavar="FILE", help="py-spy the server (and FILE.fanout the fan-out process)")
    ap.add_argument("--httpx", action="store_true",
                    help="the load over httpx (bench_server's generator, as before; ~4x its CPU)")
    ap.add_argument("--asyncio-loop", action="store_true", help="the load generator on asyncio's own loop, not uvloop")
    args = ap.parse_args()
    if not args.asyncio_loop:
        fast_loop()

    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-fanout-"))
    data = tmp / "data"
    env = {**os.environ, "HALL_DATA_DIR": str(data)}
    pg_db = None
    if args.pg:
        import psycopg
        pg_db = f"bench_fanout_{os.getpid()}"
        with psycopg.connect(args.pg.rstrip("/") + "/postgres", autocommit=True) as c:
            c.execute(f"CREATE DATABASE {pg_db}")
        env["HALL_DATABASE_URL"] = os.environ["HALL_DATABASE_URL"] = f"{args.pg.rstrip('/')}/{pg_db}"
    t = time.perf_counter()
    tok = seed(data, windows=args.windows, kiosks=args.kiosks, url=env.get("HALL_DATABASE_URL", ""))
    print(f"seeded in {time.perf_counter() - t:.1f}s ({'PostgreSQL' if args.pg else 'SQLite'})")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "hall_server", "run", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning"]
    sub_port = port
    if args.fanout:
        sub_port = free_port()
        cmd += ["--fanout-port", str(sub_port)]
    errlog = open(tmp / "server.log", "w+b")  # a pipe nobody reads would stall the server once full
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errlog)
    procs: list[Any] = []
    pipes: list[Any] = []
    try:
        wait_health(base, server, "server", errlog)
        if args.fanout:
            wait_health(f"http://127.0.0.1:{sub_port}", server, "fan-out process", errlog)
        fanout_pid = next(iter(children(server.pid)), None) if args.fanout else None
        if fanout_pid and args.fanout_nice:
            for tid in os.listdir(f"/proc/{fanout_pid}/task"):  # every thread (uvicorn's loop, the tail)
                os.setpriority(os.PRIO_PROCESS, int(tid), args.fanout_nice)
        clerks = asyncio.run(sign_in(base, tok["clerks"]))
        kiosks = [{"Authorization": f"Bearer {k}"} for k in tok["kiosks"]]
        sup: list[str] = []
        for _ in range(max(1, min(args.supervisors, args.subscribers))):
            r = httpx.post(f"{base}/api/v1/auth/login", json={"staff_no": "4001", "password": "demo1234"}, timeout=30)
            sup.append(r.json()["token"])
        sub_tokens = (sup + [tok["display"]] * args.subscribers)[:args.subscribers]
        after = httpx.get(f"{base}/api/v1/health", timeout=10).json()["last_seq"]
        ctx = mp.get_context("spawn")
        n = max(1, args.sub_procs) if args.subscribers else 0
        for i in range(n):
            a, b = ctx.Pipe()
            p = ctx.Process(target=subscriber_main, args=("127.0.0.1", sub_port, sub_tokens[i::n], after, b))
            p.start()
            procs.append(p)
            pipes.append(a)
        for a in pipes:
            if not a.poll(120) or a.recv() != "ready":
                raise SystemExit("subscribers did not connect")
        print(f"{args.subscribers} subscribers ({min(len(sup), args.subscribers)} unmasked) in {n} processes on "
              f"{'the fan-out process' if args.fanout else 'the server'}; offering {args.rate:.0f} ops/s "
              f"for {args.seconds:.0f}s")
        spies = []
        if args.profile:
            for pid, out in ((server.pid, args.profile), (fanout_pid, args.profile + ".fanout")):
                if pid:
                    spies.append(subprocess.Popen(["py-spy", "record", "--idle", "--threads", "--format", "raw", "-r", "50", "-d",
                                                   str(int(args.seconds)), "-o", out, "--pid", str(pid)],
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        watched = {"server": server.pid, **({"fan-out": fanout_pid} if fanout_pid else {}),
                   **{f"subscribers-{i}": p.pid for i, p in enumerate(procs)}, "load generator": os.getpid()}
        cpu0 = {k: cpu_seconds(v) for k, v in watched.items()}
        sys0 = {k: sys_seconds(v) for k, v in watched.items()}
        quiet_gc()
        load = (run_load(base, clerks, kiosks, rate=args.rate, seconds=args.seconds, prefill=args.prefill,
                         max_inflight=args.max_inflight) if args.httpx else
                run_load_raw(port, clerks, kiosks, rate=args.rate, seconds=args.seconds, prefill=args.prefill,
                             max_inflight=args.max_inflight))
        stats, elapsed = asyncio.run(load)
        cpu1 = {k: cpu_seconds(v) for k, v in watched.items()}
        sys1 = {k: sys_seconds(v) for k, v in watched.items()}
        for s in spies:
            s.wait(60)
        final = httpx.get(f"{base}/api/v1/health", timeout=10).json()["last_seq"]
        for a in pipes:
            a.send(final)
        subs = [a.recv() if a.poll(60) else {} for a in pipes]
        for p in procs:
            p.join(30)
    finally:
        server.send_signal(2)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        for p in procs:
            if p.is_alive():
                p.terminate()
        errlog.seek(0)
        problems = [ln for ln in errlog.read().decode(errors="replace").splitlines()
                    if "ERROR" in ln or "Error" in ln or "Traceback" in ln or "WARNING" in ln or "  File" in ln]
        if problems:
            print("server log:", *problems[:60], sep="\n  ")
        errlog.close()
        shutil.rmtree(tmp, ignore_errors=True)
        if pg_db:
            import psycopg
            with psycopg.connect(args.pg.rstrip("/") + "/postgres", autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")

    total = sum(len(v) for v in stats.lat.values())
    ok = sum(n for op in stats.status.values() for code, n in op.items() if code < 400)
    print()
    print(f"operations: {total} in {elapsed:.1f}s = {total / elapsed:.0f} ops/s ({ok / elapsed:.0f}/s succeeded; "
          f"{stats.late} skipped: every device busy)")
    print(f"{'operation':<11}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses")
    every: list[float] = []
    for op in ("issue", "call-next", "start", "complete"):
        v = stats.lat.get(op, [])
        every += v
        codes = ", ".join(f"{k}: {c}" for k, c in sorted(stats.status[op].items()))
        print(f"{op:<11}{len(v):>7}{pct(v, 50) * 1e3:>9.1f}{pct(v, 99) * 1e3:>9.1f}"
              f"{(max(v) if v else float('nan')) * 1e3:>9.1f}  {codes}")
    slow = sorted(x for x in every if x > 1.0)
    if slow:
        print(f"  {len(slow)} operations took over 1 s: " + ", ".join(f"{x:.1f}" for x in slow[-12:]) + " s (longest)")
    print(f"{'all':<11}{len(every):>7}{pct(every, 50) * 1e3:>9.1f}{pct(every, 99) * 1e3:>9.1f}"
          f"{(max(every) if every else float('nan')) * 1e3:>9.1f}")
    if subs and all(subs):
        hist = [sum(h) for h in zip(*(s["hist"] for s in subs))]
        closed: dict[int, int] = {}
        for s in subs:
            for code, c in s["closed"].items():
                closed[code] = closed.get(code, 0) + c
        print(f"delivery of ticket.called (server event time -> subscriber receipt): {sum(hist)} deliveries, "
              f"p50 {hist_pct(hist, 50):.1f} ms, p99 {hist_pct(hist, 99):.1f} ms, p99.9 {hist_pct(hist, 99.9):.1f} ms")
        print(f"  {sum(s['frames'] for s in subs)} frames, {sum(s['events'] for s in subs)} events to "
              f"{sum(s['subscribers'] for s in subs)} subscribers; gaps {sum(s['gaps'] for s in subs)}, "
              f"repeats {sum(s['repeats'] for s in subs)}; closed early {closed or 0}; "
              f"{sum(s['behind'] for s in subs)} short of the last seq {final} after "
              f"{max(s['catch_up_s'] for s in subs):.1f}s")
    print(f"server CPU per operation: {(cpu1['server'] - cpu0['server']) / max(1, total) * 1e3:.2f} ms"
          + (f"; fan-out process CPU per operation: {(cpu1['fan-out'] - cpu0['fan-out']) / max(1, total) * 1e3:.2f} ms"
             if "fan-out" in cpu1 else "") + f"; load average {open('/proc/loadavg').read().split()[0]}")
    print("CPU during the load (s of CPU per s; of which in the kernel): " + ", ".join(
        f"{k} {(cpu1[k] - cpu0[k]) / elapsed:.2f} ({(sys1[k] - sys0[k]) / elapsed:.2f})" for k in watched))
    instrument = [k for k in watched if k.startswith("subscribers") or k == "load generator"]
    print(f"the instrument itself (subscribers + load generator) used "
          f"{sum(cpu1[k] - cpu0[k] for k in instrument) / elapsed:.2f} of the machine's "
          f"{os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
