"""The event catalogue: every event type the server can append is declared once, with a
Chinese sentence that renders from its declared keys, and masking follows the declaration."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from hall_server.contract import events as kinds
from hall_server.contract.events import Audience, EventKind

ROOT = Path(kinds.__file__).resolve().parents[1]  # hall_server/
TYPE_RE = re.compile(r"^[a-z]+\.[a-z_]+$")
AREAS = {t.split(".")[0] for t in kinds.KINDS}
NOT_EVENTS = {"hall.raw_send", "staff.id", "audit.public_key"}  # a logger's name, a foreign key, a setting's key


def _sources() -> list[tuple[Path, ast.Module]]:
    out = []
    for p in sorted(ROOT.rglob("*.py")):
        if p.name == "events.py" and p.parent.name == "contract" or "migrations" in p.parts or "models" in p.parts:
            continue
        out.append((p, ast.parse(p.read_text(encoding="utf-8"), str(p))))
    return out


def _appended_types(node: ast.AST, where: str) -> list[str]:
    """The event types one type argument can be: literal, catalogue constant, or both arms of an if."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Attribute) and node.attr == "type" and isinstance(node.value, ast.Attribute):
        k = getattr(kinds, node.value.attr, None)
        assert isinstance(k, EventKind), f"{where}: {ast.unparse(node)} is not a catalogue kind"
        return [k.type]
    if isinstance(node, ast.IfExp):
        return _appended_types(node.body, where) + _appended_types(node.orelse, where)
    if isinstance(node, ast.JoinedStr):
        raise AssertionError(f"{where}: an event type built at run time ({ast.unparse(node)}) cannot be checked; "
                             "use a catalogue constant")
    return []  # a parameter forwarded by a helper (_event(session, type_, ...)): its callers are checked


def _is_append(call: ast.Call) -> bool:
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    base = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
    return (name == "append" and base in ("events", "ev")) or name.endswith("_event")


def test_every_event_type_the_server_appends_is_declared_with_a_template() -> None:
    seen: set[str] = set()
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_append(node) and len(node.args) >= 2:
                where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                for t in _appended_types(node.args[1], where):
                    assert kinds.declared(t), f"{where}: event type {t!r} is not in contract/events.py"
                    assert kinds.kind_of(t).template, f"{t} has no sentence template"
                    seen.add(t)
    assert {"ticket.called", "case.accepted", "fee.paid", "rating.recorded", "complaint.registered"} <= seen


def test_every_event_type_named_anywhere_in_the_server_is_declared() -> None:
    """Dict values (``_EVENT_OF``), filters (``Event.type == "..."``): a typo is a type nobody declared."""
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and TYPE_RE.match(node.value) \
                    and node.value.split(".")[0] in AREAS and node.value not in NOT_EVENTS:
                assert kinds.declared(node.value), \
                    f"{path.relative_to(ROOT.parent)}:{node.lineno}: {node.value!r} is not a declared event type"


