"""Pure helpers of the admin screens: text a person types <-> API values, with Chinese
errors. No Qt here, so every rule is tested without a screen."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from .bridge import KnownError

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
ROLE_LABELS = {"clerk": "窗口人员", "cashier": "收费员", "manager": "大厅管理员", "supervisor": "驻厅监察",
               "admin": "系统管理员"}
DEVICE_KINDS = {"kiosk": "取号机", "display": "显示屏", "evaluator": "评价器"}
MATTER_KINDS = {"instant": "即办件", "promised": "承诺件"}
LIMIT_UNITS = {"working": "工作日", "natural": "自然日"}
MATERIAL_FORMS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件", "electronic": "电子件"}
STANDARD_KINDS = {"fixed": "按件定额", "per_unit": "按数量计价"}
INCOME_TYPES = ("行政事业性收费", "政府性基金", "罚没收入", "国有资源（资产）有偿使用收入", "其他非税收入")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~至]\s*(\d{1,2}):(\d{2})\s*$")
_SEP = re.compile(r"[,，、;；\s]+")


class FormError(KnownError):
    """A field a person typed that cannot be used; the message names the field."""

    code = "form_error"


def spans_text(spans: Iterable[Mapping[str, str]]) -> str:
    return "，".join(f"{s['start']}-{s['end']}" for s in spans)


def parse_spans(text: str, label: str) -> list[dict[str, str]]:
    """「09:00-12:00，13:30-17:00」 -> [{"start": "09:00", "end": "12:00"}, …]; empty: []."""
    out: list[dict[str, str]] = []
    for part in re.split(r"[,，、;；]+", text.strip()):
        if not part.strip():
            continue
        m = _SPAN.match(part)
        if m is None or int(m[1]) > 23 or int(m[3]) > 23 or int(m[2]) > 59 or int(m[4]) > 59:
            raise FormError(f"{label}：“{part.strip()}”应写成 09:00-12:00 这样的时段。")
        out.append({"start": f"{int(m[1]):02d}:{m[2]}", "end": f"{int(m[3]):02d}:{m[4]}"})
    if len(out) > 4:
        raise FormError(f"{label}：一天最多填写 4 个时段。")
    return out


def split_list(text: str) -> list[str]:
    """「C, A」「C、A」「C A」 -> ["C", "A"] (order kept: a window serves in this order)."""
    return [x for x in _SEP.split(text.strip()) if x]


def parse_prefixes(text: str, label: str = "业务类别") -> list[str]:
    out = [x.upper() for x in split_list(text)]
    bad = [x for x in out if not re.fullmatch(r"[A-Z]", x)]
    if bad:
        raise FormError(f"{label}：“{bad[0]}”不是业务类别字母（A–Z）。")
    return out


def parse_int(text: str, label: str, *, lo: int, hi: int, empty: int | None = None) -> int | None:
    t = text.strip()
    if not t:
        if empty is None:
            raise FormError(f"请填写{label}。")
        return empty if empty >= 0 else None
    try:
        v = int(t)
    except ValueError:
        raise FormError(f"{label}应为整数。") from None
    if not lo <= v <= hi:
        raise FormError(f"{label}应在 {lo} 到 {hi} 之间。")
    return v


def parse_yuan(text: str, label: str = "收费标准") -> int:
    """「12.50」元 -> 1250 分, exactly (no float)."""
    t = text.strip().removeprefix("¥").removesuffix("元").strip()
    m = re.fullmatch(r"(\d{1,8})(?:\.(\d{1,2}))?", t)
    if m is None:
        raise FormError(f"{label}应为金额，例如 80 或 12.50（元）。")
    return int(m[1]) * 100 + int((m[2] or "0").ljust(2, "0"))


def yuan_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def parse_dates(text: str, label: str) -> list[str]:
    """One date or range a line (or separated by commas): 2028-01-03, 2028-10-01..2028-10-03."""
    out: list[str] = []
    for part in re.split(r"[\n,，、;；]+", text):
        p = part.strip()
        if not p:
            continue
        first, sep, last = p.partition("..")
        try:
            a = date.fromisoformat(first.strip())
            b = date.fromisoformat(last.strip()) if sep else a
        except ValueError:
            raise FormError(f"{label}：“{p}”应写成 2028-01-03 或 2028-10-01..2028-10-03。") from None
        if b < a:
            raise FormError(f"{label}：“{p}”结束日期早于开始日期。")
        while a <= b:
            out.append(a.isoformat())
            a += timedelta(days=1)
    return sorted(set(out))


def dates_text(days: Sequence[str | date]) -> str:
    """Consecutive days folded back into ranges, one per line."""
    ds = sorted(date.fromisoformat(str(d)) for d in days)
    lines: list[str] = []
    i = 0
    while i < len(ds):
        j = i
        while j + 1 < len(ds) and ds[j + 1] == ds[j] + timedelta(days=1):
            j += 1
        lines.append(ds[i].isoformat() if i == j else f"{ds[i].isoformat()}..{ds[j].isoformat()}")
        i = j + 1
    return "\n".join(lines)


def roles_text(roles: Iterable[str]) -> str:
    return "、".join(ROLE_LABELS.get(r, r) for r in roles)


def yes(v: Any) -> str:
    return "是" if v else "否"


def parse_day(text: str, label: str) -> str | None:
    """「2027-01-01」 -> "2027-01-01"; empty -> None."""
    t = text.strip()
    if not t:
        return None
    try:
        return date.fromisoformat(t).isoformat()
    except ValueError:
        raise FormError(f"{label}应写成 2027-01-01 这样的日期。") from None
