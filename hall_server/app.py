"""Wiring: settings -> database (migrated) -> event hub -> routers. Nothing else builds these."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response

from . import migrate
from .api import admin, auth, errors, hall, queue, ws
from .api.deps import AppContext, utcnow
from .api.errors import error_response
from .api.hub import EventHub
from .contract import API_PREFIX
from .db import Database
from .settings import Settings

log = logging.getLogger(__name__)

AREA_ROUTERS = ("cases", "catalog", "fees", "accountability", "supervision", "dashboard")


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


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utcnow, migrate_db: bool = True) -> FastAPI:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate_db:
        migrate.upgrade(settings.sqlalchemy_url)
    db = Database(settings.sqlalchemy_url)
    hub = EventHub()
    db.after_commit.append(hub.publish)
    context = AppContext(settings=settings, db=db, clock=clock, hub=hub)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        log.info("hall server ready: %s (%s)", settings.hall_name, settings.sqlalchemy_url.split("@")[-1])
        yield
        db.dispose()

    app = FastAPI(title="政务大厅综合管理系统 API", version="1.0", lifespan=lifespan,
                  openapi_url="/openapi.json")
    app.state.ctx = context
    errors.install(app)

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Callable) -> Response:  # type: ignore[type-arg]
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > settings.max_body_bytes:
            return error_response(413, "too_large", "请求内容过大。")
        return await call_next(request)

    for r in (auth.router, queue.router, hall.router, admin.router, *_area_routers()):
        app.include_router(r, prefix=API_PREFIX)  # type: ignore[arg-type]
    app.include_router(ws.router, prefix=API_PREFIX)
    return app
