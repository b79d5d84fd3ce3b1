"""The hall's voice: how a call 「请A001号到3号窗口办理」 reaches the people waiting.

Chosen once at start, from what the PC really has:
1. **speech**: Qt TextToSpeech (PySide6-Addons) with an engine that initialises and offers a
   Chinese locale (zh_CN preferred, then any zh_*);
2. **chime**: else ``resources/chime.wav`` through QSoundEffect, when QtMultimedia loads and
   the PC has an audio output;
3. **text**: else the call is only shown large (offscreen CI, a board PC without speakers).

The decision is a pure function (``choose_voice``) over what was probed, so it is tested
without any engine; the probe never raises (a missing library or plug-in, a speech daemon
that is not running, no sound card are all "not available") and nothing here blocks: Qt
speaks and plays asynchronously. The choice is logged and shown on the board's status line.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

CHIME = Path(__file__).resolve().parents[1] / "resources" / "chime.wav"
# Qt ships a "mock" engine for its own tests: it speaks nothing, so it must never be chosen
# on a hall PC (it would say "speech" and stay silent).
TEST_ENGINES = frozenset({"mock"})

How = Literal["speech", "chime", "text"]


@dataclass(frozen=True)
class EngineInfo:
    """What probing one TextToSpeech engine found."""
    name: str
    ready: bool  # initialised (not in the Error state)
    locales: tuple[str, ...]  # "zh_CN", "en_US", …


@dataclass(frozen=True)
class VoicePlan:
    how: How
    engine: str | None = None
    locale: str | None = None
    why: str = ""

    @property
    def status_text(self) -> str:
        """One line for the board's status line, in Chinese."""
        if self.how == "speech":
            return f"语音播报：{self.engine}（{self.locale}）"
        if self.how == "chime":
            return f"提示音 + 文字（{self.why}）"
        return f"仅文字显示（{self.why}）"


def _chinese(locales: Sequence[str]) -> str | None:
    for want in ("zh_CN", "zh_Hans_CN", "zh"):
        for loc in locales:
            if loc == want or (want == "zh" and loc.startswith("zh")):
                return loc
    return None


def choose_voice(engines: Sequence[EngineInfo], *, speech_wanted: bool, chime_playable: bool,
                 allow_test_engines: bool = False) -> VoicePlan:
    """The first ready engine with a Chinese locale speaks; else the chime; else text only."""
    why = "配置关闭了语音" if not speech_wanted else "无语音引擎"
    if speech_wanted:
        usable = [e for e in engines if allow_test_engines or e.name not in TEST_ENGINES]
        for e in usable:
            loc = _chinese(e.locales) if e.ready else None
            if loc is not None:
                return VoicePlan("speech", engine=e.name, locale=loc)
        if any(e.ready for e in usable):
            why = "无中文语音"
        elif usable:
            why = "语音引擎不可用"
    if chime_playable:
        return VoicePlan("chime", why=why)
    return VoicePlan("text", why=why + "，无音频设备" if why else "无音频设备")


# --- probing what this PC has (never raises) ----------------------------------------

def probe_engines() -> list[EngineInfo]:
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech  # PySide6-Addons
    except ImportError as e:  # Addons not installed, or a system library (libpulse) missing
        log.info("Qt TextToSpeech not available: %s", e)
        return []
    out = []
    for name in QTextToSpeech.availableEngines():
        tts = QTextToSpeech(name)
        ready = tts.state() != QTextToSpeech.State.Error
        out.append(EngineInfo(name, ready, tuple(loc.name() for loc in tts.availableLocales()) if ready else ()))
        tts.deleteLater()
    return out


def chime_playable() -> bool:
    if not CHIME.exists():
        return False
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as e:
        log.info("Qt Multimedia not available: %s", e)
        return False
    return bool(QMediaDevices.audioOutputs())


class Announcer(QObject):
    """Says each call once, in order, the way ``plan`` chose.

    ``announced(text, how)`` with ``how`` in ``speech`` | ``chime`` | ``text``; the text is
    always emitted so the board can show it large whatever is heard.
    """

    announced = Signal(str, str)

    def __init__(self, *, speech: bool = True, plan: VoicePlan | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if plan is None:
            plan = choose_voice(probe_engines() if speech else [], speech_wanted=speech,
                                chime_playable=chime_playable())
        self.plan = plan
        self.tts: Any = None
        self.chime: Any = None
        if plan.how == "speech":
            self.tts = self._make_tts(plan)
        elif plan.how == "chime":
            self.chime = self._make_chime()
        log.info("hall voice: %s (%s)", plan.how, plan.status_text)

    @staticmethod
    def _make_tts(plan: VoicePlan) -> Any:
        from PySide6.QtCore import QLocale
        from PySide6.QtTextToSpeech import QTextToSpeech
        tts = QTextToSpeech(plan.engine or "")
        tts.setLocale(QLocale(plan.locale or "zh_CN"))
        return tts

    @staticmethod
    def _make_chime() -> Any:
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QSoundEffect
        eff = QSoundEffect()
        eff.setSource(QUrl.fromLocalFile(str(CHIME)))
        return eff

    @property
    def how(self) -> How:
        return self.plan.how

    def announce(self, text: str) -> None:
        """Queue the words (speech) or ring (chime); never waits for the sound to end."""
        if self.tts is not None:
            self.tts.enqueue(text)  # Qt ≥ 6.6: queued after the call being spoken, not cut off
        elif self.chime is not None:
            self.chime.play()
        self.announced.emit(text, self.plan.how)
