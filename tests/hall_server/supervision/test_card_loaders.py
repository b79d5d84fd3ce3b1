"""The thin loaders: rows of the other areas' tables (cases, 差评 follow-ups, receipts)
become the facts the rules judge, on the real migrated database."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from hall_server.db import Database
from hall_server.domain import cards as dc
from hall_server.models import Staff
from hall_server.models.accountability import Rating, RatingFollowup
from hall_server.models.cases import Case, Matter
from hall_server.models.fees import PaymentNotice, Receipt, ReceiptSeries
from hall_server.services import supervision as svc

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 24)  # Tuesday
NOW = datetime.combine(TODAY, time(14, 0), TZ).astimezone(timezone.utc)


def at(d: date, hh: int) -> datetime:
    return datetime.combine(d, time(hh), TZ).astimezone(timezone.utc)


def _case(s, no: str, *, due: date, accepted: date, concluded: datetime | None = None,  # type: ignore[no-untyped-def]
          suspended: bool = False) -> None:
    m = s.scalars(select(Matter)).first()
    s.execute(insert(Case), [{
        "case_no": no, "query_code": "123456", "matter_id": m.id, "matter_code": m.code, "matter_name": m.name,
        "department_id": m.department_id, "kind": "promised", "state": "concluded" if concluded else "accepted",
        "business_day": accepted, "applicant_kind": "person", "applicant_name": "张*",
        "applicant_id_number": "110101********1234", "applicant_phone": "138****0000",
        "received_at": at(accepted, 10), "accepted_at": at(accepted, 10), "due_date": due,
        "concluded_at": concluded, "suspended_since": at(TODAY, 9) if suspended else None,
        "updated_at": at(accepted, 10), "staff_no": "1001"}])


def test_case_cards_from_the_cases_table(db_url, settings):
    db = Database(db_url)
    try:
        with db.write() as s:
            _case(s, "T-YELLOW", due=date(2026, 11, 26), accepted=date(2026, 11, 2))
            _case(s, "T-RED", due=date(2026, 11, 20), accepted=date(2026, 11, 2))
            _case(s, "T-LATE", due=date(2026, 11, 20), accepted=date(2026, 11, 2), concluded=at(date(2026, 11, 23), 10))
            _case(s, "T-SUSPENDED", due=date(2026, 11, 20), accepted=date(2026, 11, 2), suspended=True)
            _case(s, "T-FAR", due=date(2026, 12, 20), accepted=date(2026, 11, 20))
        with db.read() as s:
            out = svc.list_cards(s, settings=settings, start=date(2026, 11, 23), end=TODAY, now=NOW,
                                 rule=dc.Rule.CASE_DEADLINE)
            got = {(k.case_no, k.level.value) for k in out.cards}
            assert got == {("T-YELLOW", "yellow"), ("T-RED", "red"), ("T-LATE", "red")}
            # a sign-off finds the same card again by its key
            key = next(k.key for k in out.cards if k.case_no == "T-RED")
            assert svc.find_card(s, settings=settings, key=key, now=NOW).case_no == "T-RED"
    finally:
        db.dispose()


def test_bad_rating_followup_cards_from_the_followups_table(db_url, settings):
    db = Database(db_url)
    try:
        with db.write() as s:
            staff_id = s.scalar(select(Staff.id).where(Staff.staff_no == "1002"))
            ids = []
            for i, (due, closed) in enumerate([(NOW - timedelta(hours=1), None), (NOW + timedelta(hours=2), None),
                                               (NOW + timedelta(days=3), None)]):
                r = s.execute(insert(Rating).returning(Rating.id), [{
                    "service_key": f"t:{i}", "level": "dissatisfied", "score": 2, "bad": True, "channel": "evaluator",
                    "rated_at": NOW - timedelta(days=1), "window_no": 2, "staff_id": staff_id}]).scalar_one()
                s.execute(insert(RatingFollowup), [{
                    "rating_id": r, "state": "callback", "opened_at": NOW - timedelta(days=1), "callback_due_at": due,
                    "rectify_due_at": due + timedelta(days=10), "due_at": due, "closed_at": closed}])
                ids.append(r)
        with db.read() as s:
            out = svc.list_cards(s, settings=settings, start=TODAY, end=TODAY, now=NOW,
                                 rule=dc.Rule.BAD_RATING_FOLLOWUP)
            assert sorted(k.level.value for k in out.cards) == ["red", "yellow"]
            assert {k.staff_no for k in out.cards} == {"1002"} and all("不满意" in k.title for k in out.cards)
    finally:
        db.dispose()


def test_void_rate_card_from_receipts(db_url, settings):
    db = Database(db_url)
    try:
        with db.write() as s:
            _case(s, "T-FEE", due=date(2026, 12, 20), accepted=TODAY)
            case_id = s.scalar(select(Case.id).where(Case.case_no == "T-FEE"))
            cashier = s.scalar(select(Staff).where(Staff.staff_no == "2001"))
            series = s.scalars(select(ReceiptSeries)).first()
            notice = s.execute(insert(PaymentNotice).returning(PaymentNotice.id), [{
                "notice_no": "JF-T", "case_id": case_id, "case_no": "T-FEE", "department_id": 1, "raised_by": "1001",
                "raised_at": NOW, "state": "paid", "total_fen": 100}]).scalar_one()
            s.execute(insert(Receipt), [{
                "receipt_no": f"T{i:05d}", "series_id": series.id, "seq": 90000 + i, "kind": "payment",
                "notice_id": notice, "case_no": "T-FEE", "amount_fen": 100, "method": "cash",
                "cashier_id": cashier.id, "cashier_no": "2001", "window_no": 12, "issued_at": NOW,
                "business_day": TODAY, "void": i < 3} for i in range(30)])
        with db.read() as s:
            out = svc.list_cards(s, settings=settings, start=TODAY, end=TODAY, now=NOW, rule=dc.Rule.VOID_RATE)
            assert [(k.subject, k.level.value, k.facts["flagged"]) for k in out.cards] == [("2001", "red", 3)]
    finally:
        db.dispose()


def test_a_hall_override_file_changes_the_thresholds(db_url, settings, tmp_path, client, kiosk, login, clock):
    override = tmp_path / "city.toml"
    override.write_text('city = "示范市"\n[long_wait]\nyellow_minutes = 5\nred_minutes = 10\n', encoding="utf-8")
    client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk)
    clock.advance(minutes=7)
    clerk = login("1001", window_no=1)
    assert client.post("/api/v1/windows/1/call-next", headers=clerk).status_code == 200
    db = Database(db_url)
    try:
        with db.read() as s:
            plain = svc.list_cards(s, settings=settings, start=TODAY, end=TODAY, now=clock(), rule=dc.Rule.LONG_WAIT)
            city = svc.list_cards(s, settings=settings.model_copy(update={"cards_config": override}), start=TODAY,
                                  end=TODAY, now=clock(), rule=dc.Rule.LONG_WAIT)
    finally:
        db.dispose()
    assert plain.cards == [] and [k.level.value for k in city.cards] == ["yellow"] and city.city == "示范市"


def test_overdue_complaint_card_from_the_complaints_table(db_url, settings):
    from hall_server.models.accountability import Complaint
    db = Database(db_url)
    try:
        with db.write() as s:
            s.execute(insert(Complaint), [{
                "complaint_no": "TS-LATE", "channel": "kiosk", "registered_at": NOW - timedelta(days=6),
                "registered_by": "device:kiosk-1", "content": "等候太久", "state": "assigned", "window_no": 3,
                "due_at": NOW - timedelta(days=1)}])
        with db.read() as s:
            out = svc.list_cards(s, settings=settings, start=TODAY, end=TODAY, now=NOW,
                                 rule=dc.Rule.COMPLAINT_OVERDUE)
            assert [(k.subject, k.level.value, k.window_no) for k in out.cards] == [("TS-LATE", "red", 3)]
            assert svc.find_card(s, settings=settings, key=out.cards[0].key, now=NOW).subject == "TS-LATE"
    finally:
        db.dispose()
