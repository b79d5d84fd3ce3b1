"""Device health: every client PC tells the server how its hardware is (issue 8).

A ``HealthReporter`` probes each device of this PC on the device's own worker thread
(``devices.DeviceHandle``: a status query never freezes the screen and keeps its place
among the device's print/show jobs), then posts one ``POST /devices/health`` with all of
them. It does so

- every ``interval_s`` seconds (a heartbeat: the server shows a PC offline after 180 s of
  silence, so the default 30 s leaves room for a few lost beats), and
- at once when a device fault is seen (``Devices.fault``) or a faulty device works again
  (``Devices.recovered``); such a report is sent only when a status really changed, so a
  busy LED strip or a citizen without a card does not flood the server.

What a device "says" follows the hardware rule of the hall: silence is ``unknown``,
never ``ok`` (a printer that does not answer DLE EOT may well be out of paper).

Offline it neither queues nor spams: one post is in flight at most, a heartbeat whose
answer fails is dropped (the next one carries fresher news), the loss is logged once per
outage, and the next beat after the stream comes back reports the current state.

Every callback that reaches the reporter (timers, device and connection signals, replies,
device worker jobs) holds it only weakly: no reference cycle keeps it, so it and its
timers are freed in the GUI thread, never by the garbage collector in some worker thread
(which crashes Qt).
"""
from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from .bridge import KnownError
from .connection import Connection
from .devices import Devices

log = logging.getLogger(__name__)

KINDS = {"printer": "printer", "led": "led", "evaluator": "evaluator", "idcard": "idcard"}
DETAIL_MAX = 200  # DeviceReport.detail's bound on the server
NO_ANSWER = "设备无应答，状态不明"


@dataclass(frozen=True)
class Health:
    """What one device said at its last probe (``status`` as the server's DeviceReport)."""

    status: str  # ok | warning | error | unknown
    detail: str = ""


UNKNOWN = Health("unknown", "尚未检测")


# --- probes: run in the device's worker thread, never raise for a device condition ---------

def _printer(dev: Any) -> Health:
    """``Printer.status()`` already turns silence into UNKNOWN and a dead link into OFFLINE."""
    st = dev.status()
    value = str(getattr(st, "value", st))
    status = {"ok": "ok", "paper_low": "warning", "unknown": "unknown"}.get(value, "error")
    text = getattr(st, "message", "")
    return Health(status, text or value)  # the manager reads the sentence, not the status code


def _led(dev: Any) -> Health:
    """Boards that can tell answer STATUS; raw-text boards cannot (``known`` False)."""
    status = getattr(dev, "status", None)
    if callable(status):
        st = status()
        if not getattr(st, "known", True):
            return Health("unknown", "该显示屏不能回报状态")
        if getattr(st, "ok", False):
            return Health("ok")
        code = int(getattr(st, "code", -1))
        try:
            from printers.ledboard import STATUS_TEXT, StatusCode
            return Health("error", STATUS_TEXT.get(StatusCode(code), f"显示屏状态码 {code:#04x}"))
        except ValueError:
            return Health("error", f"显示屏状态码 {code:#04x}")
    if callable(getattr(dev, "ping", None)):
        dev.ping()
        return Health("ok")
    return Health("unknown", "该显示屏不能回报状态")


def _evaluator(dev: Any) -> Health:
    dev.ping()
    return Health("ok")


def _idcard(dev: Any) -> Health:
    if dev.sam_ok():
        return Health("ok")
    return Health("error", "身份证阅读器安全模块（SAM）异常，请联系管理员")


PROBES: dict[str, Callable[[Any], Health]] = {
    "printer": _printer, "led": _led, "evaluator": _evaluator, "idcard": _idcard,
}


def probe(name: str, dev: Any) -> Health:
    """Ask one driver how it is. Known device faults become a status; a bug still raises."""
    from printers.errors import DeviceError, DeviceTimeout
    fn = PROBES.get(name)
    if fn is None:
        return Health("unknown", "不支持状态检测")
    try:
        return fn(dev)
    except DeviceTimeout:
        return Health("unknown", NO_ANSWER)
    except (DeviceError, OSError) as e:
        msg = getattr(e, "message", "") or str(e)
        return Health("error", str(msg)[:DETAIL_MAX])


