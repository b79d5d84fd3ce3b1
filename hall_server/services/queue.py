"""Queue use cases: issue, call, recall, skip, requeue, transfer, start, complete,
pause and resume. Each loads, asks the domain, persists and appends its event; the
caller (``Database.write``) commits once."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, cast

import json

from sqlalchemy import Boolean, String, Table, bindparam, cast as sql_cast, delete, func, insert, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..contract import events as kinds
from ..domain import queue as q
from ..domain.errors import BadInput, Conflict, Forbidden, NotFound
from ..domain.idcheck import valid_id_number
from ..contract.show import mask_id
from ..domain.roles import Role
from ..models import Category, Duty, Pause, QueueCount, Staff, Ticket, TicketCounter, Window
from ..settings import Settings
from .. import sql
from ..sql import Prepared
from . import confcache, events
from .actors import Actor

ACTIVE_STATES = (q.TicketState.CALLED, q.TicketState.SERVING)

# The hot paths (issue, call-next, start/complete/recall/skip) use plain Core statements on
# these tables: the ORM's compile, identity-map and flush layers were most of a queue
# operation's CPU. The rules stay where they were: every move still goes through
# ``q.step`` (the transition table), and each UPDATE is guarded by the state it read.
_T = cast(Table, Ticket.__table__)
_W = cast(Table, Window.__table__)
_D = cast(Table, Duty.__table__)
_C = cast(Table, Category.__table__)
_N = cast(Table, TicketCounter.__table__)
_Q = cast(Table, QueueCount.__table__)

# Built once, executed with parameters: building a statement and computing its cache key
# on every call was a third of a queue operation's CPU (py-spy, docs/server.md). Those the
# hot paths run are ``Prepared`` (hall_server/sql.py): compiled once per database and run
# on the driver's cursor, without SQLAlchemy's per-execution layers.
_CATEGORY_NAME = select(_C.c.name).where(_C.c.prefix == bindparam("p"))
_CATEGORY_FOR_ISSUE = select(_C.c.active, _C.c.service_minutes).where(_C.c.prefix == bindparam("p"))
_OPEN_WINDOW = Prepared(select(_W.c.paused_at, _W.c.categories, _D.c.staff_id)
                        .select_from(_W.outerjoin(_D, _D.c.open_window_no == _W.c.window_no))
                        .where(_W.c.window_no == bindparam("w")))
_CURRENT = Prepared(select(_T).where(_T.c.window_no == bindparam("w"),
                                     or_(*(_T.c.state == s for s in ACTIVE_STATES)))
                    .order_by(_T.c.called_at.desc()).limit(1))
_TICKET_BY_ID = Prepared(select(_T).where(_T.c.id == bindparam("id")))
# SET columns come from the parameters' other keys (sent with each execution)
_GUARDED_UPDATE = Prepared(update(_T).where(_T.c.id == bindparam("_id"), _T.c.state == bindparam("_old")),
                           dynamic=True)
_COUNTER_WHERE = (_N.c.business_day == bindparam("day"), _N.c.prefix == bindparam("p"))
# the queue counts (migration 0014): "waiting ahead" and the hall's waiting counts are read
# from at most two rows per category, whatever the length of the day's queue.
# Who is served before a new ticket among those waiting now (domain.queue.pick_next): a
# 绿色通道 number (``pr`` true) waits behind the category's other 绿色通道 numbers only; a
# normal one behind everyone waiting in the category (the priority numbers are served
# first, the normal ones were queued earlier) — ``priority >= pr`` says both. Tickets sent
# to one window keep their category and are counted in it.
_AHEAD_OF = (select(func.coalesce(func.sum(_Q.c.waiting), 0))
             .where(_Q.c.business_day == bindparam("day"), _Q.c.prefix == bindparam("p"),
                    _Q.c.priority >= bindparam("pr", type_=Boolean)))
_AHEAD = Prepared(_AHEAD_OF)
# the day's next number and, in the same statement, how many wait ahead of it: one round
# trip fewer per issue (PostgreSQL), once the day's counter exists
_COUNTER_NEXT = Prepared(update(_N).where(*_COUNTER_WHERE).values(last=_N.c.last + 1)
                         .returning(_N.c.last, _AHEAD_OF.scalar_subquery()))
_COUNTER_NEW = Prepared(insert(_N).values(business_day=bindparam("day"), prefix=bindparam("p"), last=1))
_WAITING_OF = (_T.c.business_day == bindparam("day"), _T.c.state == q.TicketState.WAITING)
_COUNTS_OF_DAY = select(_Q.c.prefix, _Q.c.waiting).where(_Q.c.business_day == bindparam("day"))


def _bump_statement(dialect_insert: Any) -> Any:
    """One statement that adds ``d`` to a count, creating the row at its first ticket: an
    upsert (``ON CONFLICT DO UPDATE SET waiting = waiting + d``), so two writers never lose
    an update and never both insert, even without the writer lock."""
    stmt = dialect_insert(_Q).values(business_day=bindparam("day"), prefix=bindparam("p"),
                                     priority=bindparam("pr"), waiting=bindparam("d"))
    return stmt.on_conflict_do_update(index_elements=[_Q.c.business_day, _Q.c.prefix, _Q.c.priority],
                                      set_={"waiting": _Q.c.waiting + stmt.excluded.waiting})


_BUMP = {"sqlite": Prepared(_bump_statement(sqlite.insert)),
         "postgresql": Prepared(_bump_statement(postgresql.insert))}
# the ordered category list is stored as JSON text: a one-letter prefix appears in it as
# exactly ``"A"``, so counting in SQL spares decoding every open window's list per issue
_SERVING = (select(func.count()).select_from(_W.join(_D, _D.c.open_window_no == _W.c.window_no))
            .where(_W.c.paused_at.is_(None), sql_cast(_W.c.categories, String).like(bindparam("pattern"))))
_INSERT_TICKET = Prepared(insert(_T).returning(_T.c.id), dynamic=True)
_CANDIDATE_COLS = (_T.c.id, _T.c.prefix, _T.c.priority, _T.c.queued_at, _T.c.target_window_no)
_SENT_HERE = select(*_CANDIDATE_COLS).where(*_WAITING_OF, _T.c.target_window_no == bindparam("w"))
_CANDIDATES: dict[int, Prepared] = {}  # number of categories served -> one UNION ALL statement


def _candidates_statement(n: int) -> Prepared:
    """Tickets sent to the window, plus each served category's first: one round trip."""
    stmt = _CANDIDATES.get(n)
    if stmt is None:
        parts = [_SENT_HERE]
        for i in range(n):
            first = (select(*_CANDIDATE_COLS)
                     .where(*_WAITING_OF, _T.c.prefix == bindparam(f"p{i}"), _T.c.target_window_no.is_(None))
                     .order_by(_T.c.priority.desc(), _T.c.queued_at, _T.c.id).limit(1).subquery(f"first{i}"))
            parts.append(select(*first.c))
        stmt = _CANDIDATES[n] = Prepared(union_all(*parts))
    return stmt


