"""Writes resources/chime.wav: the two-tone "ding-dong" before a call (stdlib only)."""
from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 16000


def tone(freq: float, seconds: float, volume: float = 0.5) -> list[int]:
    n = int(RATE * seconds)
    return [int(32767 * volume * math.exp(-3.0 * i / n) * math.sin(2 * math.pi * freq * i / RATE)) for i in range(n)]


def write(path: Path) -> Path:
    samples = tone(880.0, 0.45) + tone(659.25, 0.65)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


if __name__ == "__main__":
    write(Path(__file__).with_name("chime.wav"))
