"""The PC's devices, driven off the GUI thread.

Drivers come from ``printers`` (no Qt there). Each device gets one worker thread, so
its commands keep their order and a slow serial line (9600 baud: about a second per
ticket) or a timing-out status query never freezes the screen. Results and faults come
back as Qt signals in the GUI thread; known device faults (``printers.errors``) carry
plain-Chinese messages and are shown as is.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from .bridge import KnownError
from .config import DeviceConfig

log = logging.getLogger(__name__)

NAMES = ("printer", "idcard", "evaluator", "led")


class DeviceFault(KnownError):
    """A device problem a person can act on (out of paper, offline, no card)."""

    code = "device"


def _known(exc: BaseException) -> KnownError | None:
    """Map a driver exception to a shown message; None means a bug."""
    if isinstance(exc, KnownError):
        return exc
    try:
        from printers import errors as perr
    except ImportError:  # pragma: no cover - printers always ships with the client
        perr = None
    base = getattr(perr, "DeviceError", None) if perr else None
    if base is not None and isinstance(exc, base):
        msg = getattr(exc, "message", None) or str(exc)
        return DeviceFault(str(msg), code=getattr(exc, "code", type(exc).__name__))
    if isinstance(exc, (OSError, TimeoutError)):
        return DeviceFault(f"设备无响应：{exc}", code="device_io")
    return None


class DeviceHandle(QObject):
    """One device: a driver object used only from its own worker thread."""

    _deliver = Signal(object)

    def __init__(self, name: str, opener: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._opener = opener
        self.driver: Any = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"dev-{name}")
        self._closed = False
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    def submit(self, fn: Callable[[Any], Any], *, on_ok: Callable[[Any], None] | None = None,
               on_error: Callable[[KnownError], None] | None = None) -> None:
        """Run ``fn(driver)`` in the device's thread; the callbacks run in the GUI thread."""
        def job() -> None:
            try:
                if self.driver is None:
                    self.driver = self._opener()
                result = fn(self.driver)
            except BaseException as e:  # noqa: BLE001 - sorted into known/bug in the GUI thread
                self._deliver.emit((on_ok, on_error, False, e))
                return
            self._deliver.emit((on_ok, on_error, True, result))
        if self._closed:
            # events still arrive while the app shuts down: nothing to drive any more
            log.debug("%s: closed, dropped a late job", self.name)
            return
        self._pool.submit(job)

    @Slot(object)
    def _on_deliver(self, item: tuple[Any, ...]) -> None:
        on_ok, on_error, ok, payload = item
        if ok:
            if on_ok is not None:
                on_ok(payload)
            return
        known = _known(payload)
        if known is None:
            raise payload  # a bug in a driver or adapter: fail loudly
        log.warning("%s: %s", self.name, known.message)
        if on_error is not None:
            on_error(known)

    def close(self) -> None:
        def shut(d: Any) -> None:
            closer = getattr(d, "close", None)
            if callable(closer):
                closer()
        if self._closed:
            return
        self._closed = True
        if self.driver is not None:
            self._pool.submit(lambda: shut(self.driver))
        self._pool.shutdown(wait=True)


def open_from_config(config_string: str) -> Callable[[], Any]:
    def opener() -> Any:
        from printers import open_device
        return open_device(config_string)
    return opener


class Devices(QObject):
    """The printer, 身份证 reader, evaluator and LED of this PC (each optional)."""

    led_sent = Signal(str)  # text shown on the window strip / hall LED
    printed = Signal(bytes)  # the bytes of each slip sent to the printer
    fault = Signal(str, str)  # device name, plain-Chinese message
    recovered = Signal(str)  # device name

    def __init__(self, handles: dict[str, DeviceHandle] | None = None, *, bridge: Any = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.handles: dict[str, DeviceHandle] = dict(handles or {})
        for h in self.handles.values():
            h.setParent(self)
        self.bridge = bridge
        self.hall_name = ""
        self.hall_tz = "Asia/Shanghai"

    @classmethod
    def from_config(cls, cfg: DeviceConfig, *, bridge: Any = None,
                    opener: Callable[[str], Callable[[], Any]] = open_from_config) -> "Devices":
        handles = {n: DeviceHandle(n, opener(getattr(cfg, n))) for n in NAMES if getattr(cfg, n)}
        return cls(handles, bridge=bridge)

    def has(self, name: str) -> bool:
        return name in self.handles

    def __getattr__(self, name: str) -> Any:
        # ctx.devices.printer etc.: the handle, or None when this PC has no such device
        if name in NAMES:
            return self.__dict__.get("handles", {}).get(name)
        raise AttributeError(name)

    def run(self, name: str, fn: Callable[[Any], Any], *, on_ok: Callable[[Any], None] | None = None,
            on_error: Callable[[KnownError], None] | None = None) -> bool:
        """Run ``fn(driver)`` on the named device; False when this PC has no such device."""
        h = self.handles.get(name)
        if h is None:
            return False

        def ok(result: Any) -> None:
            self.recovered.emit(name)
            if on_ok is not None:
                on_ok(result)

        def err(e: KnownError) -> None:
            self.fault.emit(name, e.message)
            if on_error is not None:
                on_error(e)
            elif self.bridge is not None:
                self.bridge.handle(e)
        h.submit(fn, on_ok=ok, on_error=err)
        return True

    # --- the few things the modes do ------------------------------------------------

    def show_text(self, name: str, text: str, *, window_no: int | None = None, idle: bool = False) -> None:
        """Show ``text`` on an LED: a call for ``window_no``, or the idle line (``idle``)."""
        from . import adapters
        self.run(name, lambda d: adapters.led_show(d, text, window_no=window_no, idle=idle),
                 on_ok=lambda _: self.led_sent.emit(text))

    def print_ticket(self, ticket: Any, *, hall_name: str = "", on_ok: Callable[[Any], None] | None = None,
                     on_error: Callable[[KnownError], None] | None = None) -> bool:
        from . import adapters
        name = hall_name or self.hall_name

        def sent(data: Any) -> None:
            if isinstance(data, (bytes, bytearray)):
                self.printed.emit(bytes(data))
            if on_ok is not None:
                on_ok(data)
        tz = self.hall_tz
        return self.run("printer", lambda d: adapters.print_ticket(d, ticket, hall_name=name, tz=tz),
                        on_ok=sent, on_error=on_error)

    def read_idcard(self, *, on_ok: Callable[[Any], None], on_error: Callable[[KnownError], None]) -> bool:
        from . import adapters
        return self.run("idcard", adapters.read_idcard, on_ok=on_ok, on_error=on_error)

    def arm_evaluator(self, *, window_no: int, ticket: str, staff_no: str, staff_name: str) -> None:
        from . import adapters
        self.run("evaluator", lambda d: adapters.arm_evaluator(d, window_no=window_no, ticket=ticket,
                                                                staff_no=staff_no, staff_name=staff_name),
                 on_error=lambda e: self.bridge.handle(e) if self.bridge else None)

    def close(self) -> None:
        for h in self.handles.values():
            h.close()