def category_name(session: Session, prefix: str) -> str:
    """The display name of a category ("" if it is gone); kept until a configuration event."""
    return confcache.cached(session, f"category-name:{prefix}",
                            lambda: session.scalar(_CATEGORY_NAME, {"p": prefix}) or "")


class TicketRow(NamedTuple):
    """A ticket as the hot paths answer it: the columns of ``Ticket``, read-only. Building a
    mapped instance per answer cost more than the statement that wrote it."""
    id: int
    business_day: date
    prefix: str
    issued_prefix: str
    seq: int
    number: str
    state: str
    priority: bool
    target_window_no: int | None
    window_no: int | None
    staff_id: int | None
    issued_at: datetime
    queued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    skipped_at: datetime | None
    requeues: int
    recalls: int
    source: str
    citizen_name: str | None
    citizen_id_number: str | None
    wait_estimate_min: int | None


def _ticket_from(row: Any, **changes: Any) -> TicketRow:
    """The ticket of a Core row, plus the values just written."""
    values = row._asdict()
    values.update(changes)
    return TicketRow(**values)


def _open_window(session: Session, window_no: int, actor: Actor) -> tuple[datetime | None, list[str]]:
    """``require_on_duty`` in one statement (window joined with its duty) for the hot
    paths; returns (paused_at, ordered categories). Same errors, same order of checks."""
    row = _OPEN_WINDOW.first(session, {"w": window_no})
    if row is None:
        raise _window_not_found(window_no)
    _check_on_duty(window_no, row.staff_id, actor)
    return row.paused_at, list(row.categories or [])


