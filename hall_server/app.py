"""Wiring: settings -> database (migrated) -> event hub -> routers. Nothing else builds these."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import anyio.to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from . import migrate
from .api import admin, auth, errors, hall, phone, queue, ws
from .api import anchoring
from .api.deps import AppContext, utcnow
from .api.admission import Gate, WriteAdmission
from .api.body import BodyLimit
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


class HallApp(FastAPI):
    """The API, with the hot lane (``api/lane.py``) ahead of the framework's own layers: the
    lane's requests never enter the middleware stack, everything else goes as always."""

    lane: HotLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.lane is None or not await self.lane.answer(scope, receive, send):
            await super().__call__(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app without the lane: where the lane hands on what it declines."""
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utcnow, migrate_db: bool = True) -> FastAPI:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate_db:
        migrate.upgrade(settings.sqlalchemy_url)
    db = Database(settings.sqlalchemy_url, durable=settings.durable_commits)
    hub = EventHub(min_interval=settings.event_frame_ms / 1000)
    writer = Writer.configured(db, settings)
    context = AppContext(settings=settings, db=db, clock=clock, hub=hub, writer=writer)
    db.after_commit.append(context.actors.on_commit)
    db.after_commit.append(confcache.on_commit)
    # SQLite: one process, the writer hands events to the hub. PostgreSQL: any number of
    # processes share the database, each follows the log itself (api/tail.py)
    tail = None if db.is_sqlite else LogTail(db, [hub.publish, context.actors.on_commit, confcache.on_commit])
    if tail is None:
        db.after_commit.append(hub.publish)
    else:  # its own events reach the tail without being read back from the table
        db.after_commit.append(tail.offer)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        stop_checkpointer = db.start_checkpointer(truncate_bytes=settings.wal_truncate_mb * 2**20,
                                                  interval=settings.wal_checkpoint_ms / 1000)
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

    app = HallApp(title="政务大厅综合管理系统 API", version="1.0", lifespan=lifespan,
                  openapi_url="/openapi.json")
    app.state.ctx = context
    errors.install(app)

    gate = Gate(settings.max_pending_writes)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RawSend)
    app.add_middleware(WriteAdmission, gate=gate)  # outermost: refuse before any work
    if settings.hot_lane:  # in front of it all: the six peak-hour requests (api/lane.py)
        app.lane = HotLane(context=context, gate=gate, max_body_bytes=settings.max_body_bytes,
                           fallback=app.framework)

    for r in (auth.router, queue.router, hall.router, admin.router, admin.photo_router, *_area_routers()):
        app.include_router(r, prefix=API_PREFIX)  # type: ignore[arg-type]
    app.include_router(ws.router, prefix=API_PREFIX)
    phone.install(app)  # the phone pages (/m/...), outside the API prefix: short printed links
    return app
