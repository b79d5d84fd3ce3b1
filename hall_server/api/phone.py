"""The phone pages' own router (outside /api/v1, short paths for small QR codes): my
ticket (live), my case (with its query code), and rating later on both, with and
without JavaScript. Every route is public and rate limited per source
(``ratelimit.phone_public``); answers are the masked ``contract.phone`` models, as HTML
for people and JSON for the pages' own updates.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from .. import contract as c
from ..domain.errors import HallError
from ..reports import phone_pages as pages
from ..services import phone as svc
from ..services import public_url
from ..services import ratings as rsvc
from .deps import AppContext, ctx
from .ratelimit import Guess, RateLimited, case_guess, limits, phone_public, source

log = logging.getLogger(__name__)

router = APIRouter(tags=["手机页面"])

Token = Path(min_length=1, max_length=60)
CaseNo = Path(min_length=6, max_length=24, pattern=r"^[A-Za-z]{1,4}\d{8}-\d{4,6}$")
STREAM_SECONDS = 60.0  # one live stream's life; the browser reconnects by itself (SSE retry)
MIN_PUSH_INTERVAL = 1.0  # a busy hall changes every second: one recomputation a second at most
MAX_STREAMS_PER_SOURCE = 8  # phones behind one hall Wi-Fi NAT share an address
_RING = ("ticket.", "duty.", "window.", "rating.")  # events that may move someone's place


def _ticket_path(token: str) -> str:
    return f"{public_url.TICKET_PAGE}{quote(token, safe='-')}"


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


# --- my ticket -------------------------------------------------------------------

@router.get("/m/t/{token}", response_class=HTMLResponse)
def ticket_page(token: str = Token, rated: int = Query(default=0, ge=0, le=1), _: None = Depends(phone_public),
                c_: AppContext = Depends(ctx)) -> HTMLResponse:
    """The page the ticket's QR opens (and the notice's rating QR)."""
    try:
        with c_.db.read() as s:
            t = svc.ticket_status(s, settings=c_.settings, token=token, now=c_.now())
    except HallError as e:
        return _html(pages.message_page("我的排队号", e.message, hall_name=c_.settings.hall_name), e.status)
    return _html(pages.ticket_page(t, base=_ticket_path(token), rate_action=f"{_ticket_path(token)}/rate",
                                   rate_json=f"{c.API_PREFIX}/rate/{token}",
                                   notice="感谢您的评价！" if rated else ""))


@router.get("/m/t/{token}/status", response_model=c.TicketPhoneOut)
def ticket_status(token: str = Token, _: None = Depends(phone_public),
                  c_: AppContext = Depends(ctx)) -> c.TicketPhoneOut:
    """The same as the page, as JSON: the page's polling fallback."""
    with c_.db.read() as s:
        return svc.ticket_status(s, settings=c_.settings, token=token, now=c_.now())


class Bell:
    """Rings when a committed event may have moved someone's place in a queue: the live
    streams wait on it instead of polling the database."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.generation, self._event = loop, 0, asyncio.Event()

    @classmethod
    def of(cls, app: FastAPI, c_: AppContext) -> "Bell":
        bell: Bell | None = getattr(app.state, "phone_bell", None)
        if bell is None:
            bell = app.state.phone_bell = cls(asyncio.get_running_loop())
            c_.db.after_commit.append(bell.on_commit)
        return bell

    def on_commit(self, events: list[dict[str, Any]]) -> None:  # any thread
        if any(str(e.get("type", "")).startswith(_RING) for e in events):
            try:
                self.loop.call_soon_threadsafe(self._ring)
            except RuntimeError:  # the loop is closed: the server is stopping
                pass

    def _ring(self) -> None:
        self.generation += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seen: int, timeout: float) -> None:
        if self.generation != seen:
            return
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            pass


@router.get("/m/t/{token}/events", response_class=StreamingResponse)
async def ticket_events(request: Request, token: str = Token, _: None = Depends(phone_public),
                        c_: AppContext = Depends(ctx)) -> Response:
    """Server-sent events: the ticket's status whenever it changes (``event: status``)."""
    def read() -> c.TicketPhoneOut:
        with c_.db.read() as s:
            return svc.ticket_status(s, settings=c_.settings, token=token, now=c_.now())

    first = await run_in_threadpool(read)  # a bad token is a 404 here, before the stream
    lim, who = limits(request), source(request)
    with lim.lock:
        if lim.streams.get(who, 0) >= MAX_STREAMS_PER_SOURCE:
            raise RateLimited(30)
        lim.streams[who] = lim.streams.get(who, 0) + 1
    bell = Bell.of(request.app, c_)

    async def stream() -> AsyncIterator[str]:
        try:
            out, last, started = first, "", time.monotonic()
            yield "retry: 3000\n\n"
            while time.monotonic() - started < STREAM_SECONDS:
                if out.version != last:
                    last = out.version
                    yield f"event: status\ndata: {out.model_dump_json()}\n\n"
                seen = bell.generation
                await bell.wait(seen, 15.0)
                if bell.generation == seen:
                    yield ": ping\n\n"  # keeps NATs and proxies from dropping a quiet stream
                    continue
                await asyncio.sleep(MIN_PUSH_INTERVAL)
                out = await run_in_threadpool(read)
        finally:
            with lim.lock:
                lim.streams[who] = lim.streams.get(who, 1) - 1
                if lim.streams[who] <= 0:
                    lim.streams.pop(who, None)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