def _window_not_found(window_no: int) -> NotFound:
    return NotFound(f"没有 {window_no} 号窗口。", code="window_not_found")


def _check_on_duty(window_no: int, duty_staff_id: int | None, actor: Actor) -> None:
    """Only the clerk signed in at this window may work its queue (one home for the rule,
    shared by the ORM path and the hot Core path)."""
    if duty_staff_id is None or actor.kind != "staff" or duty_staff_id != actor.id:
        raise Forbidden(f"您不在 {window_no} 号窗口上岗，不能操作该窗口。", code="not_on_duty")


def _current_row(session: Session, window_no: int) -> Any:
    return _CURRENT.first(session, {"w": window_no})


def _guarded_update(session: Session, ticket_id: int, old_state: str, values: dict[str, Any]) -> None:
    """UPDATE ... WHERE state = the state the decision was made on. Under the writer
    lock nothing else can have moved the ticket, so a miss is a bug, not a race."""
    if _GUARDED_UPDATE.run(session, {"_id": ticket_id, "_old": old_state, **values}) != 1:
        raise RuntimeError(f"ticket {ticket_id} changed under the writer lock")


def get_category(session: Session, prefix: str) -> Category:
    cat = session.scalar(select(Category).where(Category.prefix == prefix))
    if cat is None or not cat.active:
        raise NotFound(f"没有业务类别“{prefix}”。", code="category_not_found")
    return cat


def get_window(session: Session, window_no: int) -> Window:
    w = session.scalar(select(Window).where(Window.window_no == window_no))
    if w is None:
        raise _window_not_found(window_no)
    return w


def duty_at(session: Session, window_no: int) -> Duty | None:
    return session.scalar(select(Duty).where(Duty.open_window_no == window_no))


def require_on_duty(session: Session, window_no: int, actor: Actor) -> tuple[Window, Duty]:
    """Only the clerk signed in at this window may work its queue."""
    window = get_window(session, window_no)
    duty = duty_at(session, window_no)
    _check_on_duty(window_no, duty.staff_id if duty else None, actor)
    assert duty is not None
    return window, duty


def _next_seq(session: Session, day: Any, prefix: str, priority: bool) -> tuple[int, int]:
    """The day's next number of a category and how many wait ahead of it (``_AHEAD_OF``):
    one statement (UPDATE … RETURNING) once the day's counter exists; the writer lock (and
    the head row on PostgreSQL) serialises it."""
    params = {"day": day, "p": prefix, "pr": bool(priority)}
    got = _COUNTER_NEXT.first(session, params)
    if got is None:
        _COUNTER_NEW.run(session, params)
        seq, ahead = 1, int(_AHEAD.scalar(session, params) or 0)
    else:
        seq, ahead = int(got[0]), int(got[1] or 0)
    return seq, ahead + _kept_ahead(session, day, prefix, priority)


def _count(session: Session, day: Any, prefix: str, priority: bool, delta: int) -> None:
    """Add ``delta`` to a queue count: at once, or at the commit in the writer's lean
    commands (``sql.keeping``; ``_kept_ahead`` adds what is kept to "waiting ahead")."""
    sql.later(session, _bump(session), {"day": day, "p": prefix, "pr": bool(priority), "d": delta})


def _bump(session: Session) -> Prepared:
    return _BUMP[session.get_bind().dialect.name]


def _kept_ahead(session: Session, day: Any, prefix: str, priority: bool) -> int:
    """Of the queue-count changes kept until the commit, those "waiting ahead" counts (the
    same rule as ``_AHEAD_OF``)."""
    return sum(int(p["d"]) for p in sql.kept(session, _bump(session))
               if p["day"] == day and p["p"] == prefix and p["pr"] >= bool(priority))


def _count_move(session: Session, *, day: Any, priority: bool, old_state: str, new_state: str,
                old_prefix: str, new_prefix: str | None = None) -> None:
    """Keep the queue counts true across one ticket's move, in the move's transaction.

    Every change of a ticket's state or category goes through here (issue counts its new
    ticket directly): a move out of ``waiting`` takes one from the category it waited in,
    a move into ``waiting`` adds one to the category it now waits in. Derived from the
    states, not from the action's name, so a new transition in the domain's table cannot
    leave the counts behind. No statement when nothing waiting changes."""
    new_prefix = old_prefix if new_prefix is None else new_prefix
    was, now_waits = old_state == q.TicketState.WAITING, new_state == q.TicketState.WAITING
    moved = new_prefix != old_prefix
    if was and (not now_waits or moved):
        _count(session, day, old_prefix, priority, -1)
    if now_waits and (not was or moved):
        _count(session, day, new_prefix, priority, +1)


