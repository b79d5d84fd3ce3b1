"""HTTP and the event stream, off the GUI thread.

An asyncio loop runs in one background thread with an ``httpx.AsyncClient`` and a
``websockets`` client (QtWebSockets is not in PySide6-Essentials). Results come back to
the GUI thread through one queued signal, so widgets and logic only ever see Qt signals
in their own thread and the UI never waits on the network.

- ``request(...)`` returns a ``Reply`` (``finished(result)`` / ``failed(KnownError)``).
  A connect failure is retried with backoff (nothing reached the server); a creating call
  (``idempotent=True``) keeps one Idempotency-Key over all its retries, so the server
  answers a retry with the first answer and creates nothing twice.
- ``start_stream()`` loads the ``/hall`` snapshot, then follows
  ``/events?after=SEQ``; on a drop it reconnects with exponential backoff and continues
  after the last seq seen; ``resync()`` (asked by the store on a seq gap) reloads the
  snapshot first. ``online_changed(bool)`` follows the stream.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import websockets
from pydantic import BaseModel, TypeAdapter, ValidationError
from PySide6.QtCore import QObject, Qt, Signal, Slot

from hall_server.contract import API_PREFIX, EventOut, HallOut

from .bridge import KnownError
from .config import ClientConfig

log = logging.getLogger(__name__)

_EVENTS = TypeAdapter(list[EventOut])


class ApiError(KnownError):
    """The server's ``{"error": {"code", "message"}}``: its Chinese message is shown as is."""

    def __init__(self, message: str, *, code: str, status: int) -> None:
        super().__init__(message, code=code)
        self.status = status


class Offline(KnownError):
    code = "offline"

    def __init__(self) -> None:
        super().__init__("无法连接服务器，请检查网络；恢复后会自动重新连接。")


