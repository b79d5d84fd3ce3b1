"""The clerk's window: who is signed in, the ticket at the window, what the buttons may do.

``allowed`` asks the same transition table the server enforces (via the ``allowed`` list
in ``TicketOut``), so a button is never offered for a move the server would refuse.
``busy`` is true while a window action is on its way, so a double press of F1 does not
call two people.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from hall_server.contract import Badge, LoginOut, TicketOut
from hall_server.domain.queue import Action, TicketState

ACTIVE = (TicketState.CALLED, TicketState.SERVING)


class WindowSession(QObject):
    signed_in = Signal(object)  # LoginOut
    signed_out = Signal()
    ticket_changed = Signal(object)  # TicketOut | None
    ticket_called = Signal(object)  # TicketOut (a call or a recall)
    ticket_completed = Signal(object)  # TicketOut
    paused_changed = Signal(bool)
    busy_changed = Signal(bool)

    def __init__(self, window_no: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window_no = window_no
        self.login: LoginOut | None = None
        self.ticket: TicketOut | None = None
        self.paused = False
        self.busy = False

    @property
    def badge(self) -> Badge | None:
        return self.login.badge if self.login else None

    @property
    def active_ticket(self) -> TicketOut | None:
        return self.ticket if self.ticket is not None and self.ticket.state in ACTIVE else None

    @property
    def allowed(self) -> frozenset[Action]:
        """Ticket moves open now (CALL when no ticket is in hand); empty while paused or busy."""
        if self.login is None or self.busy or self.paused:
            return frozenset()
        t = self.active_ticket
        if t is None:
            return frozenset({Action.CALL})
        return frozenset(Action(a) for a in t.allowed)

    def set_login(self, login: LoginOut | None) -> None:
        self.login = login
        if login is None:
            self.set_ticket(None)
            self.set_paused(False)
            self.signed_out.emit()
        else:
            self.signed_in.emit(login)

    def set_ticket(self, ticket: TicketOut | None) -> None:
        self.ticket = ticket
        self.ticket_changed.emit(ticket)

    def set_paused(self, paused: bool) -> None:
        if paused != self.paused:
            self.paused = paused
            self.paused_changed.emit(paused)

    def set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
