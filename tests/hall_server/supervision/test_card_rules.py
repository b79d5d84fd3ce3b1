"""Each 红黄牌 rule on crafted histories: where yellow starts, where red starts, and
what does not count."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import tomllib

from hall_server.domain import cards as dc
from hall_server.domain.errors import BadInput

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 24)
RULES = dc.rules_from_dict(tomllib.loads((Path(__file__).parents[3] / "resources" / "cards.toml").read_text("utf-8")))


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


def ticket(no: str, queued: datetime, called: datetime | None) -> dc.TicketFact:
    return dc.TicketFact(no, no[0], DAY, queued, called, 1 if called else None, "1001" if called else None)


# --- long waits ----------------------------------------------------------------------

def test_long_wait_yellow_from_30_and_red_from_60_minutes():
    ts = [ticket("A001", at(9), at(9, 29)), ticket("A002", at(9), at(9, 30)), ticket("A003", at(9), at(10, 0))]
    cards = dc.long_waits(ts, cfg=RULES.long_wait, now=at(12))
    assert [(k.subject, k.level) for k in cards] == [("A002", dc.Level.YELLOW), ("A003", dc.Level.RED)]
    assert cards[1].key == "long_wait/2026-11-24/red/A003"
    assert cards[1].evidence == {"ticket": "A003", "day": "2026-11-24"}


def test_a_ticket_still_waiting_counts_up_to_now():
    cards = dc.long_waits([ticket("B001", at(9), None)], cfg=RULES.long_wait, now=at(9, 45))
    assert cards[0].level == dc.Level.YELLOW and "仍未叫号" in cards[0].title


def test_disabled_rule_gives_no_cards():
    cfg = dc.MinutesCfg(enabled=False)
    assert dc.long_waits([ticket("A001", at(9), at(12))], cfg=cfg, now=at(12)) == []


# --- long pauses -------------------------------------------------------------------------

def test_long_pause_yellow_from_20_red_from_45_open_pause_counts_to_now():
    ps = [dc.PauseFact(3, "1003", "如厕", at(10), at(10, 19)),
          dc.PauseFact(3, "1003", "取材料", at(11), at(11, 20)),
          dc.PauseFact(4, "1004", "会议", at(14), None)]
    cards = dc.long_pauses(ps, cfg=RULES.long_pause, now=at(14, 50), tz=TZ)
    assert [(k.window_no, k.level) for k in cards] == [(3, dc.Level.YELLOW), (4, dc.Level.RED)]
    assert "会议" in cards[1].title and cards[1].staff_no == "1004"


# --- off duty in opening hours ---------------------------------------------------------------

def test_off_duty_counts_late_start_gaps_and_early_leave_beyond_grace():
    duties = [dc.DutyFact("1001", 1, at(9, 5), at(10, 0)),      # 5 min late: within grace
              dc.DutyFact("1001", 1, at(10, 30), at(12, 0)),    # 30 min gap
              dc.DutyFact("1001", 1, at(13, 30), at(16, 30))]   # leaves 30 min early
    cards = dc.off_duty(duties, day=DAY, cfg=RULES.off_duty, tz=TZ, now=at(18))
    assert len(cards) == 1
    k = cards[0]
    assert k.level == dc.Level.RED and k.facts["minutes"] == 60
    assert k.facts["gaps"] == ["10:00–10:30", "16:30–17:00"]


def test_off_duty_judges_every_clerk_of_the_day_not_only_the_first_with_a_card():
    """Two clerks both late: each gets a card (a card's gap text once overwrote the hours)."""
    duties = [dc.DutyFact("1001", 1, at(9, 40), at(17)), dc.DutyFact("1002", 2, at(10, 30), at(17))]
    cards = dc.off_duty(duties, day=DAY, cfg=RULES.off_duty, tz=TZ, now=at(18))
    assert [(k.subject, k.facts["gaps"]) for k in cards] == [("1001", ["09:00–09:40"]),
                                                            ("1002", ["09:00–10:30"])]


def test_off_duty_yellow_for_a_short_absence_and_lunch_is_not_counted():
    duties = [dc.DutyFact("1002", 2, at(9), at(11, 40)), dc.DutyFact("1002", 2, at(14, 0), at(17, 0))]
    cards = dc.off_duty(duties, day=DAY, cfg=RULES.off_duty, tz=TZ, now=at(18))
    assert [(k.subject, k.level, k.facts["minutes"]) for k in cards] == [("1002", dc.Level.YELLOW, 50)]


def test_off_duty_judges_only_up_to_now_and_not_people_absent_all_day():
    duties = [dc.DutyFact("1003", 3, at(9), None)]
    assert dc.off_duty(duties, day=DAY, cfg=RULES.off_duty, tz=TZ, now=at(15)) == []
    assert dc.off_duty([], day=DAY, cfg=RULES.off_duty, tz=TZ, now=at(18)) == []


def test_two_windows_in_a_day_cover_each_other():
    duties = [dc.DutyFact("1004", 4, at(9), at(10, 30)), dc.DutyFact("1004", 8, at(10, 30), at(17, 0))]
    assert dc.off_duty(duties, day=DAY, cfg=RULES.off_duty, tz=TZ, now=at(18)) == []


# --- rates --------------------------------------------------------------------------------------

def test_skip_rate_needs_a_minimum_of_calls_then_grades():
    facts = [dc.RateFact("1001", 10, 9), dc.RateFact("1002", 40, 8), dc.RateFact("1003", 40, 14),
             dc.RateFact("1004", 40, 7)]
    cards = dc.skip_rates(facts, cfg=RULES.skip_rate, day=DAY, at=at(17))
    assert [(k.subject, k.level) for k in cards] == [("1002", dc.Level.YELLOW), ("1003", dc.Level.RED)]
    assert cards[1].facts == {"rate": 0.35, "flagged": 14, "total": 40}


def test_void_rate_yellow_at_3_percent_red_at_8():
    facts = [dc.RateFact("2001", 100, 3), dc.RateFact("2002", 50, 4), dc.RateFact("2003", 100, 2)]
    cards = dc.void_rates(facts, cfg=RULES.void_rate, day=DAY, at=at(17))
    assert [(k.subject, k.level) for k in cards] == [("2001", dc.Level.YELLOW), ("2002", dc.Level.RED)]


# --- case limits ----------------------------------------------------------------------------------

def weekdays_between(a: date, b: date) -> int:
    """Working days in (a, b]: Monday–Friday (the real calendar is the caller's)."""
    n, d, sign = 0, a, 1
    if b < a:
        a, b, sign = b, a, -1
        d = a
    while d < b:
        d += timedelta(days=1)
        n += d.weekday() < 5
    return sign * n


def test_case_yellow_within_n_working_days_red_when_overdue_or_concluded_late():
    today = DAY  # Tuesday
    cases = [dc.CaseFact("C1", date(2026, 11, 26)),           # Thursday: 2 working days left -> yellow
             dc.CaseFact("C2", date(2026, 11, 30)),           # Monday: 4 working days left -> nothing
             dc.CaseFact("C3", date(2026, 11, 23)),           # yesterday, open -> red
             dc.CaseFact("C4", date(2026, 11, 20), concluded_on=date(2026, 11, 23)),  # late -> red
             dc.CaseFact("C5", date(2026, 11, 20), concluded_on=date(2026, 11, 20))]  # on time
    cards = dc.case_deadlines(cases, cfg=RULES.case_deadline, today=today, tz=TZ, working_days_left=weekdays_between)
    got = {(k.subject, k.level) for k in cards}
    assert got == {("C1", dc.Level.YELLOW), ("C3", dc.Level.RED), ("C4", dc.Level.RED)}
    c1 = next(k for k in cards if k.subject == "C1")
    assert c1.facts["working_days_left"] == 2 and c1.key == "case_deadline/2026-11-26/yellow/C1"


def test_weekend_is_not_counted_as_time_left():
    # Friday 2026-11-27, due Monday: 1 working day left although 3 natural days
    cards = dc.case_deadlines([dc.CaseFact("C9", date(2026, 11, 30))], cfg=dc.CaseDeadlineCfg(yellow_working_days=1),
                              today=date(2026, 11, 27), tz=TZ, working_days_left=weekdays_between)
    assert cards and cards[0].level == dc.Level.YELLOW


# --- 差评 follow-ups ---------------------------------------------------------------------------------

def test_bad_rating_followup_yellow_before_due_red_when_overdue_or_done_late():
    due = at(17)
    items = [dc.FollowupFact("1", at(9), due, None, "不满意"),                      # due in 3 h -> yellow
             dc.FollowupFact("2", at(9), at(20), None, "不满意"),                   # due in 6 h -> nothing
             dc.FollowupFact("3", at(9), at(12), None, "非常不满意"),               # overdue -> red
             dc.FollowupFact("4", at(9), at(12), at(13), "不满意"),                 # done late -> red
             dc.FollowupFact("5", at(9), at(12), at(11), "不满意"),                 # done in time
             dc.FollowupFact("6", at(9), at(18), at(13), "不满意", flagged_late=True)]  # a step was late
    cards = dc.bad_rating_followups(items, cfg=RULES.bad_rating_followup, now=at(14), tz=TZ)
    assert {(k.subject, k.level) for k in cards} == {("1", dc.Level.YELLOW), ("3", dc.Level.RED),
                                                      ("4", dc.Level.RED), ("6", dc.Level.RED)}


# --- configuration and keys --------------------------------------------------------------------------

def test_city_override_changes_only_what_it_names():
    base = tomllib.loads((Path(__file__).parents[3] / "resources" / "cards.toml").read_text("utf-8"))
    rules = dc.rules_from_dict(dc.merge(base, {"city": "示范市", "long_wait": {"yellow_minutes": 20}}))
    assert rules.city == "示范市" and rules.long_wait.yellow_minutes == 20 and rules.long_wait.red_minutes == 60
    assert rules.long_pause == RULES.long_pause


def test_misspelt_or_inverted_thresholds_are_refused():
    with pytest.raises(BadInput, match="未知"):
        dc.rules_from_dict({"long_wait": {"yelow_minutes": 5}})
    with pytest.raises(BadInput, match="黄牌阈值"):
        dc.rules_from_dict({"long_pause": {"yellow_minutes": 50, "red_minutes": 40}})


def test_card_keys_round_trip_and_bad_keys_are_bad_input():
    k = dc.card_key(dc.Rule.OFF_DUTY, DAY, dc.Level.RED, "1001")
    assert dc.parse_key(k) == (dc.Rule.OFF_DUTY, DAY, dc.Level.RED, "1001")
    with pytest.raises(BadInput):
        dc.parse_key("nonsense/2026-13-01/red/x")


def test_red_cards_come_first_then_newest():
    ts = [ticket("A001", at(9), at(9, 40)), ticket("A002", at(9), at(10, 30)), ticket("A003", at(10), at(10, 45))]
    cards = dc.sort_cards(dc.long_waits(ts, cfg=RULES.long_wait, now=at(12)))
    assert [k.subject for k in cards] == ["A002", "A003", "A001"]


def test_complaint_and_inquiry_deadlines_use_the_same_due_logic():
    items = [dc.FollowupFact("TS001", at(9), at(12), None, "投诉"),
             dc.FollowupFact("TS002", at(9), at(9, 0, DAY + timedelta(days=1)), None, "投诉")]
    cards = dc.complaints_overdue(items, cfg=RULES.complaint_overdue, now=at(14), tz=TZ)
    assert [(k.subject, k.level) for k in cards] == [("TS001", dc.Level.RED), ("TS002", dc.Level.YELLOW)]
    assert cards[0].title.startswith("投诉 TS001 答复逾期未办结") and cards[0].evidence["type"] == "complaint."
    inq = dc.inquiries_overdue([dc.FollowupFact("SW001", at(9), at(12), at(13), "首问")],
                               cfg=RULES.inquiry_overdue, now=at(14), tz=TZ)
    assert [(k.rule, k.level) for k in inq] == [(dc.Rule.INQUIRY_OVERDUE, dc.Level.RED)]
