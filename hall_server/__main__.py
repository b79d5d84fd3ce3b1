"""``hall-server``: run, fanout, init-db, seed-demo, add-staff, add-device, verify-audit, backup,
audit-key, checkpoint, export-checkpoints.

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
from typing import TYPE_CHECKING

from .services import public_url
from .settings import Settings

if TYPE_CHECKING:
    import subprocess

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
    """The chain; with --against the office's checkpoint file, with --deep the business rows.
    Every finding names its place; exit 1 on any."""
    from .db import Database
    from .domain import anchors
    from .services import anchors as anchor_svc
    cps: list[anchors.Checkpoint] = []
    if args.against:
        try:
            cps = anchors.parse_lines(Path(args.against).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            _out(f"无法读取检查点文件 {args.against}：{e}")
            return 2
    db = Database(settings.sqlalchemy_url)
    try:
        with db.read() as s:
            r = anchor_svc.check(s, checkpoints=cps, deep=args.deep)
    finally:
        db.dispose()
    if r.chain.ok:
        _out(f"哈希链完整：已校验 {r.chain.checked} 条事件，最后序号 {r.chain.last_seq}。")
    else:
        _out(f"审计链校验失败：第一个异常序号 {r.chain.first_bad_seq}（{r.chain.reason}）；此前 {r.chain.checked} 条完好。")
    if args.against:
        _out(f"已核对检查点 {r.anchors_checked} 个。")
    if args.deep:
        _out("已核对业务数据（号票、办件、通知书、缴费通知单、票据、评价）与日志。")
    for kind, _seq, msg in r.findings:
        if kind != "chain":
            _out(f"  ✗ {msg}")
    if r.ok:
        _out("审计链完整" + ("，且延续所有已知检查点" if args.against else "") + ("，业务数据与日志一致" if args.deep else "") + "。")
        return 0
    _out(f"发现 {len(r.findings)} 处问题。")
    return 1


def cmd_audit_key(settings: Settings, args: argparse.Namespace) -> int:
    """Make the office's signing key (a file; only its public half goes into the database)."""
    from .domain import anchors
    from .services import anchors as anchor_svc
    from .services.actors import SYSTEM
    path = Path(args.output) if args.output else settings.audit_key_path
    pub = anchor_svc.write_key_file(path, force=args.force)
    db = _db(settings)
    try:
        with db.write() as s:
            anchor_svc.register_key(s, public_key=pub, actor=SYSTEM, now=_now())
    finally:
        db.dispose()
    _out(f"已生成监察室签名密钥：{path}（仅本机可读，请妥善保管并备份，勿放入数据库）。")
    _out(f"公钥：{pub}")
    _out(f"密钥编号：{anchors.key_id(pub)}（请记录在案，核对检查点时使用）")
    if args.output and Path(args.output) != settings.audit_key_path:
        _out(f"服务器使用的密钥路径由 HALL_AUDIT_KEY_FILE 指定，当前为 {settings.audit_key_path}。")
    return 0


def cmd_checkpoint(settings: Settings, args: argparse.Namespace) -> int:
    from .services import anchors as anchor_svc
    from .services.actors import SYSTEM
    db = _db(settings)
    try:
        with db.write() as s:
            cp = anchor_svc.make_checkpoint(s, settings=settings, actor=SYSTEM, now=_now())
    finally:
        db.dispose()
    if args.append_to:
        with open(args.append_to, "a", encoding="utf-8") as f:
            f.write(cp.to_line() + "\n")
    _out(f"已签署检查点：第 {cp.seq} 条，哈希 {cp.hash[:16]}…，密钥 {cp.key_id}。")
    return 0


def cmd_export_checkpoints(settings: Settings, args: argparse.Namespace) -> int:
    from .services import anchors as anchor_svc
    db = _db(settings)
    try:
        with db.read() as s:
            text = anchor_svc.export_lines(s)
    finally:
        db.dispose()
    Path(args.output).write_text(text, encoding="utf-8")
    _out(f"已导出 {text.count(chr(10))} 个检查点到 {args.output}。")
    return 0


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


def listen_url(host: str, port: int) -> str:
    """Where phones would find this server when nothing else is set: the listening
    address, or for 0.0.0.0 the address of the interface that leads out (no packet is
    sent: a UDP socket only picks its route)."""
    if host in ("0.0.0.0", "::", ""):
        import socket
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sk:
                sk.connect(("192.0.2.1", 9))  # TEST-NET-1: routed, never reached
                host = sk.getsockname()[0]
        except OSError:
            host = "127.0.0.1"
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    if args.workers > 1:
        return _run_workers(settings, args)
    if args.demo:
        for line in seed_demo(settings):
            _out(line)
    if not settings.public_base_url:  # QR codes lead to where this server listens, said loudly below
        settings = settings.model_copy(update={"public_base_url": listen_url(args.host, args.port)})
    if (warning := public_url.startup_warning(settings)) is not None:
        sys.stderr.write(warning + "\n")
        sys.stderr.flush()
    _out(f"手机扫码地址（二维码）：{public_url.base_url(settings=settings)}")
    app = create_app(settings)
    fanout = _start_fanout(settings, args, app) if args.fanout_port else None
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
    # graceful stop waits at most 5 s: a phone's open live page (server-sent events) must
    # not hold the server up
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level, ws_ping_interval=20,
                            timeout_keep_alive=65, ws=args.ws, ws_per_message_deflate=args.ws_deflate,
                            timeout_graceful_shutdown=5)
    sockets = [_shared_socket(args.host, args.port)] if args.reuse_port else None  # one of ``--workers``
    try:
        uvicorn.Server(config).run(sockets=sockets)
    except KeyboardInterrupt:  # Ctrl+C after a clean shutdown (as ``uvicorn.run`` does)
        pass
    finally:
        if fanout is not None:
            _stop_child(fanout)
    return 0