# --- rating without JavaScript ------------------------------------------------------

@router.post("/m/t/{token}/rate", response_class=HTMLResponse)
async def rate_form(request: Request, token: str = Token, _: None = Depends(phone_public),
                    c_: AppContext = Depends(ctx)) -> Response:
    """The rating form's plain POST (application/x-www-form-urlencoded), for a phone
    without JavaScript: records through the same use case as the JSON endpoint, then
    sends the browser back to the page it came from (303, so a reload does not re-post).
    A service is rated once whatever the path, so a repeated post cannot rate twice."""
    raw = await request.body()
    form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=False)
    back = (form.get("back") or [""])[0]
    if not back.startswith(public_url.CASE_PAGE) or "//" in back:
        back = f"{_ticket_path(token)}?rated=1"
    try:
        body = c.PublicRatingIn(level=(form.get("level") or [""])[0], reasons=form.get("reason", []),
                                comment=((form.get("comment") or [""])[0].strip() or None))
    except ValidationError:
        return _html(pages.message_page("服务评价", "请选择一项评价后再提交。", hall_name=c_.settings.hall_name), 422)

    def run() -> None:
        with c_.db.write() as s:
            rsvc.rate_public(s, settings=c_.settings, token=token, now=c_.now(), body=body)
    try:
        await run_in_threadpool(run)
    except HallError as e:
        if e.code != "already_rated":
            return _html(pages.message_page("服务评价", e.message, hall_name=c_.settings.hall_name), e.status)
    return RedirectResponse(back, status_code=303)


# --- my case -------------------------------------------------------------------------

@router.get("/m/c/{case_no}", response_class=HTMLResponse)
def case_page(request: Request, case_no: str = CaseNo, code: str = Query(default="", max_length=20),
              _: None = Depends(phone_public), c_: AppContext = Depends(ctx)) -> HTMLResponse:
    """The notice's progress QR. Without the code: a form asking for it, nothing else.
    A wrong code and an unknown case get the same page (and cost the same)."""
    action = f"{public_url.CASE_PAGE}{quote(case_no.upper(), safe='-')}"
    if not code.strip():
        return _html(pages.code_form(action=action, case_no=case_no.upper(), hall_name=c_.settings.hall_name))
    return _case_with_code(request, case_no, code, action, c_)


def _case_with_code(request: Request, case_no: str, code: str, action: str, c_: AppContext) -> HTMLResponse:
    # the guess bucket is taken here (not as a route dependency) so the form without a
    # code costs no guess; anyio runs this sync route in a worker thread, which may not
    # await, hence the bucket's plain methods
    lim, who = limits(request), source(request)
    wait = lim.guess.take(who, time.monotonic())
    if wait:
        raise RateLimited(wait)
    try:
        with c_.db.read() as s:
            cp = svc.case_status(s, settings=c_.settings, now=c_.now(), case_no=case_no, code=code)
            rating = (rsvc.public_info(s, settings=c_.settings, token=cp.rating_token)
                      if cp.rating_token else None)
    except HallError as e:
        return _html(pages.code_form(action=action, case_no=case_no.upper(), error=e.message,
                                     hall_name=c_.settings.hall_name), e.status)
    Guess(lim.guess, who).right()
    token = cp.rating_token or ""
    back = f"{action}?code={quote(code.strip(), safe='')}"
    return _html(pages.case_page(cp, tz=c_.settings.tz, rating=rating, rate_action=f"{_ticket_path(token)}/rate",
                                 rate_json=f"{c.API_PREFIX}/rate/{token}", back=back))


@router.get("/m/c/{case_no}/status", response_model=c.CasePhoneOut)
def case_status(case_no: str = CaseNo, code: str = Query(min_length=4, max_length=20),
                guess: Guess = Depends(case_guess), c_: AppContext = Depends(ctx)) -> c.CasePhoneOut:
    """The case page as JSON (masked): for a hall's own app or mini-program."""
    with c_.db.read() as s:
        out = svc.case_status(s, settings=c_.settings, now=c_.now(), case_no=case_no, code=code)
    guess.right()
    return out


# --- wiring --------------------------------------------------------------------------

def install(app: FastAPI) -> None:
    """Include the router and answer 429 with Retry-After: an HTML page on the phone
    pages, the usual JSON error shape elsewhere."""
    app.include_router(router)

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, exc: RateLimited) -> Response:
        log.info("rate limited %s on %s %s", source(request), request.method, request.url.path)
        headers = {"Retry-After": str(exc.retry_after), "Cache-Control": "no-store"}
        path = request.url.path
        if path.startswith(public_url.PHONE_PREFIX + "/") and not path.endswith(("/status", "/events")):
            return HTMLResponse(pages.message_page("请稍后再试", exc.message), status_code=429, headers=headers)
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=429, headers=headers)
