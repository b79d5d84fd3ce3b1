"""The queue over HTTP on a real migrated database: issue, call, act, errors."""
from __future__ import annotations

from datetime import datetime, timezone


def take(client, kiosk, category="A", **kw):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/tickets", json={"category": category, **kw}, headers=kiosk)
    assert r.status_code == 201, r.text
    return r.json()


def test_numbers_count_up_per_category_and_tell_waiting_ahead(client, kiosk):
    a1, a2, b1 = take(client, kiosk, "A"), take(client, kiosk, "A"), take(client, kiosk, "B")
    assert [a1["number"], a2["number"], b1["number"]] == ["A001", "A002", "B001"]
    assert a2["waiting_ahead"] == 1 and b1["waiting_ahead"] == 0
    assert a1["category_name"] == "工程建设审批"


def test_numbers_restart_at_local_midnight(client, kiosk, clock):
    take(client, kiosk, "A")
    clock.set(datetime(2026, 11, 24, 15, 59, tzinfo=timezone.utc))  # 23:59 Shanghai
    assert take(client, kiosk, "A")["number"] == "A002"
    clock.set(datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc))  # 00:00 Shanghai next day
    assert take(client, kiosk, "A")["number"] == "A001"


def test_call_start_complete_walks_the_machine_and_logs_events(client, kiosk, login):
    take(client, kiosk, "A")
    clerk = login("1001", window_no=1)
    r = client.post("/api/v1/windows/1/call-next", headers=clerk)
    assert r.status_code == 200 and r.json()["number"] == "A001" and r.json()["state"] == "called"
    assert set(r.json()["allowed"]) == {"recall", "start", "skip", "transfer"}
    assert client.post("/api/v1/windows/1/start", headers=clerk).json()["state"] == "serving"
    assert client.post("/api/v1/windows/1/complete", headers=clerk).json()["state"] == "done"
    sup = login("4001")
    types = [e["type"] for e in client.get("/api/v1/events/log", headers=sup).json()["events"]]
    assert types[-5:] == ["ticket.issued", "duty.started", "ticket.called", "ticket.started", "ticket.completed"]
    assert client.get("/api/v1/audit/verify", headers=sup).json()["ok"] is True


