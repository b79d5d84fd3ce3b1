"""One module per mode; each exposes ``create(ctx: ClientContext, config: ClientConfig) -> QWidget``.

``MODES`` maps the ``--mode`` name to its module. Modes written by other areas
(supervision, dashboard, evaluator) plug in here by existing.
"""
from __future__ import annotations

import importlib
from types import ModuleType

MODES: dict[str, str] = {
    "window": "hall_client.modes.window",
    "kiosk": "hall_client.modes.kiosk",
    "display": "hall_client.modes.display",
    "dashboard": "hall_client.modes.dashboard",
    "supervision": "hall_client.modes.supervision",
    "evaluator": "hall_client.modes.evaluator",
    "admin": "hall_client.modes.admin",
}


def load(mode: str) -> ModuleType:
    try:
        return importlib.import_module(MODES[mode])
    except KeyError:
        raise SystemExit(f"未知的模式：{mode}（可用：{', '.join(MODES)}）") from None
    except ModuleNotFoundError as e:
        if e.name == MODES[mode]:
            raise SystemExit(f"模式 {mode} 尚未安装") from None
        raise
