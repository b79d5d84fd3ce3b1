"""The decoder turns ESC/POS back into what the paper shows; strict mode catches encoder bugs."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.decode import Barcode, Cut, Feed, RasterImage, Tokenizer, decode
from printers.errors import ProtocolError, SlipDecodeError
from printers.escpos import Align, PrinterProfile, SlipWriter


def test_text_lines_with_size_alignment_and_bold() -> None:
    data = (b"\x1b@\x1c&\x1ba\x02\x1bE\x01" + "右对齐".encode("gb18030") + b"\n"
            + b"\x1ba\x00\x1bE\x00\x1d!\x01" + "高".encode("gb18030") + b"\x1d!\x10" + b"W\n")
    d = decode(data)
    first, second = d.lines
    assert (first.text, first.align, first.bold, first.size) == ("右对齐", Align.RIGHT, True, (1, 1))
    assert second.text == "高W"
    assert [(s.text, s.width, s.height) for s in second.segments] == [("高", 1, 2), ("W", 2, 1)]
    assert second.size == (2, 2)


def test_alignment_is_taken_at_the_start_of_a_line() -> None:
    d = decode(b"\x1ba\x01ab\x1ba\x02cd\n")
    assert d.lines[0].align == Align.CENTER and d.lines[0].text == "abcd"


def test_feeds_cuts_barcodes_and_status_requests() -> None:
    data = (b"x\n\x1bd\x03\x1dV\x01" + b"\x1dh\x40\x1dH\x02\x1dk\x49\x06{BAB12\x10\x04\x04" + b"\x1dkE\x03ABC"
            + b"\x1dk\x02" + b"4006381333931\x00" + b"\x1dV\x42\x05")
    d = decode(data)
    assert d.items[1] == Feed(lines=3)
    assert d.items[2] == Cut(partial=True)
    assert d.barcodes == (Barcode("CODE128", "AB12", 0x40, 3, True), Barcode("CODE39", "ABC", 0x40, 3, True),
                          Barcode("EAN13", "4006381333931", 0x40, 3, True))
    assert d.status_queries == (4,)
    assert d.cuts == 2 and isinstance(d.items[-1], Cut) and d.items[-1].partial


def test_esc_d_after_text_prints_the_line_then_feeds_the_rest() -> None:
    d = decode(b"abc\x1bd\x04")
    assert d.texts == ["abc"] and d.items[1] == Feed(lines=3)


def test_raster_image_dots() -> None:
    d = decode(b"\x1dv0\x00\x01\x00\x02\x00\x80\x01")
    img = d.images[0]
    assert (img.width, img.height) == (8, 2)
    assert img.dot(0, 0) and not img.dot(1, 0) and img.dot(7, 1)
    assert isinstance(d.items[0], RasterImage)


def test_unknown_command_is_an_error_in_strict_mode_and_skipped_otherwise() -> None:
    with pytest.raises(SlipDecodeError) as e:
        decode(b"ok\n\x1b\xff")
    assert isinstance(e.value, ProtocolError)
    d = decode(b"ok\n\x1b\xffrest\n", strict=False)
    assert d.texts == ["ok", "rest"] and any("unknown" in w for w in d.warnings)


def test_a_truncated_command_is_an_error() -> None:
    with pytest.raises(SlipDecodeError) as e:
        decode(b"ok\n\x1d(k\x10\x001P0abc")
    assert "truncated" in e.value.detail
    assert decode(b"ok\n\x1d(k\x10\x001P0abc", strict=False).texts == ["ok"]


def test_text_that_is_not_valid_gb18030_is_an_error_in_strict_mode() -> None:
    with pytest.raises(SlipDecodeError):
        decode(b"\x81\n")
    assert decode(b"\x81\n", strict=False).texts == ["\ufffd"]


def test_unterminated_last_line_is_kept_with_a_warning() -> None:
    d = decode(b"abc")
    assert d.texts == ["abc"] and d.warnings


def test_esc_at_discards_an_unprinted_line_like_a_printer_does() -> None:
    d = decode(b"lost\x1b@kept\n")
    assert d.texts == ["kept"] and "lost" in d.warnings[0]


def test_tokenizer_is_incremental_byte_by_byte() -> None:
    data = b"\x1b@\x1c&ab\n\x1d(k\x05\x001P0xy\x10\x04\x01\x1dV\x42\x00"
    whole = Tokenizer().feed(data)
    tk = Tokenizer()
    pieces = [t for i in range(len(data)) for t in tk.feed(data[i:i + 1])]
    merged: list[tuple[str, bytes]] = []
    for t in pieces:
        if merged and t.kind == "text" and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + t.raw)
        else:
            merged.append((t.kind, t.raw))
    assert merged == [(t.kind, t.raw) for t in whole]
    assert tk.pending == b""


def test_split_gives_one_slip_per_cut() -> None:
    d = decode(b"one\n\x1dV\x00two\n\x1dV\x00")
    assert [s.texts for s in d.split()] == [["one"], ["two"]]


LINES = st.lists(st.text(alphabet=st.sampled_from(list("政务服务中心取号请到窗口办理¥￥ABCxyz0123 -:，。")), max_size=30),
                 min_size=1, max_size=8)


@settings(database=None, deadline=None, max_examples=150)
@given(LINES, st.sampled_from([(1, 1), (2, 2), (1, 2), (4, 4)]), st.sampled_from(list(Align)), st.booleans())
def test_any_text_round_trips_through_writer_and_decoder(lines: list[str], size: tuple[int, int], align: Align,
                                                         bold: bool) -> None:
    p = PrinterProfile()
    w = SlipWriter(p).init()
    for ln in lines:
        w.line(ln, size=size, align=align, bold=bold)
    w.cut()
    d = decode(w.build().data)
    assert "".join(d.texts).replace(" ", "") == "".join(lines).replace(" ", "").replace("¥", "￥")
    assert all(ln.size == size for ln in d.lines if ln.segments)
    assert all(ln.align == align for ln in d.lines if ln.segments)
    assert d.cuts == 1
