"""Qt's own words in Chinese: standard dialog buttons, file dialogs, context menus.

Our screens are written in Chinese, but the words Qt draws itself (QMessageBox's OK and
Cancel, a QLineEdit's right-click menu, QFileDialog, the calendar popup) come from Qt's
translation catalogs. PySide6-Essentials ships them (``qtbase_zh_CN.qm`` under
``QLibraryInfo.path(TranslationsPath)``); loading them at start, with the default locale
set to zh_CN (dates, numbers, week days), keeps every English word off the screen.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

CHINA = QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript, QLocale.Country.China)
CATALOGS = ("qtbase", "qtmultimedia")  # qtbase: widgets and dialogs; qtmultimedia: device errors (Addons)

_installed: list[QTranslator] = []  # kept alive for the application's lifetime

# Strings Qt's own zh_CN catalog leaves in English (checked with Qt 6.11's qtbase_zh_CN.qm):
# (context, source) -> Chinese. Looked up only after the catalogs found nothing.
GAPS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "Save &as:"): "另存为(&A)：",
}


class GapTranslator(QTranslator):
    """Fills the few holes of Qt's Chinese catalog (installed first, so asked last)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        return GAPS.get((context, source), "")

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


def install_chinese(app: QCoreApplication) -> list[str]:
    """Load Qt's zh_CN catalogs into ``app`` once; returns the catalogs loaded.

    A missing qtbase catalog is logged as an error (English buttons would reach clerks),
    never fatal: the client still works.
    """
    QLocale.setDefault(CHINA)
    if _installed:
        return [t.objectName() for t in _installed]
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    gaps = GapTranslator(app)
    gaps.setObjectName("gaps")
    app.installTranslator(gaps)  # translators installed later are asked first
    _installed.append(gaps)
    for name in CATALOGS:
        t = QTranslator(app)
        t.setObjectName(name)
        if t.load(CHINA, name, "_", folder):
            app.installTranslator(t)
            _installed.append(t)
        elif name == "qtbase":
            log.error("Qt 的中文翻译 %s_zh_CN.qm 不在 %s：对话框按钮等将显示英文", name, folder)
        else:
            log.info("no %s_zh_CN.qm in %s", name, folder)
    return [t.objectName() for t in _installed]
