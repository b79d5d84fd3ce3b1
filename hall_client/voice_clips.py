"""Offline Mandarin calls from clips: 「请 A 零 零 三 号 到 一 号窗口 办理」.

Where the OS has no Chinese text-to-speech voice (Linux hall PCs), the install script
renders one short WAV per word with espeak-ng (``espeak-ng -v cmn``, in the distribution,
no cloud), and the board joins the clips of a call when it comes. Halls read the ticket
number digit by digit (A003 → A 零 零 三) so nobody mishears 三 as 十三; the window is read
as a number (12 → 十二), as halls do.

``words`` is the pure rule (which clips, in which order), ``join`` uses only the ``wave``
module, so the same code runs on every PC; rendering needs espeak-ng and runs once::

    python -m hall_client.voice_clips render [--out DIR]      # scripts/install.sh does this
    python -m hall_client.voice_clips say A003 1 --out call.wav
"""
from __future__ import annotations

import argparse
import array
import logging
import os
import shutil
import subprocess
import sys
import wave
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

DIGITS = "零一二三四五六七八九"
# clip name -> what espeak-ng is given; Latin letters are read as letter names ("latin as English")
CLIPS: dict[str, str] = {
    **{f"d{i}": DIGITS[i] for i in range(10)},
    **{f"L{c}": c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
    "shi": "十", "bai": "百", "qing": "请", "hao": "号", "dao": "到", "chuangkou": "窗口", "banli": "办理",
}
VOICE, SPEED = "cmn", 160  # words a minute: a little slower than espeak's 175, for older ears
GAP_MS = 90  # between words
PAUSE_MS = 250  # around the ticket number, so it stands out
PAUSE = "_"  # in a word list: a pause instead of the gap
SILENCE = 300  # |sample| below this counts as silence when trimming a clip's ends
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "resources" / "voice"


class ClipsMissing(RuntimeError):
    """The clip set was not rendered (install step skipped): the board falls back to the chime."""


def clip_dir() -> Path:
    """Where the install step put the clips (``HALL_VOICE_DIR`` overrides)."""
    return Path(os.environ.get("HALL_VOICE_DIR") or DEFAULT_DIR)


def clips_of(names: Sequence[str]) -> list[str]:
    """The clip names of a word list, pauses left out."""
    return [n for n in names if n != PAUSE]


def have_clips(folder: Path) -> bool:
    return all((folder / f"{name}.wav").is_file() for name in CLIPS)


def window_words(n: int) -> list[str]:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (up to 999; beyond: digit by digit)."""
    if n <= 0 or n > 999:
        return [f"d{c}" for c in str(n)]
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out: list[str] = []
    if hundreds:
        out += [f"d{hundreds}", "bai"]
        if tens == 0 and ones:
            out.append("d0")
    if tens:
        if not (tens == 1 and not hundreds):
            out.append(f"d{tens}")
        out.append("shi")
    if ones:
        out.append(f"d{ones}")
    return out


def words(number: str, window_no: int) -> list[str]:
    """The clips of 「请 A003 号 到 1 号窗口 办理」, in order."""
    spoken = [f"L{c}" if c.isalpha() else f"d{c}" for c in number.upper() if c.isalnum()]
    return ["qing", PAUSE, *spoken, PAUSE, "hao", "dao", *window_words(window_no), "hao", "chuangkou", "banli"]


def render_clips(out: Path, *, espeak: str = "espeak-ng") -> int:
    """Render the clip set into ``out`` (install time); returns how many were written."""
    exe = shutil.which(espeak)
    if exe is None:
        raise ClipsMissing("未找到 espeak-ng：apt-get install espeak-ng 后重新运行")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in CLIPS.items():
        subprocess.run([exe, "-v", VOICE, "-s", str(SPEED), "-w", str(out / f"{name}.wav"), text],
                       check=True, capture_output=True, timeout=30)
    return len(CLIPS)


def read_clip(path: Path) -> tuple[int, int, array.array[int]]:
    """(frame rate, channels, 16-bit samples) of a WAV file."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path.name}: 16-bit PCM expected")
        rate, channels = w.getframerate(), w.getnchannels()
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return rate, channels, samples


def trim(samples: array.array[int], threshold: int = SILENCE) -> array.array[int]:
    """Drop the silence espeak puts before and after each word."""
    start = next((i for i, s in enumerate(samples) if abs(s) > threshold), len(samples))
    end = next((i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > threshold), -1)
    return samples[start:end + 1] if end >= start else array.array("h")


def join(names: Sequence[str], *, clips: Path, out: Path) -> float:
    """Write the clips ``names`` one after another (trimmed, short gaps) to ``out``; seconds."""
    if not have_clips(clips):
        raise ClipsMissing(f"语音片段不全：{clips}")
    rate = channels = 0
    pcm = array.array("h")
    gap = 0  # ms of silence owed before the next clip
    for name in names:
        if name == PAUSE:
            gap = PAUSE_MS
            continue
        r, ch, samples = read_clip(clips / f"{name}.wav")
        if rate and (r, ch) != (rate, channels):
            raise ValueError(f"{name}.wav: sample rate differs from the other clips")
        rate, channels = r, ch
        if len(pcm):
            pcm.extend([0] * (rate * channels * gap // 1000))
        pcm.extend(trim(samples))
        gap = GAP_MS
    if not rate:
        raise ValueError("nothing to say")
    if sys.byteorder == "big":
        pcm.byteswap()
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return len(pcm) / (rate * channels)


def render_call(number: str, window_no: int, *, clips: Path, out: Path) -> float:
    return join(words(number, window_no), clips=clips, out=out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hall_client.voice_clips", description="离线语音叫号片段")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render", help="用 espeak-ng 生成语音片段（安装时运行）")
    r.add_argument("--out", type=Path, default=None)
    s = sub.add_parser("say", help="把一次叫号合成为 WAV 文件")
    s.add_argument("number")
    s.add_argument("window_no", type=int)
    s.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.cmd == "render":
        folder = args.out or clip_dir()
        log.info("已生成 %d 个语音片段：%s", render_clips(folder), folder)
    else:
        secs = render_call(args.number, args.window_no, clips=clip_dir(), out=args.out)
        log.info("已合成 %s（%.1f 秒）", args.out, secs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
