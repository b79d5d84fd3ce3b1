"""The 身份证 reader: GA/T 467 frames and checksums, UCS-2 fields, GB 11643 check digits,
test cards from the simulator, and every fault as the right error within its timeout."""
from __future__ import annotations

import dataclasses
import threading
import time
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers import open_device
from printers.errors import (ChecksumError, DeviceRejected, DeviceTimeout, IdCardInvalid, IdCardReadFailed,
                             ProtocolError)
from printers.idcard import (FIND_CARD, READ_BASE, SELECT_CARD, SW3, IdCard, IdCardReader, IdFrameParser,
                             encode_base_info, encode_base_text, encode_command, encode_response, id_check_digit,
                             mask_id_number, parse_base_info, parse_base_text, valid_id_number)
from printers.simulators import TEST_CARDS, IdCardReaderSim, PtyPair, SerialSimHost, make_card


def h(s: str) -> bytes:
    return bytes.fromhex(s)


# ----------------------------------------------------------------------------- GB 11643

def test_check_digit_of_the_standard_example() -> None:
    # GB 11643-1999 appendix example: 11010519491231002X
    assert id_check_digit("11010519491231002") == "X"
    assert valid_id_number("11010519491231002X")
    assert valid_id_number("11010519491231002x")


@pytest.mark.parametrize("bad", [
    "110105194912310021",   # wrong check character
    "11010519491231002",    # 17 characters
    "1101051949123100211",  # 19 characters
    "11010519491331002X",   # month 13
    "11010519490230002X",   # 30 February
    "01010519491231002X",   # no region starts with 0
    "1101051949123100X2",   # X not at the end
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
])
def test_invalid_numbers_are_refused(bad: str) -> None:
    assert not valid_id_number(bad)


@settings(database=None, deadline=None, max_examples=300)
@given(st.integers(110000, 659999), st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.integers(0, 999),
       st.integers(1, 17), st.integers(1, 9))
def test_any_single_digit_error_is_caught_by_the_check_digit(region: int, born: date, serial: int, pos: int,
                                                             delta: int) -> None:
    body = f"{region}{born:%Y%m%d}{serial:03d}"
    number = body + id_check_digit(body)
    assert valid_id_number(number)
    i = pos - 1
    wrong = body[:i] + str((int(body[i]) + delta) % 10) + body[i + 1:] + number[17]
    assert not valid_id_number(wrong)


def test_masking_for_screens_and_logs() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert "11010519491231002X" not in repr(TEST_CARDS[0]) and TEST_CARDS[0].id_number not in repr(TEST_CARDS[0])


# ----------------------------------------------------------------------------- frames

def test_command_vectors_with_xor_checksums() -> None:
    assert encode_command(*FIND_CARD) == h("AA AA AA 96 69 00 03 20 01 22")
    assert encode_command(*SELECT_CARD) == h("AA AA AA 96 69 00 03 20 02 21")
    assert encode_command(*READ_BASE) == h("AA AA AA 96 69 00 03 30 01 32")
    assert encode_command(0x12, 0xFF) == h("AA AA AA 96 69 00 03 12 FF EE")


