"""The client's TOML configuration: which server, which window or device token, which devices.

One file per PC, written by whoever installs the hall; example::

    server_url = "http://127.0.0.1:8080"
    window_no = 3                      # window mode: the window this PC stands at
    device_token = "…"                 # kiosk/display/evaluator modes: from `hall-server add-device`
    hall_name = ""                     # optional override of the server's hall name (display)

    [devices]                          # config strings understood by printers.open_device
    printer = "sim:printer"
    idcard = "sim:idcard"
    evaluator = "sim:evaluator"
    led = "sim:led"

    [kiosk]
    idle_reset_s = 60
    idle_warn_s = 20                   # a half-filled form: warn, one touch extends, then clear

    [display]
    highlight_s = 8
    speech = true                      # speak calls: a Chinese TTS voice, else the offline clips, else a chime
    roll_s = 12                        # quiet hall: seconds per 八公开 / staff-on-duty page

    [health]
    interval_s = 30                    # device heartbeat (the server shows silence > 180 s as offline)
    name = ""                          # device names on the server: NAME/printer (default window-N or the mode)
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class DeviceConfig:
    printer: str = ""
    idcard: str = ""
    evaluator: str = ""
    led: str = ""


@dataclass
class ClientConfig:
    server_url: str = "http://127.0.0.1:8080"
    mode: str = "window"
    window_no: int | None = None
    device_token: str = ""
    hall_name: str = ""
    devices: DeviceConfig = field(default_factory=DeviceConfig)
    kiosk_idle_reset_s: float = 60.0
    kiosk_idle_warn_s: float = 20.0  # a half-filled form: warn this long (one touch extends) before clearing
    display_highlight_s: float = 8.0
    display_roll_s: float = 12.0  # quiet hall: seconds per 八公开 / staff-on-duty page on the board
    speech: bool = True
    # reconnect backoff: first wait and cap, seconds (tests shorten them)
    backoff_min_s: float = 0.5
    backoff_max_s: float = 10.0
    request_timeout_s: float = 5.0
    snapshot_refresh_s: float = 30.0
    # [health]: device heartbeat period, and the prefix of this PC's device names on the server
    health_interval_s: float = 30.0
    health_name: str = ""
    # where this PC keeps what must outlive the server's database (the supervision office's
    # copies of the signed audit checkpoints); empty: ~/.local/share/hall-client
    data_dir: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "ClientConfig":
        raw = dict(raw)
        dev = raw.pop("devices", {}) or {}
        kiosk = raw.pop("kiosk", {}) or {}
        display = raw.pop("display", {}) or {}
        conn = raw.pop("connection", {}) or {}
        health = raw.pop("health", {}) or {}
        known = {f for f in cls.__dataclass_fields__}
        cfg = cls(**{k: v for k, v in raw.items() if k in known and k not in ("devices", "extra")})
        cfg.extra = {k: v for k, v in raw.items() if k not in known}
        cfg.devices = DeviceConfig(**{k: str(v) for k, v in dev.items() if k in DeviceConfig.__dataclass_fields__})
        cfg.kiosk_idle_reset_s = float(kiosk.get("idle_reset_s", cfg.kiosk_idle_reset_s))
        cfg.kiosk_idle_warn_s = float(kiosk.get("idle_warn_s", cfg.kiosk_idle_warn_s))
        cfg.display_highlight_s = float(display.get("highlight_s", cfg.display_highlight_s))
        cfg.speech = bool(display.get("speech", cfg.speech))
        cfg.display_roll_s = float(display.get("roll_s", cfg.display_roll_s))
        cfg.health_interval_s = float(health.get("interval_s", cfg.health_interval_s))
        cfg.health_name = str(health.get("name", cfg.health_name))
        for k in ("backoff_min_s", "backoff_max_s", "request_timeout_s", "snapshot_refresh_s"):
            if k in conn:
                setattr(cfg, k, float(conn[k]))
        cfg.server_url = cfg.server_url.rstrip("/")
        return cfg

    @classmethod
    def load(cls, path: Path) -> "ClientConfig":
        with path.open("rb") as f:
            return cls.from_dict(tomllib.load(f))
