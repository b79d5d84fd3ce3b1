"""One keyword-only function per user action; every failure goes to ``bridge.handle``.

Widgets call these and never talk HTTP themselves. Each returns the ``Reply`` so a test
or a caller can wait on it; results update the session/devices in the GUI thread.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hall_server.contract import HallOut, IdCardIn, LoginOut, TicketIn, TicketOut

from .bridge import KnownError, MessageBridge
from .connection import Connection, Reply
from .devices import Devices
from .session import WindowSession
from .state import call_text

log = logging.getLogger(__name__)


def on_duty_text(window_no: int, name: str, staff_no: str) -> str:
    """What the window strip shows between calls (挂牌上岗 on the LED too)."""
    return f"{window_no}号窗口 {name}（工号{staff_no}）为您服务"


# --- window: sign-in -------------------------------------------------------------------

def sign_in(*, api: Connection, session: WindowSession, bridge: MessageBridge, staff_no: str,
            password: str, devices: Devices | None = None) -> Reply:
    """工号 + password at this window: 挂牌上岗, then pick up a ticket left at the window."""
    def ok(login: LoginOut) -> None:
        api.set_token(login.token)
        session.set_login(login)
        api.start_stream()
        api.get("/hall", model=HallOut, on_ok=_adopt_window, on_error=bridge.handle)
        if devices is not None:
            devices.show_text("led", on_duty_text(session.window_no, login.badge.name, login.badge.staff_no), idle=True)

    def _adopt_window(snap: HallOut) -> None:
        for w in snap.windows:
            if w.window_no == session.window_no:
                session.set_paused(w.state == "paused")
                if w.current is not None:
                    session.set_ticket(w.current)

    body = {"staff_no": staff_no.strip(), "password": password, "window_no": session.window_no}
    return api.post("/auth/login", body, model=LoginOut, on_ok=ok, on_error=bridge.handle)


def sign_out(*, api: Connection, session: WindowSession, bridge: MessageBridge) -> Reply:
    """签退 and drop the token; the server refuses while a ticket is still open."""
    def ok(_: Any) -> None:
        api.post("/auth/logout", on_ok=lambda _: None, on_error=lambda _: None)
        session.set_login(None)
    return api.post(f"/windows/{session.window_no}/sign-out", on_ok=ok, on_error=bridge.handle)


# --- window: ticket moves --------------------------------------------------------------

def _window_call(api: Connection, session: WindowSession, bridge: MessageBridge, path: str,
                 then: Callable[[TicketOut], None], body: Any = None) -> Reply:
    session.set_busy(True)

    def ok(t: TicketOut) -> None:
        session.set_busy(False)
        then(t)

    def err(e: KnownError) -> None:
        session.set_busy(False)
        bridge.handle(e)

    return api.post(f"/windows/{session.window_no}/{path}", body, model=TicketOut, on_ok=ok, on_error=err)


def _announce(session: WindowSession, devices: Devices, t: TicketOut) -> None:
    session.set_ticket(t)
    session.ticket_called.emit(t)
    devices.show_text("led", call_text(t.number, session.window_no), window_no=session.window_no)


def call_next(*, api: Connection, session: WindowSession, devices: Devices, bridge: MessageBridge) -> Reply:
    """F1 叫号: the server picks the next ticket; the window strip shows 「请A001号到3号窗口」."""
    return _window_call(api, session, bridge, "call-next", lambda t: _announce(session, devices, t))


def recall(*, api: Connection, session: WindowSession, devices: Devices, bridge: MessageBridge) -> Reply:
    """F2 重呼."""
    return _window_call(api, session, bridge, "recall", lambda t: _announce(session, devices, t))


def skip(*, api: Connection, session: WindowSession, devices: Devices, bridge: MessageBridge) -> Reply:
    """F3 过号 (no-show); the strip goes back to the clerk's name."""
    def done(t: TicketOut) -> None:
        session.set_ticket(t)
        if session.badge:
            devices.show_text("led", on_duty_text(session.window_no, session.badge.name, session.badge.staff_no),
                              idle=True)
    return _window_call(api, session, bridge, "skip", done)


def transfer(*, api: Connection, session: WindowSession, devices: Devices, bridge: MessageBridge,
             to_category: str | None = None, to_window: int | None = None) -> Reply:
    """F4 转移 to another queue or straight to the front of another window."""
    body = {"to_category": to_category, "to_window": to_window}
    return _window_call(api, session, bridge, "transfer", session.set_ticket, body)


def start_or_complete(*, api: Connection, session: WindowSession, devices: Devices, bridge: MessageBridge,
                      staff_no: str | None = None) -> Reply | None:
    """F5: 开始办理 a called ticket, 办理完成 a served one (then the evaluator is armed)."""
    t = session.active_ticket
    if t is None:
        bridge.warn("当前没有号票。")
        return None
    if t.state == "called":
        return _window_call(api, session, bridge, "start", session.set_ticket)

    def completed(done: TicketOut) -> None:
        session.set_ticket(done)
        session.ticket_completed.emit(done)
        badge = session.badge
        if badge:
            devices.show_text("led", on_duty_text(session.window_no, badge.name, badge.staff_no), idle=True)
        devices.arm_evaluator(window_no=session.window_no, ticket=done.number,
                              staff_no=badge.staff_no if badge else "", staff_name=badge.name if badge else "")
    return _window_call(api, session, bridge, "complete", completed)


def pause_or_resume(*, api: Connection, session: WindowSession, bridge: MessageBridge,
                    reason: str = "临时离开", devices: Devices | None = None) -> Reply:
    """F6 暂停/恢复 the window (a reason is required and logged); the strip says so."""
    session.set_busy(True)

    def ok(_: Any) -> None:
        session.set_busy(False)
        session.set_paused(not session.paused)
        badge = session.badge
        if devices is not None and badge is not None:
            text = (f"{session.window_no}号窗口 暂停服务" if session.paused
                    else on_duty_text(session.window_no, badge.name, badge.staff_no))
            devices.show_text("led", text, idle=True)

    def err(e: KnownError) -> None:
        session.set_busy(False)
        bridge.handle(e)
    if session.paused:
        return api.post(f"/windows/{session.window_no}/resume", on_ok=ok, on_error=err)
    return api.post(f"/windows/{session.window_no}/pause", {"reason": reason}, on_ok=ok, on_error=err)


# --- kiosk -----------------------------------------------------------------------------

def take_ticket(*, api: Connection, bridge: MessageBridge, category: str, id_card: IdCardIn | None = None,
                on_ok: Callable[[TicketOut], None], on_error: Callable[[KnownError], None] | None = None,
                idempotency_key: str | None = None) -> Reply:
    """取号; one Idempotency-Key for all retries, so a flaky network never issues two numbers.

    Pass the key of an attempt that ended without an answer to repeat *that* attempt.
    """
    body = TicketIn(category=category, id_card=id_card).model_dump(mode="json", exclude_none=True)
    return api.post("/tickets", body, model=TicketOut, idempotent=True, idempotency_key=idempotency_key,
                    on_ok=on_ok, on_error=on_error or bridge.handle)