def waiting_counts(session: Session, day: Any) -> dict[str, int]:
    """Tickets waiting per category (only categories with someone waiting): read from the
    queue counts, at most two rows a category, not counted over the day's queue."""
    out: dict[str, int] = {}
    for prefix, n in session.execute(_COUNTS_OF_DAY, {"day": day}).all():
        out[prefix] = out.get(prefix, 0) + int(n)
    return {p: n for p, n in out.items() if n}


def recount_waiting(session: Session, day: Any | None = None) -> None:
    """Set the queue counts from the tickets themselves (one day, or every day).

    For whatever writes tickets without the queue services (the benchmark's bulk fill, the
    synthetic history generator); migration 0014 does the same once. The services never
    need it: they keep the counts in the transaction of each move."""
    truth = (select(_T.c.business_day, _T.c.prefix, _T.c.priority, func.count())
             .where(_T.c.state == q.TicketState.WAITING)
             .group_by(_T.c.business_day, _T.c.prefix, _T.c.priority))
    counts = delete(_Q)
    if day is not None:
        truth, counts = truth.where(_T.c.business_day == day), counts.where(_Q.c.business_day == day)
    session.execute(counts)
    rows = [{"business_day": d, "prefix": p, "priority": bool(pr), "waiting": int(n)}
            for d, p, pr, n in session.execute(truth).all()]
    if rows:
        session.execute(insert(_Q), rows)


def serving_windows(session: Session, prefix: str) -> int:
    """Windows open (on duty, not paused) that serve this category."""
    if not prefix.isalnum():  # contract: one capital letter; anything else cannot be in a list
        return 0
    # kept until a window, a duty or the configuration changes (confcache.INVALIDATING)
    return confcache.cached(session, f"serving:{prefix}", lambda: int(
        session.scalar(_SERVING, {"pattern": f"%{json.dumps(prefix)}%"}) or 0))


def issue_ticket(
    session: Session, *, settings: Settings, prefix: str, priority: bool, actor: Actor, now: datetime,
    citizen_name: str | None = None, citizen_id_number: str | None = None, priority_reason: str | None = None,
) -> tuple[TicketRow, int, int]:
    """Take a number. Returns (ticket, waiting_ahead, estimated minutes).

    A 绿色通道 (priority) number is granted by a named person for a stated reason, both
    in its event, so the office can review who jumped the queue and why."""
    cat = confcache.cached(session, f"category-issue:{prefix}",
                           lambda: session.execute(_CATEGORY_FOR_ISSUE, {"p": prefix}).first())
    if cat is None or not cat.active:
        raise NotFound(f"没有业务类别“{prefix}”。", code="category_not_found")
    if priority and actor.kind == "device":
        # 绿色通道 is granted by a person (guide desk, clerk), not self-declared at a kiosk
        raise Forbidden("绿色通道号须由工作人员发放，请到咨询台办理。", code="priority_needs_staff")
    reason = (priority_reason or "").strip()
    if priority and len(reason) < 2:
        raise BadInput("请写明开通绿色通道的原因（如：老年人、残疾人、孕妇、现役军人）。",
                       code="priority_reason_required")
    if actor.kind == "device":  # outside opening hours only a staff screen issues numbers
        from .hallconfig import kiosk_may_issue
        kiosk_may_issue(session, settings=settings, prefix=prefix, now=now)
    if citizen_id_number is not None and not valid_id_number(citizen_id_number):
        raise BadInput("身份证号码校验不通过，请重新读卡或核对号码。", code="invalid_id_number")
    day = q.business_day(now, settings.tz)
    seq, ahead = _next_seq(session, day, prefix, priority)
    number = q.format_number(prefix, seq)
    est = q.estimate_wait_minutes(waiting_ahead=ahead, serving_windows=serving_windows(session, prefix),
                                  service_minutes=cat.service_minutes)
    values: dict[str, Any] = dict(
        business_day=day, prefix=prefix, issued_prefix=prefix, seq=seq, number=number,
        state=q.TicketState.WAITING, priority=priority, target_window_no=None, window_no=None, staff_id=None,
        issued_at=now, queued_at=now, called_at=None, started_at=None, completed_at=None, skipped_at=None,
        requeues=0, recalls=0, source=actor.device_name or actor.staff_no or "", citizen_name=citizen_name,
        citizen_id_number=citizen_id_number, wait_estimate_min=est)
    new_id = _INSERT_TICKET.scalar(session, values)
    _count(session, day, prefix, priority, +1)
    t = TicketRow(id=int(new_id), **values)
    data: dict[str, Any] = {"ticket": number, "ticket_id": t.id, "category": prefix, "priority": priority,
                            "waiting_ahead": ahead, "estimate_min": est, "business_day": day.isoformat()}
    if citizen_id_number:
        data["citizen_id_number"] = mask_id(citizen_id_number)  # the log never needs it whole
    if priority:
        data["priority_reason"], data["staff_no"] = reason, actor.staff_no
    events.append(session, kinds.TICKET_ISSUED.type, actor=actor, at=now, data=data)
    return t, ahead, est


