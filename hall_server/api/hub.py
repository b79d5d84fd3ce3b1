"""Fan-out of committed events to WebSocket subscribers.

Writers run in worker threads; they hand each committed batch to the event loop,
which serialises it once (masked and unmasked) and queues it for every subscriber.
A subscriber that falls too far behind is dropped and resyncs from its last seq.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from ..domain.privacy import mask_data

log = logging.getLogger(__name__)

MAX_BACKLOG = 2000  # batches


@dataclass(eq=False)
class Subscriber:
    unmasked: bool
    queue: asyncio.Queue[list[tuple[int, str]] | None] = field(default_factory=lambda: asyncio.Queue(MAX_BACKLOG))
    overflowed: bool = False


def encode(event: dict[str, Any], *, unmasked: bool) -> str:
    if unmasked:
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return json.dumps({**event, "data": mask_data(event["data"], names=True)}, ensure_ascii=False,
                      separators=(",", ":"))


class EventHub:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.subscribers: set[Subscriber] = set()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def subscribe(self, *, unmasked: bool) -> Subscriber:
        sub = Subscriber(unmasked=unmasked)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Called from a writer thread right after its commit (under the writer lock)."""
        loop = self.loop
        if loop is None or loop.is_closed() or not self.subscribers:
            return
        loop.call_soon_threadsafe(self._fanout, events)

    def _fanout(self, events: list[dict[str, Any]]) -> None:
        plain: list[tuple[int, str]] | None = None
        masked: list[tuple[int, str]] | None = None
        for sub in list(self.subscribers):
            if sub.unmasked:
                if plain is None:
                    plain = [(e["seq"], encode(e, unmasked=True)) for e in events]
                batch = plain
            else:
                if masked is None:
                    masked = [(e["seq"], encode(e, unmasked=False)) for e in events]
                batch = masked
            try:
                sub.queue.put_nowait(batch)
            except asyncio.QueueFull:
                sub.overflowed = True
                self.subscribers.discard(sub)
                try:
                    sub.queue.get_nowait()
                    sub.queue.put_nowait(None)  # wake it so it can close and resync
                except (asyncio.QueueEmpty, asyncio.QueueFull):
                    pass
                log.warning("dropped a lagging event subscriber")
