"""The working-day clock across 春节 and 国庆 2026 with their 调休 weekends, natural-day
limits, suspension, and years the package does not cover (the TOML file)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hall_server.domain.workdays import LimitUnit, WorkCalendar, package_data, parse_config

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    cfg = parse_config((ROOT / "resources" / "holidays.toml").read_text(encoding="utf-8"))
    return WorkCalendar.from_sources(package=package_data(), config=cfg)


def test_spring_festival_2026_holidays_and_make_up_saturdays(cal):
    # 2026 春节: 2/15 (Sun) – 2/23 (Mon) off; Sat 2/14 and Sat 2/28 are working days (调休)
    assert cal.is_working_day(date(2026, 2, 14))  # Saturday, make-up day
    assert not cal.is_working_day(date(2026, 2, 16))  # Monday, holiday
    assert not cal.is_working_day(date(2026, 2, 23))  # Monday, holiday
    assert cal.is_working_day(date(2026, 2, 28))  # Saturday, make-up day
    assert not cal.is_working_day(date(2026, 2, 21))  # Saturday inside the holiday


def test_working_days_span_the_spring_festival(cal):
    # accepted Fri 2/13: day 1 is Sat 2/14 (调休), then the holiday, day 2 is Tue 2/24
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    # 2/24 Tue .. 2/27 Fri are days 2..5, Sat 2/28 (调休) is day 6
    assert cal.add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)
    assert cal.add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)


def test_national_day_2026_with_its_make_up_weekend_days(cal):
    # 国庆 2026: 10/1 – 10/7 off; Sun 9/20 and Sat 10/10 are working days
    assert cal.is_working_day(date(2026, 9, 20))
    assert cal.is_working_day(date(2026, 10, 10))
    assert not cal.is_working_day(date(2026, 10, 5))
    # accepted Fri 9/18: Sun 9/20 (调休) is day 1, 9/21–24 days 2–5, 中秋 9/25–27 off,
    # 9/28–30 days 6–8; day 9 skips the whole Golden Week to Thu 10/8; Sat 10/10 is day 11
    assert cal.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert not cal.is_working_day(date(2026, 9, 25))  # 中秋节
    assert cal.add_working_days(date(2026, 9, 18), 8) == date(2026, 9, 30)
    assert cal.add_working_days(date(2026, 9, 18), 9) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 18), 11) == date(2026, 10, 10)


def test_a_twenty_working_day_limit_over_national_day(cal):
    # the §42 20-day limit from Mon 9/28: 9/29, 9/30 (2), 10/8, 10/9, 10/10 (5), three weeks (20)
    assert cal.due_date(date(2026, 9, 28), 20, LimitUnit.WORKING) == date(2026, 10, 30)


def test_natural_day_limit_ending_on_a_holiday_moves_to_the_next_working_day(cal):
    assert cal.due_date(date(2026, 9, 26), 7, LimitUnit.NATURAL) == date(2026, 10, 8)
    assert cal.due_date(date(2026, 11, 2), 7, LimitUnit.NATURAL) == date(2026, 11, 9)


def test_days_left_counts_working_days_and_goes_negative_when_overdue(cal):
    due = date(2026, 10, 8)
    assert cal.days_left(date(2026, 9, 29), due, LimitUnit.WORKING) == 2  # 9/30, 10/8
    assert cal.days_left(due, due, LimitUnit.WORKING) == 0
    assert cal.days_left(date(2026, 10, 12), due, LimitUnit.WORKING) == -3  # 10/9, 10/10, 10/12


def test_suspension_counts_only_working_days_in_the_pause(cal):
    # suspended Wed 9/30, resumed Fri 10/9: 10/8 and 10/9 stopped the clock
    assert cal.suspended_days(date(2026, 9, 30), date(2026, 10, 9), LimitUnit.WORKING) == 2
    assert cal.suspended_days(date(2026, 9, 30), date(2026, 10, 9), LimitUnit.NATURAL) == 9
    assert cal.suspended_days(date(2026, 9, 30), date(2026, 9, 30), LimitUnit.WORKING) == 0


def test_instant_case_is_due_the_same_day(cal):
    assert cal.due_date(date(2026, 11, 24), 0, LimitUnit.WORKING) == date(2026, 11, 24)


def test_the_config_file_covers_a_year_the_package_does_not(cal):
    assert cal.covers(2027) and 2027 in cal.provisional_years
    assert not cal.is_working_day(date(2027, 2, 8))  # 春节 2027, a Monday
    assert cal.is_working_day(date(2027, 2, 9))


def test_config_entries_override_the_package_and_accept_ranges():
    cfg = parse_config('[years.2026]\nholidays = ["2026-11-23..2026-11-24"]\nworkdays = ["2026-11-29"]\n')
    cal = WorkCalendar.from_sources(package=package_data(), config=cfg)
    assert not cal.is_working_day(date(2026, 11, 24))
    assert cal.is_working_day(date(2026, 11, 29))
    assert cal.is_working_day(date(2026, 10, 1))  # the file's 2026 replaced the package's 2026 entirely
    with pytest.raises(ValueError):
        parse_config('[years.2027]\nholidays = ["2026-01-01"]\n')


def test_a_year_nobody_covers_falls_back_to_weekdays_and_says_so(caplog):
    cal = WorkCalendar()
    with caplog.at_level("WARNING"):
        assert cal.is_working_day(date(2031, 1, 3)) and not cal.is_working_day(date(2031, 1, 4))
    assert "2031" in caplog.text
