"""The event table is the audit log: append-only in the database itself, hash-chained,
and a change made behind the server's back is found at exactly its seq (API and CLI).
A failure mid-transaction leaves neither the state change nor its event."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from hall_server.__main__ import main


def take(client, kiosk, category="A"):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/tickets", json={"category": category}, headers=kiosk)
    assert r.status_code == 201, r.text
    return r.json()



def test_database_triggers_refuse_update_and_delete_of_events(client, kiosk, settings):
    take(client, kiosk)
    engine = create_engine(settings.sqlalchemy_url)
    try:
        for stmt in ("UPDATE events SET actor = 'x' WHERE seq = 1", "DELETE FROM events WHERE seq = 1"):
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(stmt))
    finally:
        engine.dispose()


def _tamper(url: str, seq: int) -> None:
    """What an insider with database access would do: drop the guard, edit a row."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER events_no_update"))
            else:
                conn.execute(text("DROP TRIGGER events_no_change ON events"))
            conn.execute(text("UPDATE events SET actor = 'staff:1002' WHERE seq = :s"), {"s": seq})
    finally:
        engine.dispose()


def test_a_tampered_row_fails_verification_at_exactly_its_seq(client, kiosk, login, settings, capsys):
    for _ in range(5):
        take(client, kiosk)
    sup = login("4001")
    r = client.get("/api/v1/audit/verify", headers=sup).json()
    assert r["ok"] is True and r["first_bad_seq"] is None
    last = r["last_seq"]
    bad = last - 2
    _tamper(settings.sqlalchemy_url, bad)

    r = client.get("/api/v1/audit/verify", headers=sup).json()
    assert r["ok"] is False and r["first_bad_seq"] == bad and r["checked"] == bad - 1

    capsys.readouterr()
    assert main(["--database-url", settings.sqlalchemy_url, "verify-audit"]) == 1
    out = capsys.readouterr().out
    assert f"第一个异常序号 {bad}" in out


def test_verify_audit_is_for_supervisors_and_admins_only(client, login):
    assert client.get("/api/v1/audit/verify", headers=login("1001")).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=login("9001")).json()["ok"] is True


def test_a_failure_mid_transaction_leaves_neither_state_nor_event(app, kiosk, monkeypatch):
    from fastapi.testclient import TestClient

    from hall_server.services import events

    with TestClient(app, raise_server_exceptions=False) as client:
        take(client, kiosk)  # A001
        real_append = events.append

        def append_then_fail(session, type, **kw):  # type: ignore[no-untyped-def]
            real_append(session, type, **kw)  # the ticket row and its event are flushed...
            raise RuntimeError("disk gone")  # ...then the transaction fails

        before = _counts(app)
        monkeypatch.setattr(events, "append", append_then_fail)
        r = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
        assert _counts(app) == before
        monkeypatch.setattr(events, "append", real_append)
        assert take(client, kiosk)["number"] == "A002"  # the failed one used no number
        with app.state.ctx.db.read() as s:
            assert events.verify(s).ok


def _counts(app) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from hall_server.models import Event, Ticket, TicketCounter
    with app.state.ctx.db.read() as s:
        return (s.scalar(select(func.count()).select_from(Ticket)) or 0,
                s.scalar(select(func.count()).select_from(Event)) or 0,
                s.scalar(select(func.coalesce(func.sum(TicketCounter.last), 0))) or 0)


def test_events_reach_the_log_with_the_change_that_made_them(client, kiosk, login):
    t = take(client, kiosk, "B")
    sup = login("4001")
    ev = client.get("/api/v1/events/log", headers=sup).json()["events"][-1]
    assert ev["type"] == "ticket.issued" and ev["data"]["ticket"] == t["number"]
    assert ev["actor"] == "device:kiosk-1"
