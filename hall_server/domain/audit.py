"""The hash chain of the event log, pure so that verify-audit and the server agree.

Each event's hash covers its content and the previous hash; changing any row breaks
every hash after it, and ``verify`` names the first seq where the chain stops matching.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def format_at(at: datetime) -> str:
    """A fixed textual form, so both databases give the same hash input."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def event_hash(
    *, seq: int, at: datetime, actor: str, window_no: int | None, type: str,
    data: dict[str, Any], prev_hash: str,
) -> str:
    body = canonical(
        {"seq": seq, "at": format_at(at), "actor": actor, "window_no": window_no,
         "type": type, "data": data, "prev": prev_hash}
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainRow:
    seq: int
    at: datetime
    actor: str
    window_no: int | None
    type: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    last_seq: int
    first_bad_seq: int | None
    reason: str


def verify(rows: Iterable[ChainRow], *, start_prev: str = GENESIS, start_seq: int = 0) -> VerifyResult:
    prev, expected_seq, checked = start_prev, start_seq + 1, 0
    last = start_seq
    for row in rows:
        if row.seq != expected_seq:
            return VerifyResult(False, checked, last, expected_seq, f"缺少事件 {expected_seq}（序号不连续）")
        if row.prev_hash != prev:
            return VerifyResult(False, checked, last, row.seq, "前序哈希不匹配")
        h = event_hash(seq=row.seq, at=row.at, actor=row.actor, window_no=row.window_no,
                       type=row.type, data=row.data, prev_hash=row.prev_hash)
        if h != row.hash:
            return VerifyResult(False, checked, last, row.seq, "内容与哈希不符（记录被改动）")
        prev, last, expected_seq, checked = row.hash, row.seq, expected_seq + 1, checked + 1
    return VerifyResult(True, checked, last, None, "完整")
