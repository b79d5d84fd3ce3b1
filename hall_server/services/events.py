"""Appending to the hash-chained event log, inside the caller's transaction."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import audit
from ..models import Event, EventHead
from .actors import Actor


def append(
    session: Session, type: str, *, actor: Actor | str, at: datetime,
    window_no: int | None = None, data: dict[str, Any] | None = None,
) -> Event:
    """Append one event after the chain's tip; the caller's commit makes it real.

    Must run inside ``Database.write()`` (the writer lock makes the tip stable).
    """
    data = dict(data or {})
    actor_id = actor if isinstance(actor, str) else actor.ident
    head = session.get(EventHead, 1)
    if head is None:
        head = EventHead(id=1, seq=0, hash=audit.GENESIS)
        session.add(head)
        session.flush()
    seq = head.seq + 1
    h = audit.event_hash(seq=seq, at=at, actor=actor_id, window_no=window_no, type=type,
                         data=data, prev_hash=head.hash)
    ev = Event(
        seq=seq, at=at, actor=actor_id, window_no=window_no, type=type, data=data,
        prev_hash=head.hash, hash=h,
        case_no=_str(data.get("case_no")), ticket_no=_str(data.get("ticket")),
        staff_no=_str(data.get("staff_no")) or (None if isinstance(actor, str) else actor.staff_no),
    )
    session.add(ev)
    head.seq, head.hash = seq, h
    session.flush()
    session.info.setdefault("new_events", []).append(event_dict(ev))
    return ev


def _str(v: Any) -> str | None:
    return None if v is None else str(v)[:40]


def event_dict(ev: Event) -> dict[str, Any]:
    return {"seq": ev.seq, "at": ev.at.isoformat(), "actor": ev.actor, "window_no": ev.window_no,
            "type": ev.type, "data": ev.data}


def last_seq(session: Session) -> int:
    head = session.get(EventHead, 1)
    return head.seq if head else 0


def rows(session: Session, *, after: int = 0, batch: int = 5000) -> Iterator[audit.ChainRow]:
    """Stream the chain in seq order for verification, in bounded batches."""
    cursor = after
    while True:
        chunk = session.execute(
            select(Event).where(Event.seq > cursor).order_by(Event.seq).limit(batch)
        ).scalars().all()
        if not chunk:
            return
        for e in chunk:
            yield audit.ChainRow(e.seq, e.at, e.actor, e.window_no, e.type, e.data, e.prev_hash, e.hash)
        cursor = chunk[-1].seq
        session.expunge_all()


def verify(session: Session) -> audit.VerifyResult:
    return audit.verify(rows(session))
