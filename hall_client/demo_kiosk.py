"""The demo's kiosk, voice and hall-board steps (issue 13 parts 3–5), called from
``demo.run_headless`` with the running kiosk and display clients.

Screenshots at 1920×1080: the kiosk's keyboard, complaint, guide and idle-warning pages,
and the hall board at 12, 40 and 80 windows (the demo hall has 12; the larger halls are
the same board fed a made-up snapshot). A call is rendered to ``voice-call.wav`` when the
voice clips were rendered at install time.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

KIOSK_SIZE = (1920, 1080)  # a landscape 1080p kiosk screen


def plain_text(text: str) -> str:
    """A kiosk label's words without the rich text that spaces its lines (for the summary)."""
    from .widgets.kiosk_style import plain
    return plain(text)


def run(*, kiosk: Any, display: Any, artifacts: Path, wait: Callable[..., None]) -> list[str]:
    """Take the screenshots; return lines for the demo's summary."""
    shots = artifacts / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    notes = kiosk_shots(kiosk.widget, shots, wait)
    notes += board_shots(shots, wait)
    notes += roll_shots(display.widget, shots, wait)
    notes += voice_clip(artifacts)
    return notes


def kiosk_shots(k: Any, shots: Path, wait: Callable[..., None]) -> list[str]:
    k.resize(*KIOSK_SIZE)
    k.show()
    k.go_home()
    wait(lambda: k.pages.currentWidget() is k.home, what="取号机首页")
    k.grab().save(str(shots / "kiosk-1080p-home.png"))
    k.extra_buttons["办件查询"].click()
    lookup = k.lookup_page()
    for ch in "SG20261124-00":
        lookup.keyboard.press(ch)
    wait(lambda: True)
    k.grab().save(str(shots / "kiosk-1080p-keyboard.png"))
    k.idle_timeout()  # what a citizen sees after walking away from a half-filled form
    wait(lambda: not k.warning.isHidden(), what="超时提醒")
    k.grab().save(str(shots / "kiosk-1080p-idle-warning.png"))
    k.extend()
    k.extra_buttons["投诉建议"].click()
    page = next(w for w in k.extra["投诉建议"].findChildren(QWidget) if hasattr(w, "registered"))
    page.kinds[1].click()
    for ch in "13900001111":
        page.keyboard.press(ch)
    wait(lambda: True)  # let the page lay itself out at 1080p before the picture
    k.grab().save(str(shots / "kiosk-1080p-complaint.png"))
    k.open_guide()
    wait(lambda: k.guide.list.count() > 0, what="办事指南列表")
    fee_item = next((i for i in range(k.guide.list.count()) if "不动产" in k.guide.list.item(i).text()), 0)
    k.guide.open_item(k.guide.list.item(fee_item))
    wait(lambda: "收费标准及依据" in k.guide.detail.toPlainText(), what="办事指南详情")
    wait(lambda: "依据：" in k.guide.detail.toPlainText(), timeout=3, what="收费依据")
    k.grab().save(str(shots / "kiosk-1080p-guide.png"))
    k.go_home()
    return ["取号机（1920×1080）：屏幕键盘、投诉建议、办事指南、超时提醒截图见 screenshots/kiosk-1080p-*.png。"]


def board_shots(shots: Path, wait: Callable[..., None]) -> list[str]:
    try:
        from .widgets.hall_board import BoardView, demo_state
    except ImportError:  # the board's module not in this tree yet
        return []
    notes = []
    for n in (12, 40, 80):
        view = BoardView()
        view.resize(1920, 1080)
        state, call = demo_state(n)
        view.show_state(state)
        view.show_call(call)
        view.show()
        wait(lambda: True)
        view.grab().save(str(shots / f"board-{n}.png"))
        p = view.plan
        notes.append(f"综合屏 {n} 个窗口（{p.cols}×{p.rows}）：窗口号码数字高约 {p.digit_px} 像素，55 英寸屏约"
                     f" {p.distance_m:.1f} 米外可读；最新叫号数字高约 {int(p.banner_px * 0.72)} 像素，约 10 米外可读。")
        view.close()
    return notes


def roll_shots(d: Any, shots: Path, wait: Callable[..., None]) -> list[str]:
    """The live board when the hall is quiet: a 八公开 page and the staff on duty."""
    if not hasattr(d, "next_roll"):
        return []
    d.resize(1920, 1080)
    wait(lambda: bool(d.roll), timeout=20, what="综合屏公开信息")
    d.show_roll_page(0)
    wait(lambda: True)
    d.grab().save(str(shots / "board-quiet-disclosure.png"))
    d.show_roll_page(len(d.roll))  # the staff on duty
    wait(lambda: True)
    d.grab().save(str(shots / "board-quiet-staff.png"))
    return [f"综合屏空闲时轮播 {len(d.roll)} 页公开信息（事项、时限、收费、监督电话）和在岗人员。"]


def voice_clip(artifacts: Path) -> list[str]:
    try:
        from . import voice_clips
    except ImportError:
        return []
    clips = voice_clips.clip_dir()
    if not voice_clips.have_clips(clips):
        return ["语音片段未生成（scripts/install.sh 调用 espeak-ng 生成）：叫号仅提示音。"]
    out = artifacts / "voice-call.wav"
    seconds = voice_clips.render_call("A003", 1, clips=clips, out=out)
    return [f"语音叫号「请 A003 号到 1 号窗口办理」已合成：voice-call.wav（{seconds:.1f} 秒）。"]
