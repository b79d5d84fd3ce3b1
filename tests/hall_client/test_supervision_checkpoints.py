"""Every supervision client keeps the signed checkpoints it has seen, and its integrity
check fails when the server's chain no longer extends one (here: the last events
deleted and the tip moved back, which the chain alone cannot see)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import create_engine, text


@pytest.fixture(autouse=True)
def _client_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "client-data"))


def _delete_after(url: str, keep: int) -> int:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER IF EXISTS events_no_delete"))
            else:
                conn.execute(text("DROP TRIGGER IF EXISTS events_no_change ON events"))
            conn.execute(text("DELETE FROM events WHERE seq > :s"), {"s": keep})
            h = conn.execute(text("SELECT hash FROM events WHERE seq = :s"), {"s": keep}).scalar()
            conn.execute(text("UPDATE event_head SET seq = :s, hash = :h WHERE id = 1"), {"s": keep, "h": h})
        return keep
    finally:
        engine.dispose()


def test_the_client_keeps_checkpoints_and_catches_a_deleted_tail(qtbot, client_factory, wait_ms, settings, app,
                                                                 tmp_path):
    from hall_server.api import anchoring
    from hall_server.services.anchors import write_key_file
    write_key_file(settings.audit_key_path)
    assert anchoring.run_once(app.state.ctx, every_hours=24)  # the server's daily checkpoint
    b = client_factory("supervision", token="", wait_online=False)
    w = b.widget
    w.login.staff_no.setText("4001")
    w.login.password.setText("demo1234")
    with qtbot.wait_signal(w.cards.loaded, timeout=wait_ms):
        w.login.button.click()
    with qtbot.wait_signal(w.audit.checked, timeout=wait_ms) as got:
        w.audit.go.click()
    assert got.args[0].ok, w.audit.result.text()
    kept = w.audit.store.all()
    assert len(kept) == 1 and (tmp_path / "client-data" / "hall-client" / "audit-checkpoints.jsonl").exists()

    _delete_after(settings.sqlalchemy_url, kept[0].seq - 2)  # the last events up to the checkpoint's seq
    with qtbot.wait_signal(w.audit.checked, timeout=wait_ms) as got:
        w.audit.go.click()
    assert not got.args[0].ok
    text_ = w.audit.result.text()
    assert "日志不完整" in text_ and f"第 {kept[0].seq} 条" in text_
    assert "末尾事件被删除" in text_ or "已被删除" in text_
