"""The hall state in the GUI thread: applies the stream, asks for a resync on a gap.

Every mode and panel reads ``store.state`` and listens to ``changed``; ``called`` fires
once per live call or recall (not for calls inside a snapshot) so the board speaks and
LEDs light exactly once; ``event_received`` passes on every event, including types this
module does not know, for other areas' panels.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from hall_server.contract import EventOut, HallOut

from .connection import Connection
from .state import Call, HallState, SeqGap, apply

log = logging.getLogger(__name__)


class HallStore(QObject):
    changed = Signal(object)  # HallState
    event_received = Signal(object)  # EventOut
    called = Signal(object)  # state.Call
    resynced = Signal(int)  # last_seq of the snapshot taken

    def __init__(self, api: Connection, *, refresh_s: float = 30.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.state = HallState()
        self.loaded = False
        self.gaps = 0
        self._resyncing = False
        api.snapshot_received.connect(self.load_snapshot)
        api.events_received.connect(self.apply_events)
        self._refresh = QTimer(self)
        self._refresh.setInterval(int(refresh_s * 1000))
        self._refresh.timeout.connect(self.refresh)
        if refresh_s > 0:
            self._refresh.start()

    def load_snapshot(self, snap: HallOut) -> None:
        self.state = HallState.from_snapshot(snap)
        self.loaded = True
        self._resyncing = False
        self.resynced.emit(snap.last_seq)
        self.changed.emit(self.state)

    def apply_events(self, events: list[EventOut]) -> None:
        if self._resyncing:
            return  # the snapshot on its way supersedes these
        before = self.state
        for ev in events:
            try:
                new = apply(self.state, ev)
            except SeqGap as gap:
                log.warning("event gap (%s): reloading the snapshot", gap)
                self.gaps += 1
                self._resyncing = True
                self.api.resync()
                break
            if new is self.state:
                continue
            self.state = new
            self.event_received.emit(ev)
            if ev.type in ("ticket.called", "ticket.recalled") and ev.window_no is not None:
                self.called.emit(Call(str(ev.data.get("ticket", "")), ev.window_no, ev.at,
                                      ev.type == "ticket.recalled", ev.seq))
        if self.state is not before:
            self.changed.emit(self.state)

    def refresh(self) -> None:
        """Reload the snapshot for the figures events do not carry (estimated waits)."""
        if self.api.online:
            self.api.get("/hall", model=HallOut, on_ok=self._refreshed, on_error=lambda e: None)

    def _refreshed(self, snap: HallOut) -> None:
        # only a snapshot at exactly our seq may replace the state: a newer one would
        # swallow live calls (no LED, no voice), an older one would step back
        if snap.last_seq == self.state.last_seq and not self._resyncing:
            self.state = HallState.from_snapshot(snap)
            self.changed.emit(self.state)