def test_illegal_move_is_409_and_changes_nothing(client, kiosk, login):
    take(client, kiosk, "A")
    clerk = login("1001", window_no=1)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    sup = login("4001")
    before = client.get("/api/v1/events/log", headers=sup).json()["last_seq"]
    r = client.post("/api/v1/windows/1/complete", headers=clerk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    assert "已叫号" in r.json()["error"]["message"]
    assert client.get("/api/v1/events/log", headers=sup).json()["last_seq"] == before


def test_priority_ticket_is_served_first(client, kiosk, login):
    take(client, kiosk, "A")
    guide = login("3001")
    p = client.post("/api/v1/tickets", json={"category": "A", "priority": True, "priority_reason": "老年人"},
                    headers=guide)
    assert p.status_code == 201
    clerk = login("1001", window_no=1)
    assert client.post("/api/v1/windows/1/call-next", headers=clerk).json()["number"] == p.json()["number"]


def test_kiosk_cannot_self_grant_priority(client, kiosk):
    r = client.post("/api/v1/tickets", json={"category": "A", "priority": True}, headers=kiosk)
    assert r.status_code == 403 and r.json()["error"]["code"] == "priority_needs_staff"


def test_only_the_clerk_on_duty_may_call(client, kiosk, login):
    take(client, kiosk, "A")
    login("1001", window_no=1)
    other = login("1002", window_no=2)
    r = client.post("/api/v1/windows/1/call-next", headers=other)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_on_duty"


def test_one_clerk_per_window(client):
    client.post("/api/v1/auth/login", json={"staff_no": "1001", "password": "demo1234", "window_no": 3})
    r = client.post("/api/v1/auth/login", json={"staff_no": "1002", "password": "demo1234", "window_no": 3})
    assert r.status_code == 409 and r.json()["error"]["code"] == "window_taken"
    assert "王建国" in r.json()["error"]["message"]


def test_skipped_ticket_may_rejoin_once_within_the_time(client, kiosk, login, clock):
    take(client, kiosk, "A")
    clerk = login("1001", window_no=1)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    assert client.post("/api/v1/windows/1/skip", headers=clerk).json()["state"] == "skipped"
    clock.advance(minutes=10)
    r = client.post("/api/v1/tickets/requeue", json={"number": "A001"}, headers=kiosk)
    assert r.status_code == 200 and r.json()["state"] == "waiting"
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    client.post("/api/v1/windows/1/skip", headers=clerk)
    r = client.post("/api/v1/tickets/requeue", json={"number": "A001"}, headers=kiosk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "requeue_used"


def test_requeue_after_the_time_is_refused(client, kiosk, login, clock):
    take(client, kiosk, "A")
    clerk = login("1001", window_no=1)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    client.post("/api/v1/windows/1/skip", headers=clerk)
    clock.advance(minutes=31)
    r = client.post("/api/v1/tickets/requeue", json={"number": "A001"}, headers=kiosk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "requeue_expired"


def test_transfer_to_another_window_goes_to_its_front(client, kiosk, login):
    take(client, kiosk, "A")
    take(client, kiosk, "B")
    take(client, kiosk, "B")
    c1 = login("1001", window_no=1)
    c5 = login("1005", window_no=5)
    client.post("/api/v1/windows/1/call-next", headers=c1)
    r = client.post("/api/v1/windows/1/transfer", json={"to_window": 5}, headers=c1)
    assert r.status_code == 200 and r.json()["state"] == "waiting"
    assert client.post("/api/v1/windows/5/call-next", headers=c5).json()["number"] == "A001"


def test_transfer_to_category_requeues_there(client, kiosk, login):
    take(client, kiosk, "A")
    c1 = login("1001", window_no=1)
    c5 = login("1005", window_no=5)
    client.post("/api/v1/windows/1/call-next", headers=c1)
    client.post("/api/v1/windows/1/transfer", json={"to_category": "B"}, headers=c1)
    r = client.post("/api/v1/windows/5/call-next", headers=c5)
    assert r.json()["number"] == "A001" and r.json()["category"] == "B"


def test_pause_needs_reason_and_blocks_calling(client, kiosk, login, clock):
    take(client, kiosk, "A")
    clerk = login("1001", window_no=1)
    assert client.post("/api/v1/windows/1/pause", json={"reason": ""}, headers=clerk).status_code == 422
    assert client.post("/api/v1/windows/1/pause", json={"reason": "业务咨询"}, headers=clerk).status_code == 200
    r = client.post("/api/v1/windows/1/call-next", headers=clerk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "window_paused"
    clock.advance(minutes=5)
    assert client.post("/api/v1/windows/1/resume", headers=clerk).status_code == 200
    sup = login("4001")
    ev = client.get("/api/v1/events/log", headers=sup).json()["events"][-1]
    assert ev["type"] == "window.resumed" and ev["data"]["paused_s"] == 300


def test_snapshot_shows_badge_waiting_and_current(client, kiosk, login, display):
    take(client, kiosk, "A")
    take(client, kiosk, "A")
    clerk = login("1001", window_no=1)
    client.post("/api/v1/windows/1/call-next", headers=clerk)
    snap = client.get("/api/v1/hall", headers=display).json()
    w1 = snap["windows"][0]
    assert w1["state"] == "calling" and w1["current"]["number"] == "A001"
    assert w1["badge"]["name"] == "王建国" and w1["badge"]["department"] == "市住房和城乡建设局"
    assert {c["prefix"]: c["waiting"] for c in snap["categories"]}["A"] == 1
    assert snap["recent_calls"][0] == {"number": "A001", "window_no": 1, "at": snap["recent_calls"][0]["at"]}
    assert snap["windows"][1]["state"] == "offline"


def test_idempotency_key_returns_first_answer_and_creates_nothing(client, kiosk):
    h = {**kiosk, "Idempotency-Key": "k-1"}
    r1 = client.post("/api/v1/tickets", json={"category": "A"}, headers=h)
    r2 = client.post("/api/v1/tickets", json={"category": "A"}, headers=h)
    assert r1.json() == r2.json() and r2.headers.get("idempotent-replay") == "true"
    assert take(client, kiosk, "A")["number"] == "A002"


def test_bad_input_is_never_500(client, kiosk, login):
    assert client.post("/api/v1/tickets", json={"category": "Z"}, headers=kiosk).json()["error"]["code"] == "category_not_found"
    r = client.post("/api/v1/tickets", content=b"{not json", headers={**kiosk, "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    assert client.post("/api/v1/tickets", json={"category": 5}, headers=kiosk).status_code == 422
    assert client.post("/api/v1/tickets", json={"category": "A" * 5000}, headers=kiosk).status_code == 422
    clerk = login("1001", window_no=1)
    r = client.post("/api/v1/windows/99/call-next", headers=clerk)
    assert r.status_code == 404 and r.json()["error"]["code"] == "window_not_found"
    assert client.post("/api/v1/tickets", json={"category": "A"}).status_code == 401
    assert client.post("/api/v1/tickets", json={"category": "A"}, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_real_name_ticket_keeps_id_masked(client, kiosk, display):
    r = client.post("/api/v1/tickets", json={"category": "B", "id_card": {"name": "张三", "id_number": "11010519491231002X"}},
                    headers=kiosk)
    assert r.status_code == 201 and r.json()["citizen_id_number"] == "110105********002X"
    assert r.json()["citizen_name"] == "张*"
    bad = client.post("/api/v1/tickets", json={"category": "B", "id_card": {"name": "张三", "id_number": "110105194912310021"}},
                      headers=kiosk)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_id_number"


def test_lockout_after_repeated_failures(client, clock):
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"staff_no": "1001", "password": "wrong!"})
        assert r.status_code == 401
        clock.advance(seconds=31)  # past the growing delay between attempts (services/auth.py)
    r = client.post("/api/v1/auth/login", json={"staff_no": "1001", "password": "demo1234"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "account_locked"


def test_tokens_expire_and_can_be_revoked(client, login, clock):
    h = login("1001")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200
    clock.advance(hours=13)
    r = client.get("/api/v1/auth/me", headers=h)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_expired"
    h2 = login("1001")
    admin = login("9001")
    assert client.post("/api/v1/admin/tokens/revoke", json={"staff_no": "1001"}, headers=admin).json()["revoked"] >= 1
    assert client.get("/api/v1/auth/me", headers=h2).status_code == 401


def test_a_priority_ticket_needs_a_reason_and_logs_who_granted_it(client, login):
    mgr = login("3001")
    r = client.post("/api/v1/tickets", json={"category": "A", "priority": True}, headers=mgr)
    assert r.status_code == 422 and "原因" in r.json()["error"]["message"]
    r = client.post("/api/v1/tickets", json={"category": "A", "priority": True, "priority_reason": "孕妇"},
                    headers=mgr)
    assert r.status_code == 201 and r.json()["priority"] is True
    sup = login("4001")
    ev = client.get("/api/v1/supervision/events", params={"type": "ticket.issued"}, headers=sup).json()["events"][0]
    assert ev["data"]["priority_reason"] == "孕妇" and ev["data"]["staff_no"] == "3001"


def test_who_may_grant_priority(client, login):
    """The manager (咨询台 duty) and a clerk may; the supervision office and a cashier may not."""
    body = {"category": "A", "priority": True, "priority_reason": "老年人"}
    assert client.post("/api/v1/tickets", json=body, headers=login("3001")).status_code == 201
    assert client.post("/api/v1/tickets", json=body, headers=login("1001", window_no=1)).status_code == 201
    for who in (login("4001"), login("2001", window_no=12)):
        r = client.post("/api/v1/tickets", json=body, headers=who)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role"
