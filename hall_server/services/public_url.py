"""The one home of every address a citizen's phone is given: printed QR codes (ticket,
notices), the links under them, and the links inside the phone pages themselves.

Why one module: a QR code printed with the wrong host is useless for the life of the
paper (a notice lives for weeks), and before this module each area glued
``settings.public_base_url`` to its own path. Now ``base_url()`` is the single entry
point (a hall profile stored in the database may later override the setting; that is
what ``session`` is for), and each phone page has one builder here.

Paths are short on purpose: the kiosk's ticket must stay under 400 bytes at 9600 baud,
and a shorter URL is a smaller, more easily scanned QR.
"""
from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy.orm import Session

from ..settings import Settings
from . import confcache

log = logging.getLogger(__name__)

FALLBACK_BASE = "http://127.0.0.1:8080"  # only when nothing is set (tests, a bare create_app)

PHONE_PREFIX = "/m"  # the phone pages' router (``api/phone.py``), outside /api/v1
TICKET_PAGE = f"{PHONE_PREFIX}/t/"  # + rating token: my ticket, and rating when done
CASE_PAGE = f"{PHONE_PREFIX}/c/"  # + case_no ?code=…: my case
ASSETS = f"{PHONE_PREFIX}/s/"  # the pages' own static files (none from a CDN)


def base_url(*, settings: Settings, session: Session | None = None) -> str:
    """The address phones reach, without a trailing slash: the one the admin saved in the
    hall profile (系统管理 → 大厅信息), else the setting ``HALL_PUBLIC_BASE_URL``, else
    ``FALLBACK_BASE``. The profile's value is read once per database and forgotten when
    an admin saves the profile (``confcache``), so the kiosk's hot path pays no extra read."""
    if session is not None:
        saved = _profile_url(session)
        if saved:
            return saved
    return (settings.public_base_url or FALLBACK_BASE).rstrip("/")


def _profile_url(session: Session) -> str:
    from .hallconfig import hall_profile  # the profile's one home
    return confcache.cached(session, "public-url",
                            lambda: hall_profile(session).public_base_url.strip().rstrip("/"))


def forget(session: Session) -> None:
    """The admin saved the hall profile: the next address is read from it again (and, once
    the save is committed, by every server process: its ``config.changed`` event)."""
    confcache.clear()


def ticket_url(*, settings: Settings, token: str, session: Session | None = None) -> str:
    """My ticket: place in the queue, then the rate-later form once served."""
    return f"{base_url(settings=settings, session=session)}{TICKET_PAGE}{quote(token, safe='-')}"


def rating_url(*, settings: Settings, token: str, session: Session | None = None) -> str:
    """Rating later happens on the ticket's own page (the form appears when the service
    is completed): one QR per service, whatever the citizen wants to do with it."""
    return ticket_url(settings=settings, token=token, session=session)


def case_url(*, settings: Settings, case_no: str, code: str, session: Session | None = None) -> str:
    """My case: the query code travels in the QR so a scan needs no typing; without it
    the page shows nothing of the case."""
    return (f"{base_url(settings=settings, session=session)}{CASE_PAGE}{quote(case_no, safe='-')}"
            f"?code={quote(code, safe='')}")


def is_loopback(url: str) -> bool:
    """True when a phone could never reach the address: 127.x, ::1, localhost, 0.0.0.0."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def startup_warning(settings: Settings, **extra: Any) -> str | None:
    """What the server says loudly at start when printed QR codes would lead nowhere."""
    if not settings.public_base_url:
        return ("【警告】未设置手机访问地址 HALL_PUBLIC_BASE_URL：取号票、通知书上的二维码将印成 "
                f"{FALLBACK_BASE}，群众手机扫码无法打开。请设为大厅 Wi-Fi 或互联网上手机能访问的地址，"
                "如 HALL_PUBLIC_BASE_URL=http://192.168.1.10:8080 。")
    url = base_url(settings=settings)
    if is_loopback(url):
        return (f"【警告】手机访问地址 HALL_PUBLIC_BASE_URL={url} 是本机回环地址：取号机和窗口打印的二维码"
                "只在本机有效，群众手机扫码无法打开。演示可以忽略；正式使用请改为手机能访问的地址。")
    return None