class Reply(QObject):
    """One request's answer, delivered in the GUI thread."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.result: Any = None
        self.error: KnownError | None = None
        self.done = False


class Connection(QObject):
    """The client's only way to the server; lives in the GUI thread, works in its own."""

    online_changed = Signal(bool)
    snapshot_received = Signal(object)  # HallOut
    events_received = Signal(object)  # list[EventOut], in seq order
    request_sent = Signal(str, str)  # method, path (for tests and the demo log)
    _deliver = Signal(object)

    def __init__(self, config: ClientConfig, *, token: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.token = token or config.device_token
        self.online = False
        self.after = 0  # last seq handed to the GUI thread
        self._replies: dict[int, Reply] = {}
        self._ids = itertools.count(1)
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="hall-connection", daemon=True)
        self._client: httpx.AsyncClient | None = None
        self._stream_task: asyncio.Future[None] | None = None
        self._ws: Any = None
        self._need_snapshot = True
        self._wake: asyncio.Event | None = None
        self._closed = False
        self._thread.start()

    # --- public API (GUI thread) ----------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.config.server_url + API_PREFIX

    def set_token(self, token: str) -> None:
        self.token = token

    def request(self, method: str, path: str, *, json_body: Any = None, model: Any = None,
                idempotent: bool = False, idempotency_key: str | None = None,
                on_ok: Callable[[Any], None] | None = None,
                on_error: Callable[[KnownError], None] | None = None) -> Reply:
        """Send ``method path`` (relative to /api/v1); parse the answer into ``model`` if given.

        ``model`` is a pydantic class or a type for ``TypeAdapter`` (``list[X]``).
        """
        reply = Reply(self)
        rid = next(self._ids)
        self._replies[rid] = reply
        if on_ok is not None:
            reply.finished.connect(on_ok)
        if on_error is not None:
            reply.failed.connect(on_error)
        key = idempotency_key or (uuid.uuid4().hex if idempotent else None)
        if self._closed or self._loop.is_closed():
            # a widget asking on the way out: the reply simply never comes (nothing to show)
            log.debug("request %s %s after close dropped", method, path)
            return reply
        self.request_sent.emit(method, path)
        asyncio.run_coroutine_threadsafe(self._request(rid, method, path, json_body, model, key), self._loop)
        return reply

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, json_body=body, **kw)

    def start_stream(self) -> None:
        """Follow the hall: snapshot, then events; reconnects by itself until ``close()``."""
        if self._stream_task is None:
            self._stream_task = asyncio.run_coroutine_threadsafe(self._stream(), self._loop)

    def resync(self) -> None:
        """Reload the snapshot and restart the stream after it (asked on a seq gap)."""
        log.info("resync requested after seq %s", self.after)
        self._loop.call_soon_threadsafe(self._force_resync)

    def drop_stream(self) -> None:
        """Close the socket as if the network dropped it (used by tests and the demo)."""
        self._loop.call_soon_threadsafe(self._close_ws)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._ws is not None:
                await self._ws.close()
            if self._client is not None:
                await self._client.aclose()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        except Exception:  # noqa: BLE001 - best effort on the way out
            log.warning("connection shutdown was not clean", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    # --- worker thread ----------------------------------------------------------------

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        self._loop.close()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.config.request_timeout_s, trust_env=False)
        return self._client

    def _headers(self, key: str | None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key:
            h["Idempotency-Key"] = key
        return h

    async def _send(self, method: str, path: str, body: Any, key: str | None) -> httpx.Response:
        delay = 0.1
        attempts = 4
        for attempt in range(attempts):
            try:
                return await self._http().request(method, self.base_url + path, json=body,
                                                  headers=self._headers(key))
            except httpx.ConnectError:
                # nothing reached the server: safe to retry any call
                if attempt == attempts - 1:
                    raise
            except httpx.TransportError:
                # the request may have arrived: only a creating call with its key may repeat
                if key is None or attempt == attempts - 1:
                    raise
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    async def _request(self, rid: int, method: str, path: str, body: Any, model: Any, key: str | None) -> None:
        try:
            r = await self._send(method, path, body, key)
            result = self._parse(r, model)
        except httpx.TransportError as e:
            log.info("%s %s failed: %r", method, path, e)
            self._deliver.emit(("offline",))
            self._close_ws()  # let the stream loop find out when the server is back (it says "online")
            self._deliver.emit(("reply", rid, False, Offline()))
            return
        except KnownError as e:
            self._deliver.emit(("reply", rid, False, e))
            return
        except Exception as e:  # a bug (bad model, …): hand it to the GUI thread to fail loudly
            self._deliver.emit(("reply", rid, False, e))
            return
        self._deliver.emit(("reply", rid, True, result))

    @staticmethod
    def _parse(r: httpx.Response, model: Any) -> Any:
        if r.status_code >= 400:
            try:
                err = r.json()["error"]
                raise ApiError(str(err["message"]), code=str(err["code"]), status=r.status_code)
            except (ValueError, KeyError, TypeError):
                raise ApiError(f"服务器返回错误（{r.status_code}），请稍后再试。", code="http_error",
                               status=r.status_code) from None
        if model is bytes:  # an image or a file: the body as it came
            return r.content
        data = r.json() if r.content else None
        if model is None:
            return data
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)
        return TypeAdapter(model).validate_python(data)

    def _force_resync(self) -> None:
        self._need_snapshot = True
        self._close_ws()

    def _close_ws(self) -> None:
        if self._ws is not None:
            asyncio.ensure_future(self._ws.close())
        if self._wake is not None:
            self._wake.set()

    async def _stream(self) -> None:
        backoff = self.config.backoff_min_s
        self._wake = asyncio.Event()
        while True:
            try:
                if self._need_snapshot:
                    r = await self._http().get(self.base_url + "/hall", headers=self._headers(None))
                    snap = self._parse(r, HallOut)
                    self._need_snapshot = False
                    self.after = snap.last_seq
                    self._deliver.emit(("snapshot", snap))
                ws_url = self.base_url.replace("http", "ws", 1) + f"/events?after={self.after}&token={self.token}"
                async with websockets.connect(ws_url, open_timeout=self.config.request_timeout_s,
                                              ping_interval=20, max_size=2**24) as ws:
                    self._ws = ws
                    self._deliver.emit(("online", True))
                    backoff = self.config.backoff_min_s
                    async for msg in ws:
                        events = _EVENTS.validate_python(json.loads(msg))
                        if events:
                            self.after = max(self.after, events[-1].seq)
                            self._deliver.emit(("events", events))
                        if self._need_snapshot:
                            break
                self._ws = None
                if self._need_snapshot:
                    continue  # a resync: reconnect at once, no backoff
                if ws.close_code == 4401:
                    log.warning("event stream refused the token (expired or revoked?)")
                self._deliver.emit(("offline",))
            except asyncio.CancelledError:
                raise
            except (OSError, httpx.TransportError, websockets.WebSocketException, asyncio.TimeoutError) as e:
                log.info("event stream down: %r; retry in %.1fs", e, backoff)
                self._ws = None
                self._deliver.emit(("offline",))
            except (KnownError, ValidationError) as e:
                log.warning("event stream error: %s", e)
                self._ws = None
                self._deliver.emit(("offline",))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), backoff)
            except asyncio.TimeoutError:
                pass
            backoff = min(backoff * 2, self.config.backoff_max_s)

    # --- back in the GUI thread ---------------------------------------------------------

    @Slot(object)
    def _on_deliver(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "reply":
            _, rid, ok, payload = item
            reply = self._replies.pop(rid)
            reply.done = True
            if ok:
                reply.result = payload
                reply.finished.emit(payload)
            elif isinstance(payload, KnownError):
                reply.error = payload
                reply.failed.emit(payload)
            else:
                reply.error = None
                raise payload  # a bug: fail loudly (pytest-qt reports exceptions in slots)
            reply.deleteLater()
        elif kind == "snapshot":
            self.snapshot_received.emit(item[1])
        elif kind == "events":
            self.events_received.emit(item[1])
        elif kind == "online":
            self._set_online(True)
        elif kind == "offline":
            self._set_online(False)

    def _set_online(self, ok: bool) -> None:
        if ok != self.online:
            self.online = ok
            log.info("server %s", "online" if ok else "offline")
            self.online_changed.emit(ok)
