"""Helpers for the fee tests: a real case through the intake API, notices, payments."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

BDC_MATERIALS = [{"code": f"M{i}", "status": "received"} for i in range(1, 8)]


@pytest.fixture
def bdc_clerk(login) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Clerk 1005 on duty at window 5 (不动产登记中心)."""
    return login("1005", window_no=5)  # type: ignore[no-any-return]


@pytest.fixture
def new_case(client, bdc_clerk) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """An accepted 不动产登记 case (BDC-001), made through the intake API."""
    def make(name: str = "张三") -> str:
        body = {"matter_code": "BDC-001", "window_no": 5, "outcome": "accept", "materials": BDC_MATERIALS,
                "applicant": {"kind": "person", "name": name, "id_number": "11010519491231002X",
                              "phone": "13800138000"}}
        r = client.post("/api/v1/cases", json=body, headers=bdc_clerk)
        assert r.status_code == 201, r.text
        return str(r.json()["case_no"])
    return make


@pytest.fixture
def raise_notice(client, bdc_clerk, new_case) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    def make(lines: list[tuple[str, str]] | None = None, case_no: str | None = None) -> dict[str, Any]:
        body = {"case_no": case_no or new_case(),
                "lines": [{"item_code": c, "quantity": q} for c, q in (lines or [("BDC-DJF-ZZ", "1")])]}
        r = client.post("/api/v1/fees/notices", json=body, headers=bdc_clerk)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]
    return make


@pytest.fixture
def cashier(login) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Cashier 2001 on duty at the fee window 12."""
    return login("2001", window_no=12)  # type: ignore[no-any-return]


@pytest.fixture
def pay(client, cashier) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    def do(notice: str, method: str = "cash", tendered_fen: int | None = None, reference: str = "",
           headers: dict[str, str] | None = None, expect: int = 201) -> Any:
        body: dict[str, Any] = {"notice": notice, "method": method, "reference": reference}
        if tendered_fen is not None:
            body["tendered_fen"] = tendered_fen
        r = client.post("/api/v1/fees/receipts", json=body, headers=headers or cashier)
        assert r.status_code == expect, r.text
        return r.json()
    return do


@pytest.fixture
def last_seq(client, login) -> Callable[[], int]:  # type: ignore[no-untyped-def]
    def get() -> int:
        return int(client.get("/api/v1/events/log?limit=1", headers=login("4001")).json()["last_seq"])
    return get


@pytest.fixture
def events_of(client, login) -> Callable[[str], list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    def get(prefix: str) -> list[dict[str, Any]]:
        sup = login("4001")  # fresh: a test may move the clock past a token's life
        out: list[dict[str, Any]] = []
        after = 0
        while True:
            page = client.get(f"/api/v1/events/log?after={after}&limit=5000", headers=sup).json()
            out += [e for e in page["events"] if e["type"].startswith(prefix)]
            if not page["events"]:
                return out
            after = page["events"][-1]["seq"]
    return get
