"""Request dependencies: the app's shared objects, the acting principal, role checks,
and the Idempotency-Key guard every creating POST uses."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Database
from ..domain.errors import BadInput, Forbidden, HallError, Unauthorized
from ..domain.roles import Role
from ..models import Idempotency
from ..services import auth
from ..services.actors import Actor
from ..settings import Settings


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class AppContext:
    """Everything a router needs, built once in ``app.create_app``."""
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = utcnow
    hub: Any = None

    def now(self) -> datetime:
        return self.clock()


def ctx(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("请先登录（缺少令牌）。", code="missing_token")
    return token.strip()


def current_actor(request: Request, c: AppContext = Depends(ctx)) -> Actor:
    token = bearer(request)
    with c.db.read() as s:
        actor = auth.resolve(s, token=token, now=c.now())
    request.state.actor = actor
    return actor


def require(*roles: Role) -> Callable[..., Actor]:
    """Dependency factory: the endpoint names the roles it allows, nothing else passes."""
    allowed = frozenset(roles)

    def dep(actor: Actor = Depends(current_actor)) -> Actor:
        if not actor.roles & allowed:
            raise Forbidden("您的角色无权执行此操作。", code="forbidden_role")
        return actor

    dep.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the auth-matrix test
    return dep


def idempotent(
    request: Request, c: AppContext, actor: Actor | None, fn: Callable[[Session], Any], *, status: int = 201
) -> JSONResponse:
    """Run a creating write once per Idempotency-Key.

    The stored answer is written in the same transaction as the state it describes, so a
    retry after a crash sees either both or neither.
    """
    key = request.headers.get("idempotency-key")
    principal = actor.ident if actor else "anonymous"
    route = f"{request.method} {request.url.path}"
    if key is not None and not (1 <= len(key) <= 200):
        raise BadInput("Idempotency-Key 长度应为 1–200 个字符。", code="bad_idempotency_key")
    if key:
        with c.db.read() as s:
            hit = s.scalar(select(Idempotency).where(Idempotency.principal == principal, Idempotency.key == key))
            if hit is not None:
                return _replay(hit, route)
    try:
        with c.db.write() as s:
            if key:
                hit = s.scalar(select(Idempotency).where(Idempotency.principal == principal, Idempotency.key == key))
                if hit is not None:
                    return _replay(hit, route)
            result = fn(s)
            body = jsonable_encoder(result)
            if key:
                s.add(Idempotency(key=key, principal=principal, route=route, status=status,
                                  body=json.dumps(body, ensure_ascii=False), created_at=c.now()))
                s.flush()
    except IntegrityError:
        if not key:
            raise
        with c.db.read() as s:  # a concurrent twin won the race: answer with its result
            hit = s.scalar(select(Idempotency).where(Idempotency.principal == principal, Idempotency.key == key))
            if hit is None:
                raise
            return _replay(hit, route)
    return JSONResponse(body, status_code=status)


def _replay(hit: Idempotency, route: str) -> JSONResponse:
    if hit.route != route:
        raise HallError("该 Idempotency-Key 已用于另一个操作。", code="idempotency_key_reused")
    resp = JSONResponse(json.loads(hit.body), status_code=hit.status)
    resp.headers["Idempotent-Replay"] = "true"
    return resp