SAMPLE: dict[str, Any] = {
    "ticket": "A003", "ticket_id": 7, "category": "A", "state": "called", "staff_no": "1001", "waited_s": 300,
    "priority": True, "waiting_ahead": 4, "estimate_min": 12, "business_day": "2026-11-24", "recalls": 2,
    "served_s": 415, "from_window": 1, "to_category": "B", "to_window": 3, "reason": "材料不齐", "paused_s": 600,
    "name": "不动产登记", "categories": ["A", "B"], "is_fee_window": True, "badge": {"stars": 5},
    "on_duty_s": 14400, "service_minutes": 10, "roles": ["clerk", "cashier"], "minutes": 15, "star": 4,
    "count": 12, "period_days": 30, "device": "kiosk-1", "kind": "kiosk", "window_no": 1, "status": "error",
    "detail": "缺纸", "reporter": "device:kiosk-1", "departments": 4, "windows": 12, "matter_code": "BDC-001",
    "created": 3, "updated": 1, "codes": ["BDC-001"], "case_no": "BDC20261124-0001", "case_id": 1,
    "applicant_kind": "person", "applicant_name": "张三", "applicant_id_number": "110105********002X",
    "applicant_phone": "138****8000", "matter_name": "不动产首次登记", "resumed": False,
    "notice_no": "BDC20261124-0001-SL", "due_date": "2026-12-08", "limit_days": 10, "limit_unit": "working",
    "materials_received": 3, "to_correct": ["身份证明", "权属来源证明"], "corrections": 1, "basis": "《行政许可法》第三十二条",
    "received": ["身份证明"], "action": "extend", "suspend_kind": "hearing", "suspended_days": 3, "days": 10,
    "unit": "working", "approved_by": "4002", "approver_name": "赵科长", "outcome": "approved", "approver": "4001",
    "code": "approval_failed", "account": "ZH01", "bank": "工商银行", "department": "BDC", "account_no": "6222",
    "item": "BDC-FEE-1", "income_type": "administrative", "standard": {"kind": "fixed", "price_fen": 8000}, "unit": "件", "legal_basis": "财税〔2016〕79号",
    "changes": {"standard": {"from": {}, "to": {}}}, "key": "BDC-FEE-1", "before": {"standard_fen": 8000},
    "after": {"standard_fen": 9000}, "series": "SF", "prefix": "SF", "width": 8, "last": 12,
    "amount_fen": 81395, "items": [{"item": "BDC-FEE-1", "quantity": "1", "amount_fen": 8000}],
    "receipt_no": "SF20260001", "method": "cash", "change_fen": 0, "reference": "", "voided_by": "2001",
    "refund_of": "SF20260001", "reprints": 1, "receipts": 9, "voids": 1, "by_method": {"cash": 81395},
    "numbers": ["SF20260001"], "expected_cash_fen": 81395, "counted_cash_fen": 81300, "difference_fen": -95,
    "rating_id": 3, "level": "dissatisfied", "bad": True, "channel": "window", "reasons": ["attitude_bad", "slow"],
    "followup_id": 2, "callback_due_at": "2026-11-25T01:00:00+00:00", "rectify_due_at": "2026-12-15T01:00:00+00:00",
    "rated_staff_no": "1001", "late": True, "due_at": "2026-11-25T01:00:00+00:00",
    "rerate_due_at": "2026-12-20T01:00:00+00:00", "step": "callback", "complaint_no": "TS20261124-0001",
    "about_staff_no": "1001", "anonymous": False, "content_sha256": "ab12", "assignee_staff_no": "3001",
    "reply_sha256": "cd34", "inquiry_no": "SW20261124-0001", "first_staff_no": "1001", "citizen_name": "李四",
    "to_staff_no": "1003", "to_department_code": "GH", "on_the_spot": True, "ok": True, "checked": 120,
    "last_seq": 120, "first_bad_seq": None, "card_key": "long_wait|2026-11-24|yellow|A003", "rule": "long_wait",
    "day": "2026-11-24", "title": "A003 等候 35 分钟", "note": "已提醒", "instant": False, "on_time": True,
    "sources": 2, "key_id": "a1b2c3d4", "public_key": "MCowBQYDK2VwAyEA", "checkpoint_seq": 153, "hash": "9f2c4e",
    "counts": {"tickets": 40}, "table": "ratings", "ids": [1, 2, 3],
    "tokens_revoked": 1, "note_sha256": "ef56",
    "exclusive_group": "BDC-DJF", "replaces": "JF202611240001", "old_amount_fen": 55000,
}
SAMPLE_FOR: dict[str, dict[str, Any]] = {
    "staff.locked": {"minutes": 15, "source": "192.168.1.23"},
    "card.signed_off": {"level": "yellow"},
    "config.changed": {"kind": "window", "key": "3", "before": {"staff_b": ["1004"], "roles": ["clerk"]},
                       "after": {"staff_b": ["1004", "1005"], "roles": ["clerk", "cashier"]}},
}
NAMES = {"1001": "王建国", "2001": "李娜", "3001": "周主任", "4001": "孙监察", "4002": "赵科长", "1003": "刘洋"}


@pytest.mark.parametrize("k", list(kinds.KINDS.values()), ids=lambda k: k.type)
def test_each_template_renders_a_chinese_sentence_from_its_declared_keys(k: EventKind) -> None:
    missing = [key for key in k.keys if key not in SAMPLE]
    assert not missing, f"add sample values for {missing}"
    data = {key: SAMPLE[key] for key in k.keys} | SAMPLE_FOR.get(k.type, {})
    text = k.sentence(data, actor="staff:1001", window_no=1, names=NAMES)
    assert text and kinds.MISSING not in text, f"{k.type}: a placeholder has no value: {text}"
    assert "{" not in text and "None" not in text and k.type not in text
    assert not re.search(r"[a-z]{3,}", text), f"{k.type}: English reaches a person: {text}"
    assert re.search(r"[\u4e00-\u9fff]", k.label) and not re.search(r"[A-Za-z]", k.label)


