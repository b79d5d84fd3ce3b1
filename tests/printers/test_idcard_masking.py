"""The 身份证 reader's masking hides every length a document number can have."""
from __future__ import annotations

import pytest

from printers.idcard import mask_id_number

CASES = {
    18: ("11010519491231002X", "110105********002X"),  # 居民身份证
    15: ("110105491231002", "110105******002"),  # first-generation 身份证
    11: ("H1234567801", "H**********"),  # 港澳居民来往内地通行证 with renewal digits
    10: ("1234567801", "1*********"),  # 台湾居民来往大陆通行证 with renewal digits
    9: ("E12345678", "E********"),  # passport; also 港澳 permit H/M + 8
    8: ("12345678", "1*******"),  # 台胞证
    6: ("123456", "1*****"),
    4: ("1234", "1***"),
}


@pytest.mark.parametrize("length", sorted(CASES))
def test_every_document_length_is_masked_at_least_half(length):
    number, want = CASES[length]
    assert len(number) == length
    got = mask_id_number(number)
    assert got == want and len(got) == length
    if length in (15, 18):  # the birth date (digits 7–12 / 7–14) never shows
        assert set(got[6:12]) == {"*"}
    else:
        assert got.count("*") >= length / 2


def test_the_server_masks_every_length_too():
    from hall_server.domain.privacy import mask_id
    for length, (number, _) in CASES.items():
        got = mask_id(number)
        assert len(got) == length and set(got[6:12] if length >= 15 else got[1:]) == {"*"}, (length, got)
        assert got == mask_id_number(number)  # one rule on the reader's side and the server's
