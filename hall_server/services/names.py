"""Names for the 工号 an event names: sentences read 「王建国（1001）」, not a bare number.

The log stores 工号 only (a name can change; the number is the identity); every reader that
turns events into sentences asks here once per page for the names of the numbers in it.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from ..models import Staff


class _Ev(Protocol):
    actor: str
    data: Any


def staff_nos(evs: Iterable[_Ev]) -> set[str]:
    """Every 工号 the events name: the acting staff member and any 工号 key of the data."""
    nos: set[str] = set()
    for e in evs:
        if e.actor.startswith("staff:"):
            nos.add(e.actor.removeprefix("staff:"))
        data = e.data or {}
        for k in kinds.STAFF_KEYS:
            v = data.get(k)
            if isinstance(v, str) and v:
                nos.add(v)
    return nos


def staff_names(session: Session, evs: Iterable[_Ev]) -> dict[str, str]:
    """工号 -> name of everyone the events name (unknown numbers are left out: the sentence
    falls back to 「工号 1001」)."""
    ordered = sorted(staff_nos(evs))
    out: dict[str, str] = {}
    for i in range(0, len(ordered), 500):
        out.update({n: name for n, name in session.execute(
            select(Staff.staff_no, Staff.name).where(Staff.staff_no.in_(ordered[i:i + 500])))})
    return out


def all_staff_names(session: Session) -> dict[str, str]:
    """Every 工号 -> name (an export streams the log in batches; a hall has at most a few
    hundred staff, so one small map beats a lookup per batch)."""
    return {n: name for n, name in session.execute(select(Staff.staff_no, Staff.name))}
