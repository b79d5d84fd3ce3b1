"""The ESC/POS encoder: our own GB18030 encoding, GS ! sizes, native QR, visible replacements."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.decode import decode
from printers.errors import DeviceConfigError
from printers.escpos import (Align, PrinterProfile, SlipWriter, encode_text, image_qr_bytes, lines_to_slip,
                             native_qr_bytes, pad_between, qr_matrix, text_columns, wrap)


def test_profile_widths_give_576_and_384_dots() -> None:
    assert PrinterProfile(width_mm=80).dots_per_line == 576
    assert PrinterProfile(width_mm=80).columns == 48
    assert PrinterProfile(width_mm=58).dots_per_line == 384
    assert PrinterProfile(width_mm=58).columns == 32
    assert PrinterProfile(width_mm=80, dots=512).columns == 42


@pytest.mark.parametrize("kw", [dict(encoding="utf-8"), dict(width_mm=76), dict(qr="svg"), dict(qr_ec="Z"),
                                dict(cut="half"), dict(qr_module=17), dict(dots=20)])
def test_bad_profiles_are_config_errors(kw: dict[str, object]) -> None:
    with pytest.raises(DeviceConfigError):
        PrinterProfile(**kw)  # type: ignore[arg-type]


def test_encoding_names_are_normalised() -> None:
    assert PrinterProfile(encoding="GB-18030").encoding == "gb18030"


def test_chinese_is_gb18030_bytes() -> None:
    data, replaced = encode_text("政务大厅A1", "gb18030")
    assert data == "政务大厅A1".encode("gb18030") == b"\xd5\xfe\xce\xf1\xb4\xf3\xcc\xfcA1"
    assert replaced == []


def test_yen_sign_becomes_the_fullwidth_sign_printers_have() -> None:
    # U+00A5 is a 4-byte code in GB18030 that no printer font holds; ￥ is A3 A4
    assert encode_text("¥1", "gb18030") == (b"\xa3\xa41", [])
    assert encode_text("¥1", "gbk")[0] == b"\xa3\xa41"


def test_a_character_the_encoding_cannot_hold_is_replaced_visibly_and_reported() -> None:
    data, replaced = encode_text("王䶮", "gbk")
    assert data == "王□".encode("gbk")
    assert [(r.char, r.replaced_by, r.codepoint) for r in replaced] == [("䶮", "□", "U+4DAE")]


def test_gb18030_keeps_rare_name_characters_but_not_emoji() -> None:
    data, replaced = encode_text("王䶮𠈌😀", "gb18030")
    assert data == "王䶮𠈌".encode("gb18030") + "□".encode("gb18030")
    assert [r.char for r in replaced] == ["😀"]


def test_control_characters_in_data_cannot_inject_printer_commands() -> None:
    data, replaced = encode_text("张\x1bi三\x1dV", "gb18030")
    assert b"\x1b" not in data and b"\x1d" not in data
    assert data == "张?i三?V".encode("gb18030")
    assert [r.char for r in replaced] == ["\x1b", "\x1d"]


def test_big5_printer_gets_big5_and_simplified_only_characters_are_reported() -> None:
    data, replaced = encode_text("臺北服務", "big5")
    assert data == "臺北服務".encode("big5") and replaced == []
    data, replaced = encode_text("服务", "big5")
    assert [r.char for r in replaced] == ["务"]


def test_writer_reports_replacements_in_the_encoded_slip() -> None:
    w = SlipWriter(PrinterProfile(encoding="gbk")).init()
    w.line("申请人：王䶮")
    slip = w.build()
    assert slip.replaced_chars == "䶮"
    assert decode(slip.data, encoding="gbk").texts == ["申请人：王□"]


def test_columns_count_chinese_double() -> None:
    assert text_columns("A001") == 4
    assert text_columns("综合受理") == 8
    assert text_columns("￥12.00") == 7


def test_wrap_keeps_ascii_words_whole_and_no_line_starts_with_a_comma() -> None:
    lines = wrap("请携带营业执照副本原件，编号BJ20261124-0007的材料", 20)
    assert all(text_columns(ln) <= 20 for ln in lines)
    assert not any(ln.startswith("，") for ln in lines)
    assert any("BJ20261124-0007" in ln for ln in lines)


@settings(database=None, deadline=None, max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("政务服务中心一二三，。ABC xyz0123-/")), max_size=120),
       st.integers(4, 48))
def test_wrap_never_exceeds_the_width_and_loses_no_character(text: str, cols: int) -> None:
    lines = wrap(text, cols)
    assert all(text_columns(ln) <= cols for ln in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_pad_between_right_aligns_amounts() -> None:
    assert pad_between("合计", "￥120.00", 20) == "合计" + " " * 8 + "￥120.00"
    long = pad_between("非常非常长的收费项目名称一二三四五六七八", "￥1.00", 24)
    assert all(text_columns(x) <= 24 for x in long.split("\n"))
    assert long.endswith("￥1.00")


def test_sizes_use_gs_exclamation_which_enlarges_chinese() -> None:
    w = SlipWriter(PrinterProfile()).init()
    w.line("A001", size=(4, 4), align=Align.CENTER)
    data = w.build().data
    assert b"\x1d!\x33A001\n" in data
    assert b"\x1b!" not in data  # ESC ! does not enlarge Chinese


def test_init_sends_chinese_mode_only_when_the_printer_needs_it() -> None:
    assert SlipWriter(PrinterProfile(chinese_mode=True)).init().build().data == b"\x1b@\x1c&"
    assert SlipWriter(PrinterProfile(chinese_mode=False)).init().build().data == b"\x1b@"


def test_writer_emits_a_setting_only_when_it_changes() -> None:
    w = SlipWriter(PrinterProfile()).init()
    w.line("一", align=Align.CENTER).line("二", align=Align.CENTER).line("三")
    assert w.build().data == (b"\x1b@\x1c&" + b"\x1ba\x01" + "一\n二\n".encode("gb18030") + b"\x1ba\x00"
                              + "三\n".encode("gb18030"))


def test_native_qr_is_the_gs_paren_k_sequence() -> None:
    payload = "https://zwfw.example.gov.cn/q/A001"
    n = len(payload) + 3
    assert native_qr_bytes(payload, module=6, ec="M") == (
        b"\x1d(k\x04\x001A2\x00"           # model 2
        b"\x1d(k\x03\x001C\x06"            # module 6 dots
        b"\x1d(k\x03\x001E1"               # error correction M
        + b"\x1d(k" + bytes([n, 0]) + b"1P0" + payload.encode()  # store
        + b"\x1d(k\x03\x001Q0")            # print


def test_image_qr_is_a_raster_of_the_same_matrix() -> None:
    payload = "https://zwfw.example.gov.cn/q/A001"
    data = image_qr_bytes(payload, module=4, ec="M", max_dots=576)
    img = decode(data).images[0]
    m = qr_matrix(payload, ec="M")
    assert img.height == len(m) * 4
    assert all(img.dot(x * 4 + 1, y * 4 + 2) == m[y][x] for y in range(len(m)) for x in range(len(m)))
    assert len(data) > 10 * len(native_qr_bytes(payload, module=4))  # why native is the default


def test_image_qr_shrinks_modules_to_fit_a_58mm_head() -> None:
    payload = "https://zwfw.example.gov.cn/" + "x" * 120
    img = decode(image_qr_bytes(payload, module=8, max_dots=384)).images[0]
    assert img.width <= 384


def test_barcode_is_code128_with_hri() -> None:
    w = SlipWriter(PrinterProfile()).init()
    w.barcode("SF2026112400012")
    assert b"\x1dk\x49\x11{BSF2026112400012" in w.build().data
    with pytest.raises(ValueError):
        w.barcode("收据")


def test_lines_to_slip_ends_with_feed_and_cut() -> None:
    data = lines_to_slip(["测试页"], PrinterProfile(cut="partial", feed_before_cut=3)).data
    assert data.endswith(b"\x1bd\x03\x1dV\x01")
    assert lines_to_slip(["x"], PrinterProfile(cut="none", feed_before_cut=0)).data.endswith(b"x\n")