def _fanout_cmd(settings: Settings, args: argparse.Namespace) -> list[str]:
    cmd = [sys.executable, "-m", "hall_server", "--data-dir", str(settings.data_dir), "fanout",
           "--host", args.host, "--port", str(args.fanout_port), "--log-level", args.log_level, "--ws", args.ws]
    if settings.database_url:
        cmd[3:3] = ["--database-url", settings.database_url]
    return cmd


def _start_fanout(settings: Settings, args: argparse.Namespace, app: object) -> "subprocess.Popen[bytes]":
    """``run --fanout-port P``: the event stream served by a process of its own
    (``api/fanout.py``), started after the migration. On SQLite this server rings it after
    every commit (UDP 127.0.0.1:P); on PostgreSQL it listens for NOTIFY itself."""
    import subprocess

    from .api.tail import Doorbell
    if settings.is_sqlite:
        app.state.ctx.db.after_commit.append(Doorbell(args.fanout_port))  # type: ignore[attr-defined]
    proc = subprocess.Popen(_fanout_cmd(settings, args), preexec_fn=_die_with_parent)
    _out(f"事件推送进程已启动：ws://{args.host}:{args.fanout_port}/api/v1/events（进程号 {proc.pid}）")
    return proc


def _die_with_parent() -> None:
    """In the child before exec (Linux): end it if the server dies without stopping it."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop_child(proc: "subprocess.Popen[bytes]") -> None:
    import signal
    import subprocess
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cmd_fanout(settings: Settings, args: argparse.Namespace) -> int:
    """``hall-server fanout``: serve only ``/api/v1/events``, following the event log."""
    import uvicorn

    from .api.fanout import create_fanout_app
    app = create_fanout_app(settings, bell_port=args.port if settings.is_sqlite else None, poll=args.poll)
    gc.collect()
    gc.freeze()  # as in ``run``: no full collection walking the framework's static objects
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level, ws_ping_interval=20,
                            ws=args.ws, ws_per_message_deflate=False, timeout_graceful_shutdown=5)
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
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
    if args.fanout_port:  # on PostgreSQL it follows the log by LISTEN/NOTIFY like the workers
        procs.append(subprocess.Popen(_fanout_cmd(settings, args)))
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
    r.add_argument("--fanout-port", type=int, metavar="PORT",
                   help="另起一个事件推送进程，在此端口提供 /api/v1/events（大屏、监察订阅者多时用）")
    r.set_defaults(fn=cmd_run)
    f = sub.add_parser("fanout", help="只提供事件推送（/api/v1/events）的进程，从事件日志读取")
    f.add_argument("--host", default="127.0.0.1")
    f.add_argument("--port", type=int, default=8081)
    f.add_argument("--log-level", default="warning")
    f.add_argument("--ws", default="websockets-sansio", choices=["websockets-sansio", "websockets", "wsproto"])
    f.add_argument("--poll", type=float, default=0.5,
                   help="没有唤醒信号（PostgreSQL 的 NOTIFY、本机服务进程的门铃）时，每隔多少秒读一次事件日志")
    f.set_defaults(fn=cmd_fanout)
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
    v = sub.add_parser("verify-audit", help="校验审计事件哈希链")
    v.add_argument("--against", metavar="CHECKPOINTS", help="监察室保存的检查点文件（JSON lines）")
    v.add_argument("--deep", action="store_true", help="同时用日志核对业务数据（号票、办件、票据、评价…）")
    v.set_defaults(fn=cmd_verify_audit)
    k = sub.add_parser("audit-key", help="生成监察室签名密钥（私钥写入文件，公钥登记入库）")
    k.add_argument("--output", help="密钥文件路径（默认 HALL_AUDIT_KEY_FILE 或 数据目录/audit-key.pem）")
    k.add_argument("--force", action="store_true", help="覆盖已有的密钥文件")
    k.set_defaults(fn=cmd_audit_key)
    cp = sub.add_parser("checkpoint", help="立即签署一个审计检查点")
    cp.add_argument("--append-to", metavar="FILE", help="同时追加到监察室的检查点文件")
    cp.set_defaults(fn=cmd_checkpoint)
    ex = sub.add_parser("export-checkpoints", help="导出全部检查点（JSON lines）")
    ex.add_argument("output")
    ex.set_defaults(fn=cmd_export_checkpoints)
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
    from pydantic import ValidationError
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:  # a setting that cannot work is refused at start, in plain words
        for err in e.errors():
            sys.stderr.write(f"设置有误：{str(err.get('msg', '')).removeprefix('Value error, ')}\n")
        return 2
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
