"""Find a font file that has Chinese glyphs, for the PNG slip preview.

No Qt here (``printers`` must not import it): we look for a file. Order: the
``HALL_CJK_FONT`` environment variable, the usual install paths (WenQuanYi, Noto CJK,
Droid, Windows' 微软雅黑/黑体), then ``fc-list :lang=zh``. Without one the preview still
renders, with PIL's default font (no Chinese glyphs) and a warning in the log.
"""
from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

COMMON_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)


def _from_fc_list() -> Path | None:
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, ":lang=zh", "file"], capture_output=True, text=True, timeout=5,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError) as e:
        log.debug("fc-list failed: %s", e)
        return None
    for line in sorted(out.splitlines()):
        path = line.split(":", 1)[0].strip()
        if path and Path(path).is_file():
            return Path(path)
    return None


@functools.lru_cache(maxsize=1)
def _cached() -> Path | None:
    for p in COMMON_PATHS:
        if Path(p).is_file():
            return Path(p)
    return _from_fc_list()


def find_cjk_font() -> Path | None:
    """A font file with Chinese glyphs, or None."""
    env = os.environ.get("HALL_CJK_FONT", "").strip()
    if env:
        if Path(env).is_file():
            return Path(env)
        log.warning("HALL_CJK_FONT=%s is not a file; looking elsewhere", env)
    found = _cached()
    if found is None:
        log.warning("no Chinese font found: apt-get install fonts-wqy-zenhei (or set HALL_CJK_FONT)")
    return found
