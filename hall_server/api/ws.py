"""``/api/v1/events?after=SEQ``: replay stored events after SEQ, then stream live.

Each message is a JSON array of events in seq order. Subscribe first, replay from the
database, then forward live batches skipping what the replay already sent: no event is
lost between the two and none is sent twice.
"""
from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from ..domain.errors import HallError
from ..models import Event
from ..services import auth
from ..services.events import event_dict
from .deps import AppContext
from .hall import sees_unmasked
from .hub import encode

log = logging.getLogger(__name__)
router = APIRouter()

REPLAY_BATCH = 1000



@router.websocket("/events")
async def events(ws: WebSocket, after: int = 0, token: str | None = None) -> None:
    c_: AppContext = ws.app.state.ctx
    raw = token
    header = ws.headers.get("authorization", "")
    if not raw and header.lower().startswith("bearer "):
        raw = header[7:].strip()
    if not raw:
        await ws.close(code=4401, reason="missing token")
        return
    try:
        actor = await run_in_threadpool(_resolve, c_, raw)
    except HallError as e:
        await ws.close(code=4401, reason=e.code)
        return
    unmasked = sees_unmasked(actor)
    await ws.accept()
    sub = c_.hub.subscribe(unmasked=unmasked)
    last = max(after, 0)
    try:
        last = await _replay(ws, c_, last, unmasked)
        while True:
            batch = await sub.queue.get()
            if batch is None or sub.overflowed:
                await ws.close(code=4409, reason="lagging: reconnect with after=last seq")
                return
            if batch and batch[0][0] > last + 1:  # a gap: fetch what is missing from the log
                last = await _replay(ws, c_, last, unmasked, upto=batch[0][0] - 1)
            fresh = [txt for seq, txt in batch if seq > last]
            if fresh:
                await ws.send_text("[" + ",".join(fresh) + "]")
                last = batch[-1][0]
    except WebSocketDisconnect:
        pass
    finally:
        c_.hub.unsubscribe(sub)


def _resolve(c_: AppContext, token: str):  # type: ignore[no-untyped-def]
    with c_.db.read() as s:
        return auth.resolve(s, token=token, now=c_.now())


def _fetch(c_: AppContext, after: int, upto: int | None, unmasked: bool) -> list[tuple[int, str]]:
    with c_.db.read() as s:
        q = select(Event).where(Event.seq > after)
        if upto is not None:
            q = q.where(Event.seq <= upto)
        rows = s.scalars(q.order_by(Event.seq).limit(REPLAY_BATCH)).all()
        return [(e.seq, encode(event_dict(e), unmasked=unmasked)) for e in rows]


async def _replay(ws: WebSocket, c_: AppContext, last: int, unmasked: bool, upto: int | None = None) -> int:
    while True:
        rows = await run_in_threadpool(_fetch, c_, last, upto, unmasked)
        if not rows:
            return last
        await ws.send_text("[" + ",".join(t for _, t in rows) + "]")
        last = rows[-1][0]
        if len(rows) < REPLAY_BATCH:
            return last
