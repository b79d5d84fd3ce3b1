"""Admin mode (系统管理): everything a hall configures, one page per kind of thing.

The admin edits; the hall manager may open it read-only (every save button disabled,
and the server refuses writes from any role but admin anyway). Pages load when first
opened and after each save; department choices follow the 部门 page.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QStackedWidget, QVBoxLayout, QWidget

from hall_server.contract import DepartmentOut, LoginOut

from ..config import ClientConfig
from ..context import ClientContext
from ..widgets.admin_page import RecordPage
from ..widgets.admin_pages import (DevicesPage, FeesPage, HolidaysPage, MattersPage, StaffPage, cards_page,
                                   categories_spec, departments_spec, profile_page, windows_spec)
from ..widgets.common import StatusBanner
from ..widgets.login import LoginForm

log = logging.getLogger(__name__)
PAGE_NAMES = ("大厅信息", "部门", "业务类别", "窗口", "人员", "设备", "事项", "收费项目", "红黄牌阈值", "节假日")


class AdminWindow(QWidget):
    """The pages beside a list of their names; ``page(name)`` for tests and the demo."""

    def __init__(self, ctx: ClientContext, *, editable: bool, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        api, bridge = ctx.api, ctx.bridge
        self.pages: dict[str, Any] = {
            "大厅信息": profile_page(api, bridge, editable),
            "部门": RecordPage(api, bridge, departments_spec(), editable=editable),
            "业务类别": RecordPage(api, bridge, categories_spec(), editable=editable),
            "窗口": RecordPage(api, bridge, windows_spec(), editable=editable),
            "人员": StaffPage(api, bridge, editable=editable),
            "设备": DevicesPage(api, bridge, editable=editable),
            "事项": MattersPage(api, bridge, editable=editable),
            "收费项目": FeesPage(api, bridge, editable=editable),
            "红黄牌阈值": cards_page(api, bridge, editable),
            "节假日": HolidaysPage(api, bridge, editable=editable),
        }
        self.nav = QListWidget()
        self.nav.addItems(list(self.pages))
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        for p in self.pages.values():
            self.stack.addWidget(p)
        self._loaded: set[str] = set()
        self.nav.currentRowChanged.connect(self._go)
        self.pages["部门"].saved.connect(lambda _r: self.load_departments())
        self.pages["窗口"].saved.connect(lambda _r: self._loaded.discard("业务类别"))
        head = QLabel(f"系统管理 · {who}" + ("" if editable else "（只读）"))
        head.setObjectName("adminHead")
        head.setStyleSheet("font-size: 16px; color: #555;")
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(head)
        lay.addWidget(StatusBanner(bridge))
        lay.addLayout(body, 1)
        self.load_departments()
        self.nav.setCurrentRow(0)

    def page(self, name: str) -> Any:
        return self.pages[name]

    def is_loaded(self, name: str) -> bool:
        """The page asked for its data already (its first visit)."""
        return name in self._loaded

    def show_page(self, name: str) -> Any:
        self.nav.setCurrentRow(list(self.pages).index(name))
        return self.pages[name]

    def _go(self, i: int) -> None:
        name = list(self.pages)[i]
        self.stack.setCurrentIndex(i)
        if name not in self._loaded:
            self._loaded.add(name)
            self.pages[name].reload()

    def load_departments(self) -> None:
        self.ctx.api.get("/admin/departments", model=list[DepartmentOut], on_ok=self._departments,
                         on_error=self.ctx.bridge.handle)

    def _departments(self, rows: list[DepartmentOut]) -> None:
        opts = [("", "（无）")] + [(d.code, d.name) for d in rows if d.active]
        for name in ("业务类别", "窗口", "人员", "事项", "收费项目"):
            self.pages[name].form.set_choices("department_code", opts)
        self.pages["收费项目"].account_form.set_choices("department_code", opts)


class AdminMode(QWidget):
    """Sign-in, then the admin window."""

    ready = Signal(object)  # AdminWindow

    def __init__(self, ctx: ClientContext, config: ClientConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.config = ctx, config
        self.window_: AdminWindow | None = None
        self.stack = QStackedWidget()
        self.login = LoginForm(ctx.api, ctx.bridge, title="系统管理 · 登录")
        self.login.signed_in.connect(self._signed_in)
        self.stack.addWidget(self.login)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.setWindowTitle("政务大厅 · 系统管理")

    def _signed_in(self, login: LoginOut) -> None:
        roles = set(login.roles)
        if not roles & {"admin", "manager"}:
            self.login.error.setText("系统管理仅限系统管理员（大厅管理员可只读查看）。")
            self.ctx.api.set_token("")
            return
        self.window_ = AdminWindow(self.ctx, editable="admin" in roles, who=f"{login.name}（{login.staff_no}）")
        self.stack.addWidget(self.window_)
        self.stack.setCurrentWidget(self.window_)
        self.ready.emit(self.window_)


def create(ctx: ClientContext, config: ClientConfig) -> QWidget:
    return AdminMode(ctx, config)
