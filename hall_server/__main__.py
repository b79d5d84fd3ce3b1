"""``hall-server``: run, init-db, seed-demo, add-staff, add-device, verify-audit, backup.

Output here is for the person at the terminal (plain Chinese); the product logs through
``logging`` everywhere else.
"""
from __future__ import annotations

import argparse
import gc
import getpass
import logging
import os
import socket
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from .settings import Settings

log = logging.getLogger("hall_server")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _db(settings: Settings):  # type: ignore[no-untyped-def]
    from . import migrate
    from .db import Database
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.sqlalchemy_url)
    return Database(settings.sqlalchemy_url)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def cmd_init_db(settings: Settings, args: argparse.Namespace) -> int:
    db = _db(settings)
    db.dispose()
    _out(f"数据库已就绪：{settings.sqlalchemy_url}")
    return 0


def seed_demo(settings: Settings) -> list[str]:
    from .demo import seed
    db = _db(settings)
    try:
        with db.write() as s:
            report = seed(s, settings=settings, now=_now())
    finally:
        db.dispose()
    lines = list(report.lines)
    if report.device_tokens:
        lines.append("设备令牌（只显示这一次，请妥善保存）：")
        lines += [f"  {name}: {token}" for name, token in report.device_tokens.items()]
        tok = settings.data_dir / "demo-device-tokens.txt"
        if settings.is_sqlite:
            tok.write_text("\n".join(f"{n}={t}" for n, t in report.device_tokens.items()) + "\n", encoding="utf-8")
            tok.chmod(0o600)
            lines.append(f"  （演示用副本已写入 {tok}）")
    return lines


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    for line in seed_demo(settings):
        _out(line)
    return 0


