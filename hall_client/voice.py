"""The hall's voice: how a call 「请A001号到3号窗口办理」 reaches the people waiting.

Chosen once at start, from what the PC really has:
1. **speech**: Qt TextToSpeech (PySide6-Addons) with an engine that initialises and offers a
   Chinese locale (zh_CN preferred, then any zh_*) — Windows' own Chinese voice;
2. **clips**: else the Mandarin clips rendered at install time with espeak-ng
   (``voice_clips``), joined per call into a WAV and played through QSoundEffect when the
   PC has an audio output, else through ``aplay``/``paplay``/``pw-play``;
3. **chime**: else ``resources/chime.wav`` through QSoundEffect, when QtMultimedia loads and
   the PC has an audio output;
4. **text**: else the call is only shown large (offscreen CI, a board PC without speakers).

The decision is a pure function (``choose_voice``) over what was probed, so it is tested
without any engine; the probe never raises (a missing library or plug-in, a speech daemon
that is not running, no sound card are all "not available") and nothing here blocks: Qt
speaks and plays asynchronously. The choice goes to the log and to the device health page
(the board itself shows the public nothing technical).
"""
from __future__ import annotations

import atexit
import itertools
import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

CHIME = Path(__file__).resolve().parents[1] / "resources" / "chime.wav"
# Qt ships a "mock" engine for its own tests: it speaks nothing, so it must never be chosen
# on a hall PC (it would say "speech" and stay silent).
TEST_ENGINES = frozenset({"mock"})

How = Literal["speech", "clips", "chime", "text"]
PLAYERS = ("paplay", "pw-play", "aplay")  # command-line WAV players, when Qt has no audio output


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
        if self.how == "clips":
            return f"离线语音片段（{self.engine or '声卡'}播放）"
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
                 allow_test_engines: bool = False, clips_player: str | None = None) -> VoicePlan:
    """The first ready engine with a Chinese locale speaks; else the install-time clips (when
    rendered and something can play them: ``clips_player``); else the chime; else text only."""
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
        if clips_player is not None:
            return VoicePlan("clips", engine=clips_player, why=why)
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


def audio_output() -> bool:
    """Qt sees a sound card (QtMultimedia loads and lists an output)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as e:
        log.info("Qt Multimedia not available: %s", e)
        return False
    return bool(QMediaDevices.audioOutputs())


def clips_player() -> str | None:
    """What would play the clips here: "qt", a command-line player, or None (or no clips)."""
    from . import voice_clips
    if not voice_clips.have_clips(voice_clips.clip_dir()):
        return None
    if audio_output():
        return "qt"
    return next((p for p in PLAYERS if shutil.which(p)), None)


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
                                chime_playable=chime_playable(), clips_player=clips_player() if speech else None)
        self.plan = plan
        self.tts: Any = None
        self.chime: Any = None
        self.clips: ClipPlayer | None = None
        if plan.how == "speech":
            self.tts = self._make_tts(plan)
        elif plan.how == "clips":
            self.clips = ClipPlayer(plan.engine or "qt", parent=self)
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

    def announce(self, text: str, *, number: str = "", window_no: int = 0) -> None:
        """Queue the words (speech, clips) or ring (chime); never waits for the sound to end."""
        if self.tts is not None:
            self.tts.enqueue(text)  # Qt ≥ 6.6: queued after the call being spoken, not cut off
        elif self.clips is not None and number and window_no:
            self.clips.say(number, window_no)
        elif self.chime is not None:
            self.chime.play()
        self.announced.emit(text, self.plan.how)


RING = 16  # calls kept on disk (one is heard while the next ones wait)


class ClipPlayer(QObject):
    """Joins a call's clips into a WAV and plays the calls one after another.

    ``player`` is "qt" (QSoundEffect on the PC's sound card) or a command-line player run
    through QProcess; either way nothing blocks, and a call that comes while another is
    heard waits its turn. ``finished(path)`` after each call (tests, the log)."""

    finished = Signal(str)

    def __init__(self, player: str, *, clips: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from . import voice_clips
        self.player = player
        self.clip_folder = clips or voice_clips.clip_dir()
        self._tmp = Path(tempfile.mkdtemp(prefix="hall-voice-"))  # the last few calls' WAVs
        atexit.register(shutil.rmtree, self._tmp, True)
        self._ids = itertools.count(1)
        self._queue: list[Path] = []
        self._busy: Path | None = None
        self._effect: Any = None
        self._proc: Any = None
        if player != "qt":  # one process object, reused call after call
            from PySide6.QtCore import QProcess
            self._proc = QProcess(self)
            self._proc.finished.connect(self._proc_finished)
            self._proc.errorOccurred.connect(self._proc_error)

    def render(self, number: str, window_no: int) -> Path:
        from . import voice_clips
        out = self._tmp / f"call-{next(self._ids) % RING}.wav"  # a ring: the folder stays small
        voice_clips.render_call(number, window_no, clips=self.clip_folder, out=out)
        return out

    def say(self, number: str, window_no: int) -> None:
        try:
            self._queue.append(self.render(number, window_no))
        except (OSError, ValueError, RuntimeError) as e:  # a clip deleted or damaged: the text still shows
            log.warning("voice clips unusable, call shown only: %s", e)
            return
        if self._busy is None:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            self._busy = None
            return
        self._busy = self._queue.pop(0)
        if self.player == "qt":
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect
            if self._effect is None:
                self._effect = QSoundEffect(self)
                self._effect.playingChanged.connect(self._effect_changed)
            self._effect.setSource(QUrl.fromLocalFile(str(self._busy)))
            self._effect.play()
        else:
            self._proc.start(self.player, [str(self._busy)])

    def _proc_finished(self, *_: Any) -> None:
        self._done()

    def _proc_error(self, err: Any) -> None:
        log.warning("voice player %s failed: %s", self.player, err)
        if err == self._proc.ProcessError.FailedToStart:
            self._done()  # never started: no finished() will come (a crash still sends finished())

    def _effect_changed(self) -> None:
        if self._effect is not None and not self._effect.isPlaying():
            self._done()

    def _done(self) -> None:
        if self._busy is None:
            return
        done, self._busy = self._busy, None
        self.finished.emit(str(done))
        if self._queue:
            self._busy = self._queue[0]  # taken: a call arriving meanwhile queues behind it
            QTimer.singleShot(0, self._start_queued)  # not from inside the player's own signal

    def _start_queued(self) -> None:
        self._busy = None
        self._next()
