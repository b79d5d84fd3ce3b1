"""Wiring: settings -> database (migrated) -> event hub -> routers. Nothing else builds these."""
from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import anyio.to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import migrate
from .api import admin, auth, errors, hall, phone, queue, ws
from .api import anchoring, guard
from .api.deps import AppContext, utcnow
from .api.errors import error_response
from .domain.errors import TooLarge
from .api.admission import WriteAdmission
from .api.lane import HotLane
from .writer import Writer
from .api.hub import EventHub
from .api.tail import LogTail
from .api.ws import RAW_SEND_KEY
from .contract import API_PREFIX
from .db import Database
from .services import confcache, public_url
from .settings import Settings

log = logging.getLogger(__name__)

AREA_ROUTERS = ("cases", "catalog", "fees", "accountability", "supervision", "dashboard", "audit")


def _area_routers() -> list[object]:
    """Routers of the later areas; a module that is not there yet is simply skipped."""
    import importlib
    out = []
    for name in AREA_ROUTERS:
        try:
            mod = importlib.import_module(f"{__package__}.api.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.api.{name}":
                continue
            raise
        out.append(mod.router)
    return out


class BodyLimit:
    """Refuse bodies over the limit (413), whether announced by Content-Length or sent
    chunked. Pure ASGI: no per-request task group, unlike ``@app.middleware``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bad = guard.refuse_url(scope)  # NUL and control characters never reach a handler (docs/audit.md)
        if bad is not None:
            await error_response(422, bad.code, bad.message)(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":  # the server holds the client to what it announced
                if not value.isdigit() or int(value) > self.max_bytes:
                    await error_response(413, TooLarge.code, TooLarge.message)(scope, receive, send)
                    return
                break
        if scope.get("method") in ("GET", "HEAD", "DELETE", "OPTIONS") \
                and all(name != b"transfer-encoding" for name, _ in scope.get("headers", ())):
            await self.app(scope, receive, send)
            return
        # read the body here, up to the limit (also when sent chunked), check it, hand it on
        chunks: list[bytes] = []
        seen = 0
        while True:
            msg = await receive()
            if msg["type"] != "http.request":  # client went away
                return
            body = msg.get("body", b"")
            seen += len(body)
            if seen > self.max_bytes:
                await error_response(413, TooLarge.code, TooLarge.message)(scope, receive, send)
                return
            chunks.append(body)
            if not msg.get("more_body", False):
                break
        whole = b"".join(chunks)
        ctype = next((v for n, v in scope.get("headers", ()) if n == b"content-type"), b"")
        bad = guard.refuse_body(whole, ctype)
        if bad is not None:
            await error_response(422, bad.code, bad.message)(scope, receive, send)
            return
        # the Idempotency-Key guard compares a retry's body with the first one (api/deps.py)
        scope.setdefault("state", {})["body_digest"] = hashlib.sha256(whole).hexdigest()
        buffered: list[Message] = [{"type": "http.request", "body": whole, "more_body": False}]

        async def replay() -> Message:
            return buffered.pop() if buffered else await receive()

        await self.app(scope, replay, send)


class RawSend:
    """Puts the server's own ``send`` into a WebSocket's scope (``api.ws.RAW_SEND_KEY``),
    before any framework layer wraps it: the event hub writes ready frames to up-to-date
    subscribers directly through it (``api.hub.RawWriter``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[RAW_SEND_KEY] = send
        await self.app(scope, receive, send)


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utcnow, migrate_db: bool = True) -> FastAPI:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate_db:
        migrate.upgrade(settings.sqlalchemy_url)
    db = Database(settings.sqlalchemy_url, durable=settings.durable_commits)
    hub = EventHub(min_interval=settings.event_frame_ms / 1000)
    writer = Writer(db, enabled=settings.group_commit, max_batch=settings.group_commit_max_batch)
    context = AppContext(settings=settings, db=db, clock=clock, hub=hub, writer=writer)
    db.after_commit.append(context.actors.on_commit)
    db.after_commit.append(confcache.on_commit)
    # SQLite: one process, the writer hands events to the hub. PostgreSQL: any number of
    # processes share the database, each follows the log itself (api/tail.py)
    tail = None if db.is_sqlite else LogTail(db, [hub.publish, context.actors.on_commit, confcache.on_commit])
    if tail is None:
        db.after_commit.append(hub.publish)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        stop_checkpointer = db.start_checkpointer(truncate_bytes=settings.wal_truncate_mb * 2**20)
        if tail is not None:
            tail.start()
        stop_anchoring = anchoring.start(context)  # the daily signed checkpoint (docs/audit.md)
        # Writes are serialised (one hash chain); 40 threads queueing for the writer lock
        # only fight over the GIL and make the lock holder wait: a small pool is faster.
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(2, settings.worker_threads)
        log.info("hall server ready: %s (%s)", settings.hall_name, settings.sqlalchemy_url.split("@")[-1])
        if (warning := public_url.startup_warning(settings)) is not None:
            log.warning("%s", warning)  # printed QR codes would lead nowhere (also on stderr from `run`)
        yield
        if tail is not None:
            tail.stop()
        hub.close_all()
        await stop_anchoring()
        writer.stop()
        stop_checkpointer()
        db.dispose()

    app = FastAPI(title="政务大厅综合管理系统 API", version="1.0", lifespan=lifespan,
                  openapi_url="/openapi.json")
    app.state.ctx = context
    errors.install(app)

    app.add_middleware(HotLane, context=context, enabled=settings.hot_lane)  # inside BodyLimit: a checked body
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RawSend)
    app.add_middleware(WriteAdmission, limit=settings.max_pending_writes)  # outermost: refuse before any work

    for r in (auth.router, queue.router, hall.router, admin.router, admin.photo_router, *_area_routers()):
        app.include_router(r, prefix=API_PREFIX)  # type: ignore[arg-type]
    app.include_router(ws.router, prefix=API_PREFIX)
    phone.install(app)  # the phone pages (/m/...), outside the API prefix: short printed links
    return app
