"""A bounded schema-fuzzing run over /openapi.json (schemathesis): every operation,
with valid and invalid generated input, with a fresh token of each role it allows (in
turn), one of a role it does not allow, and none; on SQLite and PostgreSQL. The bar: no
answer is a server error. Seeded (derandomized) and small, so it is the same run every
time and stays within about a minute per database."""
from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis.errors import Unsatisfiable
from hypothesis import settings as hsettings
from schemathesis import GenerationMode

from hall_server.domain.roles import ALL_ROLES, DEVICE_ROLES, Role

EXAMPLES = 3  # per operation and generation mode
SKIP = {("POST", "/api/v1/auth/logout")}  # revokes the token the rest of the run uses; covered elsewhere

STAFF = {Role.CLERK: ("1001", 1), Role.CASHIER: ("2001", 12), Role.MANAGER: ("3001", None),
         Role.SUPERVISOR: ("4001", None), Role.ADMIN: ("9001", None)}
DEVICE = {Role.KIOSK: "kiosk-1", Role.DISPLAY: "display-1", Role.EVALUATOR: "evaluator-1"}


def _roles_of(app: Any) -> dict[tuple[str, str], frozenset[Role]]:
    out: dict[tuple[str, str], frozenset[Role]] = {}
    for r in app.routes:
        dep = getattr(r, "dependant", None)
        if dep is None:
            continue
        roles: frozenset[Role] = frozenset()
        stack = list(dep.dependencies)
        while stack:
            d = stack.pop()
            roles |= getattr(d.call, "allowed_roles", frozenset())
            stack += d.dependencies
        for m in getattr(r, "methods", ()) or ():
            out[(m, r.path)] = roles
    return out


def test_no_generated_request_gets_a_server_error(client, app, device_tokens):
    def token(role: Role) -> dict[str, str]:
        if role in DEVICE_ROLES:
            return {"Authorization": f"Bearer {device_tokens[DEVICE[role]]}"}
        staff_no, window = STAFF[role]
        r = client.post("/api/v1/auth/login", json={"staff_no": staff_no, "password": "demo1234"})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    roles = _roles_of(app)
    failures: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        op = result.ok()
        method, path = op.method.upper(), op.path
        if (method, path) in SKIP:
            continue
        allowed = sorted(roles.get((method, path), frozenset()))
        denied = sorted(set(ALL_ROLES) - set(allowed))
        headers_cycle = itertools.cycle(
            [token(r) for r in allowed] + ([token(denied[0])] if denied else []) + [{}])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=op.as_strategy(generation_mode=mode))
            @hsettings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                       suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
            def run(case: Any) -> None:
                nonlocal checked
                kw = case.as_transport_kwargs(base_url="http://testserver", headers=next(headers_cycle))
                kw.pop("cookies", None)
                if "data" in kw:
                    kw["content"] = kw.pop("data")
                try:
                    r = client.request(**kw)
                except Exception as e:  # the test client raises what a real server would turn into a 500
                    failures.append(f"{method} {path} {kw.get('params')} {str(kw.get('json'))[:200]}: {e!r}")
                    return
                checked += 1
                if r.status_code >= 500:
                    failures.append(f"{method} {path} {kw.get('params')} {str(kw.get('json'))[:200]}: "
                                    f"{r.status_code} {r.text[:200]}")

            try:
                run()
            except Unsatisfiable:  # nothing in this operation can be made invalid: no negative case
                pass
            except Exception as e:  # generation itself failed for this operation: report, don't hide
                failures.append(f"{method} {path} ({mode.value}): generation failed: {e!r}"[:300])
    assert checked > 200
    assert not failures, "\n".join(failures[:40])


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """The test client, not raising server exceptions: a 500 is an answer to record."""
    from fastapi.testclient import TestClient
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
