"""Simulated devices for tests, the demo and the bench.

``open_sims(cfg)`` opens every configured device now (``sim:…`` strings give a driver with
its ``printers.simulators`` core in this process), wraps each in a ``DeviceHandle`` and
returns the ``Devices`` plus the simulator cores by name, to flip switches on (paper out,
a card on the reader) and to read what the devices got. Every byte the client writes to
an LED is also kept (``sim_api.led_frames``) for the demo's artifacts.
"""
from __future__ import annotations

import threading
from typing import Any

from .config import DeviceConfig
from .devices import NAMES, DeviceHandle, Devices

_TAPS: dict[int, list[bytes]] = {}
_TAP_LOCK = threading.Lock()


def _tap_writes(driver: Any, sim: Any) -> None:
    """Keep a copy of every write the driver makes (the frames on the wire)."""
    transport = getattr(driver, "transport", None) or getattr(getattr(driver, "link", None), "transport", None)
    if transport is None:
        return
    sent: list[bytes] = []
    _TAPS[id(sim)] = sent
    original = transport.write

    def write(data: bytes) -> None:
        with _TAP_LOCK:
            sent.append(bytes(data))
        original(data)
    transport.write = write


def open_sims(cfg: DeviceConfig) -> tuple[Devices, dict[str, Any]]:
    from printers import open_device
    handles: dict[str, DeviceHandle] = {}
    sims: dict[str, Any] = {}
    for name in NAMES:
        spec = getattr(cfg, name)
        if not spec:
            continue
        driver = open_device(spec)
        sim = getattr(driver, "simulator", None)
        if sim is not None:
            sims[name] = sim
            if name == "led":
                _tap_writes(driver, sim)
        handles[name] = DeviceHandle(name, lambda d=driver: d)
    return Devices(handles), sims


class sim_api:  # noqa: N801 - a namespace of small helpers
    """The few simulator switches and readings the demo and bench use."""

    @staticmethod
    def set_paper(printer: Any, ok: bool) -> None:
        printer.set(paper_out=not ok)

    @staticmethod
    def insert_card(reader: Any, index: int = 0) -> Any:
        """Put one of ``printers.simulators.TEST_CARDS`` on the reader; returns the card."""
        return reader.place(index)

    @staticmethod
    def led_count(led: Any) -> int:
        return len(led.calls) if led is not None else 0

    @staticmethod
    def led_frames(led: Any) -> list[str]:
        if led is None:
            return []
        with _TAP_LOCK:
            return [f.hex(" ") for f in _TAPS.get(id(led), [])]
