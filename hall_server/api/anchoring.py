"""The daily checkpoint: a background task of the server signs one when the last is
older than ``audit_checkpoint_hours`` (and the office's key file is there)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import anyio.to_thread

from ..services import anchors
from ..services.actors import SYSTEM
from .deps import AppContext

log = logging.getLogger(__name__)


def run_once(c: AppContext, *, every_hours: float | None = None) -> bool:
    """Sign a checkpoint if one is due; True when one was made."""
    hours = c.settings.audit_checkpoint_hours if every_hours is None else every_hours
    if hours <= 0:
        return False
    key = anchors.load_key(c.settings)
    if key is None:
        return False
    now = c.now()
    with c.db.read() as s:
        if not anchors.due(s, now=now, every_hours=hours):
            return False
    with c.db.write() as s:
        anchors.make_checkpoint(s, settings=c.settings, actor=SYSTEM, now=now, key=key)
    return True


def start(c: AppContext, *, every_s: float = 600.0) -> Callable[[], Awaitable[None]]:
    """Check now, then every ``every_s``; returns the (async) stop function for the
    lifespan, which waits for a checkpoint being written to finish before the database
    is closed."""
    if c.settings.audit_checkpoint_hours <= 0:
        async def nothing() -> None:
            return None
        return nothing

    async def loop() -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(run_once, c)
            except Exception:  # a failed checkpoint must not stop the next one; logged loudly
                log.exception("audit checkpoint failed")
            await asyncio.sleep(every_s)

    task = asyncio.get_running_loop().create_task(loop())

    async def stop() -> None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return stop
