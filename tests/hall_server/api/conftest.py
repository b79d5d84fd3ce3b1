"""Helpers for tests that walk every endpoint: routes with their roles, and a fresh
token for any role, made straight in the database (fast, and independent of the
endpoints under test, which may revoke tokens)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute

from hall_server.domain.roles import ALL_ROLES, Role

# endpoints that need no token, on purpose; anything else must name its roles
PUBLIC = frozenset({("POST", "/api/v1/auth/login"), ("GET", "/api/v1/health")})

ROLE_PRINCIPAL = {
    Role.CLERK: ("staff", "1001"), Role.CASHIER: ("staff", "2001"), Role.MANAGER: ("staff", "3001"),
    Role.SUPERVISOR: ("staff", "4001"), Role.ADMIN: ("staff", "9001"),
    Role.KIOSK: ("device", "kiosk-1"), Role.DISPLAY: ("device", "display-1"),
    Role.EVALUATOR: ("device", "evaluator-1"),
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared, with {params}
    route: APIRoute
    roles: frozenset[Role] | None  # None: names no roles
    public: bool = False  # deliberately open: a dependency marked ``.public = True``

    def url(self) -> str:
        """The path with every parameter filled: window 1 (where the clerk is on duty), else 1."""
        out = self.path
        for p in self.route.dependant.path_params:
            out = out.replace("{" + p.name + "}", "1")
        return out

    @property
    def has_body(self) -> bool:
        return self.route.body_field is not None


def is_public(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        d = stack.pop()
        if getattr(d.call, "public", False) is True:
            return True
        stack.extend(d.dependencies)
    return False


def allowed_roles(route: APIRoute) -> frozenset[Role] | None:
    """The union of ``require(...)`` roles found anywhere in the route's dependencies."""
    found: set[Role] = set()
    seen = False
    stack = list(route.dependant.dependencies)
    while stack:
        d = stack.pop()
        if getattr(d.call, "public", False) is True:
            continue
        roles = getattr(d.call, "allowed_roles", None)
        if roles is not None:
            seen = True
            found |= set(roles)
        stack.extend(d.dependencies)
    return frozenset(found) if seen else None


def _flat_routes(app) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """(full path, route) for every route; newer FastAPI nests included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        for r in app.routes:
            yield getattr(r, "path", ""), r
        return
    for rc in iter_route_contexts(app.routes):
        yield rc.path or "", rc.original_route


def endpoints(app) -> list[Endpoint]:  # type: ignore[no-untyped-def]
    out = []
    for path, r in _flat_routes(app):
        if not isinstance(r, APIRoute):
            continue
        for m in sorted(r.methods - {"HEAD", "OPTIONS"}):
            public = is_public(r) or (m, path) in PUBLIC
            out.append(Endpoint(m, path, r, None if public else allowed_roles(r), public))
    return out


@pytest.fixture
def role_token(app) -> Callable[[Role], dict[str, str]]:  # type: ignore[no-untyped-def]
    """role_token(Role.KIOSK) -> fresh Authorization headers for that role's demo principal."""
    from sqlalchemy import select

    from hall_server.models import Device, Staff, Token
    from hall_server.services import auth
    db, clock = app.state.ctx.db, app.state.ctx.clock

    def make(role: Role) -> dict[str, str]:
        kind, name = ROLE_PRINCIPAL[role]
        tok = auth.new_token()
        with db.write() as s:
            if kind == "staff":
                sid = s.scalar(select(Staff.id).where(Staff.staff_no == name))
                s.add(Token(token_hash=auth.hash_token(tok), staff_id=sid, created_at=clock()))
            else:
                did = s.scalar(select(Device.id).where(Device.name == name))
                s.add(Token(token_hash=auth.hash_token(tok), device_id=did, created_at=clock()))
        return {"Authorization": f"Bearer {tok}"}
    return make


@pytest.fixture
def all_role_tokens(role_token) -> Iterator[Callable[[], dict[Role, dict[str, str]]]]:  # type: ignore[no-untyped-def]
    yield lambda: {r: role_token(r) for r in ALL_ROLES}


@pytest.fixture
def api_endpoints(app) -> list[Endpoint]:  # type: ignore[no-untyped-def]
    """Every HTTP endpoint of the app as built (all areas' routers included)."""
    return endpoints(app)


@pytest.fixture
def public_endpoints() -> frozenset[tuple[str, str]]:
    return PUBLIC
