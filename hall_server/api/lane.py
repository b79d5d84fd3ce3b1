"""The hot lane: a peak hour's six requests, served without the framework's per-request layers.

A busy hall is made of six requests: a kiosk's ``POST /tickets`` and a window's call-next,
start, complete, recall and skip. Through FastAPI each paid about 1 ms of CPU before and
after its write — route matching over every route, dependency solving, request and
response wrappers (py-spy at saturation: more than half the process, docs/server.md "Hot
lane") — more than the write itself. This ASGI layer answers those six directly and hands
everything else to the app unchanged.

It adds no rule of its own: the same operations as the routes (``api.queue.issue_write``,
``api.queue.window_move``), the same roles (``api.queue.ISSUERS``/``STAFF_AT_WINDOW``),
actor look-up (``deps.actor_for``), Idempotency-Key guard (``deps.write_once``) and error
mapping (``errors.response_for``); the routes stay for the OpenAPI description and for
anything the lane declines. It declines (passes the request on, its body replayed) whatever
is not plainly one of the six: a query string, a body that is not a valid ``TicketIn``
(so a 422 reads exactly as from the framework), a non-JSON content type. It stands in
front of the whole middleware stack (``app.HallApp``), so it does itself what those layers
do for it: the body is read, bounded and checked by ``api.body.read`` (as ``BodyLimit``
does), the write passes the same ``admission.Gate``, and any error is answered by
``errors.response_for``.
"""
from __future__ import annotations

import json
import re

from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import contract as c
from ..contract import API_PREFIX
from ..domain.errors import HallError
from . import body
from . import queue as routes
from .admission import Gate
from .deps import AppContext, Key, actor_for, allow, write_once
from .errors import response_for

ISSUE_PATH = f"{API_PREFIX}/tickets"
# the window number as the route's WindowNo allows it (1–9999, no leading zero to be safe)
_MOVE_PATH = re.compile(re.escape(API_PREFIX) + r"/windows/([1-9][0-9]{0,3})/(" +
                        "|".join(re.escape(p) for p in routes.WINDOW_MOVES) + ")")
_ISSUERS = frozenset(routes.ISSUERS)
_AT_WINDOW = frozenset(routes.STAFF_AT_WINDOW)


class HotLane:
    """Answers the six requests itself; ``app.HallApp`` offers it every request first."""

    def __init__(self, *, context: AppContext, gate: Gate, fallback: ASGIApp, max_body_bytes: int) -> None:
        self.c, self.gate, self.fallback, self.max_body_bytes = context, gate, fallback, max_body_bytes

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve the request if it is one of the six (True); else touch nothing (False)."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("query_string"):
            return False
        path: str = scope["path"]
        move = None if path == ISSUE_PATH else _MOVE_PATH.fullmatch(path)
        if move is None and path != ISSUE_PATH:
            return False
        await self._serve(scope, receive, send, path, move)
        return True

    async def _serve(self, scope: Scope, receive: Receive, send: Send, path: str, move: re.Match[str] | None) -> None:
        authorization, key, ctype = "", None, b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"idempotency-key":
                key = value.decode("latin-1")
            elif name == b"content-type":
                ctype = value
        where = f"POST {path}"
        if move is None:  # the one request here with a body
            try:
                got = await body.read(scope, receive, max_bytes=self.max_body_bytes)
            except HallError as e:
                await response_for(e, where=where)(scope, receive, send)
                return
            if got is None:  # the client went away
                return
            ticket = _ticket_in(got, ctype)
            if ticket is None:  # let the framework answer it, word for word as always
                await self.fallback(scope, body.replay(got, receive), send)
                return
        if not self.gate.enter():  # the same bound as every other write (api/admission.py)
            await self.gate.refuse(send)
            return
        try:
            if move is None:
                actor = allow(await actor_for(self.c, authorization), _ISSUERS)
                k = Key.make(key=key, actor=actor, route=where, status=201,
                             digest=scope.get("state", {}).get("body_digest"))
                response = await write_once(self.c, k, routes.issue_write(self.c, actor, ticket), lean=True)
            else:
                actor = allow(await actor_for(self.c, authorization), _AT_WINDOW)
                response = await routes.window_move(self.c, actor, int(move.group(1)),
                                                    routes.WINDOW_MOVES[move.group(2)])
        except Exception as exc:  # noqa: BLE001 — answered as the framework's handlers answer it
            response = response_for(exc, where=where)
        finally:
            self.gate.leave()
        self.c.lane_served += 1  # on the health page
        await response(scope, receive, send)


def _ticket_in(raw: bytes, ctype: bytes) -> c.TicketIn | None:
    """The body as the route would read it (JSON, then the model), or None to decline."""
    if ctype and b"json" not in ctype.lower():
        return None
    try:
        return c.TicketIn.model_validate(json.loads(raw))
    except (ValueError, ValidationError, RecursionError):  # JSONDecodeError is a ValueError
        return None
