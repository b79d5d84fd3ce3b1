"""Helpers for the accountability tests: serve a ticket to completion, headers for the
demo evaluators, the event log as the supervision office reads it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def evaluator(device_tokens: dict[str, str]) -> Callable[[int], dict[str, str]]:
    """evaluator(1) -> headers of the demo evaluator facing window 1."""
    return lambda window_no: {"Authorization": f"Bearer {device_tokens[f'evaluator-{window_no}']}"}


@pytest.fixture
def serve(client, kiosk, login) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    """serve() -> a ticket taken at the kiosk and completed by clerk 1001 at window 1."""
    clerks: dict[tuple[str, int], dict[str, str]] = {}

    def do(staff_no: str = "1001", window_no: int = 1, category: str = "A", complete: bool = True) -> dict[str, Any]:
        t = client.post("/api/v1/tickets", json={"category": category}, headers=kiosk)
        assert t.status_code == 201, t.text
        if (staff_no, window_no) not in clerks:
            clerks[staff_no, window_no] = login(staff_no, window_no=window_no)
        h = clerks[staff_no, window_no]
        steps = ("call-next", "start", "complete") if complete else ("call-next",)
        for step in steps:
            r = client.post(f"/api/v1/windows/{window_no}/{step}", headers=h)
            assert r.status_code == 200, r.text
        return t.json()
    return do


@pytest.fixture
def event_log(client, login) -> Callable[..., list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    def do(prefix: str = "") -> list[dict[str, Any]]:
        sup = login("4001")  # fresh each time: a test may move the clock past a token's life
        evs = client.get("/api/v1/events/log?limit=5000", headers=sup).json()["events"]
        return [e for e in evs if e["type"].startswith(prefix)]
    return do
