"""Fee standards, notice and receipt rules, day-close arithmetic: pure, no database."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_server.domain import fees as d
from hall_server.domain.errors import BadInput, Conflict

FIXED = d.standard_from({"kind": "fixed", "price_fen": 8000})
PER_UNIT = d.standard_from({"kind": "per_unit", "price_fen": 136, "whole_units": False})
TIERED = d.standard_from({"kind": "tiered", "whole_units": False, "min_fen": 5000, "max_fen": 500000,
                          "tiers": [{"upto_centi": 20000, "price_fen": 136}, {"upto_centi": 100000, "price_fen": 100},
                                    {"upto_centi": None, "price_fen": 80}]})


def test_fixed_fee_is_per_piece_and_needs_whole_pieces():
    assert d.line_amount(FIXED, 100) == 8000
    assert d.line_amount(FIXED, 300) == 24000
    with pytest.raises(BadInput) as e:
        d.line_amount(FIXED, 150)
    assert e.value.code == "bad_quantity"


@pytest.mark.parametrize("qty", [0, -100])
def test_zero_or_negative_quantity_is_refused(qty):
    with pytest.raises(BadInput) as e:
        d.line_amount(PER_UNIT, qty)
    assert "大于 0" in e.value.message


def test_per_unit_rounds_half_up_once_per_line():
    # 1.36 元/m² × 120.55 m² = 163.948 元 -> 163.95
    assert d.line_amount(PER_UNIT, 12055) == 16395
    # exactly half a 分: 1.36 × 0.125 would need three decimals; 0.05 × 1.36 = 0.068 -> 0.07
    assert d.line_amount(PER_UNIT, 5) == 7
    half = d.standard_from({"kind": "per_unit", "price_fen": 1, "whole_units": False})
    assert d.line_amount(half, 50) == 1  # 0.5 分 -> 1 分 (half up, not to even)
    assert d.line_amount(half, 150) == 2  # 1.5 分 -> 2 分
    assert d.line_amount(half, 250) == 3  # 2.5 分 -> 3 分 (banker's would give 2)


def test_tiered_area_fee_charges_each_slice_at_its_price_with_floor_and_cap():
    assert d.line_amount(TIERED, 1000) == 5000  # 10 m² = 13.60 元, floor 50 元
    assert d.line_amount(TIERED, 20000) == 27200  # 200 m² × 1.36
    assert d.line_amount(TIERED, 30050) == 27200 + 10050  # + 100.5 m² × 1.00
    assert d.line_amount(TIERED, 150000) == 27200 + 80000 + 40000  # + 500 m² × 0.80
    assert d.line_amount(TIERED, 100_000_000) == 500000  # cap


@given(st.integers(min_value=1, max_value=10**8), st.integers(min_value=1, max_value=10**8))
def test_tiered_fee_never_falls_as_the_area_grows(a, b):
    lo, hi = sorted((a, b))
    assert d.line_amount(TIERED, lo) <= d.line_amount(TIERED, hi)


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=1, max_value=10**6))
def test_line_amount_is_the_exact_product_rounded_half_up(qty, price):
    std = d.standard_from({"kind": "per_unit", "price_fen": price, "whole_units": False})
    exact = Fraction(qty * price, 100)
    got = d.line_amount(std, qty)
    assert abs(got - exact) <= Fraction(1, 2)
    assert got == int(exact + Fraction(1, 2))


@pytest.mark.parametrize("bad", [
    {"kind": "formula", "expr": "__import__('os')"},
    {"kind": "per_unit", "price_fen": 0},
    {"kind": "fixed", "price_fen": 1.5},
    {"kind": "tiered", "tiers": []},
    {"kind": "tiered", "tiers": [{"upto_centi": 200, "price_fen": 1}, {"upto_centi": 100, "price_fen": 1}]},
    {"kind": "tiered", "tiers": [{"upto_centi": None, "price_fen": 1}, {"upto_centi": 100, "price_fen": 1}]},
    {"kind": "fixed", "price_fen": 100, "min_fen": 200, "max_fen": 100},
])
def test_a_bad_standard_is_refused_with_a_reason(bad):
    with pytest.raises(BadInput) as e:
        d.standard_from(bad)
    assert e.value.code == "bad_standard"


def test_standard_round_trips_through_its_stored_form():
    for std in (FIXED, PER_UNIT, TIERED):
        assert d.standard_from(std.to_json()) == std


def test_quantities_parse_exactly_or_not_at_all():
    assert d.parse_qty("120.55") == 12055 and d.parse_qty("3") == 300 and d.parse_qty("0.5") == 50
    for bad in ("1.234", "-1", "1e3", "", "１"):
        with pytest.raises(BadInput):
            d.parse_qty(bad)
    assert d.format_qty(12055) == "120.55" and d.format_qty(300) == "3" and d.format_qty(50) == "0.5"


def test_describe_reads_like_the_published_standard():
    assert d.describe(FIXED, "件") == "¥80.00/件"
    assert d.describe(TIERED, "m²").startswith("0–200m² ¥1.36；200–1000m² ¥1.00；1000以上m² ¥0.80")


def test_a_notice_is_paid_once_and_a_cancelled_one_never():
    s = d.notice_step(d.NoticeState.UNPAID, d.NoticeAction.PAY)
    assert s is d.NoticeState.PAID
    with pytest.raises(Conflict) as e:
        d.notice_step(s, d.NoticeAction.PAY)
    assert e.value.code == "already_paid"
    with pytest.raises(Conflict) as e:
        d.notice_step(d.NoticeState.CANCELLED, d.NoticeAction.PAY)
    assert e.value.code == "notice_cancelled"
    assert d.notice_step(s, d.NoticeAction.VOID_RECEIPT) is d.NoticeState.UNPAID
    assert d.notice_allowed(d.NoticeState.CANCELLED) == frozenset()


def test_qr_text_carries_number_and_amount():
    text = d.notice_qr_text("JF202611240001", 12345)
    assert d.parse_lookup(text) == ("JF202611240001", 12345)
    assert d.parse_lookup(" jf202611240001 ") == ("JF202611240001", None)
    with pytest.raises(BadInput):
        d.parse_lookup("HALLFEE:JF1:abc")


def test_cash_gives_change_and_other_methods_need_a_reference():
    t = d.tender(d.PayMethod.CASH, due_fen=12000, tendered_fen=20000, reference="")
    assert t.change_fen == 8000
    with pytest.raises(BadInput) as e:
        d.tender(d.PayMethod.CASH, due_fen=12000, tendered_fen=10000, reference="")
    assert e.value.code == "tendered_short"
    with pytest.raises(BadInput) as e:
        d.tender(d.PayMethod.CARD, due_fen=12000, tendered_fen=None, reference=" ")
    assert "刷卡凭证号" in e.value.message
    assert d.tender(d.PayMethod.QR, due_fen=1, tendered_fen=None, reference="WX123").change_fen == 0


def test_void_only_same_day_before_close_and_once():
    day = date(2026, 11, 24)
    d.check_void(receipt_day=day, today=day, day_closed=False, already_void=False, is_refund=False)
    for kw, code in [({"day_closed": True}, "day_closed"), ({"today": date(2026, 11, 25)}, "not_same_day"),
                     ({"already_void": True}, "already_void"), ({"is_refund": True}, "refund_not_voidable")]:
        args = dict(receipt_day=day, today=day, day_closed=False, already_void=False, is_refund=False) | kw
        with pytest.raises(Conflict) as e:
            d.check_void(**args)
        assert e.value.code == code


def test_refund_never_exceeds_what_is_left_and_waits_for_close():
    ok = dict(voidable=False, already_void=False, is_refund=False, paid_fen=10000, refunded_fen=3000)
    d.check_refund(**ok, amount_fen=7000)
    with pytest.raises(BadInput) as e:
        d.check_refund(**ok, amount_fen=7001)
    assert e.value.code == "refund_exceeds_paid" and "¥70.00" in e.value.message
    with pytest.raises(Conflict) as e2:
        d.check_refund(**(ok | {"voidable": True}), amount_fen=1)
    assert e2.value.code == "use_void"


def test_day_summary_counts_voided_numbers_but_not_their_money():
    rows = [
        d.ReceiptRow("SF01", 1, "receipt", 8000, d.PayMethod.CASH, False, (("BDC", "BDC-01", "行政事业性收费", 8000),)),
        d.ReceiptRow("SF02", 2, "receipt", 55000, d.PayMethod.CARD, True, (("BDC", "BDC-01", "行政事业性收费", 55000),)),
        d.ReceiptRow("SF03", 3, "receipt", 1000, d.PayMethod.QR, False, (("BDC", "BDC-01", "行政事业性收费", 1000),)),
        d.ReceiptRow("SF05", 5, "receipt", 500, d.PayMethod.CASH, False, (("ZJJ", "ZJJ-01", "行政事业性收费", 500),)),
        d.ReceiptRow("TF01", 1, "refund", -2000, d.PayMethod.CASH, False, (("BDC", "BDC-01", "行政事业性收费", -2000),)),
    ]
    s = d.summarize(rows)
    assert s.count == 5 and s.void_count == 1 and s.voids == ["SF02"] and s.refunds == ["TF01"]
    assert s.total_fen == 8000 + 1000 + 500 - 2000
    assert s.by_method == {"cash": 6500, "card": 0, "transfer": 0, "qr": 1000}
    assert s.expected_cash_fen == 6500
    assert s.numbers == {"receipt": [["SF01", "SF03"], ["SF05", "SF05"]], "refund": [["TF01", "TF01"]]}
    assert {(a["account"], a["fen"]) for a in s.by_account} == {("BDC-01", 7000), ("ZJJ-01", 500)}
