"""What ``create_app`` starts with the server: the SQLite checkpointer looks at the WAL as
often as the settings say (``wal_checkpoint_ms``), which is what bounds the WAL's size."""
from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import Template, fast_settings, wait_until


def _hall(tmp_path: Path, template: Template, **kw: object) -> tuple[Path, TestClient]:
    from hall_server.app import create_app
    path = tmp_path / "hall.sqlite3"
    shutil.copy(template.url.removeprefix("sqlite:///"), path)
    app = create_app(fast_settings(data_dir=tmp_path, database_url=f"sqlite:///{path}", **kw))
    return path, TestClient(app)


def _grows(path: Path, before: int, seconds: float) -> bool:
    """Whether the database file takes in the WAL within ``seconds``."""
    return wait_until(lambda: path.stat().st_size > before + 1_000_000, seconds)


def _write_two_megabytes(client: TestClient) -> None:
    db = client.app.state.ctx.db  # type: ignore[attr-defined]
    with db.write() as s:
        s.execute(text("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)"))
        s.execute(text("INSERT INTO filler (body) VALUES (:b)"), [{"b": "办" * 2000} for _ in range(300)])


def test_the_server_copies_its_wal_back_as_often_as_wal_checkpoint_ms_says(
        tmp_path: Path, sqlite_template: Template) -> None:
    path, client = _hall(tmp_path, sqlite_template, wal_checkpoint_ms=10)
    with client:
        before = path.stat().st_size
        _write_two_megabytes(client)
        assert _grows(path, before, seconds=10)


def test_a_checkpointer_told_to_wait_ten_minutes_copies_nothing_within_a_second(
        tmp_path: Path, sqlite_template: Template) -> None:
    """The default (250 ms) or a constant in the wiring would have copied it by then."""
    path, client = _hall(tmp_path, sqlite_template, wal_checkpoint_ms=600_000)
    with client:
        before = path.stat().st_size
        _write_two_megabytes(client)  # commits leave checkpoints to the thread, which is still waiting
        assert not _grows(path, before, seconds=1)
        assert Path(f"{path}-wal").stat().st_size > 1_000_000
