"""Sample slips with fictional data, for the demo, the bench and ``python -m printers samples``."""
from __future__ import annotations

from datetime import date, datetime

from .slips import AcceptanceSlip, CorrectionSlip, ReceiptItem, ReceiptSlip, RejectionSlip, Slip, TicketSlip

HALL = "南山区政务服务中心"

TICKET = TicketSlip(HALL, "A001", "综合受理", 12, datetime(2026, 11, 24, 9, 5, 31),
                    "https://zwfw.example.gov.cn/q/A001-20261124")
RECEIPT = ReceiptSlip(HALL, "SF2026112400012", "深圳市南山区某某科技有限公司",
                      (ReceiptItem("不动产登记费（住宅）", "每件80元", 1, 8000),
                       ReceiptItem("不动产权证书工本费", "每本10元", 4, 4000)),
                      "1001", datetime(2026, 11, 24, 9, 30), "https://zwfw.example.gov.cn/r/SF2026112400012")
ACCEPTANCE = AcceptanceSlip(HALL, "BJ20261124-0007", "食品经营许可（新办）", "张*", datetime(2026, 11, 24, 10, 2),
                            "https://zwfw.example.gov.cn/c/BJ20261124-0007", notice_no="深南受〔2026〕第0007号",
                            query_code="7Q4K", window_no=3, clerk_no="1001", enquiry_phone="0755-12345678",
                            complaint_phone="12345", due_date=date(2026, 12, 8), limit_text="承诺时限 10 个工作日")
CORRECTION = CorrectionSlip(HALL, "BJ20261124-0008", "食品经营许可（新办）", "李*", datetime(2026, 11, 24, 10, 20),
                            "https://zwfw.example.gov.cn/c/BJ20261124-0008", window_no=3, clerk_no="1001",
                            enquiry_phone="0755-12345678",
                            to_correct=("营业执照副本复印件（加盖公章）",
                                        "经营场所平面布局图及设备布局图，须标明各功能区面积", "法定代表人身份证复印件"),
                            due_date=date(2026, 11, 29))
REJECTION = RejectionSlip(HALL, "BJ20261124-0009", "户外广告设置许可", "王*", datetime(2026, 11, 24, 11, 0),
                          reason="申请事项依法不需要取得行政许可。", complaint_phone="12345")

SAMPLES: dict[str, Slip] = {"ticket": TICKET, "receipt": RECEIPT, "acceptance": ACCEPTANCE,
                            "correction": CORRECTION, "rejection": REJECTION}
