"""Appending to the hash-chained event log, inside the caller's transaction."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from ..domain import audit
from ..models import Event, EventHead
from .. import sql
from ..sql import Prepared
from . import confcache
from .actors import Actor

_EVENTS = cast(Table, Event.__table__)
_HEAD = cast(Table, EventHead.__table__)
# built once (see services/queue.py): every write of the hall runs these three
_TIP = Prepared(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1))  # once per transaction
_INSERT = Prepared(insert(_EVENTS), dynamic=True)  # run on the driver's cursor (hall_server/sql.py)
_MOVE_TIP = Prepared(update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash")))


class Appended(NamedTuple):
    """Where an append landed in the chain (its row is written, or kept until the commit by
    ``sql.keeping``; read it back for more only outside the writer's lean commands)."""
    seq: int
    hash: str


def append(
    session: Session, type: str, *, actor: Actor | str, at: datetime,
    window_no: int | None = None, data: dict[str, Any] | None = None,
) -> Appended:
    """Append one event after the chain's tip; the caller's commit makes it real.

    Must run inside ``Database.write()`` or a writer batch (the writer lock makes the tip
    stable). The tip is read once per transaction and kept in the session; the head row is
    moved once, by ``flush_tip`` just before the commit (a batch of 50 requests appending
    100 events reads and moves the head once, not 100 times).
    """
    data = dict(data or {})
    actor_id = actor if isinstance(actor, str) else actor.ident
    # Core statements, not the unit of work: this runs in every write of the hall, and
    # the ORM's flush machinery was a third of a queue operation's cost
    # (on the tables, not the mapped classes: a plain Core statement skips the ORM's
    # compile and bulk-persistence layers, which were most of these three statements' cost)
    prev_seq, prev_hash = tip(session)
    seq = prev_seq + 1
    # the search columns are inside the hash (format v2): what supervision searches by is proven too
    case_no, ticket_no, staff_no = audit.links(data=data, actor_staff_no=None if isinstance(actor, str)
                                               else actor.staff_no)
    h = audit.event_hash(seq=seq, at=at, actor=actor_id, window_no=window_no, type=type, data=data,
                         prev_hash=prev_hash, version=audit.CURRENT_VERSION, case_no=case_no,
                         ticket_no=ticket_no, staff_no=staff_no)
    row = dict(seq=seq, at=at, actor=actor_id, window_no=window_no, type=type, data=data,
               prev_hash=prev_hash, hash=h, case_no=case_no, ticket_no=ticket_no, staff_no=staff_no,
               hash_version=audit.CURRENT_VERSION)
    sql.later(session, _INSERT, row)  # at the commit in the writer's lean commands (sql.keeping)
    session.info[_TIP_KEY] = (seq, h)
    session.info[_MOVED_KEY] = True
    # what subscribers get (``event_dict`` of the row), without building a mapped Event
    session.info.setdefault("new_events", []).append(
        published(seq=seq, at=at, actor=actor_id, window_no=window_no, type=type, data=data))
    if type in confcache.INVALIDATING:  # this process's kept configuration, at once
        confcache.clear()
    return Appended(seq, h)


_TIP_KEY, _MOVED_KEY = "event_tip", "event_tip_moved"


def tip(session: Session) -> tuple[int, str]:
    """(seq, hash) of the chain's last event as this transaction sees it, own appends included."""
    known = session.info.get(_TIP_KEY)
    if known is not None:
        return cast(tuple[int, str], known)
    row = _TIP.first(session)
    if row is None:  # a new database: the head row is created with the first event
        session.execute(insert(_HEAD).values(id=1, seq=0, hash=audit.GENESIS))
        sql.wrote(session)
        known = (0, audit.GENESIS)
    else:
        known = (int(row[0]), str(row[1]))
    session.info[_TIP_KEY] = known
    return known


def seed_tip(session: Session, seq: int, hash_: str) -> None:
    """The writer read the head already (PostgreSQL locks it with that read): keep it."""
    session.info[_TIP_KEY] = (seq, hash_)


def flush_tip(session: Session) -> None:
    """Run the statements kept until the commit (``sql.keeping``: the event rows among them)
    and move the head row to this transaction's last append; called once, before the commit."""
    sql.flush_later(session)
    if session.info.pop(_MOVED_KEY, False):
        seq, h = session.info[_TIP_KEY]
        _MOVE_TIP.run(session, {"seq": seq, "hash": h})


def forget_tip(session: Session) -> None:
    """After a commit or a rollback the head may move (another process): read it afresh."""
    session.info.pop(_TIP_KEY, None)
    session.info.pop(_MOVED_KEY, None)


@dataclass(frozen=True)
class Mark:
    """Where a batch stood before one command: its failure rolls back to here."""
    tip: tuple[int, str] | None
    moved: bool
    published: int
    kept: int  # statements kept until the commit (``sql.keeping``)


def mark(session: Session) -> Mark:
    return Mark(session.info.get(_TIP_KEY), bool(session.info.get(_MOVED_KEY)),
                len(session.info.setdefault("new_events", [])), sql.kept_count(session))


def restore(session: Session, m: Mark) -> None:
    """After a rollback to a savepoint: the command's appends never happened."""
    if m.tip is None:
        session.info.pop(_TIP_KEY, None)
    else:
        session.info[_TIP_KEY] = m.tip
    session.info[_MOVED_KEY] = m.moved
    del session.info["new_events"][m.published:]
    sql.truncate_kept(session, m.kept)


def published(*, seq: int, at: datetime, actor: str, window_no: int | None, type: str,
              data: dict[str, Any]) -> dict[str, Any]:
    """An event as subscribers and after-commit hooks get it (the one home of that shape)."""
    return {"seq": seq, "at": at.isoformat(), "actor": actor, "window_no": window_no, "type": type, "data": data}


def event_dict(ev: Event) -> dict[str, Any]:
    return published(seq=ev.seq, at=ev.at, actor=ev.actor, window_no=ev.window_no, type=ev.type, data=ev.data)


def last_seq(session: Session) -> int:
    known = session.info.get(_TIP_KEY)
    if known is not None:  # inside a write that appended: the head row moves only at its end
        return int(known[0])
    seq = session.scalar(select(EventHead.seq).where(EventHead.id == 1))
    return int(seq) if seq is not None else 0


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
            yield audit.ChainRow(e.seq, e.at, e.actor, e.window_no, e.type, e.data, e.prev_hash, e.hash,
                                 e.case_no, e.ticket_no, e.staff_no, e.hash_version)
        cursor = chunk[-1].seq
        session.expunge_all()


def verify(session: Session) -> audit.VerifyResult:
    return audit.verify(rows(session))
