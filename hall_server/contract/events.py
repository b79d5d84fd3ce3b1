"""The catalogue of event types: how each logged event reads, declared once.

Every event the server appends has one ``EventKind`` here: its Chinese label, the data
keys it carries, which of them are personal (masked for displays, kiosks, clerks), which
are private to the office (dropped for everyone else), who may see it at all, and one
Chinese sentence template. The writer (``services``), the masking of the event stream,
the supervision search, case and staff timelines, card evidence, the clerk's 办件全程 and
the PDF/xlsx exports all read the same entry, and a test walks every ``events.append``
site of the server against this table.

Use at an append site::

    from ..contract import events as kinds
    events.append(session, kinds.TICKET_CALLED.type, actor=actor, at=now, window_no=3, data={...})

Read::

    kinds.sentence(event, names={"1001": "王建国"})   # 王建国（1001）在 3 号窗口叫号 A003
    kinds.label("ticket.called")                      # 叫号

Templates are ``str.format`` strings. Besides the event's data keys (lists joined with
"、", ``*_at`` instants in local time, ``*_fen`` money as ¥) every template may use
``{who}`` (the actor: 「王建国（1001）」, 「取号机 1」, 「系统」), ``{window}`` (「3 号窗口」),
``{amount}`` (``amount_fen`` as ¥) and ``{<key>_who}`` for any key naming a 工号
(``staff_no``, ``approved_by``, …: 「李娜（2001）」). A kind's ``derive`` adds its own
fields (labels of enum values, optional clauses). A key missing from old data reads "—".
"""
from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from ..domain.cards import LEVEL_LABELS as CARD_LEVEL_LABELS
from ..domain.cards import RULE_LABELS, Level, Rule
from ..domain.cases import SUSPEND_LABELS, SuspendKind
from ..domain.complaints import CHANNEL_LABELS, Channel
from ..domain import fees as fee_rules
from ..domain.fees import PAY_METHOD_LABELS, PayMethod
from ..domain.ratings import LEVEL_LABELS as RATING_LEVEL_LABELS
from ..domain.ratings import REASONS as RATING_REASONS
from ..domain.ratings import RatingLevel
from ..domain.roles import ROLE_LABELS, Role
from ..domain.workdays import UNIT_LABELS, LimitUnit
from ..domain.privacy import mask_data
from . import show

__all__ = ["Audience", "EventKind", "KINDS", "OFFICE_ROLES", "kind_of", "declared", "label", "sentence",
           "actor_text", "raw_record", "fields_of", "EventLike", "UNKNOWN", "masked", "device_text", "AREA_LABELS", "type_filter_text"]


class Audience(StrEnum):
    """Who may see an event of a kind."""
    ALL = "all"  # every role; personal keys masked, private keys dropped for non-office roles
    OFFICE = "office"  # manager, supervisor, admin only; others get the neutral placeholder


# who reads events whole (unmasked, private keys, office-only kinds)
OFFICE_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR, Role.ADMIN})
AUDIENCE_LABELS = {Audience.ALL: "所有角色（个人信息遮蔽）", Audience.OFFICE: "仅大厅管理员、驻厅监察、系统管理员"}

Derive = Callable[[Mapping[str, Any]], Mapping[str, str]]
MISSING = "—"


@dataclass(frozen=True)
class EventKind:
    type: str  # "ticket.called"
    label: str  # "叫号"
    template: str  # "{who}在 {window}叫号 {ticket}"
    keys: frozenset[str] = frozenset()  # what every such event's data carries
    personal: frozenset[str] = frozenset()  # masked for non-office roles
    private: frozenset[str] = frozenset()  # dropped for non-office roles (a rating's level)
    audience: Audience = Audience.ALL
    derive: Derive | None = field(default=None, compare=False)

    def placeholders(self) -> frozenset[str]:
        return frozenset(f for _, f, _, _ in string.Formatter().parse(self.template) if f)

    def sentence(self, data: Mapping[str, Any], *, actor: str = "", window_no: int | None = None,
                 names: Mapping[str, str] | None = None, tz: show.Zone = None) -> str:
        vals = _Fields(fields_of(data, actor=actor, window_no=window_no, names=names or {}, tz=tz))
        if self.derive is not None:
            vals.update(self.derive(_Fields(data)))
        return self.template.format_map(vals)


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return MISSING if key != "" else ""


