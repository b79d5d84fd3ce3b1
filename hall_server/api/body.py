"""Request bodies: bounded, free of control characters, fingerprinted — for every route
(``BodyLimit``) and the hot lane (``read``) alike."""
from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.errors import HallError, TooLarge
from . import guard
from .errors import error_response


def announced_too_large(scope: Scope, max_bytes: int) -> bool:
    """The client announced more than the limit (Content-Length): refused before reading."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":  # the server holds the client to what it announced
            return not value.isdigit() or int(value) > max_bytes
    return False


async def read(scope: Scope, receive: Receive, *, max_bytes: int) -> bytes | None:
    """The whole body, up to the limit (also when sent chunked), checked (``guard``); None if
    the client went away. Raises ``TooLarge`` or ``guard.ControlCharacter``. Notes the body's
    sha256 in the scope: the Idempotency-Key guard compares a retry's body with the first one
    (``api/deps.py``)."""
    if announced_too_large(scope, max_bytes):
        raise TooLarge()
    chunks: list[bytes] = []
    seen = 0
    while True:
        msg = await receive()
        if msg["type"] != "http.request":  # client went away
            return None
        part = msg.get("body", b"")
        seen += len(part)
        if seen > max_bytes:
            raise TooLarge()
        chunks.append(part)
        if not msg.get("more_body", False):
            break
    whole = b"".join(chunks)
    ctype = next((v for n, v in scope.get("headers", ()) if n == b"content-type"), b"")
    bad = guard.refuse_body(whole, ctype)
    if bad is not None:
        raise bad
    scope.setdefault("state", {})["body_digest"] = hashlib.sha256(whole).hexdigest()
    return whole


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the body already read on to the next layer."""
    buffered: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def again() -> Message:
        return buffered.pop() if buffered else await receive()
    return again


class BodyLimit:
    """Refuse bodies over the limit (413), whether announced by Content-Length or sent
    chunked, and control characters in the URL or a JSON body (422). Pure ASGI: no
    per-request task group, unlike ``@app.middleware``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bad = guard.refuse_url(scope)  # NUL and control characters never reach a handler (docs/audit.md)
        if bad is not None:
            await error_response(422, bad.code, bad.message)(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "DELETE", "OPTIONS") \
                and all(name != b"transfer-encoding" for name, _ in scope.get("headers", ())):
            if announced_too_large(scope, self.max_bytes):
                await error_response(413, TooLarge.code, TooLarge.message)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        try:
            whole = await read(scope, receive, max_bytes=self.max_bytes)
        except HallError as e:
            await error_response(e.status, e.code, e.message)(scope, receive, send)
            return
        if whole is not None:
            await self.app(scope, replay(whole, receive), send)
