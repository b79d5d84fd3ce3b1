"""The one home of the window client's F-keys: which key does what, on which panel.

Everything in window mode is one screen for the clerk's fingers: the queue buttons sit
beside whichever tab is open, so a key means the same thing whatever the tab. Each key
is therefore bound once for the whole window mode (``tests/hall_client/test_keys.py``
fails on a key bound twice, and on an F-key bound anywhere but through this table).

| key | panel | action |
| --- | --- | --- |
| F1–F6 | queue (always) | 叫号 重呼 过号 转移 开始办理/办理完成 暂停/恢复 |
| F7 F8 F9 F10 | 受理 | 受理 一次性告知 不予受理 读身份证 |
| F11 | 收费 (fee window) | 收费并打印 |
| F12 | 收费 (department window) | 开具缴费通知单 |
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt

QUEUE, INTAKE, FEE = "queue", "intake", "fee"


@dataclass(frozen=True)
class Binding:
    key: Qt.Key
    panel: str  # QUEUE works from anywhere in window mode; the others while their tab has focus
    action: str
    label: str  # what the button says after the key name

    @property
    def key_name(self) -> str:
        return f"F{int(self.key) - int(Qt.Key.Key_F1) + 1}"

    @property
    def text(self) -> str:
        """Button text, key first for the queue grid: "F1 叫号"."""
        return f"{self.key_name} {self.label}"


WINDOW_KEYS: tuple[Binding, ...] = (
    Binding(Qt.Key.Key_F1, QUEUE, "call", "叫号"),
    Binding(Qt.Key.Key_F2, QUEUE, "recall", "重呼"),
    Binding(Qt.Key.Key_F3, QUEUE, "skip", "过号"),
    Binding(Qt.Key.Key_F4, QUEUE, "transfer", "转移"),
    Binding(Qt.Key.Key_F5, QUEUE, "start_complete", "开始办理"),
    Binding(Qt.Key.Key_F6, QUEUE, "pause", "暂停"),
    Binding(Qt.Key.Key_F7, INTAKE, "accept", "受理"),
    Binding(Qt.Key.Key_F8, INTAKE, "request_correction", "一次性告知"),
    Binding(Qt.Key.Key_F9, INTAKE, "reject", "不予受理"),
    Binding(Qt.Key.Key_F10, INTAKE, "read_idcard", "读身份证"),
    Binding(Qt.Key.Key_F11, FEE, "pay", "收费并打印"),
    Binding(Qt.Key.Key_F12, FEE, "raise_notice", "开具缴费通知单"),
)


def binding(panel: str, action: str) -> Binding:
    for b in WINDOW_KEYS:
        if b.panel == panel and b.action == action:
            return b
    raise KeyError((panel, action))


def key(panel: str, action: str) -> Qt.Key:
    return binding(panel, action).key


def name(panel: str, action: str) -> str:
    """"F11" for (FEE, "pay"): for button texts that put the key after the words."""
    return binding(panel, action).key_name


def actions(panel: str) -> dict[Qt.Key, str]:
    """key -> action of one panel, for its ``keyPressEvent``."""
    return {b.key: b.action for b in WINDOW_KEYS if b.panel == panel}


__all__ = ["FEE", "INTAKE", "QUEUE", "WINDOW_KEYS", "Binding", "actions", "binding", "key", "name"]
