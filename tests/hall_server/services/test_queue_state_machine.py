"""Random sequences of queue actions over the real services on a migrated SQLite file
never break the queue's invariants (hypothesis stateful test).

Invariants after every step: numbers are unique and contiguous per category and day;
a window holds at most one current ticket and no ticket is held by two windows; every
ticket moved only along the transition table; a refused action changed nothing (no
state, no event); the queue counts equal the waiting tickets; the event chain verifies.
"""
from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from hall_server import migrate
from hall_server.db import Database
from hall_server.demo import seed
from hall_server.domain import queue as q
from hall_server.domain.errors import HallError
from hall_server.models import Duty, QueueCount, Staff, Ticket
from hall_server.domain.roles import Role
from hall_server.services import events
from hall_server.services import queue as svc
from hall_server.services.actors import Actor
from hall_server.settings import Settings

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
WINDOWS = (1, 3, 5, 9)  # A / A,C / B / C
CLERKS = {1: "1001", 3: "1003", 5: "1005", 9: "1009"}
_TEMPLATE: dict[str, Path] = {}


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, data_dir=data_dir, argon2_time_cost=1, argon2_memory_kib=256)


def template() -> Path:
    """One migrated, seeded demo hall with four clerks on duty; each example copies it."""
    if "path" not in _TEMPLATE:
        d = Path(tempfile.mkdtemp(prefix="hall-sm-"))
        url = f"sqlite:///{d / 'hall.sqlite3'}"
        migrate.upgrade(url)
        db = Database(url)
        with db.write() as s:
            seed(s, settings=_settings(url, d), now=T0 - timedelta(days=1))
            for w, no in CLERKS.items():
                staff = s.scalar(select(Staff).where(Staff.staff_no == no))
                svc.start_duty(s, staff=staff, window_no=w, now=T0)
        db.dispose()
        _TEMPLATE["path"] = d / "hall.sqlite3"
    return _TEMPLATE["path"]


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="hall-sm-run-"))
        shutil.copy(template(), self.dir / "hall.sqlite3")
        url = f"sqlite:///{self.dir / 'hall.sqlite3'}"
        self.settings = _settings(url, self.dir)
        self.db = Database(url)
        self.now = T0
        with self.db.read() as s:
            self.actors = {
                w: Actor(kind="staff", id=st_.id, name=st_.name, roles=frozenset({Role.CLERK}), staff_no=no)
                for w, no in CLERKS.items() for st_ in [s.scalar(select(Staff).where(Staff.staff_no == no))]
            }
            self.kiosk = Actor(kind="device", id=1, name="kiosk-1", roles=frozenset({Role.KIOSK}),
                               device_name="kiosk-1")
        self.states: dict[int, str] = {}
        self.issued: list[str] = []

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- running an action: either it changes state with events, or nothing at all ---

    def _run(self, fn) -> bool:  # type: ignore[no-untyped-def]
        with self.db.read() as s:
            before_seq = events.last_seq(s)
            before = self._snapshot(s)
        try:
            with self.db.write() as s:
                fn(s)
        except HallError as e:
            assert e.status in (403, 404, 409, 422), e
            with self.db.read() as s:
                assert events.last_seq(s) == before_seq, "a refused action wrote an event"
                assert self._snapshot(s) == before, "a refused action changed state"
            return False
        with self.db.read() as s:
            assert events.last_seq(s) > before_seq, "a state change without its event"
        return True

    @staticmethod
    def _snapshot(s) -> list[tuple]:  # type: ignore[no-untyped-def]
        return [tuple(r) for r in s.execute(
            select(Ticket.id, Ticket.state, Ticket.window_no, Ticket.prefix, Ticket.target_window_no,
                   Ticket.requeues).order_by(Ticket.id)).all()]

    # --- rules ---

    @rule(prefix=st.sampled_from("ABC"), priority=st.booleans())
    def issue(self, prefix: str, priority: bool) -> None:
        actor = self.actors[1] if priority else self.kiosk
        self._run(lambda s: svc.issue_ticket(s, settings=self.settings, prefix=prefix, priority=priority,
                                             actor=actor, now=self.now,
                                             priority_reason="老年人" if priority else None))

    @rule(window=st.sampled_from(WINDOWS))
    def call_next(self, window: int) -> None:
        self._run(lambda s: svc.call_next(s, settings=self.settings, window_no=window,
                                          actor=self.actors[window], now=self.now))

    @rule(window=st.sampled_from(WINDOWS),
          action=st.sampled_from([q.Action.RECALL, q.Action.START, q.Action.COMPLETE, q.Action.SKIP]))
    def act(self, window: int, action: q.Action) -> None:
        self._run(lambda s: svc.act(s, settings=self.settings, window_no=window, action=action,
                                    actor=self.actors[window], now=self.now))

    @rule(window=st.sampled_from(WINDOWS), to_category=st.sampled_from([None, "A", "B", "C"]),
          to_window=st.sampled_from([None, 1, 3, 5, 9]))
    def transfer(self, window: int, to_category: str | None, to_window: int | None) -> None:
        self._run(lambda s: svc.transfer(s, settings=self.settings, window_no=window, to_category=to_category,
                                         to_window=to_window, actor=self.actors[window], now=self.now))

    @precondition(lambda self: bool(self.issued))
    @rule(data=st.data())
    def requeue(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.issued))
        self._run(lambda s: svc.requeue(s, settings=self.settings, number=number, actor=self.kiosk, now=self.now))

    @rule(window=st.sampled_from(WINDOWS))
    def pause(self, window: int) -> None:
        self._run(lambda s: svc.pause(s, window_no=window, reason="临时离岗", actor=self.actors[window], now=self.now))

    @rule(window=st.sampled_from(WINDOWS))
    def resume(self, window: int) -> None:
        self._run(lambda s: svc.resume(s, window_no=window, actor=self.actors[window], now=self.now))

    @rule(minutes=st.sampled_from([1, 7, 31, 60 * 15]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(window=st.sampled_from(WINDOWS), other=st.sampled_from(WINDOWS))
    def a_clerk_works_another_window(self, window: int, other: int) -> None:
        if window != other:  # must always be refused
            assert not self._run(lambda s: svc.call_next(s, settings=self.settings, window_no=window,
                                                         actor=self.actors[other], now=self.now))

    # --- invariants ---

    @invariant()
    def numbers_are_unique_and_contiguous_per_category_and_day(self) -> None:
        with self.db.read() as s:
            rows = s.execute(select(Ticket.business_day, Ticket.issued_prefix, Ticket.seq, Ticket.number)).all()
        per: dict[tuple[date, str], list[int]] = defaultdict(list)
        for day, prefix, seq, number in rows:
            per[day, prefix].append(seq)
            assert number == q.format_number(prefix, seq)
        for seqs in per.values():
            assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert len({(d, n) for d, _, _, n in rows}) == len(rows)
        self.issued = sorted({n for d, _, _, n in rows if d == q.business_day(self.now, self.settings.tz)})

    @invariant()
    def a_window_holds_at_most_one_ticket_and_a_ticket_one_window(self) -> None:
        with self.db.read() as s:
            rows = s.execute(select(Ticket.id, Ticket.state, Ticket.window_no)).all()
            duties = {d.open_window_no: d.staff_id for d in s.scalars(select(Duty).where(Duty.ended_at.is_(None)))}
        holders: dict[int, int] = {}
        for tid, state, window in rows:
            if state in (q.TicketState.CALLED, q.TicketState.SERVING):
                assert window is not None and window in duties
                assert window not in holders, f"window {window} holds {holders[window]} and {tid}"
                holders[window] = tid
            elif state == q.TicketState.WAITING:
                assert window is None

    @invariant()
    def tickets_move_only_along_the_transition_table(self) -> None:
        with self.db.read() as s:
            now_states = dict(s.execute(select(Ticket.id, Ticket.state)).all())
        for tid, new in now_states.items():
            old = self.states.get(tid)
            if old is None:
                assert new == q.TicketState.WAITING, "a ticket is born waiting"
            elif old != new:
                assert any(q.TRANSITIONS.get((q.TicketState(old), a)) == new for a in q.Action), (old, new)
        self.states = now_states

    @invariant()
    def the_queue_counts_equal_the_waiting_tickets(self) -> None:
        with self.db.read() as s:
            truth = {(d, p, bool(pr)): n for d, p, pr, n in s.execute(
                select(Ticket.business_day, Ticket.prefix, Ticket.priority, func.count())
                .where(Ticket.state == q.TicketState.WAITING)
                .group_by(Ticket.business_day, Ticket.prefix, Ticket.priority)).all()}
            counts = {(d, p, bool(pr)): n for d, p, pr, n in s.execute(
                select(QueueCount.business_day, QueueCount.prefix, QueueCount.priority, QueueCount.waiting)).all() if n}
        assert counts == truth

    @invariant()
    def the_event_chain_verifies(self) -> None:
        with self.db.read() as s:
            r = events.verify(s)
        assert r.ok, r


TestQueueStateMachine = QueueMachine.TestCase
TestQueueStateMachine.settings = hsettings(max_examples=30, stateful_step_count=30, deadline=None)


@pytest.fixture(scope="module", autouse=True)
def _cleanup_template():  # type: ignore[no-untyped-def]
    yield
    if "path" in _TEMPLATE:
        shutil.rmtree(_TEMPLATE.pop("path").parent, ignore_errors=True)
