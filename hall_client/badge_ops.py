"""The 挂牌上岗 badge's data: the photo and the 监督电话 come from the server after sign-in."""
from __future__ import annotations

from hall_server.contract import Badge, HallProfile

from .connection import Connection
from .widgets.badge import BadgeCard


def fill_badge(*, api: Connection, card: BadgeCard, badge: Badge) -> None:
    """Show a signed-in clerk's badge: the text now, the photo and 监督电话 when they arrive.

    ``api`` is the client's ``Connection``; a missing photo or profile leaves the
    placeholder and an empty line, never an error on the clerk's screen."""
    card.set_badge(badge)
    if badge.has_photo:
        api.get(f"/staff/{badge.staff_no}/photo", model=bytes,
                on_ok=card.set_photo, on_error=lambda _e: card.set_photo(None))
    api.get("/hall/profile", model=HallProfile,
            on_ok=lambda p: card.set_supervision_phone(p.supervision_phone), on_error=lambda _e: None)
