"""One event for every configuration change: who (the event's actor), what (kind, key)
and the value before and after, so the supervision office can see who changed a fee
standard or a threshold and when."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..contract import events as kinds
from . import events
from .actors import Actor


def changed(session: Session, *, kind: str, key: str, before: Any, after: Any, actor: Actor, now: datetime,
            window_no: int | None = None) -> bool:
    """Append ``config.changed`` unless nothing changed; only the fields that differ are
    kept when both sides are tables (a whole profile would bury the one changed phone)."""
    if before == after:
        return False
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        before = {k: before.get(k) for k in keys}
        after = {k: after.get(k) for k in keys}
    events.append(session, kinds.CONFIG_CHANGED.type, actor=actor, at=now, window_no=window_no,
                  data={"kind": kind, "key": key, "before": before, "after": after})
    return True
