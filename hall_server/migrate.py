"""Alembic at start: migrate an older schema, refuse a newer one (never guess)."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the server: starting would corrupt it."""


def config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str) -> None:
    cfg = config(url)
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    cur = current_revision(url)
    if cur is not None and cur not in known:
        raise SchemaTooNew(
            f"数据库结构版本 {cur} 比本程序新，拒绝启动。请升级服务器程序后再试。")
    if cur != script.get_current_head():
        log.info("migrating database from %s to %s", cur, script.get_current_head())
        command.upgrade(cfg, "head")