def cmd_add_staff(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from .domain.errors import HallError
    from .models import Department
    from .services import auth
    from .services.actors import SYSTEM
    password = args.password or getpass.getpass("密码: ")
    db = _db(settings)
    try:
        with db.write() as s:
            dept_id = None
            if args.department:
                dept_id = s.scalar(select(Department.id).where(Department.code == args.department))
                if dept_id is None:
                    _out(f"没有部门 {args.department}。")
                    return 2
            auth.add_staff(s, settings=settings, staff_no=args.staff_no, name=args.name, password=password,
                           roles=auth.parse_roles(args.roles), department_id=dept_id, post=args.post or "",
                           actor=SYSTEM, now=_now())
    except HallError as e:
        _out(e.message)
        return 2
    finally:
        db.dispose()
    _out(f"已添加工作人员 {args.staff_no} {args.name}（{args.roles}）。")
    return 0


def cmd_add_device(settings: Settings, args: argparse.Namespace) -> int:
    from .domain.errors import HallError
    from .domain.roles import Role
    from .services import auth
    from .services.actors import SYSTEM
    db = _db(settings)
    try:
        with db.write() as s:
            _, token = auth.add_device(s, name=args.name, kind=Role(args.kind), window_no=args.window,
                                       actor=SYSTEM, now=_now())
    except HallError as e:
        _out(e.message)
        return 2
    finally:
        db.dispose()
    _out(f"已添加设备 {args.name}（{args.kind}）。设备令牌只显示这一次：")
    _out(token)
    return 0


def cmd_verify_audit(settings: Settings, args: argparse.Namespace) -> int:
    from .db import Database
    from .services import events
    db = Database(settings.sqlalchemy_url)
    try:
        with db.read() as s:
            r = events.verify(s)
    finally:
        db.dispose()
    if r.ok:
        _out(f"审计链完整：已校验 {r.checked} 条事件，最后序号 {r.last_seq}。")
        return 0
    _out(f"审计链校验失败：第一个异常序号 {r.first_bad_seq}（{r.reason}）；此前 {r.checked} 条完好。")
    return 1


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """A consistent copy of the live SQLite file via SQLite's online backup API."""
    if not settings.is_sqlite:
        _out("PostgreSQL 请使用 pg_dump 备份；本命令只备份内置 SQLite 数据库。")
        return 2
    src_path = Path(settings.sqlalchemy_url.removeprefix("sqlite:///"))
    if not src_path.exists():
        _out(f"找不到数据库文件 {src_path}。")
        return 2
    dest = Path(args.output) if args.output else (
        settings.data_dir / "backups" / f"hall-{datetime.now().strftime('%Y%m%d-%H%M%S')}.sqlite3")
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(src_path, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        with dst:
            src.backup(dst)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    _out(f"已备份到 {dest}（完整性检查：{ok}）。")
    return 0 if ok == "ok" else 1


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    if args.workers > 1:
        return _run_workers(settings, args)
    if args.demo:
        for line in seed_demo(settings):
            _out(line)
    app = create_app(settings)
    # Everything loaded so far (the framework, pypinyin's phrase table, the catalog…) lives
    # as long as the process: move it out of the collector's sight. Otherwise every full
    # collection walks ~200,000 static objects and stops the hall for up to 180 ms (seen
    # with gc.callbacks under the benchmark; docs/server.md), which was the p99.
    gc.collect()
    gc.freeze()
    _out(f"政务大厅服务已启动：http://{args.host}:{args.port}/api/v1  （接口文档 http://{args.host}:{args.port}/docs）")
    if args.demo:
        from .demo import DEMO_PASSWORD
        _out(f"登录示例：POST /api/v1/auth/login {{\"staff_no\": \"1001\", \"password\": \"{DEMO_PASSWORD}\", \"window_no\": 1}}")
        _out("按 Ctrl+C 停止。")
    # keep-alive longer than uvicorn's 5 s: window clients post every few seconds and a
    # connection closed just as a client reuses it costs that request a retry.
    # permessage-deflate off by default: the server would compress every frame once per
    # subscriber (the zlib state is per connection, so the shared frame cannot be reused);
    # with 200 displays that was a quarter of the server's CPU (188 -> 247 ops/s measured),
    # and a hall LAN does not need the bandwidth. Qt's QWebSocket never negotiates it anyway.
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level, ws_ping_interval=20,
                            timeout_keep_alive=65, ws=args.ws, ws_per_message_deflate=args.ws_deflate)
    sockets = [_shared_socket(args.host, args.port)] if args.reuse_port else None  # one of ``--workers``
    try:
        uvicorn.Server(config).run(sockets=sockets)
    except KeyboardInterrupt:  # Ctrl+C after a clean shutdown (as ``uvicorn.run`` does)
        pass
    return 0


def _shared_socket(host: str, port: int) -> socket.socket:
    """A listening socket with SO_REUSEPORT: every worker binds its own on the same port
    and the kernel spreads new connections across them (Linux)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _run_workers(settings: Settings, args: argparse.Namespace) -> int:
    """``run --workers N``: N server processes on one PostgreSQL database, one port.

    Each worker is a whole server (its own writer, hub and log tail, api/tail.py); writers
    in different processes are serialised by PostgreSQL's row lock on the event head. This
    parent migrates once, starts the workers, and passes Ctrl+C / SIGTERM on to them.
    """
    import signal
    import subprocess
    if settings.is_sqlite:
        _out("内置 SQLite 数据库只能由一个服务进程使用；多进程运行（--workers）请改用 PostgreSQL 数据库"
             "（--database-url postgresql+psycopg://…）。")
        return 2
    if not hasattr(socket, "SO_REUSEPORT"):
        _out("本操作系统不支持多个进程共用一个端口；请每个进程用自己的端口分别启动。")
        return 2
    if args.demo:
        for line in seed_demo(settings):
            _out(line)
    else:
        _db(settings).dispose()  # migrate once, not N times at the same moment
    cmd = [sys.executable, "-m", "hall_server", "--database-url", settings.sqlalchemy_url,
           "--data-dir", str(settings.data_dir), "run", "--host", args.host, "--port", str(args.port),
           "--log-level", args.log_level, "--ws", args.ws, "--reuse-port"]
    if args.ws_deflate:
        cmd.append("--ws-deflate")
    procs = [subprocess.Popen(cmd) for _ in range(args.workers)]
    _out(f"已启动 {args.workers} 个服务进程，共用端口 {args.port}（进程号 {'、'.join(str(p.pid) for p in procs)}）。")

    def forward(signum: int, _frame: object) -> None:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    stopped = {0, -signal.SIGINT, 128 + signal.SIGINT, -signal.SIGTERM}  # a worker stopped as asked
    alive = {p.pid: p for p in procs}
    codes: list[int] = []
    while alive:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        p = alive.pop(pid, None)
        if p is None:
            continue
        p.returncode = os.waitstatus_to_exitcode(status)
        codes.append(p.returncode)
        if p.returncode not in stopped:  # one worker died: stop the others, say so, exit non-zero
            forward(signal.SIGTERM, None)
    bad = [c for c in codes if c not in stopped]
    if bad:
        _out(f"有 {len(bad)} 个服务进程异常退出（退出码 {'、'.join(map(str, bad))}），详见日志。")
    return 1 if bad else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hall-server", description="政务大厅综合管理系统服务器")
    p.add_argument("--data-dir", help="数据目录（默认 ./data，或环境变量 HALL_DATA_DIR）")
    p.add_argument("--database-url", help="数据库地址（默认数据目录中的 SQLite 文件）")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="启动服务器")
    r.add_argument("--host", default="127.0.0.1")
    r.add_argument("--port", type=int, default=8080)
    r.add_argument("--demo", action="store_true", help="先写入演示大厅数据（已存在则跳过）")
    r.add_argument("--log-level", default="warning")
    r.add_argument("--ws", default="websockets-sansio", choices=["websockets-sansio", "websockets", "wsproto"],
                   help="WebSocket implementation (sans-I/O: no extra tasks per connection)")
    r.add_argument("--ws-deflate", action="store_true",
                   help="offer permessage-deflate to event subscribers (costs CPU per subscriber; off by default)")
    r.add_argument("--workers", type=int, default=1,
                   help="服务进程数（仅 PostgreSQL；各进程共用一个端口，SO_REUSEPORT）")
    r.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)  # set by --workers
    r.set_defaults(fn=cmd_run)
    sub.add_parser("init-db", help="建立或升级数据库").set_defaults(fn=cmd_init_db)
    sub.add_parser("seed-demo", help="写入演示大厅").set_defaults(fn=cmd_seed_demo)
    a = sub.add_parser("add-staff", help="添加工作人员")
    a.add_argument("staff_no")
    a.add_argument("name")
    a.add_argument("--roles", required=True, help="clerk,cashier,manager,supervisor,admin 中的一个或多个")
    a.add_argument("--password", help="不给则交互输入")
    a.add_argument("--department")
    a.add_argument("--post")
    a.set_defaults(fn=cmd_add_staff)
    d = sub.add_parser("add-device", help="添加设备并打印其令牌")
    d.add_argument("name")
    d.add_argument("--kind", required=True, choices=["kiosk", "display", "evaluator"])
    d.add_argument("--window", type=int)
    d.set_defaults(fn=cmd_add_device)
    sub.add_parser("verify-audit", help="校验审计事件哈希链").set_defaults(fn=cmd_verify_audit)
    b = sub.add_parser("backup", help="备份 SQLite 数据库（在线一致性副本）")
    b.add_argument("--output")
    b.set_defaults(fn=cmd_backup)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides: dict[str, object] = {}
    if args.data_dir:
        overrides["data_dir"] = Path(args.data_dir)
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = Settings(**overrides)  # type: ignore[arg-type]
    from .domain.errors import HallError
    from .migrate import SchemaTooNew
    try:
        return int(args.fn(settings, args))
    except SchemaTooNew as e:
        sys.stderr.write(f"{e}\n")
        return 3
    except HallError as e:
        sys.stderr.write(f"{e.message}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
