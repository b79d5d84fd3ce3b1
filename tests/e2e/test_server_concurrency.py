"""Real HTTP on loopback: 8 kiosks issuing and 20 windows calling at the same time.
No number is issued twice, no ticket is called by two windows, the chain verifies.
On PostgreSQL each proof also runs with the clients spread over two server instances."""
from __future__ import annotations

import queue as queue_mod
import threading
from collections import Counter, defaultdict
from typing import Any

import httpx

KIOSKS, WINDOWS, PER_KIOSK = 8, 20, 25
TIMEOUT = 30


def _post(c: httpx.Client, path: str, headers: dict[str, str], **kw: Any) -> httpx.Response:
    return c.post(path, headers=headers, **kw)


def _setup(base: str) -> tuple[list[dict[str, str]], list[tuple[int, dict[str, str]]], dict[str, str]]:
    """Extra kiosks, windows and clerks made through the admin API, as a hall would."""
    with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        admin_tok = c.post("/api/v1/auth/login", json={"staff_no": "9001", "password": "demo1234"}).json()["token"]
        admin = {"Authorization": f"Bearer {admin_tok}"}
        kiosks = []
        for i in range(KIOSKS):
            r = _post(c, "/api/v1/admin/devices", admin, json={"name": f"kiosk-load-{i}", "kind": "kiosk"})
            assert r.status_code == 201, r.text
            kiosks.append({"Authorization": f"Bearer {r.json()['token']}"})
        clerks = []
        for i in range(WINDOWS):
            no = 100 + i
            r = _post(c, "/api/v1/admin/windows", admin,
                      json={"window_no": no, "name": f"综合窗口 {no}", "categories": ["A", "B", "C"]})
            assert r.status_code == 201, r.text
            staff_no = f"7{i:03d}"
            r = _post(c, "/api/v1/admin/staff", admin, json={"staff_no": staff_no, "name": f"测试{i}",
                                                              "password": "load1234", "roles": ["clerk"]})
            assert r.status_code == 201, r.text
            r = c.post("/api/v1/auth/login", json={"staff_no": staff_no, "password": "load1234", "window_no": no})
            assert r.status_code == 200, r.text
            clerks.append((no, {"Authorization": f"Bearer {r.json()['token']}"}))
    return kiosks, clerks, admin


def test_eight_kiosks_and_twenty_windows_at_once_never_duplicate_or_double_call(live_urls):
    kiosks, clerks, admin = _setup(live_urls[0])
    start = threading.Barrier(KIOSKS + WINDOWS)
    permits: queue_mod.Queue[int | None] = queue_mod.Queue()  # one per ticket issued
    issued: list[dict[str, Any]] = []
    called: dict[int, list[dict[str, Any]]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()

    def kiosk(i: int, headers: dict[str, str]) -> None:
        with httpx.Client(base_url=live_urls[i % len(live_urls)], timeout=TIMEOUT) as c:
            start.wait(TIMEOUT)
            for n in range(PER_KIOSK):
                r = c.post("/api/v1/tickets", json={"category": "ABC"[(i + n) % 3]}, headers=headers)
                if r.status_code != 201:
                    errors.append(f"issue {r.status_code} {r.text}")
                    continue
                with lock:
                    issued.append(r.json())
                permits.put(1)

    def window(no: int, headers: dict[str, str]) -> None:
        with httpx.Client(base_url=live_urls[no % len(live_urls)], timeout=TIMEOUT) as c:
            start.wait(TIMEOUT)
            while permits.get(timeout=TIMEOUT) is not None:
                # holding a permit means a waiting ticket exists for this window
                r = c.post(f"/api/v1/windows/{no}/call-next", headers=headers)
                if r.status_code != 200:
                    errors.append(f"call {no} {r.status_code} {r.text}")
                    continue
                with lock:
                    called[no].append(r.json())
                for step in ("start", "complete"):
                    r = c.post(f"/api/v1/windows/{no}/{step}", headers=headers)
                    if r.status_code != 200:
                        errors.append(f"{step} {no} {r.status_code} {r.text}")

    threads = [threading.Thread(target=kiosk, args=(i, h)) for i, h in enumerate(kiosks)]
    threads += [threading.Thread(target=window, args=(no, h)) for no, h in clerks]
    for t in threads:
        t.start()
    for t in threads[:KIOSKS]:
        t.join(120)
    for _ in range(WINDOWS):
        permits.put(None)
    for t in threads[KIOSKS:]:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:5]

    total = KIOSKS * PER_KIOSK
    numbers = [t["number"] for t in issued]
    assert len(numbers) == total and len(set(numbers)) == total, "a number was issued twice"
    by_cat: dict[str, list[int]] = defaultdict(list)
    for n in numbers:
        by_cat[n[0]].append(int(n[1:]))
    for seqs in by_cat.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), "numbers are not contiguous"

    calls = [t["id"] for ts in called.values() for t in ts]
    assert len(calls) == total and len(set(calls)) == total, "a ticket was called by two windows"
    assert len(called) > 1  # the windows really did work side by side

    with httpx.Client(base_url=live_urls[-1], timeout=TIMEOUT) as c:
        v = c.get("/api/v1/audit/verify", headers=admin).json()
        assert v["ok"] is True, v
        log = c.get("/api/v1/events/log", params={"limit": 5000}, headers=admin).json()["events"]
    kinds = Counter(e["type"] for e in log)
    assert kinds["ticket.issued"] == total and kinds["ticket.called"] == total
    assert kinds["ticket.completed"] == total


def test_concurrent_twins_with_one_idempotency_key_create_one_ticket(live_urls, kiosk):
    twins = 12
    start = threading.Barrier(twins)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def post(i: int) -> None:
        with httpx.Client(base_url=live_urls[i % len(live_urls)], timeout=TIMEOUT) as c:
            start.wait(TIMEOUT)
            r = c.post("/api/v1/tickets", json={"category": "A"}, headers={**kiosk, "Idempotency-Key": "twin-1"})
            with lock:
                answers.append(r)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(twins)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == twins and {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    with httpx.Client(base_url=live_urls[-1], timeout=TIMEOUT) as c:
        nxt = c.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    assert nxt["number"] == "A002"