def current_ticket(session: Session, window_no: int) -> Ticket | None:
    return session.scalar(
        select(Ticket).where(Ticket.window_no == window_no, Ticket.state.in_(ACTIVE_STATES))
        .order_by(Ticket.called_at.desc()).limit(1)
    )


def _require_current(session: Session, window_no: int) -> Ticket:
    t = current_ticket(session, window_no)
    if t is None:
        raise Conflict("本窗口当前没有号票。", code="no_current_ticket")
    return t


def _ticket_event(session: Session, type_: str, t: Ticket | TicketRow, *, actor: Actor, now: datetime,
                  window_no: int | None, **extra: Any) -> None:
    data: dict[str, Any] = {"ticket": t.number, "ticket_id": t.id, "category": t.prefix,
                            "state": t.state, "staff_no": actor.staff_no}
    data.update(extra)
    events.append(session, type_, actor=actor, at=now, window_no=window_no, data=data)


def call_next(session: Session, *, settings: Settings, window_no: int, actor: Actor, now: datetime) -> TicketRow:
    paused_at, cats = _open_window(session, window_no, actor)
    if paused_at is not None:
        raise Conflict("窗口暂停中，请先恢复服务再叫号。", code="window_paused")
    current = _current_row(session, window_no)
    if current is not None:
        raise q.IllegalMove(q.TicketState(current.state), q.Action.CALL)
    day = q.business_day(now, settings.tz)
    pick = q.pick_next(_candidates(session, day, window_no, cats), window_no=window_no, categories=cats)
    if pick is None:
        raise Conflict("当前没有等候的号。", code="queue_empty")
    row = _TICKET_BY_ID.first(session, {"id": pick.ticket_id})
    assert row is not None
    changes: dict[str, Any] = dict(state=q.step(q.TicketState(row.state), q.Action.CALL), window_no=window_no,
                                   called_at=now, staff_id=actor.id, target_window_no=None)
    _guarded_update(session, row.id, row.state, changes)
    _count_move(session, day=row.business_day, priority=row.priority, old_state=row.state,
                new_state=changes["state"], old_prefix=row.prefix)
    t = _ticket_from(row, **changes)
    _ticket_event(session, kinds.TICKET_CALLED.type, t, actor=actor, now=now, window_no=window_no,
                  waited_s=int((now - t.queued_at).total_seconds()))
    return t


def _candidates(session: Session, day: Any, window_no: int, cats: list[str]) -> list[q.Candidate]:
    """The few waiting tickets among which ``pick_next`` must choose, not the whole queue.

    Exact, not a heuristic: ``pick_next`` ranks by (sent to this window, priority,
    category rank, queue time, id). Within one category and no target, the category's
    first ticket by (priority, queue time, id) beats every other of that category, so the
    winner is always among: every ticket sent to this window, plus each served category's
    first. That is at most a handful of rows however long the queue (a peak hall has
    hundreds waiting), and the order itself stays the domain's.
    """
    params: dict[str, Any] = {"day": day, "w": window_no, **{f"p{i}": p for i, p in enumerate(cats)}}
    return [q.Candidate(*r) for r in _candidates_statement(len(cats)).rows(session, params)]


