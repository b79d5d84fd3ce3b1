"""The server migrates an older schema at start and refuses a newer one, on SQLite and
PostgreSQL; ``hall-server run`` says so in Chinese and exits non-zero."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hall_server import migrate
from hall_server.app import create_app

FUTURE = "9999_from_the_future"


def _stamp(url: str, rev: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": rev})
    finally:
        engine.dispose()


def test_a_newer_schema_is_refused_at_start(settings):
    _stamp(settings.sqlalchemy_url, FUTURE)
    with pytest.raises(migrate.SchemaTooNew, match="比本程序新，拒绝启动"):
        create_app(settings)


def test_hall_server_run_refuses_a_newer_schema_with_a_clear_message(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    migrate.upgrade(url)
    _stamp(url, FUTURE)
    env = {**os.environ, "HALL_DATA_DIR": str(tmp_path)}
    p = subprocess.run([sys.executable, "-m", "hall_server", "run", "--port", "1"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert f"数据库结构版本 {FUTURE} 比本程序新，拒绝启动" in p.stderr
    assert "Traceback" not in p.stderr


def test_an_older_schema_is_migrated_at_start(tmp_path: Path):
    from alembic import command
    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    command.upgrade(migrate.config(url), "0001")
    assert migrate.current_revision(url) == "0001"
    from hall_server.settings import Settings
    create_app(Settings(data_dir=tmp_path, database_url=url)).state.ctx.db.dispose()
    from alembic.script import ScriptDirectory
    head = ScriptDirectory.from_config(migrate.config(url)).get_current_head()
    assert migrate.current_revision(url) == head
