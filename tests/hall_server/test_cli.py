"""``hall-server`` commands on a temporary data folder (in-process via ``main([...])``)."""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hall_server.__main__ import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HALL_ARGON2_MEMORY_KIB", "256")  # fast hashing in tests
    monkeypatch.setenv("HALL_ARGON2_TIME_COST", "1")
    monkeypatch.delenv("HALL_DATABASE_URL", raising=False)
    return tmp_path / "data"


def run(capsys, *argv: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out + cap.err


def _resolve(data_dir: Path, token: str):  # type: ignore[no-untyped-def]
    from hall_server.db import Database
    from hall_server.services import auth
    db = Database(f"sqlite:///{data_dir / 'hall.sqlite3'}")
    try:
        with db.read() as s:
            return auth.resolve(s, token=token, now=datetime.now(timezone.utc))
    finally:
        db.dispose()


def test_init_db_creates_the_sqlite_file_in_the_data_folder(data_dir, capsys):
    code, out = run(capsys, "--data-dir", str(data_dir), "init-db")
    assert code == 0 and (data_dir / "hall.sqlite3").exists() and "数据库已就绪" in out


def test_seed_demo_prints_device_tokens_once(data_dir, capsys):
    code, out = run(capsys, "--data-dir", str(data_dir), "seed-demo")
    assert code == 0 and "12 个窗口" in out and "4 个队列" in out
    tokens = dict(line.strip().split(": ", 1) for line in out.splitlines()
                  if line.startswith("  kiosk-1: ") or line.startswith("  display-1: "))
    assert set(tokens) == {"kiosk-1", "display-1"}
    assert _resolve(data_dir, tokens["kiosk-1"]).device_name == "kiosk-1"
    code, again = run(capsys, "--data-dir", str(data_dir), "seed-demo")
    assert code == 0 and "已存在" in again and tokens["kiosk-1"] not in again


def test_seed_demo_has_every_role_and_at_least_three_departments(data_dir, capsys):
    from sqlalchemy import func, select

    from hall_server.db import Database
    from hall_server.models import Category, Department, Staff, Window
    run(capsys, "--data-dir", str(data_dir), "seed-demo")
    db = Database(f"sqlite:///{data_dir / 'hall.sqlite3'}")
    try:
        with db.read() as s:
            assert (s.scalar(select(func.count()).select_from(Department)) or 0) >= 3
            assert s.scalar(select(func.count()).select_from(Window)) == 12
            assert s.scalar(select(func.count()).select_from(Category)) == 4
            roles = set().union(*(st.role_set for st in s.scalars(select(Staff))))
            assert roles >= {"clerk", "cashier", "manager", "supervisor", "admin"}
    finally:
        db.dispose()


def test_add_staff_then_sign_in_and_refuse_a_duplicate(data_dir, capsys):
    run(capsys, "--data-dir", str(data_dir), "seed-demo")
    code, out = run(capsys, "--data-dir", str(data_dir), "add-staff", "1101", "林晓", "--roles", "clerk",
                    "--password", "secret99", "--department", "ZJJ", "--post", "科员")
    assert code == 0 and "1101" in out
    from hall_server.db import Database
    from hall_server.services import auth
    from hall_server.settings import Settings
    db = Database(f"sqlite:///{data_dir / 'hall.sqlite3'}")
    try:
        with db.write() as s:
            res = auth.login(s, settings=Settings(argon2_memory_kib=256, argon2_time_cost=1), staff_no="1101",
                             password="secret99", now=datetime.now(timezone.utc))
            assert res.staff.name == "林晓"
    finally:
        db.dispose()
    code, out = run(capsys, "--data-dir", str(data_dir), "add-staff", "1101", "林晓", "--roles", "clerk",
                    "--password", "secret99")
    assert code == 2 and "已存在" in out
    code, out = run(capsys, "--data-dir", str(data_dir), "add-staff", "1102", "某", "--roles", "wizard",
                    "--password", "secret99")
    assert code == 2 and "未知角色" in out


def test_add_device_prints_its_token_once(data_dir, capsys):
    run(capsys, "--data-dir", str(data_dir), "init-db")
    code, out = run(capsys, "--data-dir", str(data_dir), "add-device", "kiosk-2", "--kind", "kiosk")
    assert code == 0
    token = out.strip().splitlines()[-1]
    actor = _resolve(data_dir, token)
    assert actor.device_name == "kiosk-2" and {r.value for r in actor.roles} == {"kiosk"}
    code, out = run(capsys, "--data-dir", str(data_dir), "add-device", "kiosk-2", "--kind", "kiosk")
    assert code == 2 and token not in out


def test_verify_audit_passes_on_an_untouched_log(data_dir, capsys):
    run(capsys, "--data-dir", str(data_dir), "seed-demo")
    code, out = run(capsys, "--data-dir", str(data_dir), "verify-audit")
    assert code == 0 and "审计链完整" in out


def test_backup_is_a_consistent_copy_while_the_server_writes(data_dir, capsys, tmp_path):
    """Writers keep committing during the copy; the copy opens, passes integrity_check,
    and its event chain verifies."""
    from hall_server.db import Database
    from hall_server.domain.roles import Role
    from hall_server.services import events, queue
    from hall_server.services.actors import Actor
    from hall_server.settings import Settings
    run(capsys, "--data-dir", str(data_dir), "seed-demo")
    settings = Settings(data_dir=data_dir)
    db = Database(settings.sqlalchemy_url)
    kiosk = Actor(kind="device", id=1, name="kiosk-1", roles=frozenset({Role.KIOSK}), device_name="kiosk-1")
    stop, written = threading.Event(), threading.Event()
    count = [0]

    def writer() -> None:
        while not stop.is_set():
            with db.write() as s:
                queue.issue_ticket(s, settings=settings, prefix="A", priority=False, actor=kiosk,
                                   now=datetime.now(timezone.utc))
            count[0] += 1
            if count[0] >= 20:
                written.set()

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert written.wait(30)  # the server is busy writing
        dest = tmp_path / "copy.sqlite3"
        code, out = run(capsys, "--data-dir", str(data_dir), "backup", "--output", str(dest))
        before_stop = count[0]
    finally:
        stop.set()
        t.join(30)
        db.dispose()
    assert code == 0 and "ok" in out
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    finally:
        conn.close()
    assert 20 <= tickets <= before_stop + 1
    copy = Database(f"sqlite:///{dest}")
    try:
        with copy.read() as s:
            assert events.verify(s).ok
    finally:
        copy.dispose()


def test_backup_is_refused_for_postgresql(capsys):
    code, out = run(capsys, "--database-url", "postgresql+psycopg://u@127.0.0.1:1/x", "backup")
    assert code == 2 and "pg_dump" in out
