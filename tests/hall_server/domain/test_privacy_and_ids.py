"""Masking of personal data and the check digits of Chinese identifiers."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hall_server.domain import idcheck, privacy


def test_id_numbers_keep_region_and_last_four():
    assert privacy.mask_id("11010519491231002X") == "110105********002X"


def test_phones_and_names_are_masked():
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_name("张三") == "张*"
    assert privacy.mask_name("欧阳娜娜") == "欧***"


def test_mask_data_finds_personal_keys_at_any_depth():
    data = {"ticket": "A001", "citizen_id_number": "11010519491231002X",
            "applicant": [{"phone": "13812345678", "applicant_name": "李四"}]}
    out = privacy.mask_data(data, names=True)
    assert out["ticket"] == "A001" and out["citizen_id_number"] == "110105********002X"
    assert out["applicant"][0] == {"phone": "138****5678", "applicant_name": "李*"}
    assert privacy.mask_data(data)["applicant"][0]["applicant_name"] == "李四"  # names only when asked


@given(st.text(min_size=1, max_size=30))
def test_a_masked_id_keeps_its_length_and_never_shows_the_birth_date(value):
    masked = privacy.mask_id(value)
    assert len(masked) == len(value)
    if len(value) > 10:
        assert masked[6:-4] == "*" * (len(value) - 10)
    else:
        assert masked[1:] == "*" * (len(value) - 1)


def test_id_check_digit_per_gb11643():
    assert idcheck.valid_id_number("11010519491231002X")
    assert not idcheck.valid_id_number("110105194912310021")
    assert not idcheck.valid_id_number("11010519491331002X")  # month 13


def test_uscc_check_characters():
    assert idcheck.valid_uscc("91350100M000100Y43")
    assert not idcheck.valid_uscc("91350100M000100Y44")
