"""Money arithmetic and 大写: exact integers, the PBOC writing rules, properties over all amounts."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_server.domain.money import (
    MAX_FEN, MoneyError, daxie, parse_yuan, round_half_up, split_total, yuan,
)

DIGIT = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def read_daxie(text: str) -> int:
    """An independent reader of 大写 (the inverse the property checks against)."""
    neg = text.startswith("负")
    t = text.removeprefix("负").removesuffix("整")
    yuan_part, sep, rest = t.partition("元")
    if not sep:
        yuan_part, rest = "", t
    total = 0
    section = 0  # below 万
    big = 0  # below 亿
    digit = 0
    for ch in yuan_part:
        if ch in DIGIT:
            digit = DIGIT[ch]
        elif ch in SMALL:
            section += digit * SMALL[ch]
            digit = 0
        elif ch == "万":
            big += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total += (big + section + digit) * 100_000_000
            big = section = digit = 0
        else:
            raise AssertionError(ch)
    fen = (total + big + section + digit) * 100
    rest = rest.lstrip("零")
    if "角" in rest:
        j, _, rest = rest.partition("角")
        fen += DIGIT[j] * 10
    if "分" in rest:
        f, _, rest = rest.partition("分")
        fen += DIGIT[f]
    assert rest == "", text
    return -fen if neg else fen


@pytest.mark.parametrize("fen, text", [
    (12000, "壹佰贰拾元整"),
    (0, "零元整"),
    (1000, "壹拾元整"),
    (50, "伍角整"),
    (3, "叁分"),
    (168032, "壹仟陆佰捌拾元零叁角贰分"),
    (10700053, "壹拾万柒仟元零伍角叁分"),
    (140950, "壹仟肆佰零玖元伍角整"),
    (600714, "陆仟零柒元壹角肆分"),
    (32504, "叁佰贰拾伍元零肆分"),
    (10000000100, "壹亿零壹元整"),
    (1001000000, "壹仟零壹万元整"),
    (10050000, "壹拾万零伍佰元整"),
    (55000, "伍佰伍拾元整"),
    (-8000, "负捌拾元整"),
])
def test_daxie_follows_the_pboc_writing_rules(fen, text):
    assert daxie(fen) == text


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_daxie_reads_back_to_the_same_amount(fen):
    text = daxie(fen)
    assert read_daxie(text) == fen
    assert "零零" not in text and not text.rstrip("整").endswith("零")
    assert text.endswith("分") or text.endswith("整")


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_yuan_formats_and_parses_back_exactly(fen):
    s = yuan(fen)
    assert parse_yuan(s) == fen
    assert s.count(".") == 1 and len(s.split(".")[1]) == 2


@pytest.mark.parametrize("bad", ["1.234", "abc", "", "1.2.3", "１２"])
def test_parse_yuan_refuses_rather_than_rounds(bad):
    with pytest.raises(MoneyError):
        parse_yuan(bad)


def test_money_refuses_floats_and_absurd_amounts():
    with pytest.raises(MoneyError):
        yuan(1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        daxie(MAX_FEN + 1)


@given(st.fractions(min_value=-10**9, max_value=10**9))
def test_round_half_up_is_within_half_a_fen_and_rounds_halves_away_from_zero(x):
    r = round_half_up(x)
    assert abs(Fraction(r) - x) <= Fraction(1, 2)
    if (x - int(x)) in (Fraction(1, 2), Fraction(-1, 2)):
        assert abs(r) > abs(x)


@given(st.integers(min_value=0, max_value=10**12),
       st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8).filter(lambda p: sum(p) > 0))
def test_split_total_shares_add_up_exactly_and_stay_proportional(total, parts):
    shares = split_total(total, parts)
    assert sum(shares) == total
    for s, p in zip(shares, parts):
        assert abs(Fraction(s) - Fraction(total * p, sum(parts))) < 1
        if p == 0:
            assert s == 0


@given(st.integers(min_value=0, max_value=10**14 - 1))
def test_daxie_agrees_with_the_printer_slips_helper(fen):
    """The receipt printed on the thermal printer and the PDF/API must read the same."""
    from printers import slips
    assert slips.daxie(fen) == daxie(fen)
    assert slips.yuan(fen) == yuan(fen)  # one money format on paper and on screen
