"""Slip layouts: byte-exact goldens, round trips through the decoder, money in ¥ and 大写."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.decode import QrCode, decode
from printers.escpos import Align, PrinterProfile, native_qr_bytes, text_columns
from printers.slips import (DIGITS, MAX_FEN, ReceiptItem, ReceiptSlip, TicketSlip, acceptance, correction, daxie,
                            receipt, rejection, render, render_all, ticket, yuan)

P80 = PrinterProfile()
P58 = PrinterProfile(width_mm=58)


# ----------------------------------------------------------------------------- yuan / daxie

def test_yuan_shows_fen_as_yuan_with_two_decimals() -> None:
    assert yuan(12000) == "¥120.00"
    assert yuan(5) == "¥0.05"
    assert yuan(0) == "¥0.00"
    assert yuan(-500) == "-¥5.00"
    with pytest.raises(TypeError):
        yuan(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        yuan(True)


@pytest.mark.parametrize("fen, text", [
    (0, "零元整"),
    (5, "伍分"),
    (50, "伍角整"),
    (55, "伍角伍分"),
    (100, "壹元整"),
    (1000, "壹拾元整"),
    (12000, "壹佰贰拾元整"),
    # the examples of 《支付结算办法》附件一
    (140950, "壹仟肆佰零玖元伍角整"),
    (600714, "陆仟零柒元壹角肆分"),
    (168032, "壹仟陆佰捌拾元零叁角贰分"),
    (10700053, "壹拾万柒仟元零伍角叁分"),
    (1640902, "壹万陆仟肆佰零玖元零贰分"),
    (32504, "叁佰贰拾伍元零肆分"),
    # zeros across 万 and 亿 sections
    (10070000, "壹拾万零柒佰元整"),
    (100000000, "壹佰万元整"),
    (10000070000, "壹亿零柒佰元整"),
    (10000700000, "壹亿零柒仟元整"),
    (11000000000, "壹亿壹仟万元整"),
    (200500000000, "贰拾亿零伍佰万元整"),
    (MAX_FEN, "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
])
def test_daxie_examples(fen: int, text: str) -> None:
    assert daxie(fen) == text


def test_daxie_rejects_negative_huge_and_non_int() -> None:
    for bad in (-1, MAX_FEN + 1):
        with pytest.raises(ValueError):
            daxie(bad)
    with pytest.raises(TypeError):
        daxie(12.5)  # type: ignore[arg-type]


_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_integer(s: str) -> int:
    total = section = digit = 0
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch in _UNIT:
            assert digit, f"unit {ch} without a digit in {s}"
            section += digit * _UNIT[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif ch == "亿":
            total += (section + digit) * 10**8
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch} in {s}")
    return total + section + digit


def parse_daxie(s: str) -> int:
    """An independent reader of 大写 amounts (the inverse the property tests use)."""
    whole, _, frac = s.rpartition("元") if "元" in s else ("", "", s)
    m = re.fullmatch(r"零?(?:([壹贰叁肆伍陆柒捌玖])角)?(?:([壹贰叁肆伍陆柒捌玖])分)?整?", frac)
    assert m, f"bad fraction {frac!r} in {s}"
    jiao = DIGITS.index(m.group(1)) if m.group(1) else 0
    fen = DIGITS.index(m.group(2)) if m.group(2) else 0
    return _parse_integer(whole) * 100 + jiao * 10 + fen


amounts = st.one_of(
    st.integers(0, MAX_FEN),
    st.integers(0, 10**6),
    st.lists(st.sampled_from([0, 0, 0, 1, 5, 9]), min_size=1, max_size=14).map(
        lambda ds: int("".join(map(str, ds)))),
)


@settings(database=None, deadline=None, max_examples=300)
@given(amounts)
def test_daxie_reads_back_to_the_same_amount(fen: int) -> None:
    assert parse_daxie(daxie(fen)) == fen


@settings(database=None, deadline=None, max_examples=300)
@given(amounts)
def test_daxie_follows_the_writing_rules(fen: int) -> None:
    s = daxie(fen)
    assert "零零" not in s
    assert not re.search("零[拾佰仟万亿元角分整]", s) or s == "零元整"
    assert s.startswith("零") == (fen == 0)
    assert s.endswith("整") == (fen % 10 == 0)  # 整 after 元 or 角, never after 分
    assert ("元" in s) == (fen >= 100 or fen == 0)
    assert s[0] in DIGITS  # always 壹拾, never a bare 拾
    if fen >= 100 and fen // 10 % 10 == 0 and fen % 10:
        assert "元零" in s  # 角 is 0 but 分 is not: 零 after 元 is required


# ----------------------------------------------------------------------------- the ticket

def test_ticket_bytes_spelled_out(samples: Any) -> None:
    """The 80 mm ticket, command by command (the golden a reviewer can read)."""
    url = "https://zwfw.example.gov.cn/q/A001-20261124"
    g = lambda s: s.encode("gb18030")  # noqa: E731
    expected = (
        b"\x1b@" + b"\x1c&"                                   # init, Chinese mode
        + b"\x1ba\x01" + b"\x1bE\x01" + g("南山区政务服务中心\n")  # centred, bold hall name
        + b"\x1d!\x33" + b"A001\n"                            # number at 4x4 (GS !)
        + b"\x1d!\x11" + b"\x1bE\x00" + g("综合受理\n")          # category at 2x2
        + b"\x1d!\x00" + g("您前面还有 12 人等候\n")
        + native_qr_bytes(url, module=6, ec="M") + b"\n"
        + g("取号时间 2026-11-24 09:05:31\n")
        + g("请留意叫号，过号需重新取号\n")
        + b"\x1bd\x04" + b"\x1dV\x00")                        # feed 4 lines, full cut
    assert ticket(samples.ticket(), P80).data == expected


def test_ticket_with_native_qr_stays_under_400_bytes(samples: Any) -> None:
    long = samples.ticket(hall_name="深圳市南山区行政服务大厅（蛇口分厅）", category_name="不动产登记与税费综合受理",
                          waiting_ahead=999, qr_payload="https://zwfw.example.gov.cn/guide?ticket=A001&d=20261124")
    for t in (samples.ticket(), long):
        for p in (P80, P58):
            assert len(ticket(t, p).data) < 400


def test_ticket_round_trips_through_the_decoder(samples: Any) -> None:
    d = decode(ticket(samples.ticket(), P80).data)
    assert d.chinese_mode
    assert d.texts == ["南山区政务服务中心", "A001", "综合受理", "您前面还有 12 人等候", "",
                       "取号时间 2026-11-24 09:05:31", "请留意叫号，过号需重新取号"]
    assert d.line_with("A001").size == (4, 4)
    assert d.line_with("综合受理").size == (2, 2)
    assert all(ln.align == Align.CENTER for ln in d.lines)
    assert d.line_with("南山区").bold and not d.line_with("等候").bold
    assert d.qr_codes == (QrCode("https://zwfw.example.gov.cn/q/A001-20261124", 6, "M", 2, Align.CENTER),)
    assert d.cuts == 1
    assert d.warnings == ()


def test_ticket_on_58mm_uses_3x_number_and_smaller_qr(samples: Any) -> None:
    d = decode(ticket(samples.ticket(), P58).data)
    assert d.line_with("A001").size == (3, 3)
    assert d.qr_codes[0].module == 4


def test_nobody_waiting_is_said_plainly(samples: Any) -> None:
    assert "您前面暂无人等候" in decode(ticket(samples.ticket(waiting_ahead=0), P80).data).texts


def test_ticket_without_qr_has_no_qr(samples: Any) -> None:
    d = decode(ticket(samples.ticket(qr_payload=""), P80).data)
    assert d.qr_codes == () and d.cuts == 1


def test_ticket_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        TicketSlip("h", "A001", "c", -1, datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        TicketSlip("h", "", "c", 0, datetime(2026, 1, 1))


# ----------------------------------------------------------------------------- the receipt

def test_receipt_round_trip_shows_items_total_daxie_cashier_and_qr(samples: Any) -> None:
    r = samples.receipt()
    d = decode(receipt(r, P80).data)
    t = d.texts
    assert t[:5] == ["南山区政务服务中心", "收费收据", "收据号：SF2026112400012", "缴款人：深圳市南山区某某科技有限公司",
                     "收款时间：2026-11-24 09:30:00"]
    assert "不动产登记费（住宅）" + " " * 21 + "￥80.00" in t
    assert "  标准：每件80元  ×1" in t
    assert "  标准：每本10元  ×4" in t
    total = d.line_with("合计")
    assert total.text == "合计" + " " * 36 + "￥120.00" and total.size == (1, 2) and total.bold
    assert "大写：人民币壹佰贰拾元整" in t
    assert "收款员工号：1001" in t
    assert d.qr_payloads == ["https://zwfw.example.gov.cn/r/SF2026112400012"]
    assert all(text_columns(x) <= 48 for x in t)
    assert d.cuts == 1


def test_receipt_total_must_match_its_items() -> None:
    items = (ReceiptItem("工本费", "每本10元", 1, 1000),)
    assert ReceiptSlip("h", "R1", "p", items, "1001", datetime(2026, 1, 1)).total == 1000
    with pytest.raises(ValueError):
        ReceiptSlip("h", "R1", "p", items, "1001", datetime(2026, 1, 1), total_fen=999)
    with pytest.raises(ValueError):
        ReceiptSlip("h", "R1", "p", (), "1001", datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        ReceiptItem("x", "y", 1, -1)
    with pytest.raises(ValueError):
        ReceiptItem("x", "y", 0, 100)


def test_receipt_on_58mm_wraps_a_long_item_and_keeps_the_amount_right(samples: Any) -> None:
    r = samples.receipt(items=(ReceiptItem("建设工程规划许可证核发及规划条件核实服务费", "每件1200.50元", 1, 120050),))
    t = decode(receipt(r, P58).data).texts
    assert all(text_columns(x) <= 32 for x in t)
    line = next(x for x in t if x.endswith("￥1,200.50"))
    assert text_columns(line) == 32
    assert "大写：人民币壹仟贰佰元零伍角整" in t


# ----------------------------------------------------------------------------- notices

def test_acceptance_slip_says_when_it_is_due_and_how_to_follow_it(samples: Any) -> None:
    d = decode(acceptance(samples.acceptance(), P80).data)
    t = d.texts
    assert t[1] == "受理回执" and d.line_with("受理回执").size == (2, 2)
    for line in ("文书编号：深南受〔2026〕第0007号", "办件编号：BJ20261124-0007", "查询码：7Q4K", "申请人：张*",
                 "事项：食品经营许可（新办）", "承诺办结：2026年12月8日", "时限：承诺时限 10 个工作日",
                 "经办：3号窗口  工号 1001", "时间：2026-11-24 10:02:00", "咨询电话：0755-12345678",
                 "投诉电话：12345", "扫码或凭办件编号、查询码查询办理进度"):
        assert line in t
    assert d.qr_payloads == ["https://zwfw.example.gov.cn/c/BJ20261124-0007"]


def test_correction_slip_lists_every_material_once_with_hanging_indent(samples: Any) -> None:
    t = decode(correction(samples.correction(), P80).data).texts
    i = t.index("请补正以下材料：")
    assert t[i + 1:i + 5] == ["1. 营业执照副本复印件（加盖公章）",
                              "2. 经营场所平面布局图及设备布局图，须标明各功能",
                              "   区面积",
                              "3. 法定代表人身份证复印件"]
    assert "补正期限：2026年11月29日前" in t
    assert "以上材料一次性告知。补齐后请携带本单到窗口办理。" in t


def test_a_correction_slip_needs_materials(samples: Any) -> None:
    with pytest.raises(ValueError):
        samples.correction(to_correct=())


def test_rejection_slip_gives_the_reason_and_the_remedy(samples: Any) -> None:
    t = decode(rejection(samples.rejection(), P80).data).texts
    assert "理由：申请事项依法不需要取得行政许可。" in t
    assert "如有异议，可依法申请行政复议或者提起行政诉讼。" in t


def test_render_dispatches_on_the_slip_type_and_joins_jobs(samples: Any) -> None:
    assert render(samples.ticket(), P80) == ticket(samples.ticket(), P80)
    job = render_all([samples.receipt(), samples.acceptance()], P80)
    parts = decode(job.data).split()
    assert [p.texts[1] for p in parts] == ["收费收据", "受理回执"]
    with pytest.raises(TypeError):
        render("not a slip", P80)


def test_every_replaced_character_is_reported_with_the_slip(samples: Any) -> None:
    slip = render(samples.acceptance(applicant="王䶮"), PrinterProfile(encoding="gbk"))
    assert slip.replaced_chars == "䶮"
    assert "申请人：王□" in decode(slip.data, encoding="gbk").texts


# ----------------------------------------------------------------------------- goldens

GOLDENS: list[tuple[str, Callable[[Any], bytes]]] = [
    ("ticket_80", lambda s: ticket(s.ticket(), P80).data),
    ("ticket_58", lambda s: ticket(s.ticket(), P58).data),
    ("ticket_80_image_qr", lambda s: ticket(s.ticket(), PrinterProfile(qr="image")).data),
    ("ticket_80_no_chinese_mode_partial_cut",
     lambda s: ticket(s.ticket(), PrinterProfile(chinese_mode=False, cut="partial")).data),
    ("ticket_80_gbk", lambda s: ticket(s.ticket(), PrinterProfile(encoding="gbk")).data),
    ("ticket_80_big5", lambda s: ticket(s.ticket(category_name="綜合受理"), PrinterProfile(encoding="big5")).data),
    ("receipt_80", lambda s: receipt(s.receipt(), P80).data),
    ("receipt_58", lambda s: receipt(s.receipt(), P58).data),
    ("acceptance_80", lambda s: acceptance(s.acceptance(), P80).data),
    ("acceptance_58", lambda s: acceptance(s.acceptance(), P58).data),
    ("correction_80", lambda s: correction(s.correction(), P80).data),
    ("rejection_80", lambda s: rejection(s.rejection(), P80).data),
]


@pytest.mark.parametrize("name, make", GOLDENS, ids=[g[0] for g in GOLDENS])
def test_slip_bytes_match_golden(name: str, make: Callable[[Any], bytes], samples: Any,
                                 golden: Callable[[str, bytes], None]) -> None:
    data = make(samples)
    golden(name, data)
    enc = "big5" if "big5" in name else "gbk" if "gbk" in name else "gb18030"
    decoded = decode(data, encoding=enc)  # strict: every golden is well-formed ESC/POS
    assert decoded.cuts == 1 and decoded.warnings == ()
