"""The wait estimate on the phone's ticket page (issue 15): the median of recent services."""
from __future__ import annotations

from hall_server.domain import waits


def test_the_estimate_is_people_ahead_times_the_median_service_over_the_windows():
    est = waits.estimate(ahead=5, windows=2, durations_min=[4, 6, 6, 40, 5], configured=8)
    assert est.minutes == 15  # median 6 × 5 ÷ 2 = 15
    assert "最近 5 位" in est.basis and "2 个办理窗口" in est.basis


def test_one_very_long_service_does_not_double_everyones_estimate():
    normal = waits.estimate(ahead=4, windows=1, durations_min=[5, 6, 6, 6], configured=8).minutes
    assert waits.estimate(ahead=4, windows=1, durations_min=[5, 6, 6, 6, 90], configured=8).minutes == normal == 24


def test_without_enough_history_the_categorys_configured_minutes_are_used():
    est = waits.estimate(ahead=3, windows=1, durations_min=[5, 0.1], configured=8)
    assert est.minutes == 24 and "设定的平均办理时长" in est.basis


def test_no_open_window_means_no_estimate_and_nobody_ahead_means_now():
    assert waits.estimate(ahead=3, windows=0, durations_min=[], configured=8).minutes is None
    assert waits.estimate(ahead=0, windows=2, durations_min=[], configured=8).minutes == 0
    assert waits.estimate(ahead=1, windows=3, durations_min=[], configured=1).minutes == 1  # never "0" while waiting
