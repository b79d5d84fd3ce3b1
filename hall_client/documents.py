"""A4 documents the server renders (notices, payment notices, 日结单), opened and printed
from a window PC.

The server is the one place PDFs are laid out; the client fetches the bytes into a
per-user temporary folder, then hands the file to the system's PDF viewer
(``QDesktopServices``) or prints it page by page through Qt's own print support
(``QtPdf`` renders, ``QPrinter`` prints: both ship with PySide6). A clerk never sees a
file dialog for this: the file name says what the document is.
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPainter

from .bridge import KnownError

log = logging.getLogger(__name__)

DPI = 200  # enough for a sharp A4 page on an office laser printer


class ViewerMissing(KnownError):
    code = "no_pdf_viewer"

    def __init__(self, path: Path) -> None:
        super().__init__(f"本机没有可用的 PDF 阅读器，文件已保存在：{path}")


def folder() -> Path:
    """Where fetched documents are kept for this session (cleared by the system's tmp policy)."""
    p = Path(tempfile.gettempdir()) / "hall-client-documents"
    p.mkdir(parents=True, exist_ok=True)
    return p


def safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." or ord(ch) > 0x2E80 else "_" for ch in name)
    return (keep or "document")[:80]


def system_open(path: Path) -> bool:
    """The system PDF viewer; replaced in tests (no viewer pops up on a build machine)."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


class Fetch(QObject):
    """``finished(path)`` once the document is on disk and handed to the viewer."""

    finished = Signal(str)
    failed = Signal(object)


def fetch_pdf(*, api: Any, path: str, name: str, on_ok: Callable[[str], None],
              on_error: Callable[[KnownError], None]) -> Any:
    """GET ``path`` (a server PDF) into the documents folder as ``name``.pdf, off the GUI thread."""
    from .widgets.supervision_ops import download
    dest = folder() / f"{safe_name(name)}.pdf"
    return download(api, path=path, params={}, dest=dest, on_ok=on_ok, on_error=on_error)


def open_pdf(*, api: Any, path: str, name: str, on_ok: Callable[[str], None],
             on_error: Callable[[KnownError], None], opener: Callable[[Path], bool] | None = None) -> Any:
    """Fetch and show in the system viewer; ``on_ok(file)`` either way, with a plain
    message when no viewer could be started (the file is still there to print)."""
    def shown(file: str) -> None:
        ok = (opener or system_open)(Path(file))
        if not ok:
            on_error(ViewerMissing(Path(file)))
        on_ok(file)
    return fetch_pdf(api=api, path=path, name=name, on_ok=shown, on_error=on_error)


def print_file(file: Path, printer: Any) -> int:
    """Print every page of a PDF on ``printer`` (a configured ``QPrinter``); returns pages."""
    from PySide6.QtPdf import QPdfDocument
    doc = QPdfDocument()
    doc.load(str(file))
    if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() == 0:
        raise KnownError("文件无法打开，请重新生成后再打印。", code="pdf_unreadable")
    painter = QPainter()
    if not painter.begin(printer):
        raise KnownError("打印机无法开始打印，请检查打印机。", code="printer_not_ready")
    try:
        for i in range(doc.pageCount()):
            if i:
                printer.newPage()
            pts = doc.pagePointSize(i)
            size = QSize(round(pts.width() * DPI / 72), round(pts.height() * DPI / 72))
            image = doc.render(i, size)
            target = painter.viewport()
            fit = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(target.topLeft(), fit), image)
    finally:
        painter.end()
    return doc.pageCount()


_translators: list[Any] = []


def qt_in_chinese() -> bool:
    """Qt's own dialogs (the print dialog) in Chinese: load Qt's zh_CN catalogue once."""
    if _translators:
        return True
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
    app = QCoreApplication.instance()
    if app is None:
        return False
    where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        t = QTranslator(app)
        if t.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), name, "_", where):
            app.installTranslator(t)
            _translators.append(t)
            return True
    log.warning("Qt's Chinese translations not found in %s; Qt dialogs stay untranslated", where)
    return False


def ask_and_print(file: Path, parent: Any = None) -> bool:
    """Qt's print dialog (in Chinese), then print; False when the clerk cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    qt_in_chinese()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dlg = QPrintDialog(printer, parent)
    dlg.setWindowTitle("打印")
    if dlg.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    print_file(file, printer)
    return True


__all__ = ["ViewerMissing", "ask_and_print", "qt_in_chinese", "fetch_pdf", "folder", "open_pdf", "print_file", "system_open"]