def test_response_vectors() -> None:
    assert encode_response(SW3.FIND_OK, b"\0" * 4) == h("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    assert encode_response(SW3.SUCCESS, b"\0" * 8) == h("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C")
    assert encode_response(SW3.FIND_FAILED) == h("AA AA AA 96 69 00 04 00 00 80 84")
    base = encode_response(SW3.SUCCESS, encode_base_info(TEST_CARDS[0]))
    assert base[:14] == h("AA AA AA 96 69 05 08 00 00 90 01 00 04 00") and len(base) == 7 + 0x0508


def test_parser_resyncs_after_garbage_and_drops_bad_checksums() -> None:
    good = encode_response(SW3.FIND_OK, b"\0" * 4)
    bad = bytearray(good)
    bad[-1] ^= 0xFF
    p = IdFrameParser()
    frames = p.feed(b"\x00\xaa\xaa" + bytes(bad) + b"\xaa\xaa\xaa\x96" + good[:3])
    assert frames == [] and p.checksum_errors == 1
    frames = p.feed(good[3:] + good)
    assert [f.body for f in frames] == [good[7:-1]] * 2


def test_a_truncated_frame_does_not_swallow_the_next_one() -> None:
    long_ = encode_response(SW3.SUCCESS, encode_base_info(TEST_CARDS[0]))
    good = encode_response(SW3.FIND_OK, b"\0" * 4)
    assert [f.body for f in IdFrameParser().feed(long_[:100] + good)] == [good[7:-1]]


# ----------------------------------------------------------------------------- text fields

def test_text_block_layout_is_ucs2_in_fixed_fields() -> None:
    card = TEST_CARDS[0]
    text = encode_base_text(card)
    assert len(text) == 256
    assert text[:4] == "张三".encode("utf-16-le") and text[4:6] == b" \x00"
    assert text[30:32] == "1".encode("utf-16-le")              # sex at byte 30
    assert text[32:36] == "01".encode("utf-16-le")             # nation at 32
    assert text[36:52] == "19900307".encode("utf-16-le")       # birth at 36
    assert text[122:158] == card.id_number.encode("utf-16-le")  # number at 122
    f = parse_base_text(text)
    assert f["name"] == "张三" and f["authority"] == "北京市公安局东城分局" and f["valid_until"] == "20350601"


def test_parse_base_info_round_trips_every_test_card() -> None:
    for card in TEST_CARDS:
        assert parse_base_info(encode_base_info(card)) == card


def test_the_test_cards() -> None:
    zhang, li, wang, chen = TEST_CARDS
    assert (zhang.name, zhang.sex, zhang.nation, zhang.birth_date) == ("张三", "男", "汉", date(1990, 3, 7))
    assert (li.sex, li.nation) == ("女", "回")
    assert wang.name == "王䶮" and wang.valid_until is None  # 长期
    assert chen.card_type == "J" and chen.nation == ""  # 港澳台居民居住证
    assert all(valid_id_number(c.id_number) for c in TEST_CARDS)
    assert zhang.is_valid_on(date(2026, 11, 24)) and not chen.is_valid_on(date(2026, 11, 24))
    assert all(len(c.photo) == 1024 for c in TEST_CARDS)


def test_a_wrong_check_digit_on_the_card_is_refused() -> None:
    bad = dataclasses.replace(TEST_CARDS[0], id_number=TEST_CARDS[0].id_number[:17] + "9")
    with pytest.raises(IdCardInvalid):
        parse_base_info(encode_base_info(bad))


def test_birth_date_must_match_the_number() -> None:
    bad = dataclasses.replace(TEST_CARDS[0], birth_date=date(1990, 3, 8))
    with pytest.raises(IdCardInvalid):
        parse_base_info(encode_base_info(bad))


def test_foreigners_card_is_politely_refused() -> None:
    card = make_card(name="SMITH JOHN", sex_code="1", nation_code="", birth=date(1980, 1, 1), address="",
                     id17="11010519800101001", authority="", valid_from=date(2020, 1, 1),
                     valid_until=date(2030, 1, 1), card_type="I")
    with pytest.raises(IdCardReadFailed) as e:
        parse_base_info(encode_base_info(card))
    assert "外国人永久居留" in str(e.value)


def test_short_or_inconsistent_data_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        parse_base_info(b"\x01\x00")
    with pytest.raises(ProtocolError):
        parse_base_info(b"\x01\x00\x04\x00" + b"\0" * 10)


# ----------------------------------------------------------------------------- driver + simulator

@pytest.fixture
def reader() -> Any:
    r = open_device("sim:idcard?timeout=0.2&poll=0.05")
    yield r
    r.close()


def test_read_card_returns_the_card_on_the_reader(reader: Any) -> None:
    sim: IdCardReaderSim = reader.simulator
    sim.place(1)
    card = reader.read_card(timeout=1.0)
    assert card == TEST_CARDS[1]
    assert reader.sam_id() == "05.01-20120318-0001234567-0987654321"
    assert reader.sam_ok()


def test_a_card_is_read_once_until_it_is_put_back(reader: Any) -> None:
    sim: IdCardReaderSim = reader.simulator
    sim.place(0)
    assert reader.read_card(1.0) is not None
    t0 = time.monotonic()
    assert reader.read_card(0.2) is None
    assert time.monotonic() - t0 < 0.6
    sim.remove()
    sim.place(0)
    assert reader.read_card(1.0) == TEST_CARDS[0]
    assert sim.reads == 2


def test_read_card_waits_for_a_card_put_on_later(reader: Any) -> None:
    sim: IdCardReaderSim = reader.simulator
    timer = threading.Timer(0.15, lambda: sim.place(2))
    timer.start()
    card = reader.read_card(2.0)
    timer.join()
    assert card is not None and card.name == "王䶮"


def test_cancel_ends_a_wait(reader: Any) -> None:
    threading.Timer(0.1, reader.cancel).start()
    t0 = time.monotonic()
    assert reader.read_card(10.0) is None
    assert time.monotonic() - t0 < 1.0


def test_a_silent_reader_is_a_timeout_with_a_plain_message(reader: Any) -> None:
    reader.simulator.set(silent=True)
    t0 = time.monotonic()
    with pytest.raises(DeviceTimeout) as e:
        reader.read_card(1.0)
    assert time.monotonic() - t0 < 0.8
    assert "身份证阅读器无应答" in str(e.value)
    reader.simulator.set(silent=False)
    reader.simulator.place(0)
    assert reader.read_card(1.0) is not None  # usable again


def test_corrupt_truncated_and_noisy_answers(reader: Any) -> None:
    sim: IdCardReaderSim = reader.simulator
    sim.place(0)
    sim.set(corrupt_next=1)
    with pytest.raises(ChecksumError):
        reader.read_card(1.0)
    sim.set(truncate_next=1)
    t0 = time.monotonic()
    with pytest.raises(ProtocolError):
        reader.read_card(1.0)
    assert time.monotonic() - t0 < 0.8
    sim.set(garbage_next=3)
    assert reader.read_card(1.0) == TEST_CARDS[0]  # noise before each answer is skipped


def test_read_failure_and_sam_fault_are_known_errors(reader: Any) -> None:
    sim: IdCardReaderSim = reader.simulator
    sim.place(0)
    sim.set(read_fail_next=1)
    with pytest.raises(IdCardReadFailed) as e:
        reader.read_card(1.0)
    assert "平放" in str(e.value)
    sim.set(sam_fault=True)
    with pytest.raises(DeviceRejected) as e2:
        reader.read_card(1.0)
    assert "安全模块" in str(e2.value)


def test_a_card_with_a_bad_number_is_refused_by_the_driver(reader: Any) -> None:
    bad = make_card(name="赵六", sex_code="1", nation_code="01", birth=date(1970, 1, 1), address="某地",
                    id17="11010119700101001", authority="某局", valid_from=date(2010, 1, 1), valid_until=None,
                    check="0" if id_check_digit("11010119700101001") != "0" else "1")
    reader.simulator.place(bad)
    with pytest.raises(IdCardInvalid):
        reader.read_card(1.0)


def test_reader_over_a_socat_pty_pair_at_115200(pty_pair: PtyPair) -> None:
    sim = IdCardReaderSim()
    sim.place(3)
    with SerialSimHost(sim, pty_pair.b, baudrate=115200):
        r = open_device(f"idcard+serial://{pty_pair.a}")
        try:
            assert isinstance(r, IdCardReader)
            card = r.read_card(2.0)
            assert isinstance(card, IdCard) and card.card_type == "J" and card.masked_id.startswith("810000")
        finally:
            r.close()
