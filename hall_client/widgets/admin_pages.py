"""The admin pages, one per kind of thing a hall configures. Each is a ``PageSpec`` (what
the list shows, which fields the form has, which request saves it) plus, where a kind
needs more (a photo, a one-time token, an xlsx preview), a small subclass."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hall_server.contract import (CardThresholds, CatalogPreviewOut, CategoryRow, DepartmentOut, DeviceRow,
                                  FeeAccountOut, FeeItemOut, HallProfile, HolidaysOut, HolidayYear, LeaveOut,
                                  MatterBrief, MatterOut, StaffRow, WindowRow)

from .. import admin_forms as af
from ..admin_forms import FormError
from ..bridge import KnownError, MessageBridge
from ..connection import Connection
from .admin_page import Field, FormView, PageSpec, RecordPage
from .badge import initial_photo

log = logging.getLogger(__name__)
NO_DEPT = [("", "（无）")]


def _s(v: Any) -> str:
    return str(v or "").strip()


def _opt(v: str) -> str | None:
    return v.strip() or None


# --- a single document (hall profile, 红黄牌 thresholds) -------------------------------------

class DocumentPage(QWidget):
    """One form for one document: load with GET, save with PUT (Ctrl+S)."""

    loaded = Signal(object)
    saved = Signal(object)
    failed = Signal(str)

    def __init__(self, api: Connection, bridge: MessageBridge, *, title: str, path: str, model: Any,
                 fields: list[Field], to_form: Callable[[Any], dict[str, Any]],
                 to_body: Callable[[dict[str, Any]], Any], editable: bool, note: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.bridge, self.path, self.model, self.editable = api, bridge, path, model, editable
        self.to_form, self.to_body = to_form, to_body
        self.doc: Any = None
        self.form = FormView(fields)
        self.form.set_new(True, editable)
        self.save_button = QPushButton("保存（Ctrl+S）")
        self.save_button.setEnabled(editable)
        self.save_button.clicked.connect(lambda _=False: self.save())
        self.save_button.setShortcut("Ctrl+S")
        self.status = QLabel("" if editable else "只读：您的角色不能修改配置。")
        self.status.setWordWrap(True)
        inner = QWidget()
        il = QVBoxLayout(inner)
        if note:
            n = QLabel(note)
            n.setWordWrap(True)
            il.addWidget(n)
        il.addWidget(self.form)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        il.addLayout(row)
        il.addWidget(self.status)
        il.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        head = QLabel(title)
        head.setStyleSheet("font-size: 20px; font-weight: bold;")
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(scroll, 1)

    def reload(self) -> None:
        self.api.get(self.path, model=self.model, on_ok=self._show, on_error=self.show_error)

    def _show(self, doc: Any) -> None:
        self.doc = doc
        self.form.set_values(self.to_form(doc))
        self.loaded.emit(doc)

    def save(self) -> None:
        if not self.editable:
            return
        try:
            body = self.to_body(self.form.values())
        except FormError as e:
            self.show_error(e)
            return
        self.status.setText("正在保存…")
        self.api.request("PUT", self.path, json_body=body, model=self.model, on_ok=self._saved,
                         on_error=self.show_error)

    def _saved(self, doc: Any) -> None:
        self._show(doc)
        self.status.setStyleSheet("color: #237804;")
        self.status.setText("已保存。")
        self.saved.emit(doc)

    def show_error(self, e: BaseException) -> None:
        if not isinstance(e, KnownError):
            self.bridge.handle(e)
            return
        self.status.setStyleSheet("color: #a8071a;")
        self.status.setText(e.message)
        self.failed.emit(e.message)


def profile_page(api: Connection, bridge: MessageBridge, editable: bool) -> DocumentPage:
    fields = [Field("name", "大厅名称"), Field("address", "地址"),
              *[Field(f"day{i}", f"{af.WEEKDAYS[i]}开放时间", hint="如 09:00-12:00，13:30-17:00；空表示休息")
                for i in range(7)],
              Field("supervision_phone", "监督电话"), Field("enquiry_phone", "咨询电话"),
              Field("public_base_url", "公网地址", hint="群众手机能打开的本大厅网址（以 http:// 或 https:// 开头）")]

    def to_form(p: HallProfile) -> dict[str, Any]:
        d = p.model_dump(mode="json")
        for i in range(7):
            d[f"day{i}"] = af.spans_text(d["hours"][i]) if d["hours"] else ""
        return d

    def to_body(v: dict[str, Any]) -> dict[str, Any]:
        days = [af.parse_spans(v[f"day{i}"], f"{af.WEEKDAYS[i]}开放时间") for i in range(7)]
        if not _s(v["name"]):
            raise FormError("请填写大厅名称。")
        return {"name": _s(v["name"]), "address": _s(v["address"]), "hours": days if any(days) else [],
                "supervision_phone": _s(v["supervision_phone"]), "enquiry_phone": _s(v["enquiry_phone"]),
                "public_base_url": _s(v["public_base_url"])}

    return DocumentPage(api, bridge, title="大厅信息", path="/admin/profile", model=HallProfile, fields=fields,
                        to_form=to_form, to_body=to_body, editable=editable,
                        note="开放时间按星期填写；全部留空表示不限制取号时间。开放时间以外，取号机不出号并告知群众何时开放"
                             "（工作人员仍可在窗口发号）。法定节假日按节假日页休息，调休上班日按星期一的时间开放。")


CARD_SECTIONS = [("case_deadline", "办件时限预警"), ("long_wait", "群众等候过久"), ("long_pause", "窗口暂停过久"),
                 ("off_duty", "工作时间离岗"), ("skip_rate", "过号率异常"), ("void_rate", "票据作废率异常"),
                 ("bad_rating_followup", "差评整改回访"), ("complaint_overdue", "投诉答复时限"),
                 ("inquiry_overdue", "首问转办时限")]
CARD_FIELDS = {"enabled": "启用", "yellow_working_days": "黄牌：距时限工作日", "yellow_minutes": "黄牌（分钟）",
               "red_minutes": "红牌（分钟）", "grace_minutes": "每段宽限（分钟）",
               "opening": "开放时段（大厅未设开放时间时使用）", "yellow_rate": "黄牌比例（如 0.2）",
               "red_rate": "红牌比例", "min_count": "最少件数（少于不判定）", "yellow_hours_before_due": "黄牌：到期前小时数"}


CARD_INT_BOUNDS = {"yellow_minutes": (1, 1440), "red_minutes": (1, 1440), "grace_minutes": (0, 240),
                   "min_count": (1, 100000), "yellow_working_days": (0, 60)}


def cards_page(api: Connection, bridge: MessageBridge, editable: bool) -> DocumentPage:
    fields = [Field("city", "适用城市")]
    for sec, label in CARD_SECTIONS:
        model = CardThresholds.model_fields[sec].annotation
        for name in model.model_fields:  # type: ignore[union-attr]
            fields.append(Field(f"{sec}.{name}", f"{label} · {CARD_FIELDS.get(name, name)}",
                                kind="bool" if name == "enabled" else "text"))

    def to_form(doc: CardThresholds) -> dict[str, Any]:
        d: dict[str, Any] = {"city": doc.city}
        for sec, _ in CARD_SECTIONS:
            for name, v in getattr(doc, sec).model_dump(mode="json").items():
                d[f"{sec}.{name}"] = af.spans_text(v) if name == "opening" else v
        return d

    def to_body(v: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"city": _s(v["city"]) or "默认"}
        for sec, label in CARD_SECTIONS:
            model = CardThresholds.model_fields[sec].annotation
            part: dict[str, Any] = {}
            for name, f in model.model_fields.items():  # type: ignore[union-attr]
                raw = v[f"{sec}.{name}"]
                what = f"{label} · {CARD_FIELDS.get(name, name)}"
                if name == "enabled":
                    part[name] = bool(raw)
                elif name == "opening":
                    part[name] = af.parse_spans(raw, what)
                elif f.annotation is int:
                    lo, hi = CARD_INT_BOUNDS.get(name, (0, 100000))
                    part[name] = af.parse_int(raw, what, lo=lo, hi=hi)
                else:
                    try:
                        x = float(_s(raw))
                    except ValueError:
                        raise FormError(f"{what}应为数字。") from None
                    hi_f = 1.0 if name.endswith("_rate") else 720.0
                    if not 0 <= x <= hi_f:
                        raise FormError(f"{what}应在 0 到 {hi_f:g} 之间。")
                    part[name] = x
            body[sec] = part
        return body

    return DocumentPage(api, bridge, title="红黄牌阈值", path="/admin/cards", model=CardThresholds, fields=fields,
                        to_form=to_form, to_body=to_body, editable=editable,
                        note="修改后立即用于红黄牌判定；每次修改都记入审计日志（修改人、修改前后的值）。")


# --- departments, categories, windows ----------------------------------------------------------

def departments_spec() -> PageSpec:
    return PageSpec(
        title="部门", list_path="/admin/departments", row_model=DepartmentOut,
        columns=[("code", "编码"), ("name", "名称"), ("phone", "电话"), ("active", "启用")],
        key=lambda r: r.code,
        fields=[Field("code", "部门编码", new_only=True, hint="字母数字，如 BDC"), Field("name", "部门名称"),
                Field("phone", "咨询电话")],
        create=lambda v: ("POST", "/admin/departments", {"code": _s(v["code"]), "name": _s(v["name"]),
                                                           "phone": _s(v["phone"])}),
        update=lambda r, v: ("PATCH", f"/admin/departments/{r.code}", {"name": _s(v["name"]), "phone": _s(v["phone"])}),
        toggle=lambda r: ("PATCH", f"/admin/departments/{r.code}", {"active": not r.active}),
    )


def _minutes(text: str) -> float:
    try:
        v = float(_s(text) or "8")
    except ValueError:
        raise FormError("每件用时应为分钟数。") from None
    if not 0 < v <= 480:
        raise FormError("每件用时应在 0 到 480 分钟之间。")
    return v


def categories_spec() -> PageSpec:
    def create(v: dict[str, Any]) -> Any:
        prefix = "".join(af.parse_prefixes(v["prefix"], "类别字母"))
        if len(prefix) != 1:
            raise FormError("类别字母应为一个 A–Z 的字母。")
        if not _s(v["name"]):
            raise FormError("请填写类别名称。")
        return ("POST", "/admin/categories", {"prefix": prefix, "name": _s(v["name"]),
                                              "department_code": _opt(v["department_code"] or ""),
                                              "service_minutes": _minutes(v["service_minutes"]),
                                              "sort": af.parse_int(v["sort"], "排序", lo=0, hi=1000, empty=0)})

    def hours_after(v: dict[str, Any]) -> Any:
        spans = af.parse_spans(v["hours"], "取号时段")
        return ("PATCH", f"/admin/categories/{_s(v['prefix']).upper()}", {"hours": spans}) if spans else None

    return PageSpec(
        title="业务类别（排队队列）", list_path="/admin/categories", row_model=CategoryRow,
        columns=[("prefix", "类别"), ("name", "名称"), ("department", "部门"), ("windows", "服务窗口"),
                 ("hours", "取号时段"), ("active", "启用")],
        cell=lambda r, k: (af.spans_text(x.model_dump() for x in r.hours) or "同大厅") if k == "hours" else (
            "、".join(f"{w}号" for w in r.windows) if k == "windows" else (
                ("是" if r.active else "否") if k == "active" else str(getattr(r, k) or ""))),
        key=lambda r: r.prefix,
        fields=[Field("prefix", "类别字母", new_only=True, hint="A–Z，号码以此开头，如 A001"),
                Field("name", "类别名称"), Field("department_code", "部门", kind="choice", options=NO_DEPT),
                Field("service_minutes", "每件约用时（分钟）", hint="8"), Field("sort", "取号机上的顺序", hint="0"),
                Field("hours", "取号时段", hint="留空则同大厅开放时间，如 09:00-11:30"),
                Field("windows", "服务窗口（在“窗口”页设置）", kind="readonly",
                      fmt=lambda ws: "、".join(f"{w} 号" for w in ws or []) or "尚无窗口办理此类业务")],
        row_dict=lambda r: {**r.model_dump(mode="json"), "hours": af.spans_text(x.model_dump() for x in r.hours),
                            "department_code": r.department_code or ""},
        create=create, after_create=hours_after,
        update=lambda r, v: ("PATCH", f"/admin/categories/{r.prefix}", {
            "name": _s(v["name"]), "department_code": v["department_code"] or "",
            "service_minutes": _minutes(v["service_minutes"]),
            "sort": af.parse_int(v["sort"], "排序", lo=0, hi=1000, empty=0),
            "hours": af.parse_spans(v["hours"], "取号时段")}),
        toggle=lambda r: ("PATCH", f"/admin/categories/{r.prefix}", {"active": not r.active}),
    )


def windows_spec() -> PageSpec:
    def common(v: dict[str, Any]) -> dict[str, Any]:
        cats = af.parse_prefixes(v["categories"])
        if not cats:
            raise FormError("请填写该窗口办理的业务类别（按优先顺序，如 A,C）。")
        if not _s(v["name"]):
            raise FormError("请填写窗口名称。")
        return {"name": _s(v["name"]), "categories": cats, "is_fee_window": bool(v["is_fee_window"]),
                "led_address": af.parse_int(v["led_address"], "窗口屏地址", lo=0, hi=255, empty=-1),
                "staff_a": _s(v["staff_a"]), "staff_b": af.split_list(v["staff_b"])}

    def create(v: dict[str, Any]) -> Any:
        body = common(v)
        body["staff_a"] = body["staff_a"] or None
        return ("POST", "/admin/windows", {"window_no": af.parse_int(v["window_no"], "窗口号", lo=1, hi=9999),
                                           "department_code": _opt(v["department_code"] or ""), **body})

    return PageSpec(
        title="窗口", list_path="/admin/windows", row_model=WindowRow,
        columns=[("window_no", "窗口"), ("name", "名称"), ("department", "部门"), ("categories", "业务类别（优先顺序）"),
                 ("staff_a", "A角"), ("staff_b", "B角"), ("active", "启用")],
        key=lambda r: str(r.window_no),
        fields=[Field("window_no", "窗口号", new_only=True), Field("name", "窗口名称"),
                Field("department_code", "部门", kind="choice", options=NO_DEPT),
                Field("categories", "业务类别（按优先顺序）", hint="如 A,C：先叫 A 类，A 类无人时叫 C 类",
                      fmt=lambda x: ",".join(x or [])),
                Field("is_fee_window", "收费窗口", kind="bool"),
                Field("led_address", "窗口屏地址（RS-485）", hint="0–255，留空表示无"),
                Field("staff_a", "A角（主岗工号）"),
                Field("staff_b", "B角（替岗工号）", hint="A角请假时补位，如 1004,1005", fmt=lambda x: ",".join(x or []))],
        row_dict=lambda r: {**r.model_dump(mode="json"), "department_code": r.department_code or ""},
        create=create,
        update=lambda r, v: ("PATCH", f"/admin/windows/{r.window_no}",
                             {**common(v), "department_code": v["department_code"] or ""}),
        toggle=lambda r: ("PATCH", f"/admin/windows/{r.window_no}", {"active": not r.active}),
    )


# --- staff -------------------------------------------------------------------------------------

ROLE_OPTIONS = list(af.ROLE_LABELS.items())


def staff_spec() -> PageSpec:
    def create(v: dict[str, Any]) -> Any:
        if len(v["password"]) < 6:
            raise FormError("初始密码至少 6 位。")
        if not v["roles"]:
            raise FormError("请至少选择一个角色。")
        return ("POST", "/admin/staff", {"staff_no": _s(v["staff_no"]), "name": _s(v["name"]),
                                         "password": v["password"], "roles": v["roles"],
                                         "department_code": _opt(v["department_code"] or ""), "post": _s(v["post"])})

    def update(r: StaffRow, v: dict[str, Any]) -> Any:
        if not v["roles"]:
            raise FormError("请至少选择一个角色。")
        return ("PATCH", f"/admin/staff/{r.staff_no}", {"name": _s(v["name"]), "post": _s(v["post"]),
                                                         "roles": v["roles"],
                                                         "department_code": v["department_code"] or ""})

    return PageSpec(
        title="人员", list_path="/admin/staff", row_model=StaffRow,
        columns=[("staff_no", "工号"), ("name", "姓名"), ("department", "部门"), ("post", "岗位"), ("roles", "角色"),
                 ("has_photo", "照片"), ("active", "在用")],
        cell=lambda r, k: af.roles_text(r.roles) if k == "roles" else (
            af.yes(getattr(r, k)) if k in ("has_photo", "active") else str(getattr(r, k) or "")),
        key=lambda r: r.staff_no,
        fields=[Field("staff_no", "工号", new_only=True), Field("name", "姓名"),
                Field("password", "初始密码", kind="password", new_only=True, hint="新建时填写，至少 6 位"),
                Field("department_code", "部门", kind="choice", options=NO_DEPT), Field("post", "岗位"),
                Field("roles", "角色", kind="multi", options=ROLE_OPTIONS)],
        row_dict=lambda r: {**r.model_dump(mode="json"), "department_code": r.department_code or "", "password": ""},
        create=create, update=update,
        toggle=lambda r: ("PATCH", f"/admin/staff/{r.staff_no}", {"active": not r.active}),
    )


class OneTimeDialog(QDialog):
    """Shows a secret once (a password, a device token and its config file) with a copy."""

    def __init__(self, title: str, text: str, *, save_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 420)
        lay = QVBoxLayout(self)
        warn = QLabel("以下内容只显示这一次，关闭后无法再次查看，请立即复制或保存。")
        warn.setStyleSheet("color: #a8071a; font-weight: bold;")
        warn.setWordWrap(True)
        lay.addWidget(warn)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        lay.addWidget(self.text, 1)
        buttons = QDialogButtonBox()
        copy = buttons.addButton("复制", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda _=False: (self.text.selectAll(), self.text.copy()))
        if save_name:
            save = buttons.addButton("另存为…", QDialogButtonBox.ButtonRole.ActionRole)
            save.clicked.connect(lambda _=False: self._save(save_name))
        close = buttons.addButton("我已保存，关闭", QDialogButtonBox.ButtonRole.AcceptRole)
        close.clicked.connect(lambda _=False: self.accept())
        lay.addWidget(buttons)

    def _save(self, name: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存客户端配置文件", name, "配置文件 (*.toml)")
        if path:
            Path(path).write_text(self.text.toPlainText(), encoding="utf-8")


class StaffPage(RecordPage):
    """人员 with 照片, 重置密码 and 请假 (the off-duty card leaves a day of leave out)."""

    secret_shown = Signal(str)
    photo_loaded = Signal(bool)

    def __init__(self, api: Connection, bridge: MessageBridge, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(api, bridge, staff_spec(), editable=editable, parent=parent)
        self.add_button("上传照片…", self.choose_photo)
        self.add_button("重置密码", self.reset_password)
        self.photo = QLabel()
        self.photo.setFixedSize(120, 156)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setStyleSheet("border: 1px solid #ccc;")
        box = QGroupBox("照片与请假")
        bl = QHBoxLayout(box)
        bl.addWidget(self.photo)
        leave = QVBoxLayout()
        row = QHBoxLayout()
        self.leave_day = QDateEdit(QDate.currentDate())
        self.leave_day.setCalendarPopup(True)
        self.leave_day.setDisplayFormat("yyyy-MM-dd")
        self.leave_note = QLineEdit()
        self.leave_note.setPlaceholderText("事由，如 年休假")
        self.leave_button = QPushButton("登记请假")
        self.leave_button.setEnabled(editable)
        self.leave_button.clicked.connect(lambda _=False: self.add_leave())
        self.cancel_button = QPushButton("撤销所选请假")
        self.cancel_button.setEnabled(editable)
        self.cancel_button.clicked.connect(lambda _=False: self.cancel_leave())
        for w in (self.leave_day, self.leave_note, self.leave_button):
            row.addWidget(w)
        leave.addLayout(row)
        self.leaves = QListWidget()
        self.leaves.setMaximumHeight(110)
        leave.addWidget(self.leaves)
        leave.addWidget(self.cancel_button)
        bl.addLayout(leave, 1)
        self.extra.addWidget(box)
        self.last_secret = ""

    def shown(self, row: StaffRow) -> None:
        self.photo.setPixmap(initial_photo(row.name, 100))
        if row.has_photo:
            self.api.get(f"/staff/{row.staff_no}/photo", model=bytes, on_ok=self._photo, on_error=self.show_error)
        self.api.get(f"/admin/leaves?staff_no={row.staff_no}", model=list[LeaveOut], on_ok=self._leaves,
                     on_error=self.show_error)

    def _photo(self, data: bytes) -> None:
        pm = QPixmap()
        ok = pm.loadFromData(data)
        if ok:
            self.photo.setPixmap(pm.scaled(self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))
        self.photo_loaded.emit(ok)

    def _leaves(self, rows: list[LeaveOut]) -> None:
        self.leaves.clear()
        for x in rows:
            self.leaves.addItem(f"{x.day.isoformat()}  {x.note}")

    def _need(self) -> StaffRow | None:
        if self.current is None:
            self.show_error(FormError("请先在左侧列表中选择一位工作人员。"))
        return self.current

    def choose_photo(self) -> None:
        if self._need() is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "选择照片", "", "照片 (*.jpg *.jpeg *.png)")
        if path:
            self.upload_photo(Path(path))

    def upload_photo(self, path: Path) -> None:
        row = self._need()
        if row is None:
            return
        try:
            data = path.read_bytes()
        except OSError:
            self.show_error(FormError("无法读取该照片文件。"))
            return
        self.send(("POST", f"/admin/staff/{row.staff_no}/photo", data))

    def reset_password(self) -> None:
        row = self._need()
        if row is None:
            return
        self.send(("POST", f"/admin/staff/{row.staff_no}/password", None), on_ok=self._reset_done)

    def _reset_done(self, out: dict[str, Any]) -> None:
        self.last_secret = str(out["password"])
        self.status.setStyleSheet("color: #237804;")
        self.status.setText(f"已为工号 {out['staff_no']} 重置密码。")
        dlg = OneTimeDialog("一次性密码", f"工号：{out['staff_no']}\n新密码：{out['password']}\n\n"
                                          "请当面交给本人；本人登录后可继续使用此密码。", parent=self)
        dlg.open()
        self.secret_shown.emit(self.last_secret)
        self.saved.emit(out)

    def add_leave(self) -> None:
        row = self._need()
        if row is None:
            return
        day = self.leave_day.date().toString("yyyy-MM-dd")
        self.send(("POST", f"/admin/staff/{row.staff_no}/leaves", {"day": day, "note": self.leave_note.text().strip()}),
                  on_ok=lambda out: (self.shown(row), self.saved.emit(out)))

    def cancel_leave(self) -> None:
        row = self._need()
        item = self.leaves.currentItem()
        if row is None or item is None:
            return
        day = item.text().split()[0]
        self.send(("POST", f"/admin/staff/{row.staff_no}/leaves/{day}/cancel", None),
                  on_ok=lambda out: (self.shown(row), self.saved.emit(out)))


# --- devices -------------------------------------------------------------------------------------

def devices_spec() -> PageSpec:
    def window(v: dict[str, Any]) -> int | None:
        return af.parse_int(v["window_no"], "评价器所在窗口", lo=1, hi=9999, empty=-1)

    return PageSpec(
        title="设备（取号机、显示屏、评价器）", list_path="/admin/devices", row_model=DeviceRow,
        columns=[("name", "设备名"), ("kind", "类型"), ("window_no", "窗口"), ("active", "在用")],
        cell=lambda r, k: af.DEVICE_KINDS.get(r.kind, r.kind) if k == "kind" else (
            af.yes(r.active) if k == "active" else str(getattr(r, k) or "")),
        key=lambda r: r.name,
        fields=[Field("name", "设备名", hint="设备编号，如 取号机填 kiosk-2（字母、数字、短横线）"),
                Field("kind", "类型", kind="choice", options=list(af.DEVICE_KINDS.items()), new_only=True),
                Field("window_no", "所在窗口（评价器）", hint="评价器填写它面对的窗口号")],
        create=lambda v: ("POST", "/admin/devices", {"name": _s(v["name"]), "kind": v["kind"],
                                                     "window_no": window(v)}),
        update=lambda r, v: ("PATCH", f"/admin/devices/{r.name}", {"name": _s(v["name"]),
                                                                   "window_no": window(v) or 0}),
        toggle=lambda r: ("POST", f"/admin/devices/{r.name}/retire", None),
    )


class DevicesPage(RecordPage):
    secret_shown = Signal(str)

    def __init__(self, api: Connection, bridge: MessageBridge, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(api, bridge, devices_spec(), editable=editable, parent=parent)
        self.toggle_button.setText("停用（Ctrl+D）")
        self.last_config = ""

    def _show(self, row: DeviceRow) -> None:
        super()._show(row)
        self.toggle_button.setText("停用（Ctrl+D）")
        self.toggle_button.setEnabled(self.editable and row.active)

    def done(self, result: Any) -> None:
        if isinstance(result, dict) and result.get("config_text"):
            self.last_config = str(result["config_text"])
            OneTimeDialog(f"设备 {result['name']} 的令牌与配置", self.last_config,
                          save_name=f"{result['name']}.toml", parent=self).open()
            self.secret_shown.emit(self.last_config)
        super().done(result)


# --- matters ---------------------------------------------------------------------------------------

def _materials_text(items: list[dict[str, Any]]) -> str:
    return "\n".join(f"{m['code']}｜{m['name']}｜{af.MATERIAL_FORMS.get(m['form'], m['form'])}｜{m['copies']}｜"
                     f"{'必要' if m['required'] else '非必要'}" + (f"｜{m['notes']}" if m.get("notes") else "")
                     for m in items)


def _parse_materials(text: str) -> list[dict[str, Any]]:
    forms = {v: k for k, v in af.MATERIAL_FORMS.items()}
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
        if len(parts) < 2:
            raise FormError(f"材料第 {n} 行应写成：编码｜名称｜形式｜份数｜必要｜备注。")
        form = forms.get(parts[2] if len(parts) > 2 else "原件及复印件")
        if form is None:
            raise FormError(f"材料第 {n} 行的形式应为：{'、'.join(forms)}。")
        copies = af.parse_int(parts[3] if len(parts) > 3 else "1", f"材料第 {n} 行的份数", lo=1, hi=99)
        out.append({"code": parts[0], "name": parts[1], "form": form, "copies": copies,
                    "required": (parts[4] if len(parts) > 4 else "必要") != "非必要",
                    "notes": "｜".join(parts[5:])})
    return out


def _parse_fee_refs(text: str) -> list[dict[str, str]]:
    out = []
    for line in text.splitlines():
        code, _, name = line.strip().partition(" ")
        if code:
            out.append({"code": code, "name": name.strip() or code})
    return out


def matter_body(v: dict[str, Any]) -> dict[str, Any]:
    if not _s(v["code"]) or not _s(v["name"]):
        raise FormError("请填写事项编码和事项名称。")
    cat = _s(v["category_prefix"]).upper() or None
    return {"code": _s(v["code"]), "name": _s(v["name"]), "department_code": _opt(v["department_code"] or ""),
            "case_prefix": _s(v["case_prefix"]).upper(), "category_prefix": cat, "kind": v["kind"],
            "legal_basis": v["legal_basis"].strip(), "conditions": v["conditions"].strip(),
            "procedure": [x.strip() for x in v["procedure"].splitlines() if x.strip()],
            "materials": _parse_materials(v["materials"]),
            "statutory_limit": af.parse_int(v["statutory_limit"], "法定时限", lo=0, hi=3650),
            "statutory_unit": v["statutory_unit"],
            "promised_limit": af.parse_int(v["promised_limit"], "承诺时限", lo=0, hi=3650),
            "promised_unit": v["promised_unit"], "fee_items": _parse_fee_refs(v["fee_items"]),
            "fee_note": _s(v["fee_note"]), "enquiry_phone": _s(v["enquiry_phone"]),
            "complaint_phone": _s(v["complaint_phone"]), "active": bool(v["active"])}


def matters_spec() -> PageSpec:
    def save(v: dict[str, Any]) -> Any:
        body = matter_body(v)
        return ("PUT", f"/matters/{body['code']}", body)

    return PageSpec(
        title="事项（八公开）", list_path="/matters?limit=200", row_model=MatterBrief,
        columns=[("code", "事项编码"), ("name", "事项名称"), ("department", "部门"), ("kind_label", "类型"),
                 ("limit_text", "时限")],
        key=lambda r: r.code,
        fields=[Field("code", "事项编码", new_only=True), Field("name", "事项名称"),
                Field("department_code", "实施部门", kind="choice", options=NO_DEPT),
                Field("case_prefix", "办件编号前缀", hint="1–4 个大写字母，如 SG"),
                Field("category_prefix", "取号类别", hint="如 A"),
                Field("kind", "办件类型", kind="choice", options=list(af.MATTER_KINDS.items())),
                Field("statutory_limit", "法定时限"), Field("statutory_unit", "法定时限单位", kind="choice",
                                                         options=list(af.LIMIT_UNITS.items())),
                Field("promised_limit", "承诺时限"), Field("promised_unit", "承诺时限单位", kind="choice",
                                                        options=list(af.LIMIT_UNITS.items())),
                Field("legal_basis", "设定依据", kind="lines"), Field("conditions", "受理条件", kind="lines"),
                Field("procedure", "办理流程（每行一步）", kind="lines", fmt=lambda x: "\n".join(x or [])),
                Field("materials", "申请材料（每行：编码｜名称｜形式｜份数｜必要｜备注）", kind="lines",
                      fmt=lambda x: _materials_text(x or [])),
                Field("fee_items", "收费项目（每行：编码 名称）", kind="lines",
                      fmt=lambda x: "\n".join(f"{f['code']} {f['name']}" for f in x or [])),
                Field("fee_note", "收费说明"), Field("enquiry_phone", "咨询电话"), Field("complaint_phone", "投诉电话"),
                Field("active", "启用", kind="bool")],
        create=save, update=lambda r, v: save({**v, "code": r.code}),
    )


class PreviewDialog(QDialog):
    """Every row of the file and its problems; 导入 only when there are none."""

    def __init__(self, out: CatalogPreviewOut, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入预览")
        self.resize(900, 520)
        lay = QVBoxLayout(self)
        head = QLabel(f"共 {out.total} 个事项，{out.bad} 行有问题。" +
                      ("可以导入。" if out.ok else "请按下表修改文件后重新选择，问题解决前不会写入任何内容。"))
        head.setWordWrap(True)
        lay.addWidget(head)
        self.table = QTableWidget(len(out.rows), 5)
        self.table.setHorizontalHeaderLabels(["行号", "事项编码", "事项名称", "结果", "问题"])
        action = {"create": "新增", "update": "更新", "": "不导入"}
        for i, r in enumerate(out.rows):
            for j, v in enumerate([str(r.row or "—"), r.code, r.name, action[r.action], "；".join(r.problems) or "无"]):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(out.ok)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class MattersPage(RecordPage):
    previewed = Signal(object)  # CatalogPreviewOut
    imported = Signal(object)
    detail_loaded = Signal(object)  # MatterOut: the form shows the whole 八公开 record

    def __init__(self, api: Connection, bridge: MessageBridge, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(api, bridge, matters_spec(), editable=editable, parent=parent)
        self.add_button("导入目录（Excel）…", self.choose_file, "Ctrl+I")
        self._file: bytes = b""
        self.dialog: PreviewDialog | None = None

    def new(self) -> None:
        super().new()
        self.form.set_values({"kind": "promised", "statutory_unit": "working", "promised_unit": "working",
                              "statutory_limit": 20, "promised_limit": 5, "active": True, "department_code": ""})

    def shown(self, row: MatterBrief) -> None:
        self.api.get(f"/matters/{row.code}", model=MatterOut, on_ok=self._full, on_error=self.show_error)

    def _full(self, m: MatterOut) -> None:
        self.form.set_values({**m.model_dump(mode="json"), "department_code": m.department_code or "",
                              "category_prefix": m.category_prefix or ""})
        self.detail_loaded.emit(m)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择事项目录", "", "Excel 文件 (*.xlsx)")
        if path:
            self.preview(Path(path))

    def preview(self, path: Path) -> None:
        try:
            self._file = path.read_bytes()
        except OSError:
            self.show_error(FormError("无法读取该文件。"))
            return
        self.api.request("POST", "/admin/catalog/preview", json_body=self._file, model=CatalogPreviewOut,
                         on_ok=self._previewed, on_error=self.show_error)

    def _previewed(self, out: CatalogPreviewOut) -> None:
        self.dialog = PreviewDialog(out, self)
        self.dialog.accepted.connect(self.import_file)
        self.dialog.open()
        self.previewed.emit(out)

    def import_file(self) -> None:
        self.api.request("POST", "/catalog/import?format=xlsx", json_body=self._file,
                         on_ok=self._imported, on_error=self.show_error)

    def _imported(self, out: dict[str, Any]) -> None:
        self.status.setText(f"已导入：新增 {out['created']} 项，更新 {out['updated']} 项。")
        self.reload()
        self.imported.emit(out)


# --- fee items ---------------------------------------------------------------------------------------

def fees_spec() -> PageSpec:
    def standard(v: dict[str, Any]) -> dict[str, Any] | None:
        if v["standard_kind"] == "tiered":  # tiers are not edited here: keep the item's own
            return None
        return {"kind": v["standard_kind"], "price_fen": af.parse_yuan(v["price"])}

    def create(v: dict[str, Any]) -> Any:
        if not v["account_code"]:
            raise FormError("请先在下方新增该部门的收款账户，再选择。")
        if v["standard_kind"] == "tiered":
            raise FormError("分档计价的项目请用导入方式建立；这里请选择按件定额或按数量计价。")
        return ("POST", "/fees/items", {
            "code": _s(v["code"]), "name": _s(v["name"]), "matter_code": _s(v["matter_code"]),
            "department_code": v["department_code"] or "", "account_code": v["account_code"],
            "income_type": v["income_type"], "legal_basis": v["legal_basis"].strip(), "unit": _s(v["unit"]) or "件",
            "standard": standard(v), **dates(v), "exclusive_group": _s(v["exclusive_group"])})

    def dates(v: dict[str, Any]) -> dict[str, Any]:
        return {"valid_from": af.parse_day(v["valid_from"], "执行日期"),
                "valid_to": af.parse_day(v["valid_to"], "停止执行日期")}

    def update(r: FeeItemOut, v: dict[str, Any]) -> Any:
        d = dates(v)
        return ("PATCH", f"/fees/items/{r.code}", {
            "name": _s(v["name"]), "legal_basis": v["legal_basis"].strip(), "unit": _s(v["unit"]) or "件",
            "account_code": v["account_code"] or None, "standard": standard(v), **d,
            "clear_dates": d["valid_from"] is None and d["valid_to"] is None,
            "exclusive_group": _s(v["exclusive_group"])})

    return PageSpec(
        title="收费项目", list_path="/fees/items?include_inactive=true", row_model=FeeItemOut,
        columns=[("code", "编码"), ("name", "名称"), ("standard_text", "收费标准"), ("valid_from", "执行"),
                 ("valid_to", "停止"), ("active", "启用")],
        key=lambda r: r.code,
        fields=[Field("code", "项目编码", new_only=True), Field("name", "项目名称"),
                Field("matter_code", "所属事项编码", new_only=True),
                Field("department_code", "收费部门", kind="choice", options=NO_DEPT, new_only=True),
                Field("account_code", "收款账户", kind="choice", options=[("", "（请选择）")]),
                Field("income_type", "收入类型", kind="choice", options=[(x, x) for x in af.INCOME_TYPES],
                      new_only=True),
                Field("standard_kind", "计价方式", kind="choice",
                      options=[*af.STANDARD_KINDS.items(), ("tiered", "分档计价（档位在此不能修改）")]),
                Field("price", "收费标准（元）", hint="如 80 或 12.50"), Field("unit", "计量单位", hint="件"),
                Field("legal_basis", "收费依据（文件名称及文号）", kind="lines"),
                Field("valid_from", "执行日期", hint="如 2027-01-01；留空表示已执行。调价：旧项目填停止日期，另建新项目"),
                Field("valid_to", "停止执行日期", hint="留空表示长期有效"),
                Field("exclusive_group", "互斥组", hint="同组项目同一缴费单只能收其一，如 登记费")],
        row_dict=lambda r: {**r.model_dump(mode="json"), "standard_kind": r.standard.get("kind", "fixed"),
                            "price": af.yuan_text(int(r.standard.get("price_fen", 0)))},
        create=create,
        update=update,
        toggle=lambda r: ("PATCH", f"/fees/items/{r.code}", {"active": not r.active}),
    )


class FeesPage(RecordPage):
    def __init__(self, api: Connection, bridge: MessageBridge, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(api, bridge, fees_spec(), editable=editable, parent=parent)
        box = QGroupBox("新增收款账户（收费项目的款项进入该账户）")
        bl = QVBoxLayout(box)
        self.account_form = FormView([Field("code", "账户编码"), Field("name", "账户名称"), Field("bank", "开户行"),
                                      Field("account_no", "账号"),
                                      Field("department_code", "所属部门", kind="choice", options=NO_DEPT)])
        self.account_form.set_new(True, editable)
        bl.addWidget(self.account_form)
        self.account_button = QPushButton("新增账户")
        self.account_button.setEnabled(editable)
        self.account_button.clicked.connect(lambda _=False: self.add_account())
        bl.addWidget(self.account_button)
        self.extra.addWidget(box)

    def reload(self) -> None:
        super().reload()
        self.api.get("/fees/accounts", model=list[FeeAccountOut], on_ok=self._accounts, on_error=self.show_error)

    def _accounts(self, rows: list[FeeAccountOut]) -> None:
        self.form.set_choices("account_code", [("", "（请选择）")] + [
            (a.code, f"{a.name}（{a.department}）") for a in rows if a.active])
        if self.current is not None:  # the choices arrived after the record was shown
            self.form.set_values(self.spec.row_dict(self.current))

    def add_account(self) -> None:
        v = self.account_form.values()
        if not v["department_code"]:
            self.show_error(FormError("请选择收款账户所属的部门。"))
            return
        self.send(("POST", "/fees/accounts", {"code": _s(v["code"]), "name": _s(v["name"]), "bank": _s(v["bank"]),
                                              "account_no": _s(v["account_no"]),
                                              "department_code": v["department_code"]}),
                  on_ok=lambda out: (self.reload(), self.status.setText("已新增收款账户。"), self.saved.emit(out)))


# --- holidays -------------------------------------------------------------------------------------------

def holidays_spec() -> PageSpec:
    def save(v: dict[str, Any]) -> Any:
        year = af.parse_int(v["year"], "年份", lo=2000, hi=2100)
        return ("PUT", f"/admin/holidays/{year}", {
            "year": year, "provisional": bool(v["provisional"]),
            "holidays": af.parse_dates(v["holidays"], "放假日期"), "workdays": af.parse_dates(v["workdays"], "调休上班日")})

    return PageSpec(
        title="节假日（日历库尚未收录的年份）", list_path="/admin/holidays", row_model=HolidayYear,
        columns=[("year", "年份"), ("provisional", "暂定"), ("holidays", "放假天数"), ("workdays", "调休上班天数")],
        cell=lambda r, k: str(len(getattr(r, k))) if k in ("holidays", "workdays") else (
            af.yes(r.provisional) if k == "provisional" else str(r.year)),
        key=lambda r: str(r.year),
        fields=[Field("year", "年份", new_only=True),
                Field("provisional", "暂定（国务院办公厅尚未公布调休安排）", kind="bool"),
                Field("holidays", "放假日期（每行一天或一段）", kind="lines", hint="2028-01-01\n2028-01-26..2028-02-01",
                      fmt=lambda x: af.dates_text(x or [])),
                Field("workdays", "调休上班日（星期六或星期日）", kind="lines", fmt=lambda x: af.dates_text(x or []))],
        create=save, update=lambda r, v: save({**v, "year": str(r.year)}),
    )


class HolidaysPage(RecordPage):
    def __init__(self, api: Connection, bridge: MessageBridge, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(api, bridge, holidays_spec(), editable=editable, parent=parent)
        self.package = QLabel()
        self.package.setWordWrap(True)
        self.extra.addWidget(self.package)

    def reload(self) -> None:
        self.reload_then_select(None)

    def reload_then_select(self, key: str | None) -> None:
        def fill(out: HolidaysOut) -> None:
            self.package.setText(f"日历库已收录 {min(out.package_years)}–{max(out.package_years)} 年的官方安排，"
                                 "这些年份无需填写；此处填写的年份优先于日历库。" if out.package_years else "")
            self._fill(out.years)
            if key is not None:
                self.select(key)
        self.api.get("/admin/holidays", model=HolidaysOut, on_ok=fill, on_error=self.show_error)
