"""Request dependencies: the app's shared objects, the acting principal, role checks,
and the Idempotency-Key guard every creating POST uses."""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

import anyio.to_thread
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Database
from ..domain.errors import BadInput, Forbidden, HallError, Unauthorized
from ..domain.roles import Role
from ..models import Idempotency
from ..services import auth
from ..services.actors import Actor
from ..settings import Settings
from ..sql import Prepared
from ..writer import Writer


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# event types after which a cached token -> actor answer may be wrong
_AUTH_EVENT_PREFIXES = ("token.", "staff.", "device.")


class ActorCache:
    """Token -> actor for a few seconds: every request needs its actor, and two queries
    plus a read transaction per request were a fifth of a queue operation's cost.

    Correctness does not rest on the TTL: expiry is checked against the cached expiry on
    every request, and any committed ``token.*``/``staff.*``/``device.*`` event (revoke,
    lock, staff or device change) empties the cache at once. The TTL only bounds how long
    a change made outside this process (another server on the same PostgreSQL) goes
    unseen."""

    def __init__(self, ttl_seconds: float = 60.0, max_entries: int = 10_000) -> None:
        self.ttl, self.max_entries = ttl_seconds, max_entries
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[float, Actor, datetime | None]] = OrderedDict()
        self.generation = 0  # bumped by clear(): an answer read before a clear is not stored

    def get(self, token: str) -> tuple[Actor, datetime | None] | None:
        with self._lock:
            hit = self._data.get(token)
            if hit is None:
                return None
            if time.monotonic() - hit[0] > self.ttl:
                del self._data[token]
                return None
            return hit[1], hit[2]

    def put(self, token: str, actor: Actor, expires_at: datetime | None, *, generation: int | None = None) -> None:
        with self._lock:
            if generation is not None and generation != self.generation:
                return  # resolved before a revoke/lock committed: may be stale
            self._data[token] = (time.monotonic(), actor, expires_at)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.generation += 1

    def on_commit(self, events: list[dict[str, Any]]) -> None:
        """``Database.after_commit`` hook."""
        if any(str(e.get("type", "")).startswith(_AUTH_EVENT_PREFIXES) for e in events):
            self.clear()


@dataclass
class AppContext:
    """Everything a router needs, built once in ``app.create_app``."""
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = utcnow
    hub: Any = None
    actors: ActorCache = field(default_factory=ActorCache)
    writer: Writer = None  # type: ignore[assignment]  # built from db when not given
    lane_served: int = 0  # requests answered by the hot lane (api/lane.py) since start

    def __post_init__(self) -> None:
        if self.writer is None:
            self.writer = Writer.configured(self.db, self.settings)

    def now(self) -> datetime:
        return self.clock()


async def ctx(request: Request) -> AppContext:
    # async on purpose: a sync dependency costs a thread-pool hop per request
    return request.app.state.ctx  # type: ignore[no-any-return]


