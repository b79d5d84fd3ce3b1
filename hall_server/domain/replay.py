"""Business rows against the log: replay the events, compare with the tables.

The hash chain proves the log was not changed; it says nothing about a receipt whose
amount was edited in ``fee_receipts``. Every business row the hall creates is announced
by an event carrying its key facts, so replaying the log gives what each row must say.
``expect`` folds events into those facts; ``compare`` names each row that disagrees,
each row the log never mentions, and each row the log mentions that is gone. Pure:
the caller streams events and table rows in.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .money import yuan

# table -> (label of a row, label of each compared field)
TABLES: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "tickets": ("号票", {"number": "号码", "state": "状态"}),
    "cases": ("办件", {"state": "状态", "matter_code": "事项编码"}),
    "case_notices": ("通知书", {"case_no": "办件号", "kind": "种类"}),
    "fee_notices": ("缴费通知单", {"case_no": "办件号", "total_fen": "金额", "state": "状态"}),
    "fee_receipts": ("票据", {"amount_fen": "金额", "kind": "种类", "case_no": "办件号", "method": "缴费方式",
                             "void": "作废"}),
    "ratings": ("评价", {"level": "评价等级", "staff_no": "被评价人"}),
}

NOTICE_KIND = {"case.accepted": "acceptance", "case.correction_requested": "correction",
               "case.rejected": "rejection"}


@dataclass
class Expected:
    """What the log says one row must hold, and the last event that said so."""
    fields: dict[str, Any]
    seq: int  # the last event about the row
    seqs: dict[str, int] = field(default_factory=dict)  # the event that said each field


@dataclass
class Ledger:
    rows: dict[str, dict[str, Expected]] = field(default_factory=lambda: {t: {} for t in TABLES})

    def put(self, table: str, key: str, seq: int, **values: Any) -> None:
        cur = self.rows[table].get(key)
        if cur is None:
            cur = self.rows[table][key] = Expected({}, seq)
        cur.fields.update(values)
        cur.seqs.update(dict.fromkeys(values, seq))
        cur.seq = seq


def expect(events: Iterable[tuple[int, str, Mapping[str, Any]]]) -> Ledger:
    """(seq, type, data) in seq order -> the facts each business row must hold."""
    led = Ledger()
    for seq, type_, d in events:
        if type_.startswith("ticket.") and d.get("ticket_id") is not None:
            state = "waiting" if type_ == "ticket.issued" else d.get("state")
            vals: dict[str, Any] = {"number": d.get("ticket")}
            if state is not None:
                vals["state"] = state
            led.put("tickets", str(d["ticket_id"]), seq, **vals)
        elif type_.startswith("case.") and d.get("case_no") and d.get("state"):
            led.put("cases", str(d["case_no"]), seq, state=d["state"], matter_code=d.get("matter_code"))
            if type_ in NOTICE_KIND and d.get("notice_no"):
                led.put("case_notices", str(d["notice_no"]), seq, case_no=d["case_no"], kind=NOTICE_KIND[type_])
        elif type_ == "fee.notice_raised":
            led.put("fee_notices", str(d["notice_no"]), seq, case_no=d.get("case_no"), total_fen=d.get("amount_fen"),
                    state="unpaid")
        elif type_ == "fee.notice_cancelled":
            led.put("fee_notices", str(d["notice_no"]), seq, state="cancelled")
        elif type_ == "fee.paid":
            led.put("fee_notices", str(d["notice_no"]), seq, state="paid")
            led.put("fee_receipts", str(d["receipt_no"]), seq, amount_fen=d.get("amount_fen"), kind="payment",
                    case_no=d.get("case_no"), method=d.get("method"), void=False)
        elif type_ == "fee.refunded":
            led.put("fee_receipts", str(d["receipt_no"]), seq, amount_fen=d.get("amount_fen"), kind="refund",
                    case_no=d.get("case_no"), method=d.get("method"), void=False)
        elif type_ == "fee.receipt_voided":
            led.put("fee_receipts", str(d["receipt_no"]), seq, void=True)
        elif type_ == "history.imported" and d.get("table") in TABLES:  # rows imported in bulk: existence only
            for key in d.get("ids", []):
                led.put(str(d["table"]), str(key), seq)
        elif type_ == "rating.recorded" and d.get("rating_id") is not None:
            led.put("ratings", str(d["rating_id"]), seq, level=d.get("level"), staff_no=d.get("staff_no"))
    return led


@dataclass(frozen=True)
class Mismatch:
    table: str
    key: str
    message: str  # plain Chinese, names the row
    seq: int | None = None


def _show(field_: str, v: Any) -> str:
    if field_.endswith("_fen") and isinstance(v, int):
        return yuan(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return "（空）" if v is None else str(v)


def compare(led: Ledger, table: str, rows: Iterable[tuple[str, Mapping[str, Any]]]) -> Iterator[Mismatch]:
    """(key, row fields) of one table -> each disagreement with the log."""
    label, names = TABLES[table]
    expected = dict(led.rows[table])
    for key, row in rows:
        exp = expected.pop(key, None)
        if exp is None:
            yield Mismatch(table, key, f"{label} {key} 在日志中没有任何记录（疑为绕过系统写入）")
            continue
        for f, want in exp.fields.items():
            if f not in names or f not in row:
                continue
            got = row[f]
            if want is not None and got != want:
                at = exp.seqs.get(f, exp.seq)
                yield Mismatch(table, key, f"{label} {key} 的{names[f]}为 {_show(f, got)}，"
                                           f"日志第 {at} 条记为 {_show(f, want)}", at)
    for key, exp in expected.items():
        yield Mismatch(table, key, f"日志第 {exp.seq} 条记录的{label} {key} 在业务表中不存在（已被删除）", exp.seq)
