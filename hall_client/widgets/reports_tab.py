"""报表: the manager's daily, monthly and yearly reports and the fee reconciliation of a
chosen period, on screen (figures, a table per dimension, a chart), opened as PDF in
the system viewer and saved as xlsx. Layout and wiring only: the figures come from
``report_view``, the requests from ``manager_ops``.

Keys: F5 查询, Ctrl+P 打开 PDF, Ctrl+S 保存 Excel, Ctrl+1…4 the report kind.
"""
from __future__ import annotations

import logging
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QSizePolicy, QSpinBox, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from .. import manager_ops as ops
from .. import report_view as rv
from ..bridge import KnownError
from ..context import ClientContext
from .dashboard_charts import BarChart

log = logging.getLogger(__name__)
KINDS = ("daily", "monthly", "yearly", "recon")
FIGURES_PER_ROW = 8


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _date_edit(d: date, fmt: str = "yyyy-MM-dd") -> QDateEdit:
    e = QDateEdit(_qdate(d))
    e.setDisplayFormat(fmt)
    e.setCalendarPopup(True)
    return e


class ReportsTab(QWidget):
    loaded = Signal(object)   # report_view.ReportView
    pdf_opened = Signal(str)  # the PDF file handed to the system viewer
    xlsx_saved = Signal(str)

    def __init__(self, ctx: ClientContext, today: date, hall_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.hall_name = ctx, hall_name
        self.report: Any = None
        self.kind_loaded = ""
        self.kind = QComboBox()
        for k in KINDS:
            self.kind.addItem(rv.KIND_LABELS[k], k)
        self.periods = QStackedWidget()
        self.day = _date_edit(today)
        self.month = _date_edit(today, "yyyy年MM月")
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.year.setSuffix(" 年")
        self.start, self.end = _date_edit(today), _date_edit(today)
        recon = QWidget()
        rl = QHBoxLayout(recon)
        rl.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("自"), self.start, QLabel("至"), self.end):
            rl.addWidget(w)
        for w in (self.day, self.month, self.year, recon):
            self.periods.addWidget(w)
        self.periods.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._fit_periods()
        self.periods.currentChanged.connect(lambda _i: self._fit_periods())  # whoever turns the page
        self.go = QPushButton("查询（F5）")
        self.pdf = QPushButton("打开 PDF（Ctrl+P）")
        self.xlsx = QPushButton("保存 Excel（Ctrl+S）")
        self.status = QLabel("选择报表和期间后点“查询”。")
        self.title = QLabel("")
        self.title.setObjectName("reportTitle")
        self.title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.figs_box = QGroupBox("主要指标")
        self.figs = QGridLayout(self.figs_box)
        self.fig: dict[str, QLabel] = {}
        self.dimension = QComboBox()
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(180)
        self.chart = BarChart("")
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self._layout()
        self._wire()
        self.ask_path = self._ask_path  # tests replace these two with fixed answers
        self.open_url = lambda url: QDesktopServices.openUrl(url)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("报表"))
        top.addWidget(self.kind)
        top.addWidget(QLabel("期间"))
        top.addWidget(self.periods)
        for b in (self.go, self.pdf, self.xlsx):
            top.addWidget(b)
        top.addStretch(1)
        mid = QHBoxLayout()
        left = QVBoxLayout()
        dim = QHBoxLayout()
        dim.addWidget(QLabel("分组"))
        dim.addWidget(self.dimension, 1)
        left.addLayout(dim)
        left.addWidget(self.table, 1)
        mid.addLayout(left, 3)
        mid.addWidget(self.chart, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.title)
        lay.addWidget(self.figs_box)
        lay.addLayout(mid, 1)
        lay.addWidget(self.notes)

    def _wire(self) -> None:
        self.pdf.setEnabled(False)
        self.xlsx.setEnabled(False)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for e in (self.day, self.month, self.start, self.end):
            e.dateChanged.connect(self._stale)
        self.year.valueChanged.connect(self._stale)
        self.dimension.currentTextChanged.connect(self._show_table)
        self.go.clicked.connect(self.load)
        self.pdf.clicked.connect(self.open_pdf)
        self.xlsx.clicked.connect(self.save_xlsx)
        for key, slot in (("F5", self.load), ("Ctrl+P", self.open_pdf), ("Ctrl+S", self.save_xlsx)):
            QShortcut(QKeySequence(key), self, slot)
        for i in range(len(KINDS)):
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, lambda i=i: self.kind.setCurrentIndex(i))

    # --- period ------------------------------------------------------------------------
    def set_today(self, today: date) -> None:
        """The hall's business day from the server (not this PC's clock) as the default period."""
        for e in (self.day, self.month, self.start, self.end):
            e.setDate(_qdate(today))
        self.year.setValue(today.year)

    def _kind_changed(self, index: int) -> None:
        self.periods.setCurrentIndex(index)
        self._fit_periods()
        self._stale()

    def _fit_periods(self) -> None:
        """The stack is as wide as its current page, not its widest one."""
        for i in range(self.periods.count()):
            page = self.periods.widget(i)
            ignored = QSizePolicy.Policy.Ignored
            page.setSizePolicy(QSizePolicy.Policy.Preferred if i == self.periods.currentIndex() else ignored,
                               QSizePolicy.Policy.Preferred if i == self.periods.currentIndex() else ignored)
            page.adjustSize()
        self.periods.adjustSize()

    def _stale(self, *_: object) -> None:
        """The files are of the report on screen: another period must be queried first."""
        self.pdf.setEnabled(False)
        self.xlsx.setEnabled(False)

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def period(self) -> dict[str, Any]:
        k = self.current_kind()
        if k == "daily":
            return {"day": _date(self.day.date()).isoformat()}
        if k == "monthly":
            return {"month": _date(self.month.date()).strftime("%Y-%m")}
        if k == "yearly":
            return {"year": self.year.value()}
        return {"start": _date(self.start.date()).isoformat(), "end": _date(self.end.date()).isoformat()}

    def _file_stem(self) -> str:
        return rv.KIND_LABELS[self.current_kind()] + "_" + "_".join(str(v) for v in self.period().values())

    # --- actions -----------------------------------------------------------------------
    def load(self) -> None:
        self.status.setText("正在查询……")
        ops.load_report(self.ctx.api, kind=self.current_kind(), period=self.period(), on_ok=self._loaded,
                        on_error=self._failed)

    def _failed(self, e: KnownError) -> None:
        self.status.setText("查询失败：" + e.message)
        self.ctx.bridge.handle(e)

    def _loaded(self, report: Any) -> None:
        self.report, self.kind_loaded = report, self.current_kind()
        v = rv.view(self.kind_loaded, report, hall_name=self.hall_name)
        self.show_view(v)
        self.pdf.setEnabled(True)
        self.xlsx.setEnabled(True)
        self.status.setText("已查询。")
        self.loaded.emit(v)

    def show_view(self, v: rv.ReportView) -> None:
        self.view = v
        self.title.setText(v.title)
        while self.figs.count():
            item = self.figs.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.fig = {}
        for i, (label, value) in enumerate(v.figures):
            r, c = divmod(i, FIGURES_PER_ROW)
            val = QLabel(value)
            val.setStyleSheet("font-size: 18px; font-weight: bold;")
            self.figs.addWidget(QLabel(label), r * 2, c)
            self.figs.addWidget(val, r * 2 + 1, c)
            self.fig[label] = val
        self.dimension.blockSignals(True)
        self.dimension.clear()
        self.dimension.addItems(list(v.tables))
        self.dimension.blockSignals(False)
        self._show_table(self.dimension.currentText())
        if v.chart is not None:
            self.chart.title = v.chart.title
            self.chart.set_data(v.chart.labels, v.chart.values)
            self.chart.update()
        self.notes.setText("\n".join(v.notes))

    def _show_table(self, name: str) -> None:
        t = getattr(self, "view", None) and self.view.tables.get(name)
        if not t:
            return
        self.table.clear()
        self.table.setColumnCount(len(t.headers))
        self.table.setHorizontalHeaderLabels(list(t.headers))
        self.table.setRowCount(len(t.rows))
        for r, row in enumerate(t.rows):
            for c, text in enumerate(row):
                it = QTableWidgetItem(text)
                if c:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, it)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # names read whole

    def open_pdf(self) -> None:
        if not self.pdf.isEnabled():
            return
        dest = Path(tempfile.mkdtemp(prefix="hall-report-")) / f"{self._file_stem()}.pdf"
        self.status.setText("正在生成 PDF……")
        ops.save_report(self.ctx.api, kind=self.current_kind(), period=self.period(), fmt="pdf", dest=dest,
                        on_ok=self._pdf_ready, on_error=self._failed)

    def _pdf_ready(self, path: str) -> None:
        self.status.setText(f"已在系统阅读器中打开：{path}")
        if not self.open_url(QUrl.fromLocalFile(path)):
            self.ctx.bridge.handle(KnownError(f"没有可打开 PDF 的程序，文件已保存在：{path}", code="no_viewer"))
        self.pdf_opened.emit(path)

    def _ask_path(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, "保存为 Excel", f"{self._file_stem()}.xlsx", "Excel 文件 (*.xlsx)")
        return Path(name) if name else None

    def save_xlsx(self) -> None:
        if not self.xlsx.isEnabled():
            return
        dest = self.ask_path()
        if dest is None:
            return
        self.status.setText("正在保存 Excel……")
        ops.save_report(self.ctx.api, kind=self.current_kind(), period=self.period(), fmt="xlsx", dest=dest,
                        on_ok=self._xlsx_saved, on_error=self._failed)

    def _xlsx_saved(self, path: str) -> None:
        self.status.setText(f"已保存：{path}")
        self.ctx.bridge.info(f"报表已保存：{path}")
        self.xlsx_saved.emit(path)
