"""Offline Mandarin calls: the clip order of 「请 A003 号 到 1 号窗口 办理」 (ticket digit by
digit, window as a number), a call rendered from espeak-ng clips to a WAV of the expected
length that is not silent, and the clips chosen when the OS has no Chinese voice."""
from __future__ import annotations

import array
import math
import wave
from pathlib import Path

import pytest

from hall_client import voice_clips as vc
from hall_client.voice import ClipPlayer, EngineInfo, choose_voice

WAIT_MS = 8000


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The clip set as scripts/install.sh renders it (espeak-ng -v cmn)."""
    folder = tmp_path_factory.mktemp("voice")
    assert vc.render_clips(folder) == len(vc.CLIPS)
    return folder


def pcm(path: Path) -> tuple[int, array.array[int]]:
    with wave.open(str(path), "rb") as w:
        assert (w.getsampwidth(), w.getnchannels()) == (2, 1)
        return w.getframerate(), array.array("h", w.readframes(w.getnframes()))


def test_the_ticket_is_read_digit_by_digit_and_the_window_as_a_number():
    assert vc.clips_of(vc.words("A003", 1)) == ["qing", "LA", "d0", "d0", "d3", "hao", "dao", "d1", "hao",
                                                 "chuangkou", "banli"]
    assert vc.words("A003", 1)[1] == vc.PAUSE  # a breath before the number, and after it
    assert vc.window_words(10) == ["shi"] and vc.window_words(12) == ["shi", "d2"]
    assert vc.window_words(20) == ["d2", "shi"] and vc.window_words(105) == ["d1", "bai", "d0", "d5"]
    assert vc.window_words(80) == ["d8", "shi"]


def test_a_call_renders_to_a_wav_of_the_expected_length_that_is_not_silent(clips, tmp_path):
    out = tmp_path / "call.wav"
    seconds = vc.render_call("A003", 1, clips=clips, out=out)
    rate, samples = pcm(out)
    assert seconds == pytest.approx(len(samples) / rate)
    n = len(vc.clips_of(vc.words("A003", 1)))
    assert 0.25 * n <= seconds <= 0.9 * n  # 11 words: a few seconds, as a hall's call
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert rms > 1000  # speech, not silence (a 16-bit silent file is ~0)


def test_the_clips_follow_each_other_in_the_calls_order(clips, tmp_path):
    out = tmp_path / "call.wav"
    vc.render_call("B012", 12, clips=clips, out=out)
    _rate, samples = pcm(out)
    pos, gap = 0, 0
    for name in vc.words("B012", 12):
        if name == vc.PAUSE:
            gap = vc.PAUSE_MS
            continue
        rate, raw = pcm(clips / f"{name}.wav")
        clip = vc.trim(raw)
        if pos:
            pos += rate * gap // 1000
            assert max(abs(s) for s in samples[pos - rate * gap // 1000:pos]) == 0  # the gap is silent
        assert samples[pos:pos + len(clip)] == clip, f"{name} is not where it belongs"
        pos += len(clip)
        gap = vc.GAP_MS
    assert pos == len(samples)


def test_without_a_chinese_voice_the_clips_speak_before_the_chime():
    no_zh = [EngineInfo("speechd", True, ("en_US",))]
    plan = choose_voice(no_zh, speech_wanted=True, chime_playable=True, clips_player="aplay")
    assert (plan.how, plan.engine) == ("clips", "aplay")
    zh = [EngineInfo("sapi", True, ("zh_CN",))]
    assert choose_voice(zh, speech_wanted=True, chime_playable=True, clips_player="qt").how == "speech"
    assert choose_voice(no_zh, speech_wanted=True, chime_playable=True, clips_player=None).how == "chime"
    assert choose_voice(no_zh, speech_wanted=False, chime_playable=True, clips_player="qt").how == "chime"


def test_calls_are_played_one_after_another_by_a_command_line_player(qtbot, clips):
    player = ClipPlayer("true", clips=clips)  # /bin/true stands in for aplay: a real process, no sound
    done: list[str] = []
    player.finished.connect(done.append)
    player.say("A003", 1)
    player.say("A004", 2)  # comes while the first is heard: waits its turn
    qtbot.wait_until(lambda: len(done) == 2, timeout=WAIT_MS)
    assert done[0].endswith("call-1.wav") and done[1].endswith("call-2.wav")
    assert all(pcm(Path(p))[1] for p in done)


def test_missing_clips_are_said_plainly(tmp_path):
    with pytest.raises(vc.ClipsMissing):
        vc.render_call("A001", 1, clips=tmp_path, out=tmp_path / "x.wav")


def test_the_announcer_speaks_a_call_from_the_clips(qtbot, clips, monkeypatch):
    from hall_client.voice import Announcer, VoicePlan
    monkeypatch.setenv("HALL_VOICE_DIR", str(clips))
    a = Announcer(plan=VoicePlan("clips", engine="true"))  # /bin/true as the player: no sound card here
    assert a.clips is not None
    with qtbot.wait_signal(a.clips.finished, timeout=WAIT_MS) as got:
        a.announce("请A003号到1号窗口办理", number="A003", window_no=1)
    rate, samples = pcm(Path(got.args[0]))
    assert 3.0 <= len(samples) / rate <= 10.0