def act(session: Session, *, settings: Settings, window_no: int, action: q.Action, actor: Actor,
        now: datetime) -> TicketRow:
    """recall / start / complete / skip on the window's current ticket."""
    _open_window(session, window_no, actor)
    row = _current_row(session, window_no)
    if row is None:
        raise Conflict("本窗口当前没有号票。", code="no_current_ticket")
    changes: dict[str, Any] = {"state": q.step(q.TicketState(row.state), action)}
    extra: dict[str, Any] = {}
    if action is q.Action.RECALL:
        changes["recalls"] = extra["recalls"] = row.recalls + 1
    elif action is q.Action.START:
        changes["started_at"] = now
    elif action is q.Action.COMPLETE:
        changes["completed_at"] = now
        extra["served_s"] = int((now - (row.started_at or now)).total_seconds())
    elif action is q.Action.SKIP:
        changes["skipped_at"] = now
    _guarded_update(session, row.id, row.state, changes)
    _count_move(session, day=row.business_day, priority=row.priority, old_state=row.state,
                new_state=changes["state"], old_prefix=row.prefix)  # none of these waits: no statement
    t = _ticket_from(row, **changes)
    _ticket_event(session, _PAST[action].type, t, actor=actor, now=now, window_no=window_no, **extra)
    return t


_PAST = {q.Action.RECALL: kinds.TICKET_RECALLED, q.Action.START: kinds.TICKET_STARTED,
         q.Action.COMPLETE: kinds.TICKET_COMPLETED, q.Action.SKIP: kinds.TICKET_SKIPPED}


def transfer(session: Session, *, settings: Settings, window_no: int, to_category: str | None,
             to_window: int | None, actor: Actor, now: datetime) -> Ticket:
    require_on_duty(session, window_no, actor)
    if (to_category is None) == (to_window is None):
        raise BadInput("请指定转到的业务类别或窗口（二选一）。", code="transfer_target")
    if to_category is not None:
        get_category(session, to_category)
    if to_window is not None:
        if to_window == window_no:
            raise BadInput("不能转给本窗口。", code="transfer_target")
        get_window(session, to_window)
    t = _require_current(session, window_no)
    old_state, old_prefix = t.state, t.prefix
    t.state = q.step(q.TicketState(t.state), q.Action.TRANSFER)
    if to_category is not None:
        t.prefix = to_category
    _count_move(session, day=t.business_day, priority=t.priority, old_state=old_state, new_state=t.state,
                old_prefix=old_prefix, new_prefix=t.prefix)
    t.target_window_no = to_window
    t.window_no, t.queued_at = None, now  # keeps its number; rejoins at the back (or the window's front)
    session.flush()
    _ticket_event(session, kinds.TICKET_TRANSFERRED.type, t, actor=actor, now=now, window_no=window_no,
                  from_window=window_no, to_category=to_category, to_window=to_window)
    return t


def requeue(session: Session, *, settings: Settings, number: str, actor: Actor, now: datetime) -> Ticket:
    day = q.business_day(now, settings.tz)
    t = session.scalar(select(Ticket).where(Ticket.business_day == day, Ticket.number == number))
    if t is None:
        raise NotFound(f"今天没有 {number} 号。", code="ticket_not_found")
    new_state = q.step(q.TicketState(t.state), q.Action.REQUEUE)
    q.can_requeue(skipped_at=t.skipped_at, requeues=t.requeues,
                  now=now, window=timedelta(minutes=settings.requeue_window_minutes))
    last_window = t.window_no
    _count_move(session, day=t.business_day, priority=t.priority, old_state=t.state, new_state=new_state,
                old_prefix=t.prefix)
    t.state, t.requeues, t.window_no, t.queued_at = new_state, t.requeues + 1, None, now
    t.target_window_no = None
    session.flush()
    _ticket_event(session, kinds.TICKET_REQUEUED.type, t, actor=actor, now=now, window_no=last_window)
    return t


def pause(session: Session, *, window_no: int, reason: str, actor: Actor, now: datetime) -> Window:
    window, _ = require_on_duty(session, window_no, actor)
    if window.paused_at is not None:
        raise Conflict("窗口已在暂停中。", code="already_paused")
    if current_ticket(session, window_no) is not None:
        raise Conflict("请先办结、转移或过号当前号票，再暂停窗口。", code="ticket_open")
    reason = reason.strip()
    if not reason:
        raise BadInput("暂停须填写原因。", code="reason_required")
    window.paused_at, window.pause_reason = now, reason
    session.add(Pause(window_no=window_no, staff_id=actor.id, reason=reason, started_at=now))
    session.flush()
    events.append(session, kinds.WINDOW_PAUSED.type, actor=actor, at=now, window_no=window_no,
                  data={"reason": reason, "staff_no": actor.staff_no})
    return window


