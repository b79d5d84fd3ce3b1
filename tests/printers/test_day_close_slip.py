"""The 日结单 on the receipt printer: every figure the cashier signs for, within the paper's
columns, a preview marked as such, and a net refund day read in 大写 as 负."""
from __future__ import annotations

from datetime import date, datetime

from printers import slips
from printers.decode import decode
from printers.escpos import PrinterProfile, text_columns


def sheet(**kw):  # type: ignore[no-untyped-def]
    base = dict(hall_name="示范市政务服务中心", staff_no="2001", staff_name="孙会计", business_day=date(2026, 11, 24),
                printed_at=datetime(2026, 11, 24, 17, 30), closed=True, receipt_count=3, void_count=1,
                runs=("SF202600000001–SF202600000003",), voids=("SF202600000002",), refunds=("TF202600000001",),
                by_method=(("现金", 8000), ("银行卡", 12000)),
                by_account=(("市不动产登记中心 BDC-01", 18000), ("市不动产登记中心 BDC-02", 2000)),
                total_fen=20000, expected_cash_fen=8000, counted_cash_fen=7950, difference_fen=-50,
                note="找零多找五角")
    base.update(kw)
    return slips.DayCloseSlip(**base)


def test_the_day_sheet_prints_every_figure_within_the_paper():
    profile = PrinterProfile()
    enc = slips.render(sheet(), profile)
    assert not enc.replacements
    d = decode(enc.data)
    text = d.text
    for want in ("收费日结单", "2026年11月24日", "孙会计 工号 2001", "3 张（作废 1 张）", "SF202600000001–SF202600000003",
                 "作废：SF202600000002", "退费：TF202600000001", "贰佰元整", "短款", "找零多找五角", "复核人签字"):
        assert want in text, want
    assert d.line_with("应有现金").text.endswith("80.00") and d.line_with("清点现金").text.endswith("79.50")
    assert "未日结" not in text and d.cuts == 1
    assert all(text_columns(ln.text) <= profile.columns for ln in d.lines if ln.width == 1)


def test_a_preview_says_so_and_a_net_refund_day_reads_as_negative():
    d = decode(slips.render(sheet(closed=False, counted_cash_fen=None, difference_fen=None, note="",
                                  total_fen=-3000), PrinterProfile()).data)
    assert "【未日结 预览】" in d.text and "人民币负叁拾元整" in d.text and "清点现金" not in d.text
