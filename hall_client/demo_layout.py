"""Demo step: each screen at the two monitor sizes a hall has (1366×768, 1920×1080).

Called once from ``demo.run_headless`` with the clients it built: every mode (the first
client of each) is resized to what it gets on that monitor (a maximised framed window under
a taskbar, or the whole screen for the kiosk and the hall board) and photographed to
``screenshots/<mode>-<size>.png``. The window client is also shown on its 我的办件 page.
Returns notes for summary.md saying whether each screen fitted.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from .widgets.fit import FULL_SCREEN_MODES, SCREENS, usable

log = logging.getLogger(__name__)


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _shoot(widget: QWidget, mode: str, name: str, folder: Path, suffix: str = "") -> str:
    size = usable(SCREENS[name], framed=mode not in FULL_SCREEN_MODES)
    widget.resize(size)
    _settle()
    widget.grab().save(str(folder / f"{mode}-{name}{suffix}.png"))
    fits = widget.size() == size and widget.minimumSizeHint().height() <= size.height()
    return "" if fits else f"{mode} 在 {name} 下为 {widget.width()}×{widget.height()}，超出 {size.width()}×{size.height()}"


def shoot_sizes(clients: list[Any], folder: Path) -> list[str]:
    """Screenshots of each mode at both sizes; returns one note line (and any misfit)."""
    folder.mkdir(parents=True, exist_ok=True)
    done: set[str] = set()
    misfits: list[str] = []
    for c in clients:
        if c.mode in done:
            continue
        done.add(c.mode)
        w = c.widget
        before = w.size()
        for name in SCREENS:
            misfits.append(_shoot(w, c.mode, name, folder))
            if c.mode == "window":
                pages = w.findChild(QTabWidget, "intakePages")
                if pages is not None:
                    was = pages.currentIndex()
                    pages.setCurrentIndex(1)  # 我的办件
                    misfits.append(_shoot(w, c.mode, name, folder, "-cases"))
                    pages.setCurrentIndex(was)
        w.resize(before)
    misfits = [m for m in misfits if m]
    for m in misfits:
        log.warning("screen does not fit: %s", m)
    sizes = "、".join(n.replace("x", "×") for n in SCREENS)
    return [f"各界面（{'、'.join(sorted(done))}）在 {sizes} 下的截图：screenshots/<模式>-<尺寸>.png"
            + ("，均未超出屏幕。" if not misfits else "；超出屏幕：" + "；".join(misfits))]