def resume(session: Session, *, window_no: int, actor: Actor, now: datetime) -> Window:
    window, _ = require_on_duty(session, window_no, actor)
    if window.paused_at is None:
        raise Conflict("窗口没有暂停。", code="not_paused")
    return _end_pause(session, window, actor=actor, now=now)


def _end_pause(session: Session, window: Window, *, actor: Actor, now: datetime) -> Window:
    p = session.scalar(select(Pause).where(Pause.window_no == window.window_no, Pause.ended_at.is_(None)))
    seconds = int((now - window.paused_at).total_seconds()) if window.paused_at else 0
    if p is not None:
        p.ended_at, p.seconds = now, seconds
    window.paused_at, window.pause_reason = None, None
    session.flush()
    events.append(session, kinds.WINDOW_RESUMED.type, actor=actor, at=now, window_no=window.window_no,
                  data={"paused_s": seconds, "staff_no": actor.staff_no})
    return window


# --- duty (挂牌上岗) ---------------------------------------------------------

def badge(session: Session, staff: Staff) -> dict[str, Any]:
    from ..models import Department
    from ..models.admin import StaffPhoto
    dept = session.get(Department, staff.department_id) if staff.department_id else None
    has_photo = session.scalar(select(StaffPhoto.staff_id).where(StaffPhoto.staff_id == staff.id)) is not None
    return {"staff_no": staff.staff_no, "name": staff.name, "department": dept.name if dept else "",
            "post": staff.post, "photo_ref": staff.photo_ref, "star_rating": staff.star_rating,
            "has_photo": has_photo}


def start_duty(session: Session, *, staff: Staff, window_no: int, now: datetime) -> Duty:
    if not ({Role.CLERK, Role.CASHIER} & {Role(r) for r in staff.role_set}):
        raise Forbidden("只有窗口人员或收费员可以在窗口上岗。", code="not_window_staff")
    get_window(session, window_no)
    other = duty_at(session, window_no)
    if other is not None and other.staff_id != staff.id:
        holder = session.get(Staff, other.staff_id)
        raise Conflict(f"{window_no} 号窗口已由 {holder.name if holder else '他人'}（{holder.staff_no if holder else ''}）上岗，"
                       "请对方先签退。", code="window_taken")
    if other is not None:
        return other
    mine = session.scalar(select(Duty).where(Duty.staff_id == staff.id, Duty.ended_at.is_(None)))
    if mine is not None:
        raise Conflict(f"您已在 {mine.window_no} 号窗口上岗，请先在那里签退。", code="already_on_duty")
    duty = Duty(staff_id=staff.id, window_no=window_no, started_at=now, open_window_no=window_no)
    session.add(duty)
    session.flush()
    events.append(session, kinds.DUTY_STARTED.type, actor=f"staff:{staff.staff_no}", at=now, window_no=window_no,
                  data={"staff_no": staff.staff_no, "badge": badge(session, staff)})
    return duty


def end_duty(session: Session, *, actor: Actor, now: datetime, window_no: int | None = None) -> Duty | None:
    q_ = select(Duty).where(Duty.staff_id == actor.id, Duty.ended_at.is_(None))
    duty = session.scalar(q_)
    if duty is None:
        return None
    if window_no is not None and duty.window_no != window_no:
        raise Forbidden(f"您不在 {window_no} 号窗口上岗。", code="not_on_duty")
    if current_ticket(session, duty.window_no) is not None:
        raise Conflict("请先办结、转移或过号当前号票，再签退。", code="ticket_open")
    window = get_window(session, duty.window_no)
    if window.paused_at is not None:
        _end_pause(session, window, actor=actor, now=now)
    duty.ended_at, duty.open_window_no = now, None
    session.flush()
    events.append(session, kinds.DUTY_ENDED.type, actor=actor, at=now, window_no=duty.window_no,
                  data={"staff_no": actor.staff_no,
                        "on_duty_s": int((now - duty.started_at).total_seconds())})
    return duty