class HealthReporter(QObject):
    """Heartbeat and fault reports of this PC's devices; lives in the GUI thread, no widgets.

    ``report_now()`` is the public slot the timer, the fault signals and tests use.
    ``name`` prefixes each device's name on the server (``window-3/printer``; empty: the
    token's device name from ``GET /auth/me``, e.g. ``kiosk-1/printer``); ``clock``
    (monotonic seconds) decides when a round's answers came too late to be worth sending.
    """

    reported = Signal(object)  # list[dict]: the reports the server accepted
    dropped = Signal(str)  # why a report was not sent or not accepted (for tests and the log)

    def __init__(self, connection: Connection, devices: Devices, *, interval_s: float = 30.0,
                 name: str = "", window_no: int | None = None, probe_timeout_s: float = 3.0,
                 clock: Callable[[], float] = time.monotonic, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.api, self.devices = connection, devices
        self.interval_s = interval_s
        self.name = name
        self.window_no = window_no
        self.clock = clock
        self.last: dict[str, Health] = {}  # last probe result per device
        self.sent: dict[str, Health] = {}  # what the server was last told (accepted)
        self._probing: set[str] = set()  # devices whose probe is queued or running
        self._round: set[str] | None = None  # devices the current round still waits for
        self._round_started = 0.0
        self._round_heartbeat = False
        self._again = False  # a trigger came while a round ran: one more round after it
        self._again_heartbeat = False
        self._posting = False
        self._offline_logged = False
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, int(interval_s * 1000)))
        me = weakref.ref(self)  # connections hold the reporter weakly: no cycle for the GC to free elsewhere
        self._timer.timeout.connect(lambda: _call(me, "report_now"))
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(max(1, int(probe_timeout_s * 1000)))
        self._deadline.timeout.connect(lambda: _call(me, "_finish_round"))
        devices.fault.connect(lambda name, msg: _call(me, "_on_fault", name, msg))
        devices.recovered.connect(lambda name: _call(me, "_on_recovered", name))
        connection.online_changed.connect(lambda online: _call(me, "_on_online", online))

    # --- public ---------------------------------------------------------------------

    def start(self) -> None:
        """Beat every ``interval_s`` (the first one ``interval_s`` after start: the PC's
        start-up, sign-in and first snapshot come first)."""
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._deadline.stop()

    @property
    def busy(self) -> bool:
        """A round is probing or posting, or another one is due right after it."""
        return self._round is not None or self._posting or self._again

    def server_name(self, device: str) -> str:
        return f"{self.name}/{device}" if self.name else device

    @Slot()
    def report_now(self) -> None:
        """Probe every device and send a heartbeat with what they say."""
        self._start_round(heartbeat=True)

    # --- triggers -------------------------------------------------------------------

    def _on_fault(self, device: str, message: str) -> None:
        # a fault seen while working: probe again (a missing 身份证 is a fault of the job, not
        # of the reader, so the probe decides) and tell the server only if that changed
        log.debug("fault on %s (%s): checking its health", device, message)
        self._start_round(heartbeat=False)

    def _on_recovered(self, device: str) -> None:
        # every good job says "recovered": only a device we last saw unwell is worth a look
        seen = self.last.get(device)
        if seen is not None and seen.status in ("error", "warning"):
            self._start_round(heartbeat=False)

    def _on_online(self, online: bool) -> None:
        # back online: log the next loss again; the next beat (at most interval_s away) brings
        # the news, so a reconnect adds no event of its own to the hall's log
        if online:
            self._offline_logged = False

    # --- one round: probe all, then post ------------------------------------------

    def _start_round(self, *, heartbeat: bool) -> None:
        if getattr(self.api, "_closed", False):
            self.stop()  # the client is shutting down (its connection is closed): nothing to tell
            return
        if not self.devices.handles:
            return
        if self._round is not None or self._posting:
            self._again = True
            self._again_heartbeat = self._again_heartbeat or heartbeat
            return
        self._round = set()
        self._round_started = self.clock()
        self._round_heartbeat = heartbeat
        # the callbacks travel through the device's worker thread: they hold the reporter only
        # weakly, so a QObject (and its timers) is never freed from that thread at shutdown
        me = weakref.ref(self)
        for dev, handle in self.devices.handles.items():
            if dev in self._probing:
                continue  # still busy with the last probe: report its last known state
            self._probing.add(dev)
            self._round.add(dev)
            handle.submit(lambda d, n=dev: probe(n, d),
                          on_ok=lambda h, n=dev: _call(me, "_probed", n, h),
                          on_error=lambda e, n=dev: _call(me, "_probe_failed", n, e))
        if self._round:
            self._deadline.start()
        else:
            self._finish_round()

    def _probed(self, device: str, health: Health) -> None:
        self._probing.discard(device)
        self.last[device] = health
        if self._round is not None:
            self._round.discard(device)
            if not self._round:
                self._deadline.stop()
                self._finish_round()

    def _probe_failed(self, device: str, error: KnownError) -> None:
        # the driver could not even be opened (port missing, …): a known fault, shown as such
        self._probed(device, Health("error", error.message[:DETAIL_MAX]))

    def _finish_round(self) -> None:
        for dev in self._round or set():
            # its worker is still busy (a long print, a 身份证 read waiting for a card): a busy
            # device is not a silent one, so it keeps its last answer; never asked yet: unknown
            self.last.setdefault(dev, Health("unknown", NO_ANSWER))
        self._round = None
        heartbeat = self._round_heartbeat
        if heartbeat and self.clock() - self._round_started > self.interval_s:
            # the answers came later than the next beat is due: stale, the next beat is fresher
            self.dropped.emit("stale")
            self._next()
            return
        current = {dev: self.last.get(dev, UNKNOWN) for dev in self.devices.handles}
        if not heartbeat and all(self.sent.get(d) == h for d, h in current.items()):
            self._next()  # a fault check that changed nothing: no post
            return
        if not self.api.token:
            self.dropped.emit("no_token")  # a window PC before sign-in: nobody to report as
            self._next()
            return
        self._posting = True
        me = weakref.ref(self)
        if not self.name:
            # a kiosk/display/evaluator PC: its rows are named after its device token (kiosk-2/printer),
            # so two kiosks never overwrite each other's health; asked once
            self.api.request("GET", "/auth/me", on_ok=lambda who, c=current: _call(me, "_named", who, c),
                             on_error=lambda e: _call(me, "_post_failed", e))
            return
        self._post(current)

    def _named(self, who: dict[str, Any], current: dict[str, Health]) -> None:
        window_no = who.get("window_no")
        self.name = str(who.get("device_name") or (f"window-{window_no}" if window_no else "")
                        or who.get("staff_no") or "pc")
        self._post(current)

    def _post(self, current: dict[str, Health]) -> None:
        body = {"devices": [self._report(d, h) for d, h in current.items()]}
        self._posting = True
        me = weakref.ref(self)
        self.api.request("POST", "/devices/health", json_body=body,
                         on_ok=lambda _r, b=body, c=current: _call(me, "_posted", b, c),
                         on_error=lambda e: _call(me, "_post_failed", e))

    def _report(self, device: str, h: Health) -> dict[str, Any]:
        r: dict[str, Any] = {"name": self.server_name(device)[:80], "kind": KINDS.get(device, "other"),
                             "status": h.status, "detail": h.detail[:DETAIL_MAX]}
        if self.window_no is not None:
            r["window_no"] = self.window_no
        return r

    def _posted(self, body: dict[str, Any], current: dict[str, Health]) -> None:
        self._posting = False
        self.sent.update(current)
        self.reported.emit(body["devices"])
        self._next()

    def _post_failed(self, error: KnownError) -> None:
        # dropped, not queued: the connection already retried; the next beat is fresher
        self._posting = False
        if not self._offline_logged:
            log.warning("device health not reported: %s", error.message)
            self._offline_logged = True
        self.dropped.emit(getattr(error, "code", "error"))
        self._next()

    def _next(self) -> None:
        if self._again:
            heartbeat = self._again_heartbeat
            self._again = self._again_heartbeat = False
            self._start_round(heartbeat=heartbeat)


def _call(ref: "weakref.ref[HealthReporter]", method: str, *args: Any) -> None:
    target = ref()
    if target is not None:
        getattr(target, method)(*args)


def default_name(mode: str, window_no: int | None) -> str:
    """How this PC's devices are named on the server when the config does not say: a window
    PC after its window; "" lets the reporter ask the server who its token belongs to."""
    if mode == "window" and window_no is not None:
        return f"window-{window_no}"
    return ""
