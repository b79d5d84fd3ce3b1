"""One home for how money, masked identities, staff and local times are shown."""
from __future__ import annotations

from datetime import date, datetime, timezone

from hall_server.contract import show
from printers import idcard, slips


def test_money_is_yuan_with_two_decimals_from_integer_fen() -> None:
    assert show.yuan(81395) == "¥813.95"
    assert show.yuan(5) == "¥0.05"
    assert show.yuan(-500) == "-¥5.00"
    assert show.yuan(123456789) == "¥1,234,567.89"


def test_the_printers_copy_of_yuan_agrees_with_the_one_home() -> None:
    for fen in (0, 1, 99, 100, 12000, 81395, 99999, 123456, 123456789, -500, -123456):
        assert slips.yuan(fen) == show.yuan(fen)


def test_id_numbers_of_18_and_15_characters_keep_region_and_never_the_birth_date() -> None:
    assert show.mask_id("11010519491231002X") == "110105********002X"
    assert show.mask_id("110105491231002") == "110105******002"  # old card: birth YYMMDD hidden whole
    assert show.mask_id("12345") == "1****"  # not an identity number: almost all hidden


def test_the_printers_copy_of_id_masking_agrees_with_the_one_home() -> None:
    for n in ("11010519491231002X", "110105491231002", "12345678901", "1234567890", "12345", ""):
        assert idcard.mask_id_number(n) == show.mask_id(n), n


def test_names_of_two_three_and_four_characters_keep_the_surname() -> None:
    assert show.mask_name("张三") == "张*"
    assert show.mask_name("王建国") == "王**"
    assert show.mask_name("欧阳娜娜") == "欧***"
    assert show.mask_name("") == ""


def test_phone_keeps_first_three_and_last_four() -> None:
    assert show.mask_phone("13800138000") == "138****8000"


def test_staff_reads_name_and_staff_number() -> None:
    assert show.staff("王建国", "1001") == "王建国（1001）"
    assert show.staff(None, "1001") == "工号 1001"


def test_local_time_is_the_halls_zone_across_utc_midnight() -> None:
    late_utc = datetime(2026, 11, 24, 16, 30, 5, tzinfo=timezone.utc)  # 00:30 next day in Shanghai
    assert show.local_time(late_utc) == "2026-11-25 00:30:05"
    assert show.local_day(late_utc) == date(2026, 11, 25)
    assert show.local_date(late_utc) == "2026-11-25"
    assert show.local_time("2026-11-24T16:30:05+00:00") == "2026-11-25 00:30:05"
    assert show.local_time(late_utc, "Europe/Berlin") == "2026-11-24 17:30:05"
    assert show.local_minute(late_utc) == "2026-11-25 00:30"
    assert show.local_time(datetime(2026, 11, 24, 16, 30, 5)) == "2026-11-25 00:30:05"  # naive means UTC
    assert show.local_time(None) == ""


def test_durations_read_in_chinese_units() -> None:
    assert show.duration(215) == "3 分 35 秒"
    assert show.duration(600) == "10 分钟"
    assert show.duration(4000) == "1 小时 6 分"
    assert show.duration(5) == "5 秒"


def test_the_printers_copy_of_daxie_agrees_with_the_one_home() -> None:
    import random
    rnd = random.Random(11)
    for fen in [0, 1, 5, 10, 100, 105, 1000, 1010, 100000, 10000000, 120050, 32504, 168032] + \
            [rnd.randrange(0, 10**10) for _ in range(2000)]:
        assert slips.daxie(fen) == show.daxie(fen), fen
