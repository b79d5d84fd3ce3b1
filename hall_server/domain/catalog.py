"""The matter catalog (事项清单) and its 八公开 content: pure rules and search keys.

A clerk types a few letters (``sgxk``) and expects 施工许可 at the top; a citizen at the
kiosk types part of a name. Search keys are computed once when a matter is saved
(full pinyin and initials, via pypinyin) and matched here, so the same ranking serves
the window and the kiosk.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pypinyin import lazy_pinyin

from .errors import BadInput
from .workdays import LimitUnit


class MatterKind(StrEnum):
    INSTANT = "instant"  # 即办件: concluded on the spot
    PROMISED = "promised"  # 承诺件: concluded within the promised limit


KIND_LABELS = {MatterKind.INSTANT: "即办件", MatterKind.PROMISED: "承诺件"}


class MaterialForm(StrEnum):
    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件
    ORIGINAL_AND_COPY = "original_and_copy"  # 原件及复印件（原件核验后退回）
    ELECTRONIC = "electronic"  # 电子件


FORM_LABELS = {MaterialForm.ORIGINAL: "原件", MaterialForm.COPY: "复印件",
               MaterialForm.ORIGINAL_AND_COPY: "原件及复印件", MaterialForm.ELECTRONIC: "电子件"}

CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$")
CASE_PREFIX_RE = re.compile(r"^[A-Z]{1,4}$")


@dataclass(frozen=True, slots=True)
class Material:
    code: str
    name: str
    form: MaterialForm
    copies: int
    required: bool
    notes: str = ""


def validate_materials(items: Sequence[Material]) -> None:
    codes = [m.code for m in items]
    dup = {c for c in codes if codes.count(c) > 1}
    if dup:
        raise BadInput(f"材料编号重复：{'、'.join(sorted(dup))}。", code="duplicate_material")
    for m in items:
        if m.copies < 1:
            raise BadInput(f"材料“{m.name}”的份数至少为 1。", code="bad_material")


def validate_limits(*, kind: MatterKind, statutory: int, statutory_unit: LimitUnit, promised: int,
                    promised_unit: LimitUnit) -> None:
    """A promised limit may not exceed the statutory one (承诺时限 ≤ 法定时限)."""
    if statutory < 0 or promised < 0:
        raise BadInput("时限不能为负数。", code="bad_limit")
    if kind is MatterKind.INSTANT and promised != 0:
        raise BadInput("即办件的承诺时限应为 0（当场办结）。", code="bad_limit")
    if kind is MatterKind.PROMISED and promised == 0:
        raise BadInput("承诺件须填写承诺时限。", code="bad_limit")
    if statutory_unit == promised_unit and promised > statutory > 0:
        raise BadInput("承诺时限不能长于法定时限。", code="bad_limit")


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case, letters only: 施工许可 -> ('shigongxuke', 'sgxk')."""
    syl = [s for s in lazy_pinyin(name, errors="ignore") if s]
    full = "".join(syl).lower()
    initials = "".join(s[0] for s in syl).lower()
    return re.sub(r"[^a-z0-9]", "", full), re.sub(r"[^a-z0-9]", "", initials)


@dataclass(frozen=True, slots=True)
class SearchEntry:
    code: str
    name: str
    pinyin: str
    initials: str
    department: str = ""


def score(entry: SearchEntry, query: str) -> int | None:
    """How well a query matches (lower is better), None when it does not.

    Order: exact code, code prefix, name substring (earlier is better), initials
    substring, full pinyin substring, department name.
    """
    q = query.strip()
    if not q:
        return 1000
    ql = q.lower()
    if entry.code.lower() == ql:
        return 0
    if entry.code.lower().startswith(ql):
        return 1
    pos = entry.name.find(q)
    if pos >= 0:
        return 10 + pos
    if ql.isascii():
        letters = re.sub(r"[^a-z0-9]", "", ql)
        if letters:
            pos = entry.initials.find(letters)
            if pos >= 0:
                return 100 + pos
            pos = entry.pinyin.find(letters)
            if pos >= 0:
                return 200 + pos
    if entry.department and q in entry.department:
        return 300
    return None


def search(entries: Iterable[SearchEntry], query: str, *, limit: int = 20) -> list[SearchEntry]:
    scored = [(s, e) for e in entries if (s := score(e, query)) is not None]
    scored.sort(key=lambda se: (se[0], se[1].code))
    return [e for _, e in scored[:limit]]
