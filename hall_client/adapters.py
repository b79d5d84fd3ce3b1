"""The client's few uses of the ``printers`` drivers, in one module.

Everything here runs in a device's worker thread (``devices.DeviceHandle``) and speaks
to a driver object from ``printers.open_device``; keeping the calls here means a change
in the driver API touches one file.
"""
from __future__ import annotations

from typing import Any


def led_show(dev: Any, text: str, *, window_no: int | None = None, idle: bool = False) -> None:
    """A ``printers.ledboard.BoardDriver``: a call flashes, idle text is what stays up between calls."""
    if idle:
        dev.idle(text)
    elif window_no is not None:
        dev.call(window_no, text)
    else:
        dev.show_text(text)


def print_ticket(dev: Any, ticket: Any, *, hall_name: str, tz: str = "Asia/Shanghai") -> bytes:
    """Print a TicketOut as the kiosk's 取号凭条; returns exactly the bytes sent."""
    from zoneinfo import ZoneInfo

    from printers.slips import TicketSlip
    slip = TicketSlip(hall_name=hall_name or "政务服务中心", number=ticket.number,
                      category_name=ticket.category_name or ticket.category,
                      waiting_ahead=ticket.waiting_ahead, issued_at=ticket.issued_at.astimezone(ZoneInfo(tz)),
                      **_rating_qr(ticket))
    result = dev.print_slip(slip)
    return bytes(result.data)


def _rating_qr(ticket: Any) -> dict[str, str]:
    """The ticket's phone page (place in the queue, then rating) as its native QR (~120 bytes more: ≈260 of the 400 allowed).
    A server that sends no link (older version) gives a ticket without QR, as before."""
    url = getattr(ticket, "rating_url", None)
    return {"qr_payload": url, "tip": "请留意叫号，过号需重新取号\n扫码看排队进度，办结后可评价"} if url else {}


def read_idcard(dev: Any, timeout: float = 10.0) -> Any:
    """Wait for a 身份证 on the reader (``printers.idcard.IdCardReader``); no card is a known error."""
    from .devices import DeviceFault
    card = dev.read_card(timeout=timeout)
    if card is None:
        raise DeviceFault("没有读到身份证，请将证件平放在感应区后再点一次。", code="no_card")
    return card


def arm_evaluator(dev: Any, *, window_no: int, ticket: str, staff_no: str, staff_name: str) -> None:
    """Arm the window's 评价器 with the served ticket as transaction id (the rating belongs to it)."""
    dev.arm(ticket, prompt="请对本次服务进行评价")


def card_fields(card: Any) -> tuple[str, str]:
    """(name, 身份证号) from whatever the reader driver returns."""
    if isinstance(card, dict):
        return str(card["name"]), str(card["id_number"])
    return str(card.name), str(card.id_number)
