"""Staff sign-in (工号 + password) usable by every staff mode."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from hall_server.contract import LoginOut

from ..bridge import KnownError, MessageBridge
from ..connection import Connection, Reply


class LoginForm(QWidget):
    """Emits ``signed_in(LoginOut)`` after the token is set on the connection.

    ``submit`` is pluggable (the window mode signs in *at a window* through operations).
    """

    signed_in = Signal(object)

    def __init__(self, api: Connection, bridge: MessageBridge, *, title: str = "工作人员登录",
                 window_no: int | None = None, login_fn: Callable[[str, str], Reply] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.bridge, self.window_no = api, bridge, window_no
        self.login_fn = login_fn
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        head = QLabel(title)
        head.setAlignment(Qt.AlignmentFlag.AlignCenter)
        head.setStyleSheet("font-size: 32px; font-weight: bold;")
        lay.addWidget(head)
        form = QFormLayout()
        self.staff_no = QLineEdit()
        self.staff_no.setPlaceholderText("请输入工号")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("请输入密码")
        form.addRow("工号", self.staff_no)
        form.addRow("密码", self.password)
        lay.addLayout(form)
        self.button = QPushButton("登录上岗" if window_no else "登录")
        self.button.setDefault(True)
        lay.addWidget(self.button)
        self.error = QLabel()
        self.error.setStyleSheet("color: #a8071a;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        lay.addStretch(1)
        self.button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.staff_no.returnPressed.connect(self.password.setFocus)

    def submit(self) -> Reply | None:
        if not self.staff_no.text().strip() or not self.password.text():
            self.error.setText("请输入工号和密码。")
            return None
        self.button.setEnabled(False)
        self.error.clear()
        return self.do_login(self.staff_no.text().strip(), self.password.text())

    def do_login(self, staff_no: str, password: str) -> Reply:
        if self.login_fn is not None:
            reply = self.login_fn(staff_no, password)
            reply.finished.connect(self.succeeded)
            reply.failed.connect(self.failed)
            return reply
        body: dict[str, Any] = {"staff_no": staff_no, "password": password}
        if self.window_no is not None:
            body["window_no"] = self.window_no
        return self.api.post("/auth/login", body, model=LoginOut, on_ok=self.succeeded, on_error=self.failed)

    def succeeded(self, login: LoginOut) -> None:
        self.api.set_token(login.token)
        self.password.clear()
        self.button.setEnabled(True)
        self.signed_in.emit(login)

    def failed(self, e: KnownError) -> None:
        self.button.setEnabled(True)
        self.error.setText(e.message)
        self.password.clear()
