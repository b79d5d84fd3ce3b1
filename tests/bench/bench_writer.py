"""Benchmark: the group-commit writer's CPU per ticket issued, in-process, no HTTP.

    python tests/bench/bench_writer.py [--database-url URL] [--batches 300] [--batch 16] [--statements]

Seeds the demo hall (SQLite in a temp dir, or the PostgreSQL database given: use an empty
one), then runs ``--batches`` batches of ``--batch`` kiosk issues through the writer's own
batch code (``Writer._run_batch``, the savepoints, the shared commit) on this thread and
prints the thread's CPU time and wall time per issue. This is the server's writer thread
alone: what a write costs before HTTP, the event loop and the thread hand-over are added
(``bench_server.py --closed`` measures the whole). On PostgreSQL the backend's CPU is not
in the figure (it runs in its own process). ``--statements`` adds the CPU of each prepared
statement. Not a pytest test: figures of a shared machine are information.
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default="", help="PostgreSQL (an empty database); default SQLite in a temp dir")
    ap.add_argument("--batches", type=int, default=300)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--statements", action="store_true", help="also the CPU of each prepared statement")
    args = ap.parse_args()

    from bench_hotpath import seed

    from hall_server import contract as c
    from hall_server import sql
    from hall_server.api.deps import AppContext
    from hall_server.api.queue import issue_write
    from hall_server.db import Database
    from hall_server.services import auth
    from hall_server.settings import Settings
    from hall_server.writer import Command

    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-writer-"))
    data = tmp / "data"
    data.mkdir()
    url = args.database_url or f"sqlite:///{tmp}/hall.db"
    tokens = seed(url, data)
    settings = Settings(data_dir=data, database_url=url)
    db = Database(url)
    ctx = AppContext(settings=settings, db=db)
    with db.read() as s:
        actor, _ = auth.resolve_token(s, token=next(iter(tokens.values())), now=datetime.now(timezone.utc))
    body = c.TicketIn(category="A")

    def batch() -> None:
        cmds = [Command(issue_write(ctx, actor, body), lambda r, e: None, lean=True) for _ in range(args.batch)]
        with ctx.db.write_lock:  # as the writer holds it
            ctx.writer._run_batch(cmds)  # noqa: SLF001 - the writer's own batch, on this thread
        for cmd in cmds:
            if cmd.error is not None:
                raise cmd.error

    for _ in range(30):  # warm: caches, prepared forms, the server-side prepared statements
        batch()
    n = args.batches * args.batch
    c0, t0 = time.thread_time(), time.perf_counter()
    for _ in range(args.batches):
        batch()
    cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
    kind = "SQLite" if db.is_sqlite else "PostgreSQL"
    print(f"{kind}, {args.batches} batches of {args.batch} issues: writer thread CPU {cpu / n * 1e3:.3f} ms "
          f"per issue, wall {wall / n * 1e3:.3f} ms per issue ({n / wall:,.0f} issues/s on this thread)")

    if args.statements:
        spent: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])
        plain = sql.Prepared._execute

        def timed(self: Any, session: Any, params: Any) -> Any:
            t = time.thread_time()
            out = plain(self, session, params)
            row = spent[out[1].sql.split("(")[0].split(" WHERE")[0][:60]]
            row[0] += 1
            row[1] += time.thread_time() - t
            return out

        sql.Prepared._execute = timed  # type: ignore[method-assign]
        for _ in range(100):
            batch()
        sql.Prepared._execute = plain  # type: ignore[method-assign]
        for text, (count, secs) in sorted(spent.items(), key=lambda kv: -kv[1][1]):
            print(f"  {secs / count * 1e6:7.1f} µs  ×{count / (100 * args.batch):.2f} per issue  {text}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
