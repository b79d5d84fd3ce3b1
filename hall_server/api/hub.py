"""Fan-out of committed events to WebSocket subscribers.

Writers hand each committed batch to the event loop (from the writer thread or a worker
thread; on SQLite the writer runs on the loop itself and hands it on the same way), which
serialises it once (masked and unmasked) and queues it for every subscriber.
Under load, commits that arrive within ``min_interval`` of the last flush are held and
sent together: with 200 subscribers, one frame per commit would be 200 sends per
operation, far more than the operations themselves. When the hall is quiet an event
goes out at once; when it is busy each subscriber gets at most one frame per interval.
Each subscriber's queue is bounded: one that falls too far behind (a frozen display
PC, a dead link) is dropped and told so, and resyncs from its last seq. A slow
reader must never make the hall wait or the server's memory grow.

A subscriber that is up to date and whose socket takes data without waiting is written
to directly: the frame's wire bytes (a server frame is unmasked, so the same bytes suit
every subscriber) go straight to its transport from the flush, no task wake-up, no
framing per subscriber. With 200 displays that turned ~4,000 trips a second through
Starlette, uvicorn and websockets into 4,000 ``transport.write`` calls (docs/server.md).
Anything unusual (a gap, a socket that pushes back, a server without raw access) falls
back to the subscriber's queue and its sender task, which handles it as before.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from websockets.frames import Frame as WireFrame
from websockets.frames import Opcode

from ..contract.events import masked as mask_event

log = logging.getLogger(__name__)

MAX_BACKLOG = 2000  # frames queued per subscriber before it counts as lagging
MIN_INTERVAL = 0.05  # seconds between frames to one subscriber under load (settings.event_frame_ms)

Batch = list[tuple[int, str]]


@dataclass(frozen=True, slots=True)
class Frame:
    """Events of one flush, encoded once and shared by every subscriber of a kind."""
    items: Batch  # (seq, event JSON) in seq order
    text: str  # the whole frame: a JSON array of the items
    wire: bytes  # the same as a complete WebSocket text frame, ready for a transport

    @classmethod
    def of(cls, items: Batch) -> "Frame":
        text = "[" + ",".join(t for _, t in items) + "]"
        return cls(items, text, WireFrame(Opcode.TEXT, text.encode()).serialize(mask=False))

    @property
    def first(self) -> int:
        return self.items[0][0]

    @property
    def last(self) -> int:
        return self.items[-1][0]


class RawWriter:
    """Direct access to one uvicorn ``websockets-sansio`` connection's transport.

    Uvicorn gives the ASGI app no raw socket; its protocol object is the owner of the
    ``send`` callable it hands over, and ``ws.py`` reaches it through the scope (see
    ``app.RawSend``). Only used while the connection is open, not closing and not pushing
    back; every other case goes through the normal ASGI ``send``.
    """

    __slots__ = ("_proto",)

    def __init__(self, proto: Any) -> None:
        self._proto = proto

    @classmethod
    def of(cls, send: Any) -> "RawWriter | None":
        proto = getattr(send, "__self__", None)
        conn = getattr(proto, "conn", None)
        needed = ("transport", "writable", "close_sent", "disconnected")
        if conn is None or not all(hasattr(proto, a) for a in needed) or getattr(conn, "extensions", None):
            return None  # another server or WebSocket implementation, or compression on
        return cls(proto)

    def ready(self) -> bool:
        p = self._proto
        return (not p.close_sent and not p.disconnected and p.writable.is_set()
                and not p.transport.is_closing())

    def write(self, data: bytes) -> None:
        self._proto.transport.write(data)


@dataclass(eq=False)
class Subscriber:
    unmasked: bool
    queue: asyncio.Queue[Frame | None] = field(default_factory=lambda: asyncio.Queue(MAX_BACKLOG))
    overflowed: bool = False
    closed: bool = False
    direct: RawWriter | None = None  # set by the sender task while it is up to date
    last: int = 0  # last seq sent, while ``direct`` is set

    def wake_closed(self) -> None:
        """Mark closed and make sure a waiting sender wakes up (even on a full queue)."""
        self.closed = True
        try:
            self.queue.put_nowait(None)
        except asyncio.QueueFull:
            try:
                self.queue.get_nowait()
                self.queue.put_nowait(None)
            except (asyncio.QueueEmpty, asyncio.QueueFull):
                pass


def encode(event: dict[str, Any], *, unmasked: bool) -> str:
    if unmasked:
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    etype, data = mask_event(event["type"], event["data"])
    return json.dumps({**event, "type": etype, "data": data}, ensure_ascii=False, separators=(",", ":"))


class EventHub:
    def __init__(self, *, min_interval: float = MIN_INTERVAL) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.subscribers: set[Subscriber] = set()
        self.min_interval = min_interval
        self._pending: list[dict[str, Any]] = []
        self._flush_at: asyncio.Handle | None = None
        self._last_flush = float("-inf")

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def subscribe(self, *, unmasked: bool) -> Subscriber:
        sub = Subscriber(unmasked=unmasked)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)

    def close_all(self) -> None:
        """At shutdown: wake every sender so its socket closes instead of hanging."""
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        for sub in list(self.subscribers):
            sub.wake_closed()
        self.subscribers.clear()

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Called from a writer thread right after its commit (under the writer lock,
        so batches reach the loop in seq order)."""
        loop = self.loop
        if loop is None or loop.is_closed() or not self.subscribers:
            return
        try:
            loop.call_soon_threadsafe(self._collect, events)
        except RuntimeError:  # loop closed between the check and the call (shutdown)
            pass

    def _collect(self, events: list[dict[str, Any]]) -> None:
        """On the loop: send on this turn of the loop if the last frame is old enough,
        else at the next slot. "This turn" is a ``call_soon``, not at once: batches that
        reached the loop together (it was busy, or a tail read in several chunks) go out
        as one frame, one write per subscriber instead of one per batch."""
        self._pending.extend(events)
        if self._flush_at is not None:
            return
        assert self.loop is not None
        wait = self._last_flush + self.min_interval - self.loop.time()
        if wait <= 0:
            self._flush_at = self.loop.call_soon(self._flush)
        else:
            self._flush_at = self.loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._flush_at = None
        if self.loop is not None:
            self._last_flush = self.loop.time()
        events, self._pending = self._pending, []
        if events:
            self._fanout(events)

    def _fanout(self, events: list[dict[str, Any]]) -> None:
        """One frame per audience, encoded on first need; the same bytes to every socket.
        The loop body runs once per subscriber per frame (20,000 times a second with 1,000
        displays), so what it needs of the frame is looked up once, before it."""
        plain: Frame | None = None
        masked: Frame | None = None
        first = events[0]["seq"]
        last = events[-1]["seq"]
        for sub in list(self.subscribers):
            if sub.unmasked:
                if plain is None:
                    plain = Frame.of([(e["seq"], encode(e, unmasked=True)) for e in events])
                frame = plain
            else:
                if masked is None:
                    masked = Frame.of([(e["seq"], encode(e, unmasked=False)) for e in events])
                frame = masked
            w = sub.direct
            if w is not None:
                if sub.last + 1 == first and w.ready():
                    w.write(frame.wire)
                    sub.last = last
                    continue
                sub.direct = None  # a gap or back-pressure: the sender task takes over
            try:
                sub.queue.put_nowait(frame)
            except asyncio.QueueFull:
                sub.overflowed = True
                self.subscribers.discard(sub)
                sub.wake_closed()
                log.warning("dropped a lagging event subscriber")