def test_sentences_name_the_staff_and_the_window_and_money_in_yuan() -> None:
    called = {"type": "ticket.called", "actor": "staff:1001", "window_no": 1, "data": {"ticket": "A003"}}
    assert kinds.sentence(called, names=NAMES) == "王建国（1001）在 1 号窗口叫号 A003"
    assert kinds.sentence(called) == "工号 1001在 1 号窗口叫号 A003"  # no name known: the 工号
    paid = {"type": "fee.paid", "actor": "staff:2001", "window_no": 12,
            "data": {"notice_no": "JF20261124-0001", "amount_fen": 81395, "receipt_no": "SF20260001", "method": "cash"}}
    assert kinds.sentence(paid, names=NAMES) == "收款员 李娜（2001）收取 JF20261124-0001 ¥813.95，票据 SF20260001（现金）"
    issued = {"type": "ticket.issued", "actor": "device:kiosk-1", "window_no": None,
              "data": {"ticket": "A003", "waiting_ahead": 2}}
    assert kinds.sentence(issued) == "1 号取号机发出号码 A003，前面等候 2 人"


def test_devices_read_as_what_they_are_never_their_ids() -> None:
    assert kinds.device_text("kiosk-1") == "1 号取号机"
    assert kinds.device_text("kiosk-1/ticket-printer") == "1 号取号机的号票打印机"
    assert kinds.device_text("window-12/receipt-printer") == "12 号窗口的票据打印机"
    assert kinds.device_text("evaluator-6") == "6 号评价器"
    assert kinds.device_text("frontdesk-x/gizmo", "printer") == "设备的打印机"


def test_an_undeclared_type_reads_as_other_event_never_its_code() -> None:
    text = kinds.sentence({"type": "x.unknown_thing", "actor": "system", "data": {}})
    assert "unknown" not in text and kinds.label("x.unknown_thing") == "其他事件"


def test_deadlines_in_sentences_are_local_time_not_utc() -> None:
    d = {"type": "complaint.overdue", "actor": "system", "data": {
        "complaint_no": "TS1", "assignee_staff_no": "3001", "due_at": "2026-11-24T16:30:00+00:00"}}
    assert "2026-11-25 00:30" in kinds.sentence(d, names=NAMES)  # Shanghai is UTC+8: the next day


def test_office_only_kinds_reach_other_roles_as_a_neutral_placeholder() -> None:
    for k in kinds.KINDS.values():
        t, data = kinds.masked(k.type, {key: SAMPLE[key] for key in k.keys})
        if k.audience is Audience.OFFICE:
            assert (t, data) == ("rating.private", {})
        else:
            assert t == k.type and not (k.private & data.keys())


def test_personal_keys_are_masked_for_other_roles() -> None:
    _, d = kinds.masked("ticket.issued", {"ticket": "A001", "citizen_id_number": "11010519491231002X",
                                          "citizen_name": "王建国"})
    assert d == {"ticket": "A001", "citizen_id_number": "110105********002X", "citizen_name": "王**"}
    _, d = kinds.masked("rating.recorded", {"ticket": "A001", "level": "dissatisfied", "bad": True, "case_no": "C1"})
    assert d == {"ticket": "A001", "case_no": "C1"}
    assert "不向窗口人员显示" in kinds.sentence({"type": "rating.recorded", "actor": "system", "data": d})


def test_the_raw_record_keeps_everything_for_the_inspector() -> None:
    e = {"type": "ticket.called", "actor": "staff:1001", "window_no": 1, "data": {"ticket": "A003", "ticket_id": 9}}
    raw = kinds.raw_record(e, seq=42)
    assert "ticket.called" in raw and '"ticket_id": 9' in raw and "序号：42" in raw


def test_why_a_priority_number_was_granted_stays_with_the_office() -> None:
    data = {"ticket": "A003", "ticket_id": 3, "category": "A", "priority": True, "waiting_ahead": 0,
            "estimate_min": 0, "business_day": "2026-11-24", "priority_reason": "残疾人", "staff_no": "3001"}
    assert kinds.TICKET_ISSUED.sentence(data, actor="staff:3001", names=NAMES).endswith("发出号码 A003（绿色通道：残疾人），前面等候 0 人")
    _, seen = kinds.masked("ticket.issued", data)
    assert "priority_reason" not in seen and seen["priority"] is True
    _, back = kinds.masked("complaint.called_back", {"complaint_no": "T1", "level": "dissatisfied"})
    assert "level" not in back
