"""Every text of the demo catalog and fee items prints on a GB18030 receipt printer
without a replacement box: symbols the printer font lacks (m², ²) are written in a form
it has (平方米), and the slip's columns are counted on what is printed."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hall_server.demo import catalog, fees
from hall_server.domain import fees as fee_rules
from printers import slips
from printers.decode import decode
from printers.escpos import PrinterProfile, encode_text, pad_between, printable, text_columns, wrap


def _strings(x: Any) -> Iterator[str]:
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _strings(v)
    elif isinstance(x, (list, tuple)):
        for v in x:
            yield from _strings(v)


def demo_texts() -> list[str]:
    out = list(_strings(catalog.MATTERS)) + list(_strings(fees.ITEMS)) + list(_strings(fees.ACCOUNTS))
    for item in fees.ITEMS:
        std = fee_rules.standard_from({**item["standard"], "kind": str(item["standard"]["kind"])})
        out.append(fee_rules.describe(std, str(item["unit"])))  # the 收费标准 column as printed
        out.append(f"120.55{item['unit']}")  # a quantity with its unit, as on the receipt
    return out


def test_every_demo_catalog_and_fee_text_encodes_without_a_replacement():
    texts = demo_texts()
    assert any("m²" in t for t in texts)  # the case this test is about is in the data
    for encoding in ("gb18030", "gbk", "gb2312"):
        bad = {(r.char, r.codepoint) for t in texts for r in encode_text(t, encoding)[1]}
        assert not bad, (encoding, bad)


def test_square_metres_are_spelled_out_and_measured_as_printed():
    assert printable("120.55m²") == "120.55平方米"
    assert printable("0–200m² ¥1.36；㎡") == "0–200平方米 ¥1.36；平方米"
    assert printable("ABC-001") == "ABC-001"
    assert text_columns("5m²") == 1 + 6
    line = pad_between("房产测绘费 120.55m²", "¥163.95", 48)
    assert "平方米" in line and text_columns(line) == 48
    assert all(text_columns(x) <= 20 for x in wrap("面积 1234.56m² 按分档收费 m² m² m²", 20))


def test_a_receipt_with_an_area_line_prints_square_metres_not_a_box():
    s = slips.ReceiptSlip(hall_name="示范市政务服务中心", receipt_no="SF202600000001", payer="张三",
                          items=(slips.ReceiptItem("房产测绘费（演示：按面积分档）", "其他非税收入 120.55m²", 1, 16395),),
                          cashier_no="2001", issued_at=__import__("datetime").datetime(2026, 11, 24, 10, 0))
    enc = slips.render(s, PrinterProfile())
    assert not enc.replacements
    assert "120.55平方米" in decode(enc.data).text
