"""``/api/v1/events?after=SEQ``: replay stored events after SEQ, then stream live.

Each message is a JSON array of events in seq order. Subscribe first, replay from the
database, then forward live batches skipping what the replay already sent: no event is
lost between the two and none is sent twice. While a subscriber is busy, batches that
pile up are coalesced into one message, so a burst costs one send per subscriber, not
one per event.

Close codes: 4401 bad or missing token (sign in again), 4409 too far behind
(reconnect with ``after=`` the last seq received), 1011 server fault. A reader task
watches the socket, so a client that goes away is noticed at once, not at the next
event.
"""
from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, WebSocket
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect, WebSocketState

from ..domain.errors import HallError
from ..models import Event
from ..services import auth
from ..services.actors import Actor
from ..services.events import event_dict
from .deps import AppContext
from .hall import sees_unmasked
from .hub import Batch, Frame, RawWriter, Subscriber, encode

log = logging.getLogger(__name__)
router = APIRouter()

REPLAY_BATCH = 1000
RAW_SEND_KEY = "hall.raw_send"  # the server's own ASGI ``send``, put in the scope by ``app.RawSend``
CLOSE_UNAUTHORIZED = 4401
CLOSE_LAGGING = 4409


@router.websocket("/events")
async def events(ws: WebSocket, after: int = 0, token: str | None = None) -> None:
    c_: AppContext = ws.app.state.ctx
    raw = token
    header = ws.headers.get("authorization", "")
    if not raw and header.lower().startswith("bearer "):
        raw = header[7:].strip()
    # accept, then close with an application code: a client can tell "sign in again"
    # (4401) from "server unreachable" (a failed handshake)
    await ws.accept()
    if not raw:
        await ws.close(code=CLOSE_UNAUTHORIZED, reason="missing_token")
        return
    try:
        actor: Actor = await run_in_threadpool(_resolve, c_, raw)
    except HallError as e:
        await ws.close(code=CLOSE_UNAUTHORIZED, reason=e.code)
        return
    unmasked = sees_unmasked(actor)
    sub = c_.hub.subscribe(unmasked=unmasked)
    reader = asyncio.create_task(_watch_incoming(ws, sub))
    try:
        await _stream(ws, c_, sub, max(after, 0), unmasked)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away mid-send
    except Exception:
        log.exception("event stream failed")
        await _close(ws, 1011, "server_error")
    finally:
        c_.hub.unsubscribe(sub)
        reader.cancel()


async def _stream(ws: WebSocket, c_: AppContext, sub: Subscriber, last: int, unmasked: bool) -> None:
    last = await _replay(ws, c_, last, unmasked)
    raw = RawWriter.of(ws.scope.get(RAW_SEND_KEY))
    while True:
        if raw is not None and sub.queue.empty():
            sub.last, sub.direct = last, raw  # up to date: the hub writes to the socket itself
        item = await sub.queue.get()
        sub.direct = None  # back to this task: a frame the hub could not write, or the close
        last = max(last, sub.last)
        if item is None or sub.closed:
            if sub.overflowed:
                await _close(ws, CLOSE_LAGGING, "lagging: reconnect with after=last seq")
            else:
                await _close(ws, 1001, "going away")
            return
        frames: list[Frame] = [item]
        while not sub.queue.empty():  # coalesce whatever piled up meanwhile
            more = sub.queue.get_nowait()
            if more is None:
                sub.queue.put_nowait(None)  # handle the close on the next turn
                break
            frames.append(more)
        frames = [f for f in frames if f.last > last]  # sent directly before the hand-back
        if not frames:
            continue
        first = frames[0].first
        if first > last + 1:  # a gap: fetch what is missing from the log
            last = await _replay(ws, c_, last, unmasked, upto=first - 1)
        if len(frames) == 1 and first == last + 1:
            await ws.send_text(frames[0].text)  # the common case: the shared frame as it is
        else:
            fresh = [txt for f in frames for seq, txt in f.items if seq > last]
            if fresh:
                await ws.send_text("[" + ",".join(fresh) + "]")
        last = max(last, frames[-1].last)


async def _watch_incoming(ws: WebSocket, sub: Subscriber) -> None:
    """Clients send nothing we need; read only to learn that they left."""
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
    except Exception:  # noqa: BLE001 - any failure here means the socket is gone
        pass
    sub.wake_closed()


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    if ws.application_state == WebSocketState.CONNECTED and ws.client_state == WebSocketState.CONNECTED:
        try:
            await ws.close(code=code, reason=reason)
        except (RuntimeError, OSError):
            pass


def _resolve(c_: AppContext, token: str) -> Actor:
    with c_.db.read() as s:
        return auth.resolve(s, token=token, now=c_.now())


def _fetch(c_: AppContext, after: int, upto: int | None, unmasked: bool) -> Batch:
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