def bearer(authorization: str) -> str:
    """The token of an ``Authorization: Bearer …`` header."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("请先登录（缺少令牌）。", code="missing_token")
    return token.strip()


async def actor_for(c: AppContext, authorization: str) -> Actor:
    """Who sends a request with this ``Authorization`` header (routes and the hot lane)."""
    token = bearer(authorization)
    hit = c.actors.get(token)
    if hit is None:
        gen = c.actors.generation
        hit = await _read(c, lambda s: auth.resolve_token(s, token=token, now=c.now()))
        c.actors.put(token, *hit, generation=gen)
    actor, expires_at = hit
    if expires_at is not None and expires_at <= c.now():
        raise Unauthorized("登录已过期，请重新登录。", code="token_expired")
    return actor


def allow(actor: Actor, allowed: frozenset[Role]) -> Actor:
    if not actor.roles & allowed:
        raise Forbidden("您的角色无权执行此操作。", code="forbidden_role")
    return actor


async def current_actor(request: Request) -> Actor:
    # one dependency with only the request: FastAPI's dependency solving per level was a
    # tenth of a queue operation's CPU
    actor = await actor_for(request.app.state.ctx, request.headers.get("authorization", ""))
    request.state.actor = actor
    return actor


def require(*roles: Role) -> Callable[..., Actor]:
    """Dependency factory: the endpoint names the roles it allows, nothing else passes."""
    allowed = frozenset(roles)

    async def dep(request: Request) -> Actor:
        return allow(await current_actor(request), allowed)

    dep.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the auth-matrix test
    return dep


def public() -> None:
    """Marks an endpoint deliberately open (sign-in, health): ``Depends(public)``. The
    auth-matrix test treats an endpoint with neither this nor ``require`` as a bug."""


public.public = True  # type: ignore[attr-defined]
public.allowed_roles = frozenset()  # type: ignore[attr-defined]


_STORE = Prepared(insert(cast(Table, Idempotency.__table__)), dynamic=True)


@dataclass(frozen=True)
class Key:
    """What an Idempotency-Key guard needs from the request."""
    key: str | None
    principal: str
    route: str
    digest: str | None
    status: int

    @classmethod
    def make(cls, *, key: str | None, actor: Actor | None, route: str, digest: str | None, status: int) -> Key:
        """``route`` is "METHOD /path"; ``digest`` the body's sha256 (``api.body.read``)."""
        if key is not None and not (1 <= len(key) <= 200):
            raise BadInput("Idempotency-Key 长度应为 1–200 个字符。", code="bad_idempotency_key")
        return cls(key=key, principal=actor.ident if actor else "anonymous", route=route, digest=digest,
                   status=status)

    @classmethod
    def of(cls, request: Request, actor: Actor | None, status: int) -> Key:
        return cls.make(key=request.headers.get("idempotency-key"), actor=actor,
                        route=f"{request.method} {request.scope['path']}",  # the URL object costs a parse
                        digest=getattr(request.state, "body_digest", None), status=status)

    def stored(self, s: Session) -> Idempotency | None:
        return s.scalar(select(Idempotency).where(Idempotency.principal == self.principal,
                                                  Idempotency.key == self.key))

    def write(self, s: Session, fn: Callable[[Session], Any], now: datetime) -> Response:
        """Inside the write: answer a twin already stored, else run ``fn`` and store its answer."""
        if self.key:
            hit = self.stored(s)
            if hit is not None:
                return _replay(hit, self.route, self.digest)
        result = fn(s)
        # a model serialises itself (pydantic-core, one pass): the hot endpoints' answers
        text = (result.model_dump_json() if isinstance(result, BaseModel)
                else json.dumps(jsonable_encoder(result), ensure_ascii=False))
        if self.key:  # a prepared statement, so a hot write stays lean (writer.Command.lean)
            _STORE.run(s, dict(key=self.key, principal=self.principal, route=self.route, status=self.status,
                               body=text, request_hash=self.digest, created_at=now))
        return Response(text, status_code=self.status, media_type="application/json")

    def twin(self, s: Session) -> JSONResponse:
        """A concurrent twin (another process) won the race: answer with its result."""
        hit = self.stored(s)
        if hit is None:
            raise LookupError("idempotency twin vanished")
        return _replay(hit, self.route, self.digest)


def idempotent(
    request: Request, c: AppContext, actor: Actor | None, fn: Callable[[Session], Any], *, status: int = 201
) -> Response:
    """Run a creating write once per Idempotency-Key (from a worker thread).

    The stored answer is written in the same transaction as the state it describes, so a
    retry after a crash sees either both or neither. The write joins the group-commit
    writer's next batch (``hall_server/writer.py``).
    """
    k = Key.of(request, actor, status)
    if k.key:
        with c.db.read() as s:  # a retry is answered without waiting for the writer
            hit = k.stored(s)
            if hit is not None:
                return _replay(hit, k.route, k.digest)
    try:
        return c.writer.run_sync(lambda s: k.write(s, fn, c.now()))
    except IntegrityError:
        if not k.key:
            raise
        with c.db.read() as s:
            return k.twin(s)


async def idempotent_async(
    request: Request, c: AppContext, actor: Actor | None, fn: Callable[[Session], Any], *, status: int = 201,
    lean: bool = False,
) -> Response:
    """``idempotent`` for the hot endpoints on the event loop: the write runs on the writer
    thread and this coroutine waits for its batch's commit without holding the loop."""
    return await write_once(c, Key.of(request, actor, status), fn, lean=lean)


async def write_once(c: AppContext, k: Key, fn: Callable[[Session], Any], *, lean: bool = False) -> Response:
    """``idempotent_async`` once the request is read (the routes and the hot lane); ``lean``
    as in ``Writer.run``."""
    try:
        return await c.writer.run(lambda s: k.write(s, fn, c.now()), lean=lean)
    except IntegrityError:
        if not k.key:
            raise
        return await _read(c, k.twin)


async def _read(c: AppContext, fn: Callable[[Session], Any]) -> Any:
    """A short read: on SQLite on the loop (a thread hop costs more than the read); on
    PostgreSQL in a worker thread, so a slow server never freezes the loop."""
    def run() -> Any:
        with c.db.read() as s:
            return fn(s)
    if c.db.is_sqlite:
        return run()
    return await anyio.to_thread.run_sync(run)


def _replay(hit: Idempotency, route: str, digest: str | None) -> JSONResponse:
    if hit.route != route:
        raise HallError("该 Idempotency-Key 已用于另一个操作。", code="idempotency_key_reused")
    if hit.request_hash is not None and digest is not None and hit.request_hash != digest:
        # a retry carries the same body; another body under a used key is another request
        # (e.g. another payment): replaying the first answer would hand out the wrong receipt
        raise BadInput("该 Idempotency-Key 已用于内容不同的另一次提交，请为新的提交使用新的键。",
                       code="idempotency_key_reused")
    resp = JSONResponse(json.loads(hit.body), status_code=hit.status)
    resp.headers["Idempotent-Replay"] = "true"
    return resp
