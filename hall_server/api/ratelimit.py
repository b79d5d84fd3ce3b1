"""Per-source rate limits for the public (no-login) endpoints a phone reaches.

An in-process token bucket keyed by the client's address (``request.client.host``; behind
a reverse proxy uvicorn puts the forwarded address there for trusted proxies). Why in
process: one hall runs one server process; several processes (the PostgreSQL set-up)
each keep their own buckets, so the effective limit is that many times higher; the
figures in docs/phone.md say so. Two buckets per address:

* ``page``: every public page, status poll, live stream and rating post;
* ``guess``: each case lookup takes one before the code is checked, and a right code
  gives it back, so only wrong (or unknown) codes are spent. When it is empty every
  lookup answers 429, right or wrong, so guessing gets no signal at all.

A request that carries a valid staff or device token (the kiosk's case lookup, a clerk)
is not charged: it is signed in and its actions are logged.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Depends, Request

from ..domain.errors import HallError
from .deps import current_actor

MAX_KEYS = 50_000  # addresses remembered per bucket; the oldest is forgotten first


class RateLimited(HallError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"访问过于频繁，请 {self.retry_after} 秒后再试。")


class TokenBucket:
    """``burst`` requests at once, then ``rate`` per second. Thread-safe; the clock is
    passed in so the rule is tested without waiting."""

    def __init__(self, *, rate: float, burst: int, max_keys: int = MAX_KEYS) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._lock = threading.Lock()
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._state.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - at) * self.rate)

    def take(self, key: str, now: float) -> float:
        """0 when allowed (one token spent), else the seconds until one is there."""
        with self._lock:
            tokens = self._level(key, now)
            if tokens < 1:
                self._state[key] = (tokens, now)
                return (1 - tokens) / self.rate if self.rate > 0 else 3600.0
            self._state[key] = (tokens - 1, now)
            self._state.move_to_end(key)
            while len(self._state) > self.max_keys:
                self._state.popitem(last=False)
            return 0.0

    def __len__(self) -> int:
        """How many sources are remembered (bounded by ``max_keys``)."""
        return len(self._state)

    def give_back(self, key: str, now: float) -> None:
        with self._lock:
            self._state[key] = (min(float(self.burst), self._level(key, now) + 1), now)


@dataclass
class Limits:
    page: TokenBucket
    guess: TokenBucket
    streams: dict[str, int]  # open live streams per address
    lock: threading.Lock


def limits(request: Request) -> Limits:
    """The app's buckets, made on first use from its settings (one set per app)."""
    state = request.app.state
    got = getattr(state, "phone_limits", None)
    if got is None:
        s = request.app.state.ctx.settings
        got = Limits(page=TokenBucket(rate=s.phone_rate_per_minute / 60, burst=s.phone_rate_burst),
                     guess=TokenBucket(rate=s.case_guess_per_hour / 3600, burst=s.case_guess_burst),
                     streams={}, lock=threading.Lock())
        state.phone_limits = got
    return got  # type: ignore[no-any-return]


def source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _signed_in(request: Request) -> bool:
    if not request.headers.get("authorization"):
        return False
    try:
        await current_actor(request)
    except HallError:
        return False
    return True


async def phone_public(request: Request) -> None:
    """``Depends(phone_public)``: deliberately open (no login) AND rate limited per source."""
    if await _signed_in(request):
        return
    wait = limits(request).page.take(source(request), time.monotonic())
    if wait:
        raise RateLimited(wait)


phone_public.public = True  # type: ignore[attr-defined]  # the auth-matrix test reads it
phone_public.allowed_roles = frozenset()  # type: ignore[attr-defined]


class Guess:
    """One case lookup's token from the ``guess`` bucket; ``right()`` gives it back."""

    def __init__(self, bucket: TokenBucket | None, key: str) -> None:
        self.bucket, self.key = bucket, key

    def right(self) -> None:
        if self.bucket is not None:
            self.bucket.give_back(self.key, time.monotonic())


async def case_guess(request: Request, _: None = Depends(phone_public)) -> Guess:
    """Spend one guess before the query code is checked (a right code returns it)."""
    if await _signed_in(request):
        return Guess(None, "")
    bucket, key = limits(request).guess, source(request)
    wait = bucket.take(key, time.monotonic())
    if wait:
        raise RateLimited(wait)
    return Guess(bucket, key)
