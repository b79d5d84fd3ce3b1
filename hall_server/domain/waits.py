"""How long a citizen holding a ticket may still wait: a pure rule over the hall's recent
service times, so the page can say what the estimate rests on.

Why the median of recent services: one long case (a 40-minute 施工许可 with a missing
stamp) should not double everyone's estimate, and the morning's pace is a better guide
than a configured constant. The constant (``Category.service_minutes``) is used only
until the category has a few completed services.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

RECENT_SERVICES = 20  # the last N completed services of a category count
MIN_SAMPLES = 3  # fewer: the category's configured minutes
MIN_SERVICE_MIN = 0.5  # a call completed at once (wrong number, nothing to do) is not a pace
MAX_SERVICE_MIN = 120.0  # a service "open" all afternoon (forgotten) is not a pace


@dataclass(frozen=True)
class Estimate:
    minutes: int | None  # None: no window serves the category now
    basis: str  # one sentence for the page


def service_minutes(durations_min: Sequence[float], *, configured: float) -> tuple[float, int]:
    """(minutes per service, samples used): the median of the sane recent durations."""
    good = [d for d in durations_min if MIN_SERVICE_MIN <= d <= MAX_SERVICE_MIN]
    if len(good) < MIN_SAMPLES:
        return configured, 0
    return float(median(good)), len(good)


def estimate(*, ahead: int, windows: int, durations_min: Sequence[float], configured: float) -> Estimate:
    """People ahead × minutes per service ÷ windows serving the category, rounded up."""
    per, n = service_minutes(durations_min, configured=configured)
    how = (f"按本业务最近 {n} 位群众的办理时长（中位数约 {per:.0f} 分钟）" if n
           else f"按本业务设定的平均办理时长（约 {per:.0f} 分钟）")
    if windows <= 0:
        return Estimate(None, "目前没有窗口办理该业务，暂无法估算等候时间。")
    if ahead <= 0:
        return Estimate(0, f"{how}和 {windows} 个办理窗口估算。")
    return Estimate(max(1, math.ceil(ahead * per / windows)), f"{how}和 {windows} 个办理窗口估算。")
