"""Find a font that renders Chinese, so no screen ever shows tofu boxes.

Qt falls back per glyph only when fontconfig knows a CJK font; a kiosk image without
one shows empty squares. We look for well-known families first, then load font files
from the usual places (and ``HALL_CJK_FONT``), and set the winner as the app font.
Where none exists: ``apt-get install fonts-wqy-microhei`` (Debian/Ubuntu), or
``fonts-noto-cjk``; on Windows the built-in 微软雅黑 is found by name.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "Microsoft YaHei", "PingFang SC", "SimHei", "Droid Sans Fallback")
FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
         "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "C:/Windows/Fonts/msyh.ttc")
INSTALL_HINT = "未找到中文字体：请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）或 fonts-noto-cjk。"


def cjk_family() -> str | None:
    """The family to use for Chinese text (needs a QGuiApplication), or None."""
    from PySide6.QtGui import QFontDatabase
    have = set(QFontDatabase.families())
    for fam in PREFERRED:
        if fam in have:
            return fam
    candidates = [os.environ.get("HALL_CJK_FONT", "")] + list(FILES)
    for path in candidates:
        if path and Path(path).is_file():
            fid = QFontDatabase.addApplicationFont(path)
            fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            if fams:
                return fams[0]
    for fam in have:  # anything that claims Simplified Chinese
        if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(fam):
            return fam
    return None


def install_app_font(point_size: int = 12) -> str | None:
    from PySide6.QtGui import QFont, QGuiApplication
    fam = cjk_family()
    if fam is None:
        log.warning(INSTALL_HINT)
        return None
    f = QFont(fam, point_size)
    QGuiApplication.setFont(f)
    return fam
