"""八公开 text from the catalog, fees and hall profile: every field the guide must show."""
from __future__ import annotations

from hall_client import disclosure as d
from hall_client.state import WindowView

MATTER = {
    "code": "BDC-001", "name": "房屋所有权登记", "department": "市不动产登记中心", "category_prefix": "B",
    "kind_label": "承诺件", "limit_text": "承诺 5 个工作日（法定 30 个工作日）", "conditions": "房屋已竣工验收",
    "materials": [{"name": "不动产登记申请书", "form": "original", "copies": 1, "required": True},
                  {"name": "授权委托书", "form": "original_and_copy", "copies": 2, "required": False, "notes": "代办时"}],
    "procedure": ["受理", "审核", "登簿"], "legal_basis": "《不动产登记暂行条例》", "fee_items": [],
    "fee_note": "证书工本费第一本免收", "enquiry_phone": "0000-12345603", "complaint_phone": "12345",
}
FEES = [{"name": "不动产登记费（住宅）", "standard_text": "¥80.00/件", "legal_basis": "发改价格规〔2016〕2559号",
         "active": True}]
WEEK = [[{"start": "09:00", "end": "12:00"}, {"start": "13:30", "end": "17:00"}]] * 5 + [[{"start": "09:00",
                                                                                          "end": "12:00"}], []]


def test_the_guide_holds_every_disclosed_field():
    windows = [WindowView(5, "5 号窗口", ("B",)), WindowView(4, "4 号窗口", ("B", "A")), WindowView(1, "1", ("A",))]
    html = d.guide_html(MATTER, fees=FEES, windows=windows, profile={"hours": WEEK, "supervision_phone": "0000-88888888"})
    for text in ("市不动产登记中心　4 号、5 号窗口", "周一至周五 09:00-12:00、13:30-17:00；周六 09:00-12:00",
                 "承诺 5 个工作日", "¥80.00/件（依据：发改价格规〔2016〕2559号）", "证书工本费第一本免收",
                 "不动产登记申请书　原件 1 份", "授权委托书　原件及复印件 2 份（如有）；代办时",
                 "《不动产登记暂行条例》", "咨询电话：0000-12345603", "投诉电话：12345", "监督电话：0000-88888888"):
        assert text in html


def test_without_a_hall_profile_the_catalogs_complaint_phone_is_the_supervision_phone():
    assert d.supervision_phone(None, [MATTER]) == "12345"
    assert d.hours_text(None) == d.NO_HOURS
    assert "监督电话：12345" in d.guide_html(MATTER)


def test_a_matter_without_fees_says_so():
    assert d.fee_lines({**MATTER, "fee_note": ""}, []) == ["不收费"]


def test_the_boards_roll_ends_with_the_supervision_phone_and_hours():
    roll = d.roll_items([MATTER], {"BDC-001": FEES}, {"hours": WEEK})
    assert roll[0][0] == "房屋所有权登记" and "¥80.00/件" in roll[0][1] and "依据" not in roll[0][1]
    assert roll[-1][0] == "监督电话" and roll[-1][1].startswith("12345")
