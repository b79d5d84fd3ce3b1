"""设备: every device of the hall with what it last said and when; a device replaced at
its place or never heard from says so, and the manager retires it (with a reason; a
kiosk, display or evaluator loses its token). Keys: F5 刷新, Ctrl+D 停用所选设备."""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hall_server.contract import DeviceHealthOut, DeviceRetireOut, show
from hall_server.contract.events import device_text

from .common import read_only_table
from .. import manager_ops as ops
from ..bridge import KnownError
from ..context import ClientContext
from ..worklist import local

KIND_TEXT = {"printer": "打印机", "led": "LED 屏", "evaluator": "评价器", "idcard": "身份证阅读器",
             "kiosk": "取号机", "display": "显示屏", "pc": "电脑", "other": "其他"}
STATUS_TEXT = {"ok": "正常", "warning": "警告", "error": "故障", "offline": "离线（心跳中断）", "unknown": "未知",
               "replaced": "已被替换", "never": "从未上报"}
TROUBLE = frozenset({"error", "offline", "warning", "replaced", "never"})
ORDER = {"error": 0, "offline": 1, "warning": 2, "replaced": 3, "never": 4, "unknown": 5, "ok": 6}
COLUMNS = ("设备", "编号", "窗口", "状态", "最后上报", "说明")


def status_text(d: DeviceHealthOut) -> str:
    text = STATUS_TEXT.get(d.status, d.status)
    if d.status == "replaced" and d.replaced_by:
        return f"{text}（由 {d.replaced_by} 取代）"
    return text


def name_text(d: DeviceHealthOut) -> str:
    """What the device is (「3 号窗口的票据打印机」); its id sits in the next column."""
    text = device_text(d.name, d.kind)
    return text if text and text != "设备" else KIND_TEXT.get(d.kind, "设备")


class DeviceTab(QWidget):
    loaded = Signal(list)      # list[DeviceHealthOut], in the order shown
    retired = Signal(object)   # DeviceRetireOut

    def __init__(self, ctx: ClientContext, tz: str = "Asia/Shanghai", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.tz = ctx, tz
        self.devices: list[DeviceHealthOut] = []
        self.refresh = QPushButton("刷新（F5）")
        self.summary = QLabel("")
        self.table = read_only_table(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("停用原因，如：已更换新打印机、已报废")
        self.retire = QPushButton("停用所选设备（Ctrl+D）")
        self.retire.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.refresh)
        top.addWidget(self.summary, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("停用原因"))
        bottom.addWidget(self.reason, 1)
        bottom.addWidget(self.retire)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        self.refresh.clicked.connect(self.load)
        self.retire.clicked.connect(self.retire_selected)
        self.table.itemSelectionChanged.connect(self._enable)
        self.reason.textChanged.connect(lambda _t: self._enable())
        QShortcut(QKeySequence("F5"), self, self.load)
        QShortcut(QKeySequence("Ctrl+D"), self, lambda: self.retire.isEnabled() and self.retire.click())
        self._opened = False
        self._reload = QTimer(self)  # a status change or a retire elsewhere reloads the list (debounced)
        self._reload.setSingleShot(True)
        self._reload.setInterval(300)
        self._reload.timeout.connect(self.load)
        ctx.store.event_received.connect(
            lambda ev: self._opened and ev.type.startswith("device.") and self._reload.start())

    def load(self) -> None:
        self._opened = True
        ops.device_health(self.ctx.api, on_ok=self._loaded, on_error=self.ctx.bridge.handle)

    def _loaded(self, devs: list[DeviceHealthOut]) -> None:
        self.devices = sorted(devs, key=lambda d: (ORDER.get(d.status, 9), d.window_no or 0, d.name))
        self.table.setRowCount(len(self.devices))
        for r, d in enumerate(self.devices):
            seen = local(d.last_seen_at, self.tz) or "从未"
            for c, text in enumerate((name_text(d), d.name, show.window(d.window_no),
                                      status_text(d), seen, d.detail)):
                cell = QTableWidgetItem(text)
                if d.status in TROUBLE:
                    cell.setForeground(QBrush(QColor("#C62828")))
                self.table.setItem(r, c, cell)
        bad = sum(1 for d in self.devices if d.status in TROUBLE)
        self.summary.setText(f"共 {len(self.devices)} 台设备，{bad} 台需处理")
        self._enable()
        self.loaded.emit(self.devices)

    def selected(self) -> DeviceHealthOut | None:
        rows = self.table.selectionModel().selectedRows()
        return self.devices[rows[0].row()] if rows and rows[0].row() < len(self.devices) else None

    def _enable(self) -> None:
        d = self.selected()
        self.retire.setEnabled(d is not None and d.retirable and bool(self.reason.text().strip()))

    def retire_selected(self) -> None:
        d = self.selected()
        if d is None:
            return
        self.retire.setEnabled(False)
        ops.retire_device(self.ctx.api, name=d.name, reason=self.reason.text().strip(), on_ok=self._retired,
                          on_error=self._failed)

    def _failed(self, e: KnownError) -> None:
        self.ctx.bridge.handle(e)
        self._enable()

    def _retired(self, out: DeviceRetireOut) -> None:
        extra = "，其令牌已作废" if out.tokens_revoked else ""
        self.ctx.bridge.info(f"设备 {out.name} 已停用{extra}。")
        self.reason.clear()
        self.retired.emit(out)
        self.load()
