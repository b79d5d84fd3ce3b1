"""A bounded queue in front of the writer: past capacity the server sheds load.

Every write is serialised (one hash chain), so requests that arrive faster than the writer
commits can only wait; without a bound they wait without limit, the tail latency of every
accepted request grows with the backlog and the memory with it. This counts the writing
requests in flight (every method but GET/HEAD/OPTIONS, from the moment the request enters
until its answer is sent: queued on the event loop, in the thread pool or on the writer
lock); past ``limit`` a new one is answered at once with 503, ``Retry-After`` and a Chinese
message, before any of it runs, so nothing is half-written. Reads and the event stream are
never refused here. Runs on the event loop only, so a plain counter is exact.
"""
from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MESSAGE = "服务器繁忙，请稍后重试。"


class Gate:
    """The bound itself, shared by the middleware below and the hot lane (``api/lane.py``),
    so every write counts against one limit; ``limit`` 0 turns it off."""

    def __init__(self, limit: int, *, retry_after_s: int = 1) -> None:
        self.limit = limit
        self.retry_after = str(max(1, retry_after_s))
        self.in_flight = 0
        self.refused = 0  # since start, for the logs and the benchmark
        self._body = json.dumps({"error": {"code": "overloaded", "message": MESSAGE}},
                                ensure_ascii=False).encode()

    def enter(self) -> bool:
        """Take a place (True), or count a refusal (False: answer it with ``refuse``)."""
        if self.limit > 0 and self.in_flight >= self.limit:
            self.refused += 1
            if self.refused == 1 or self.refused % 1000 == 0:
                log.warning("overloaded: %d writes waiting, refused %d so far", self.in_flight, self.refused)
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1

    async def refuse(self, send: Any) -> None:
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(self._body)).encode()),
                                (b"retry-after", self.retry_after.encode())]})
        await send({"type": "http.response.body", "body": self._body})


class WriteAdmission:
    """ASGI middleware: every writing request passes the gate."""

    def __init__(self, app: Any, *, gate: Gate) -> None:
        self.app, self.gate = app, gate

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        if not self.gate.enter():
            await self.gate.refuse(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.leave()
