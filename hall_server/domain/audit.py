"""The hash chain of the event log, pure so that verify-audit and the server agree.

Each event's hash covers its content and the previous hash; changing any row breaks
every hash after it, and ``verify`` names the first seq where the chain stops matching.

Hash formats are versioned (``hash_version`` on each row) so a chain written under an
older format still verifies while new rows use the newer one:

- v1 covers seq, at, actor, window_no, type, data and the previous hash. The search
  columns (``case_no``, ``ticket_no``, ``staff_no``) were outside it; for v1 rows they are
  checked against the rule that filled them from ``data``/``actor`` instead.
- v2 covers every column a screen, search, card rule or report reads: the v1 fields plus
  ``case_no``, ``ticket_no``, ``staff_no`` and the version itself.

A chain's versions never go down: a v1 row after a v2 row is a downgrade attack (the
weaker format re-applied to hide an edit of an unhashed column) and fails.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64
CURRENT_VERSION = 2
VERSIONS = frozenset({1, 2})


def canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def format_at(at: datetime) -> str:
    """A fixed textual form, so both databases give the same hash input: what
    ``strftime("%Y-%m-%dT%H:%M:%S.%f")`` gives, the zone left out. ``isoformat`` writes the
    same text three times faster (every event is hashed once when written); it pads years
    below 1000, which ``strftime`` does not, so those take the slow road."""
    if at.year < 1000:
        return at.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def event_hash(
    *, seq: int, at: datetime, actor: str, window_no: int | None, type: str,
    data: dict[str, Any], prev_hash: str, version: int = 1,
    case_no: str | None = None, ticket_no: str | None = None, staff_no: str | None = None,
) -> str:
    body: dict[str, Any] = {"seq": seq, "at": format_at(at), "actor": actor, "window_no": window_no,
                            "type": type, "data": data, "prev": prev_hash}
    if version == 2:
        body.update(v=2, case_no=case_no, ticket_no=ticket_no, staff_no=staff_no)
    elif version != 1:
        raise ValueError(f"unknown hash version {version}")
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def _str(v: Any, width: int) -> str | None:
    return None if v is None else str(v)[:width]


def links(*, data: dict[str, Any], actor_staff_no: str | None) -> tuple[str | None, str | None, str | None]:
    """(case_no, ticket_no, staff_no): the search columns, filled from the event's data.

    One home for the rule, used by the writer and by the v1 check."""
    return (_str(data.get("case_no"), 40), _str(data.get("ticket"), 10),
            _str(data.get("staff_no"), 20) or actor_staff_no)


def _actor_staff_no(actor: str) -> str | None:
    return actor.removeprefix("staff:") if actor.startswith("staff:") else None


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
    case_no: str | None = None
    ticket_no: str | None = None
    staff_no: str | None = None
    hash_version: int = 1

    def expected_hash(self) -> str:
        return event_hash(seq=self.seq, at=self.at, actor=self.actor, window_no=self.window_no, type=self.type,
                          data=self.data, prev_hash=self.prev_hash, version=self.hash_version,
                          case_no=self.case_no, ticket_no=self.ticket_no, staff_no=self.staff_no)


def v1_links_ok(row: ChainRow) -> bool:
    """A v1 row's search columns must be what the writer derived from its hashed content
    (its staff_no may also be empty: a system-written row named nobody)."""
    case_no, ticket_no, staff_no = links(data=row.data, actor_staff_no=_actor_staff_no(row.actor))
    if row.case_no != case_no or row.ticket_no != ticket_no:
        return False
    return row.staff_no in (None, staff_no, _str(row.data.get("staff_no"), 20))


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    last_seq: int
    first_bad_seq: int | None
    reason: str
    last_hash: str = GENESIS


def verify(rows: Iterable[ChainRow], *, start_prev: str = GENESIS, start_seq: int = 0) -> VerifyResult:
    prev, expected_seq, checked = start_prev, start_seq + 1, 0
    last, version = start_seq, 1
    for row in rows:
        if row.seq != expected_seq:
            return VerifyResult(False, checked, last, expected_seq, f"缺少事件 {expected_seq}（序号不连续）", prev)
        if row.prev_hash != prev:
            return VerifyResult(False, checked, last, row.seq, "前序哈希不匹配", prev)
        if row.hash_version not in VERSIONS:
            return VerifyResult(False, checked, last, row.seq, f"未知的哈希格式版本 {row.hash_version}", prev)
        if row.hash_version < version:
            return VerifyResult(False, checked, last, row.seq, "哈希格式版本倒退（记录被改写）", prev)
        if row.expected_hash() != row.hash:
            return VerifyResult(False, checked, last, row.seq, "内容与哈希不符（记录被改动）", prev)
        if row.hash_version == 1 and not v1_links_ok(row):
            return VerifyResult(False, checked, last, row.seq, "检索字段（办件号/号票/工号）与记录内容不符（记录被改动）", prev)
        version = row.hash_version
        prev, last, expected_seq, checked = row.hash, row.seq, expected_seq + 1, checked + 1
    return VerifyResult(True, checked, last, None, "完整", prev)
