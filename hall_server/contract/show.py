"""How things are shown to a person: money, masked identity numbers and names, staff, local times.

One import point for the server's reports and the client's widgets, so a figure reads the
same on a screen, in a PDF and in an xlsx. Pure functions, no I/O; the hall's zone comes
in as an argument (``tz``: a zone name or ``ZoneInfo``, default Asia/Shanghai).

The money and masking rules themselves live beside the domain rules that need them
(``domain.money`` for 分 arithmetic and 大写, ``domain.privacy`` for masking of logs and
streams); this module re-exports them so nobody writes a fifth format. ``printers/`` may not
import the server and keeps its own ``yuan``/``mask_id_number``; a test keeps them equal.

    yuan(81395)                    -> "¥813.95"        (grouped: "¥1,234.50"; refunds "-¥5.00")
    mask_id("11010519491231002X")  -> "110105********002X"   (15 digits: "110105*****1234")
    mask_name("王建国")             -> "王**"
    staff("王建国", "1001")         -> "王建国（1001）"
    local_time(at_utc)             -> "2026-11-24 09:03:15"  (hall zone, never UTC)
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from ..domain.money import daxie, yuan
from ..domain.privacy import mask_id, mask_name, mask_phone

__all__ = ["HALL_TZ", "daxie", "yuan", "mask_id", "mask_name", "mask_phone", "staff", "zone", "local_time",
           "local_minute", "local_date", "local_day", "duration", "yes_no", "window"]

HALL_TZ = "Asia/Shanghai"  # the default; a hall's own zone comes from its settings / the server's /hall answer

Zone = str | ZoneInfo | None


def zone(tz: Zone = None) -> ZoneInfo:
    """A zone from a name or a ZoneInfo; ``None`` or "" is the default hall zone."""
    if isinstance(tz, ZoneInfo):
        return tz
    return ZoneInfo(tz or HALL_TZ)


def _aware(at: datetime) -> datetime:
    # a naive datetime in this system is always UTC (the database hands back UTC)
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def local_time(at: datetime | str | None, tz: Zone = None) -> str:
    """Full local date-time: "2026-11-24 09:03:15". An ISO string is parsed first; None -> ""."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return _aware(at).astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M:%S")


def local_minute(at: datetime | str | None, tz: Zone = None) -> str:
    """Local date-time to the minute: "2026-11-24 09:03" (deadlines, filters)."""
    return local_time(at, tz)[:16]


def local_day(at: datetime, tz: Zone = None) -> date:
    """The hall's business day of an instant (midnight is the hall's, not UTC's)."""
    return _aware(at).astimezone(zone(tz)).date()


def local_date(d: date | datetime | str | None, tz: Zone = None) -> str:
    """"2026-11-24"; a datetime is first moved into the hall's zone."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        d = datetime.fromisoformat(d) if "T" in d or " " in d else date.fromisoformat(d)
    if isinstance(d, datetime):
        d = local_day(d, tz)
    return d.isoformat()


def staff(name: str | None, staff_no: str | None) -> str:
    """"王建国（1001）"; without a known name the 工号 alone ("工号 1001")."""
    if not staff_no:
        return name or ""
    return f"{name}（{staff_no}）" if name else f"工号 {staff_no}"


def duration(seconds: int | float | None) -> str:
    """215 -> "3 分 35 秒"; 4000 -> "1 小时 6 分"."""
    if seconds is None:
        return ""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return f"{h} 小时 {m} 分"
    if m:
        return f"{m} 分 {sec} 秒" if sec else f"{m} 分钟"
    return f"{sec} 秒"


def yes_no(v: object) -> str:
    return "是" if v else "否"


def window(window_no: int | None) -> str:
    """3 -> "3 号窗口"; None -> ""."""
    return f"{window_no} 号窗口" if window_no is not None else ""
