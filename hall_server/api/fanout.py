"""A process that serves only the event stream (``/api/v1/events``), fed from the log.

With 1,000 subscribers the hub writes ~20,000 frames a second (one per subscriber per
``event_frame_ms``); on the server's own event loop those writes stall the requests of the
hall between them (issue #17 part 6, docs/server.md). Here the same ``EventHub`` and the
same ``ws.py`` endpoint run in a process that does no writes: it follows the ``events``
table (``tail.LogTail`` on PostgreSQL, ``tail.BellTail`` on SQLite, rung by the writer's
``tail.Doorbell``) and hands each batch to the hub. Everything a subscriber relies on is
unchanged because it is the same code: a token checked on connect (4401), office-only
kinds masked for roles that may not see them, ``after=SEQ`` replay from the log, gaps
filled from the log, a lagging subscriber dropped with 4409.

The tail sets the pace here: at most one read of the log per ``event_frame_ms``, counted from
the start of the last read, and each read goes out at once as one frame (the hub holds
nothing back). Under load every subscriber gets one frame per interval with every event of
that interval, encoded once per audience (masked, unmasked) and written as the same bytes
to every up-to-date socket; in a quiet hall an event goes out as soon as its ring arrives.
Nearly all of this process's CPU is those writes (one ``send`` per subscriber per frame,
two thirds of it in the kernel; docs/server.md), so the frame interval is what buys it.

Started by ``hall-server run --fanout-port P`` (a child of the server, same database; with
``--workers N`` on PostgreSQL, one fan-out process next to the N workers) or on its own
with ``hall-server fanout --port P`` (PostgreSQL: woken by NOTIFY, on any machine; SQLite:
nobody rings, so it reads every ``--poll`` seconds). Displays and supervisors point their
event URL at this port; the API stays on the server's port, whose own ``/api/v1/events``
keeps working for clients that were not moved.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import APIRouter, FastAPI, Request

from ..contract import API_PREFIX
from ..db import Database
from ..services.events import last_seq
from ..settings import Settings
from . import ws
from .deps import AppContext, utcnow
from .hub import EventHub
from .tail import BellTail, LogTail

log = logging.getLogger(__name__)

health_router = APIRouter()


@health_router.get("/health")
def health(request: Request) -> dict[str, object]:
    """Same shape as the server's: a client (or a load balancer) checks where the log ends."""
    c_: AppContext = request.app.state.ctx
    with c_.db.read() as s:
        return {"ok": True, "last_seq": last_seq(s), "hall": c_.settings.hall_name, "role": "fanout"}


def create_fanout_app(settings: Settings, *, bell_port: int | None, poll: float = 0.5,
                      clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """The event stream alone. The database must already be migrated (by the server):
    two processes migrating at the same moment would race.

    ``bell_port``: SQLite only, the UDP port on 127.0.0.1 the writer rings after each
    commit (``None``: read the table every ``poll`` seconds only)."""
    from ..app import RawSend  # the direct-write path of the hub needs the server's own ``send``
    db = Database(settings.sqlalchemy_url)
    # the tail sets the pace: at most one read of the log per frame interval, and each read
    # goes out at once as one frame. A hub holding events for its own slot on top of that
    # added up to a slot of delay, and reads more often than frames were wasted
    frame = settings.event_frame_ms / 1000
    hub = EventHub(min_interval=0)
    context = AppContext(settings=settings, db=db, clock=clock, hub=hub)
    tail: LogTail | BellTail
    if db.is_sqlite:
        tail = BellTail(db, [hub.publish], port=bell_port, poll=poll, min_gap=frame)
    else:
        tail = LogTail(db, [hub.publish], poll=poll, min_gap=frame)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        tail.start()
        log.info("event fan-out ready (%s)", "doorbell" if db.is_sqlite else "LISTEN/NOTIFY")
        yield
        tail.stop()
        hub.close_all()
        db.dispose()

    app = FastAPI(title="政务大厅事件推送", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.ctx = context
    app.state.tail = tail
    app.add_middleware(RawSend)
    app.include_router(ws.router, prefix=API_PREFIX)
    app.include_router(health_router, prefix=API_PREFIX)
    return app
