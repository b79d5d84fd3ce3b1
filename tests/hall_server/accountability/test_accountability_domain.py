"""Pure rules of accountability: transition tables, deadlines, star, rating tokens."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_server.domain import complaints as cd
from hall_server.domain import inquiries as idom
from hall_server.domain import ratings as rd
from hall_server.domain.errors import BadInput, Conflict
from hall_server.domain.workdays import WorkCalendar, package_data

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar.from_sources(package=package_data())


def test_a_closed_inquiry_takes_no_further_step():
    assert idom.allowed(idom.InquiryState.CLOSED) == frozenset()
    with pytest.raises(Conflict):
        idom.step(idom.InquiryState.CLOSED, idom.InquiryAction.REFER)


def test_closing_needs_an_answer():
    with pytest.raises(BadInput) as e:
        idom.require_answer("  ")
    assert e.value.code == "answer_or_referral_required"
    assert idom.require_answer(" 已答复 ") == "已答复"


def test_a_referral_names_exactly_one_receiver():
    now = datetime(2026, 11, 24, 1, tzinfo=timezone.utc)
    for staff, dept in ((True, True), (False, False)):
        with pytest.raises(BadInput):
            idom.check_referral(to_staff=staff, to_department=dept, due_at=None, now=now)
    with pytest.raises(BadInput):
        idom.check_referral(to_staff=True, to_department=False, due_at=now, now=now)


def test_deadlines_skip_weekends_and_end_at_the_halls_midnight():
    friday_afternoon = datetime(2026, 11, 27, 7, 0, tzinfo=timezone.utc)  # 15:00 Shanghai
    due = idom.workday_deadline(friday_afternoon, 1, calendar=CAL, tz=TZ)
    assert due == datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)  # end of Monday 11-30, hall time


def test_deadlines_follow_the_official_holidays():
    before_national_day = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)
    due = idom.workday_deadline(before_national_day, 1, calendar=CAL, tz=TZ)
    assert due.astimezone(TZ).date().isoformat() == "2026-10-09"  # 国庆 + 调休: the next working day is 10-09


def test_the_two_lowest_levels_are_bad_ratings():
    assert [rd.is_bad(lv) for lv in rd.LEVELS] == [False, False, False, True, True]
    assert [rd.SCORES[lv] for lv in rd.LEVELS] == [5, 4, 3, 2, 1]


def test_no_star_below_the_minimum_count():
    assert rd.star([rd.RatingLevel.SATISFIED] * 4, min_count=5) == (None, 4)
    assert rd.star([rd.RatingLevel.SATISFIED] * 4 + [rd.RatingLevel.VERY_SATISFIED], min_count=5) == (4.2, 5)


def test_the_follow_up_runs_callback_rectify_rerate_in_order():
    s = rd.FollowupState.CALLBACK
    with pytest.raises(Conflict):
        rd.followup_step(s, rd.FollowupAction.RERATE)
    for a in (rd.FollowupAction.CALL_BACK, rd.FollowupAction.RECTIFY, rd.FollowupAction.RERATE):
        s = rd.followup_step(s, a)
    assert s is rd.FollowupState.CLOSED and rd.followup_allowed(s) == frozenset()


@given(st.integers(min_value=1, max_value=10**9), st.binary(min_size=16, max_size=64))
def test_a_rating_token_names_its_ticket_and_no_other(ticket_id: int, secret: bytes):
    token = rd.rating_token(secret, ticket_id)
    assert rd.parse_rating_token(secret, token) == ticket_id
    forged = f"{ticket_id + 1}-{token.split('-')[1]}"
    assert rd.parse_rating_token(secret, forged) is None
    assert rd.parse_rating_token(secret + b"x", token) is None


def test_complaint_reply_closes_and_only_the_call_back_follows():
    s = cd.step(cd.ComplaintState.REGISTERED, cd.ComplaintAction.ASSIGN)
    assert cd.step(s, cd.ComplaintAction.RECTIFY) is cd.ComplaintState.ASSIGNED  # a record, not a move
    s = cd.step(s, cd.ComplaintAction.REPLY)
    assert s is cd.ComplaintState.REPLIED and cd.allowed(s) == frozenset({cd.ComplaintAction.CALL_BACK})
    with pytest.raises(BadInput):
        cd.check_contact(anonymous=False, phone="  ")