class EventLike(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def actor(self) -> str: ...
    @property
    def window_no(self) -> int | None: ...


KINDS: dict[str, EventKind] = {}


def kind(type_: str, label_: str, template: str, *keys: str, personal: Iterable[str] = (),
         private: Iterable[str] = (), audience: Audience = Audience.ALL, derive: Derive | None = None) -> EventKind:
    """Declare one event type (once: a second declaration of the same type is a bug)."""
    if type_ in KINDS:
        raise ValueError(f"event type declared twice: {type_}")
    k = EventKind(type_, label_, template, frozenset(keys), frozenset(personal), frozenset(private), audience,
                  derive)
    KINDS[type_] = k
    return k


UNKNOWN = EventKind("", "其他事件", "{who}记录了一条未登记类型的事件")


def kind_of(type_: str) -> EventKind:
    """The kind of a type; an undeclared type reads as 其他事件 (never its English name)."""
    return KINDS.get(type_, UNKNOWN)


def declared(type_: str) -> bool:
    return type_ in KINDS


# the area of a type (its prefix) as a person names it: filters ("ticket." = every 号票 event)
AREA_LABELS: dict[str, str] = {
    "ticket": "号票", "window": "窗口", "duty": "在岗", "case": "办件", "fee": "收费", "rating": "好差评",
    "complaint": "投诉", "inquiry": "首问负责", "staff": "人员", "device": "设备", "token": "登录凭证",
    "category": "业务类别", "matter": "事项", "catalog": "事项目录", "hall": "大厅", "audit": "日志校验",
    "card": "红黄牌",
}


def type_filter_text(type_: str) -> str:
    """A search's type filter as a person reads it: "ticket." -> 全部号票事件, "fee.paid" -> 缴费（开具票据）."""
    if type_.endswith(("*", ".")):
        area = type_.rstrip("*").rstrip(".")
        return f"全部{AREA_LABELS.get(area, '其他')}事件"
    return label(type_)


# --- rendering helpers -------------------------------------------------------------------

STAFF_KEYS = frozenset({"staff_no", "about_staff_no", "assignee_staff_no", "approved_by", "voided_by",
                        "first_staff_no", "to_staff_no", "rated_staff_no", "approver"})
DEVICE_KINDS = {"kiosk": "取号机", "display": "显示屏", "evaluator": "评价器", "window": "窗口", "phone": "手机"}
PERIPHERALS = {"ticket-printer": "号票打印机", "receipt-printer": "票据打印机", "printer": "打印机",
               "idcard-reader": "身份证阅读器", "idcard": "身份证阅读器", "hall-led": "综合屏",
               "window-led": "窗口屏", "led": "LED 屏", "evaluator": "评价器", "voice": "语音播报"}
_UNIT = re.compile(r"^([a-z]+)-?(\d*)$")


def device_text(name: str | None, kind: str | None = None) -> str:
    """kiosk-1 -> 1 号取号机; kiosk-1/ticket-printer -> 1 号取号机的号票打印机; window-12/receipt-printer ->
    12 号窗口的票据打印机 (device names are ids; a person reads what the device is)."""
    if not name:
        return ""
    head, _, part = name.partition("/")
    m = _UNIT.match(head)
    if m and m.group(1) in DEVICE_KINDS:
        unit = f"{m.group(2)} 号{DEVICE_KINDS[m.group(1)]}" if m.group(2) else DEVICE_KINDS[m.group(1)]
    else:
        unit = "设备"
    if not part:
        return unit
    return f"{unit}的{PERIPHERALS.get(part, PERIPHERALS.get(kind or '', '外设'))}"


def actor_text(actor: str, names: Mapping[str, str] | None = None) -> str:
    """staff:1001 -> 王建国（1001）; device:kiosk-1 -> 取号机 1; system -> 系统."""
    names = names or {}
    if actor.startswith("staff:"):
        no = actor.removeprefix("staff:")
        return show.staff(names.get(no), no)
    if actor.startswith("device:"):
        return device_text(actor.removeprefix("device:"))
    return "系统" if actor in ("system", "") else actor


def _text(key: str, v: Any, tz: show.Zone) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return show.yes_no(v)
    if key.endswith("_fen") and isinstance(v, int):
        return show.yuan(v)
    if key.endswith("_at") and isinstance(v, str):
        try:
            return show.local_minute(v, tz)
        except ValueError:
            return v
    if isinstance(v, datetime):
        return show.local_time(v, tz)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "、".join(_text(key, x, tz) if not isinstance(x, Mapping) else _item_text(x) for x in v)
    if isinstance(v, Mapping):
        return _item_text(v)
    return str(v)


def _item_text(m: Mapping[str, Any]) -> str:
    """A nested record inside data (fee lines, changes): its values, money as ¥, no keys."""
    return " ".join(_text(str(k), v, None) for k, v in m.items() if v not in (None, "") and not isinstance(v, Mapping))


def fields_of(data: Mapping[str, Any], *, actor: str = "", window_no: int | None = None,
              names: Mapping[str, str] | None = None, tz: show.Zone = None) -> dict[str, str]:
    """Every field a template may use, as text."""
    names = names or {}
    out = {k: _text(k, v, tz) for k, v in data.items()}
    for k in STAFF_KEYS:
        no = data.get(k)
        if isinstance(no, str) and no:
            out[f"{k}_who"] = show.staff(names.get(no), no)
    w = window_no if window_no is not None else data.get("window_no")
    out["window"] = show.window(w) if isinstance(w, int) else ""
    out["who"] = actor_text(actor, names)
    if isinstance(data.get("amount_fen"), int):
        out["amount"] = show.yuan(data["amount_fen"])
    return out


def _of(ev: EventLike | Mapping[str, Any]) -> tuple[str, Mapping[str, Any], str, int | None]:
    if isinstance(ev, Mapping):
        return ev["type"], ev.get("data") or {}, ev.get("actor") or "", ev.get("window_no")
    return ev.type, ev.data or {}, ev.actor or "", ev.window_no


def label(type_: str, data: Mapping[str, Any] | None = None) -> str:
    """The short Chinese name of an event (a column, a filter list, a progress step)."""
    if type_ == CASE_CONCLUDED.type and data is not None:
        return "办结（准予许可）" if data.get("outcome") == "approved" else "办结（不予许可）"
    return kind_of(type_).label


def sentence(ev: EventLike | Mapping[str, Any], *, names: Mapping[str, str] | None = None,
             tz: show.Zone = None) -> str:
    """One Chinese sentence of what happened: 「王建国（1001）在 1 号窗口叫号 A003」."""
    type_, data, actor, window_no = _of(ev)
    return kind_of(type_).sentence(data, actor=actor, window_no=window_no, names=names, tz=tz)


def raw_record(ev: EventLike | Mapping[str, Any], *, seq: int | None = None, at: datetime | None = None,
               tz: show.Zone = None, names: Mapping[str, str] | None = None) -> str:
    """The event as stored, for the inspector's detail pane (the one place raw data is shown)."""
    type_, data, actor, window_no = _of(ev)
    seq = seq if seq is not None else getattr(ev, "seq", None)
    at = at if at is not None else getattr(ev, "at", None)
    head = [f"序号：{seq}" if seq is not None else "", f"时间：{show.local_time(at, tz)}" if at else "",
            f"事件：{label(type_, data)}（类型代码 {type_}）", f"操作者：{actor_text(actor, names)}（{actor}）",
            f"窗口：{window_no}" if window_no is not None else ""]
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return "\n".join(h for h in head if h) + "\n记录数据：\n" + body


# --- masking for roles outside the office ---------------------------------------------------

def masked(type_: str, data: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """An event as non-office roles (clerks, displays, kiosks) receive it.

    Personal keys are masked (every kind's ``personal`` keys, and any key ``domain.privacy``
    knows, nested too), office-private keys dropped, and an office-only kind becomes the
    neutral ``rating.private`` placeholder with no data: only a 差评 opens a follow-up, so
    even the type of a follow-up event would tell a clerk what was rated (the seq stays, so
    clients see no gap)."""
    k = kind_of(type_)
    if k.audience is Audience.OFFICE:
        return RATING_PRIVATE.type, {}
    out = mask_data(dict(data), names=True)
    for key in k.personal & out.keys():
        v = out[key]
        if isinstance(v, str) and v and "*" not in v:
            out[key] = _mask_any(key, v)
    return type_, {key: v for key, v in out.items() if key not in k.private}


def _mask_any(key: str, v: str) -> str:
    if "phone" in key:
        return show.mask_phone(v)
    if "name" in key:
        return show.mask_name(v)
    return show.mask_id(v)


# --- small derivations -----------------------------------------------------------------

def _lookup(table: Mapping[Any, str], enum: type[StrEnum], v: Any) -> str:
    try:
        return table[enum(v)]
    except (ValueError, KeyError):
        return "" if v is None else str(v)


def _late(d: Mapping[str, Any]) -> str:
    return "（已超期）" if d.get("late") else ""


def _opt(prefix: str, v: Any, suffix: str = "") -> str:
    return f"{prefix}{v}{suffix}" if v not in (None, "", [], 0) else ""


# --- 号票 / 窗口 / 在岗 -------------------------------------------------------------------

_T = ("ticket", "ticket_id", "category", "state", "staff_no")
TICKET_ISSUED = kind(
    "ticket.issued", "取号", "{who}发出号码 {ticket}{priority_text}，前面等候 {waiting_ahead} 人",
    "ticket", "ticket_id", "category", "priority", "waiting_ahead", "estimate_min", "business_day",
    personal=("citizen_id_number", "citizen_name"),
    private=("priority_reason",),  # why a citizen jumped the queue (老年人, 残疾人…) is the office's
    derive=lambda d: {"priority_text": ("（绿色通道" + _opt("：", d.get("priority_reason")) + "）") if d.get("priority")
                      else ""})
TICKET_CALLED = kind("ticket.called", "叫号", "{who}在 {window}叫号 {ticket}", *_T, "waited_s")
TICKET_RECALLED = kind("ticket.recalled", "重呼", "{who}在 {window}重呼 {ticket}（第 {recalls} 次）", *_T, "recalls")
TICKET_STARTED = kind("ticket.started", "开始办理", "{who}在 {window}开始办理 {ticket}", *_T)
TICKET_COMPLETED = kind("ticket.completed", "窗口服务结束", "{who}在 {window}办完号码 {ticket}，办理用时 {served}",
                        *_T, "served_s", derive=lambda d: {"served": show.duration(d.get("served_s"))})
TICKET_SKIPPED = kind("ticket.skipped", "过号", "{who}在 {window}将号码 {ticket} 过号", *_T)
TICKET_TRANSFERRED = kind(
    "ticket.transferred", "转移", "{who}将号码 {ticket} 从 {from_window} 号窗口转至{target}",
    *_T, "from_window", "to_category", "to_window",
    derive=lambda d: {"target": (f" {d['to_window']} 号窗口" if d.get("to_window") is not None
                                 else f" {d.get('to_category') or ''} 类队列")})
TICKET_REQUEUED = kind("ticket.requeued", "重新排队", "{who}将过号的 {ticket} 重新排队", *_T)

WINDOW_PAUSED = kind("window.paused", "暂停服务", "{who}暂停 {window}服务：{reason}", "reason", "staff_no")
WINDOW_RESUMED = kind("window.resumed", "恢复服务", "{who}恢复 {window}服务（暂停 {paused}）", "paused_s", "staff_no",
                      derive=lambda d: {"paused": show.duration(d.get("paused_s"))})
WINDOW_ADDED = kind("window.added", "新增窗口", "{who}新增 {window}（{name}），办理 {categories} 类业务{fee_text}",
                    "name", "categories", "is_fee_window",
                    derive=lambda d: {"fee_text": "，为收费窗口" if d.get("is_fee_window") else ""})
DUTY_STARTED = kind("duty.started", "挂牌上岗", "{who}在 {window}挂牌上岗", "staff_no", "badge")
DUTY_ENDED = kind("duty.ended", "离岗", "{who}在 {window}离岗（在岗 {on_duty}）", "staff_no", "on_duty_s",
                  derive=lambda d: {"on_duty": show.duration(d.get("on_duty_s"))})

# --- 人员 / 设备 / 配置 -------------------------------------------------------------------

CATEGORY_ADDED = kind("category.added", "新增业务类别", "{who}新增业务类别 {category}（{name}），每件约 {service_minutes} 分钟",
                      "category", "name", "service_minutes")


def _roles(d: Mapping[str, Any]) -> Mapping[str, str]:
    return {"roles_text": "、".join(_lookup(ROLE_LABELS, Role, r) for r in d.get("roles") or [])}


STAFF_ADDED = kind("staff.added", "新增人员", "{who}新增人员 {name}（{staff_no}），角色：{roles_text}",
                   "staff_no", "name", "roles", derive=_roles)
STAFF_LOCKED = kind("staff.locked", "账号锁定", "{text}", "staff_no", audience=Audience.OFFICE,
                    derive=lambda d: {"text": (f"锁定工号 {d.get('staff_no')} 的账号（其令牌同时失效）" if d.get("by_admin")
                                               else f"工号 {d.get('staff_no')} 连续输错密码，"
                                               + (f"来自 {d['source']} 的登录" if d.get("source") else "账号")
                                               + f"锁定 {d.get('minutes')} 分钟")})
STAFF_UNLOCKED = kind("staff.unlocked", "解除登录锁定", "{who}解除工号 {staff_no} 的登录锁定（{sources} 处来源）",
                      "staff_no", "sources", audience=Audience.OFFICE)
STAFF_STAR_UPDATED = kind("staff.star_rating_updated", "服务星级更新",
                          "{staff_no_who}的服务星级更新为 {star} 星（近 {period_days} 天 {count} 条评价）",
                          "staff_no", "star", "count", "period_days")
DEVICE_ADDED = kind("device.added", "登记设备", "{who}登记设备 {device_text}（{kind_text}）{window_text}",
                    "device", "kind", "window_no",
                    derive=lambda d: {"device_text": device_text(d.get("device")),
                                      "kind_text": _lookup(ROLE_LABELS, Role, d.get("kind")),
                                      "window_text": _opt("，", show.window(d.get("window_no")) or None)})
DEVICE_STATUSES = {"ok": "正常", "warning": "需要注意", "error": "故障", "offline": "离线", "unknown": "状态未知"}
DEVICE_STATUS = kind("device.status", "设备状态变化", "{device_text}状态：{status_text}{detail_text}",
                     "device", "kind", "status", "detail", "window_no", "reporter",
                     derive=lambda d: {"device_text": device_text(d.get("device"), d.get("kind")),
                                       "status_text": DEVICE_STATUSES.get(d.get("status") or "", "状态未知"),
                                       "detail_text": _opt("（", d.get("detail"), "）")})
DEVICE_RETIRED = kind("device.retired", "设备停用", "{who}停用{device_text}（{reason}）{token_text}",
                      "device", "kind", "window_no", "reason", "staff_no", "tokens_revoked",
                      derive=lambda d: {"device_text": device_text(d.get("device"), d.get("kind")),
                                        "token_text": "，其登录凭证已作废" if d.get("tokens_revoked") else ""})
TOKEN_REVOKED = kind("token.revoked", "注销登录凭证", "{who}注销登录凭证 {count} 个（{subject}）",
                     "staff_no", "device", "count",
                     derive=lambda d: {"subject": (f"工号 {d['staff_no']}" if d.get("staff_no")
                                                   else device_text(d.get("device")) or "全部")})
HALL_SEEDED = kind("hall.seeded", "初始化演示大厅",
                   "{who}初始化演示大厅：{departments} 个部门、{categories} 个业务类别、{windows} 个窗口",
                   "departments", "categories", "windows")
MATTER_CREATED = kind("matter.created", "新增事项", "{who}新增事项 {matter_code}（{name}）", "matter_code", "name", "staff_no")
MATTER_UPDATED = kind("matter.updated", "修改事项", "{who}修改事项 {matter_code}（{name}）", "matter_code", "name", "staff_no")
CATALOG_IMPORTED = kind("catalog.imported", "导入事项目录", "{who}导入事项目录：新增 {created} 项，更新 {updated} 项",
                        "created", "updated", "codes", "staff_no")

CONFIG_KIND_LABELS = {"hall": "大厅信息", "department": "部门", "category": "业务类别", "window": "窗口",
                      "staff": "人员", "device": "设备", "cards": "红黄牌阈值", "holidays": "节假日",
                      "leave": "请假记录", "photo": "人员照片", "matter": "事项", "fee_item": "收费项目"}


CONFIG_FIELD_LABELS = {
    "name": "名称", "address": "地址", "hours": "开放时间", "supervision_phone": "监督电话",
    "enquiry_phone": "咨询电话", "public_base_url": "公网地址", "code": "编码", "phone": "电话", "active": "启用",
    "prefix": "类别", "department_code": "部门编码", "department": "部门", "service_minutes": "每件用时（分钟）",
    "sort": "排序", "windows": "服务窗口", "window_no": "窗口号", "categories": "业务类别", "is_fee_window": "收费窗口",
    "led_address": "窗口屏地址", "staff_a": "A角", "staff_b": "B角", "staff_no": "工号", "post": "岗位",
    "roles": "角色", "has_photo": "照片", "locked": "锁定", "password": "密码", "kind": "类型",
    "last_seen_at": "最近在线", "city": "城市", "enabled": "启用", "start": "开始", "end": "结束",
    "yellow_minutes": "黄牌（分钟）", "red_minutes": "红牌（分钟）", "yellow_rate": "黄牌比例", "red_rate": "红牌比例",
    "min_count": "最少件数", "grace_minutes": "宽限（分钟）", "opening": "开放时段",
    "yellow_working_days": "黄牌（提前工作日）", "yellow_hours_before_due": "黄牌（提前小时）",
    "case_deadline": "办件时限", "long_wait": "等候过久", "long_pause": "暂停过久", "off_duty": "工作时间离岗",
    "skip_rate": "过号率", "void_rate": "作废率", "bad_rating_followup": "差评整改", "complaint_overdue": "投诉答复",
    "inquiry_overdue": "首问转办", "year": "年份", "provisional": "暂定", "holidays": "假日", "workdays": "调休上班日",
    "day": "日期", "note": "说明",
}
_SPANS = {("start", "end")}


def _config_value(v: Any) -> str:
    if v is None:
        return "（无）"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, Mapping):
        if tuple(v) in _SPANS:
            return f"{v['start']}–{v['end']}"
        return "，".join(f"{CONFIG_FIELD_LABELS.get(str(k), str(k))} {_config_value(x)}" for k, x in v.items())
    if isinstance(v, list):
        if not v:
            return "（无）"
        if all(isinstance(x, list) for x in v):  # a week of spans
            return "；".join(f"周{'一二三四五六日'[i]} {_config_value(x) if x else '休息'}" for i, x in enumerate(v))
        return "、".join(_config_value(x) for x in v)
    if isinstance(v, str) and v in ROLE_LABELS:
        return ROLE_LABELS[Role(v)]
    return str(v)


def _config_change(d: Mapping[str, Any]) -> Mapping[str, str]:
    before, after = d.get("before"), d.get("after")
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        parts = [f"{CONFIG_FIELD_LABELS.get(str(k), str(k))}：{_config_value(before.get(k))} → "
                 f"{_config_value(after.get(k))}"
                 for k in dict.fromkeys([*before, *after])]
        text = "；".join(parts)
    elif before is None:
        text = f"新增 {_config_value(after)}"
    elif after is None:
        text = f"撤销 {_config_value(before)}"
    else:
        text = f"{_config_value(before)} → {_config_value(after)}"
    return {"kind_text": CONFIG_KIND_LABELS.get(str(d.get("kind")), str(d.get("kind") or "配置")),
            "change_text": text[:400]}


# admin: every configuration change, with the value before and after (kind: CONFIG_KIND_LABELS)
CONFIG_CHANGED = kind("config.changed", "修改配置", "{who}修改{kind_text}「{key}」：{change_text}",
                      "kind", "key", "before", "after", audience=Audience.OFFICE, derive=_config_change)

# --- 办件 -----------------------------------------------------------------------------

_C = ("case_no", "case_id", "matter_code", "state", "staff_no")
_APPLICANT = ("applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone", "matter_name", "resumed")
_CASE_PERSONAL = ("applicant_name", "applicant_id_number", "applicant_phone")
CASE_ACCEPTED = kind(
    "case.accepted", "受理", "{who}在 {window}受理 {applicant_name} 的「{matter_name}」，办件 {case_no}{due_text}{override_text}",
    *_C, *_APPLICANT, "notice_no", "due_date", "limit_days", "limit_unit", "materials_received",
    personal=_CASE_PERSONAL,
    derive=lambda d: {"due_text": _opt("，承诺 ", d.get("due_date"), " 前办结"),
                      "override_text": _opt("；容缺受理：", d.get("override_reason"))})
CASE_CORRECTION = kind(
    "case.correction_requested", "一次性告知补正材料",
    "{who}在 {window}一次性告知 {applicant_name} 补正材料（办件 {case_no}）：{to_correct}",
    *_C, *_APPLICANT, "notice_no", "to_correct", "corrections", personal=_CASE_PERSONAL)
CASE_REJECTED = kind("case.rejected", "不予受理", "{who}在 {window}对 {applicant_name} 的申请不予受理（办件 {case_no}）：{reason}",
                     *_C, *_APPLICANT, "notice_no", "reason", "basis", personal=_CASE_PERSONAL)
CASE_RESUBMITTED = kind("case.resubmitted", "申请人补正材料", "{who}收到办件 {case_no} 的补正材料：{received}",
                        *_C, "received")
CASE_REVIEW_STARTED = kind("case.review_started", "审查中", "{who}开始审查办件 {case_no}", *_C, "action")
CASE_SUSPENDED = kind("case.suspended", "中止（时限暂停）", "{who}中止办件 {case_no}（{kind_text}，时限暂停计算）：{reason}",
                      *_C, "action", "suspend_kind", "reason",
                      derive=lambda d: {"kind_text": _lookup(SUSPEND_LABELS, SuspendKind, d.get("suspend_kind"))})
CASE_RESUMED = kind("case.resumed", "恢复办理", "{who}恢复办理办件 {case_no}，中止 {suspended_days} 天不计入时限，新的到期日 {due_date}",
                    *_C, "action", "suspended_days", "suspend_kind", "due_date")
CASE_EXTENDED = kind("case.extended", "延长办理时限",
                     "{who}将办件 {case_no} 的时限延长 {days} {unit_text}：{reason}，批准人 {approver_text}，新的到期日 {due_date}",
                     *_C, "action", "days", "unit", "reason", "approved_by", "approver_name", "due_date",
                     derive=lambda d: {"unit_text": _lookup(UNIT_LABELS, LimitUnit, d.get("unit")),
                                       "approver_text": show.staff(d.get("approver_name"), d.get("approved_by"))})
CASE_CONCLUDED = kind("case.concluded", "办结", "{who}办结办件 {case_no}：{outcome_text}{reason_text}",
                      *_C, "outcome",
                      derive=lambda d: {"outcome_text": ("准予许可" if d.get("outcome") == "approved" else "不予许可")
                                        + ("（即办件，当场办结）" if d.get("instant") else ""),
                                        "reason_text": _opt("，", d.get("reason"))})
CASE_DELIVERED = kind("case.delivered", "结果送达", "{who}送达办件 {case_no} 的办理结果{note_text}", *_C, "action",
                      derive=lambda d: {"note_text": _opt("（", d.get("note"), "）")})
CASE_WITHDRAWN = kind("case.withdrawn", "申请人撤回", "申请人撤回办件 {case_no}：{reason}（{who}经办）", *_C, "action", "reason")
CASE_EXTENSION_REFUSED = kind("case.extension_refused", "延期审批未通过",
                              "{who}申请延长办件 {case_no} 的时限，审批人工号 {approver} 未通过验证", *_C, "approver", "code")

# --- 收费 -----------------------------------------------------------------------------

FEE_ACCOUNT_ADDED = kind("fee.account_added", "新增收款账户", "{who}新增收款账户 {account}（{name}，{bank}）",
                         "account", "name", "department", "bank", "account_no")
def _standard(d: Mapping[str, Any]) -> Mapping[str, str]:
    std = d.get("standard")
    if not isinstance(std, Mapping):
        return {"standard_text": str(std or "")}
    try:
        return {"standard_text": fee_rules.describe(fee_rules.standard_from(std), str(d.get("unit") or "件"))}
    except Exception:  # an old or hand-made record: say there is one, never show its JSON
        return {"standard_text": "见收费项目设置"}


FEE_ITEM_FIELDS = {"name": "名称", "legal_basis": "收费依据", "unit": "计量单位", "standard": "收费标准",
                   "active": "启用状态", "account_id": "收款账户"}
FEE_ITEM_ADDED = kind("fee.item_added", "新增收费项目", "{who}新增收费项目 {item}「{name}」，标准：{standard_text}",
                      "item", "name", "matter_code", "department", "account", "income_type", "standard", "legal_basis",
                      "exclusive_group", derive=_standard)
FEE_ITEM_UPDATED = kind("fee.item_updated", "修改收费项目", "{who}修改收费项目 {item} 的{changed}", "item", "changes",
                        derive=lambda d: {"changed": "、".join(FEE_ITEM_FIELDS.get(str(k), "其他设置")
                                                              for k in (d.get("changes") or {})) or "设置（无变化）"})
FEE_SERIES_SAVED = kind("fee.series_saved", "设置票据号段", "{who}设置票据号段「{name}」，前缀 {prefix}，已用至第 {last} 号",
                        "series", "name", "prefix", "width", "last")
FEE_NOTICE_RAISED = kind("fee.notice_raised", "开具缴费通知单", "{who}为办件 {case_no} 开具缴费通知单 {notice_no}，金额 {amount}",
                         "case_no", "notice_no", "amount_fen", "staff_no", "matter_code", "items")
FEE_NOTICE_CANCELLED = kind("fee.notice_cancelled", "撤销缴费通知单", "{who}撤销缴费通知单 {notice_no}（{amount}）：{reason}",
                            "case_no", "notice_no", "amount_fen", "staff_no", "reason")
FEE_NOTICE_CORRECTED = kind("fee.notice_corrected", "更正缴费通知单",
                            "{who}将缴费通知单 {replaces}（{old_amount}）更正为 {notice_no}（{amount}）：{reason}",
                            "case_no", "notice_no", "replaces", "amount_fen", "old_amount_fen", "staff_no", "reason",
                            derive=lambda d: {"old_amount": show.yuan(d["old_amount_fen"])
                                              if isinstance(d.get("old_amount_fen"), int) else "—"})
FEE_PAID = kind("fee.paid", "缴费（开具票据）", "收款员 {who}收取 {notice_no} {amount}，票据 {receipt_no}{method_text}",
                "case_no", "notice_no", "receipt_no", "amount_fen", "method", "staff_no", "change_fen", "reference",
                derive=lambda d: {"method_text": _opt("（", _lookup(PAY_METHOD_LABELS, PayMethod, d.get("method")), "）")})
FEE_ACTIONS = {"void": "作废", "refund": "退费"}
FEE_APPROVAL_REFUSED = kind("fee.approval_refused", "审批未通过",
                            "{who}申请{action_text}票据 {receipt_no}，审批人工号 {approver} 未通过验证",
                            "staff_no", "approver", "action", "receipt_no", "code",
                            derive=lambda d: {"action_text": FEE_ACTIONS.get(d.get("action") or "", "审批")})
FEE_RECEIPT_VOIDED = kind("fee.receipt_voided", "票据作废",
                          "{who}作废票据 {receipt_no}（{amount}）：{reason}，批准人 {approved_by_who}",
                          "case_no", "notice_no", "receipt_no", "amount_fen", "staff_no", "voided_by", "approved_by",
                          "reason")
FEE_REFUNDED = kind("fee.refunded", "退费",
                    "{who}为票据 {refund_of} 退费 {refund}，退费票据 {receipt_no}：{reason}，批准人 {approved_by_who}",
                    "case_no", "notice_no", "receipt_no", "refund_of", "amount_fen", "method", "staff_no",
                    "approved_by", "reason",
                    derive=lambda d: {"refund": show.yuan(abs(d["amount_fen"])) if isinstance(d.get("amount_fen"), int)
                                      else MISSING})
FEE_RECEIPT_REPRINTED = kind("fee.receipt_reprinted", "票据重打", "{who}重打票据 {receipt_no}（{amount}，第 {reprints} 次重打）",
                             "case_no", "notice_no", "receipt_no", "amount_fen", "staff_no", "reprints")


def _day_close(d: Mapping[str, Any]) -> Mapping[str, str]:
    diff = d.get("difference_fen")
    return {"diff_text": (f"，差额 {show.yuan(diff)}" if isinstance(diff, int) and diff else "，账实相符")}


FEE_DAY_CLOSED = kind("fee.day_closed", "收费日结",
                      "{who}日结 {business_day}：票据 {receipts} 张（作废 {voids} 张），合计 {amount}，"
                      "应有现金 {expected_cash_fen}，清点现金 {counted_cash_fen}{diff_text}",
                      "staff_no", "business_day", "receipts", "voids", "amount_fen", "by_method", "numbers",
                      "expected_cash_fen", "counted_cash_fen", "difference_fen", derive=_day_close)

# --- 好差评 ----------------------------------------------------------------------------

_RATING_PRIVATE = ("level", "bad", "reasons", "outcome", "comment", "label")


def _level(d: Mapping[str, Any]) -> Mapping[str, str]:
    if "level" not in d:
        return {"level_text": "（评价结果不向窗口人员显示）", "reasons_text": ""}
    return {"level_text": _lookup(RATING_LEVEL_LABELS, RatingLevel, d.get("level")),
            "reasons_text": _opt("，原因：", "、".join(RATING_REASONS.get(str(x), "其他") for x in d.get("reasons") or []))}


RATING_RECORDED = kind("rating.recorded", "办事群众评价", "办事群众评价 {staff_no_who}的服务（号码 {ticket}）：{level_text}{reasons_text}",
                       "rating_id", "ticket", "ticket_id", "case_no", "staff_no", "level", "bad", "channel", "reasons",
                       private=_RATING_PRIVATE, derive=_level)
_FU = ("followup_id", "rating_id", "ticket", "case_no", "staff_no", "rated_staff_no", "state")
RATING_FOLLOWUP_OPENED = kind(
    "rating.followup_opened", "差评回访整改启动",
    "对 {staff_no_who}的差评（号码 {ticket}）启动回访整改：{callback_due_at} 前回访，{rectify_due_at} 前整改",
    "followup_id", "rating_id", "ticket", "case_no", "staff_no", "callback_due_at", "rectify_due_at",
    audience=Audience.OFFICE)
RATING_FOLLOWUP_CALLED_BACK = kind("rating.followup_called_back", "差评已回访",
                                   "{who}完成差评回访（号码 {ticket}，被评价人 {rated_staff_no_who}）{late_text}",
                                   *_FU, "late", "due_at", audience=Audience.OFFICE,
                                   derive=lambda d: {"late_text": _late(d)})
RATING_FOLLOWUP_RECTIFIED = kind("rating.followup_rectified", "差评已整改",
                                 "{who}完成差评整改（号码 {ticket}，被评价人 {rated_staff_no_who}）{late_text}，等待群众复评",
                                 *_FU, "late", "rerate_due_at", audience=Audience.OFFICE,
                                 derive=lambda d: {"late_text": _late(d)})
RATING_RERATED = kind("rating.rerated", "复评", "办事群众对整改复评：{level_text}（号码 {ticket}）",
                      *_FU, "level", "bad", "channel", audience=Audience.OFFICE, derive=_level)
FOLLOWUP_OUTCOMES = {"rerated": "群众已复评", "rerate_lapsed": "复评期限已过，群众未复评"}
RATING_FOLLOWUP_CLOSED = kind("rating.followup_closed", "差评整改结束", "差评整改结束（号码 {ticket}）：{outcome_text}",
                              *_FU, "outcome", audience=Audience.OFFICE,
                              derive=lambda d: {"outcome_text": FOLLOWUP_OUTCOMES.get(d.get("outcome") or "", "已结束")})
FOLLOWUP_STEPS = {"callback": "回访", "rectify": "整改", "rerate": "复评"}
RATING_FOLLOWUP_OVERDUE = kind("rating.followup_overdue", "差评整改逾期",
                               "差评{step_text}逾期（号码 {ticket}，被评价人 {rated_staff_no_who}，期限 {due_at}）",
                               *_FU, "step", "due_at", audience=Audience.OFFICE,
                               derive=lambda d: {"step_text": FOLLOWUP_STEPS.get(d.get("step") or "", "处理")})
RATING_PRIVATE = kind("rating.private", "评价相关记录", "评价相关记录（仅大厅管理员和驻厅监察可见）")

# --- 投诉 / 首问 ------------------------------------------------------------------------

COMPLAINT_REGISTERED = kind(
    "complaint.registered", "投诉登记", "{who}登记投诉 {complaint_no}（{channel_text}渠道）{about_text}{due_text}",
    "complaint_no", "channel", "case_no", "staff_no", "about_staff_no", "anonymous", "due_at", "content_sha256",
    derive=lambda d: {"channel_text": _lookup(CHANNEL_LABELS, Channel, d.get("channel")),
                      "about_text": _opt("，被投诉人工号 ", d.get("about_staff_no")),
                      "due_text": _opt("，", d.get("due_at") and show.local_minute(d["due_at"]), " 前办结")})
COMPLAINT_ASSIGNED = kind("complaint.assigned", "投诉交办", "{who}将投诉 {complaint_no} 交办给 {assignee_staff_no_who}",
                          "complaint_no", "staff_no", "assignee_staff_no", "case_no", "due_at")
REPLY_METHODS = {"phone": "电话", "sms": "短信", "in_person": "当面", "letter": "书面"}
COMPLAINT_REPLIED = kind("complaint.replied", "投诉答复", "{who}以{method_text}方式答复投诉 {complaint_no}{late_text}",
                         "complaint_no", "staff_no", "case_no", "method", "late", "reply_sha256",
                         derive=lambda d: {"method_text": REPLY_METHODS.get(d.get("method") or "", "其他"),
                                           "late_text": _late(d)})
COMPLAINT_RECTIFIED = kind("complaint.rectified", "投诉已整改", "{who}记录投诉 {complaint_no} 的整改情况",
                           "complaint_no", "staff_no", "case_no", "note_sha256")
CALLBACK_LEVELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
COMPLAINT_CALLED_BACK = kind("complaint.called_back", "投诉已回访", "{who}回访投诉 {complaint_no} 的投诉人{level_text}",
                             "complaint_no", "staff_no", "case_no", "level", "note_sha256",
                             private=("level",),  # the citizen's view; the clerk complained about may read the stream
                             derive=lambda d: {"level_text": _opt("，群众评价：", CALLBACK_LEVELS.get(d.get("level") or ""))})
COMPLAINT_OVERDUE = kind("complaint.overdue", "投诉办理逾期",
                         "投诉 {complaint_no} 办理逾期（承办人 {assignee_staff_no_who}，期限 {due_at}）",
                         "complaint_no", "staff_no", "assignee_staff_no", "case_no", "state", "due_at")
INQUIRY_LOGGED = kind("inquiry.logged", "首问登记", "{who}登记首问咨询 {inquiry_no}{citizen_text}",
                      "inquiry_no", "staff_no", "first_staff_no", "state", "matter_code", "citizen_name",
                      personal=("citizen_name", "citizen_phone"),
                      derive=lambda d: {"citizen_text": _opt("（咨询人 ", d.get("citizen_name"), "）")})
INQUIRY_REFERRED = kind("inquiry.referred", "首问转办", "{who}将首问咨询 {inquiry_no} 转办给{target}{due_text}",
                        "inquiry_no", "staff_no", "first_staff_no", "to_staff_no",
                        derive=lambda d: {"target": (f" 工号 {d['to_staff_no']}" if d.get("to_staff_no")
                                                     else f" 部门 {d.get('to_department_code') or ''}"),
                                          "due_text": _opt("，", d.get("due_at") and show.local_minute(d["due_at"]),
                                                           " 前办结")})
INQUIRY_CLOSED = kind("inquiry.closed", "首问办结", "{who}办结首问咨询 {inquiry_no}{spot_text}{late_text}",
                      "inquiry_no", "staff_no", "first_staff_no", "late", "on_the_spot",
                      derive=lambda d: {"spot_text": "（当场答复）" if d.get("on_the_spot") else "",
                                        "late_text": _late(d)})
INQUIRY_OVERDUE = kind("inquiry.overdue", "首问逾期", "首问咨询 {inquiry_no} 转办逾期（承办{holder}，期限 {due_at}）",
                       "inquiry_no", "staff_no", "first_staff_no", "to_staff_no", "to_department_code", "due_at",
                       derive=lambda d: {"holder": (f"人工号 {d['to_staff_no']}" if d.get("to_staff_no")
                                                    else f"部门 {d.get('to_department_code') or ''}")})

# --- 监察 -----------------------------------------------------------------------------

AUDIT_CHECKED = kind("audit.checked", "校验日志完整性", "{who}校验日志完整性：{result}",
                     "ok", "checked", "last_seq", "first_bad_seq", "reason", "staff_no",
                     derive=lambda d: {"result": (f"已校验 {d.get('checked')} 条，未发现改动" if d.get("ok")
                                                  else f"第 {d.get('first_bad_seq')} 条起校验失败")})
AUDIT_KEY_REGISTERED = kind("audit.key_registered", "登记监察室签名公钥", "{who}登记监察室签名公钥 {key_id}",
                            "key_id", "public_key", audience=Audience.OFFICE)
AUDIT_CHECKPOINTED = kind("audit.checkpointed", "签署审计检查点",
                          "{who}以密钥 {key_id} 签署审计检查点：日志第 {checkpoint_seq} 条",
                          "checkpoint_seq", "hash", "key_id", "counts", audience=Audience.OFFICE)
HISTORY_IMPORTED = kind("history.imported", "导入历史数据", "{who}导入历史数据（{table_text}，{n} 条）", "table", "ids",
                        audience=Audience.OFFICE,
                        derive=lambda d: {"table_text": {"ratings": "评价"}.get(str(d.get("table")), "历史记录"),
                                          "n": len(d.get("ids") or [])})
CARD_SIGNED_OFF = kind("card.signed_off", "红黄牌签阅", "{who}签阅{level_text}「{title}」{note_text}",
                       "card_key", "rule", "level", "day", "title", "note", "staff_no", "about_staff_no",
                       derive=lambda d: {"level_text": _lookup(CARD_LEVEL_LABELS, Level, d.get("level")),
                                         "rule_text": _lookup(RULE_LABELS, Rule, d.get("rule")),
                                         "note_text": _opt("，意见：", d.get("note"))})
