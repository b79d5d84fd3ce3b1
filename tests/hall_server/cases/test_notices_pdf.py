"""Each notice's PDF holds the fields the field requires, extracted with pdftotext
(which also proves the CJK font is embedded with a Unicode map)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hall_server.reports.notices import NoticeData, render

BASE = dict(
    hall_name="示范市政务服务中心", case_no="SG20261124-0001", query_code="K7PQ2M", applicant_name="某建设集团有限公司",
    applicant_id_masked="91350100M000100Y43", matter_code="ZJ-001", matter_name="建设工程施工许可证核发",
    department="市住房和城乡建设局", issued_at="2026年11月24日 09:30", received_date="2026年11月24日",
    legal_basis="《中华人民共和国建筑法》第七条", received=[["施工图设计文件审查合格书", "复印件", 1]],
    limit_text="3 个工作日", due_date="2026年11月27日", statutory_text="7 个工作日",
    query_url="http://127.0.0.1:8080/api/v1/cases/SG20261124-0001/public?code=K7PQ2M",
    enquiry_phone="0000-12345601", complaint_phone="12345", staff="王建国（1001）", window_no=1,
)
COMMON = ["示范市政务服务中心", "SG20261124-0001", "某建设集团有限公司", "建设工程施工许可证核发", "2026年11月24日",
          "《中华人民共和国建筑法》第七条", "K7PQ2M", "0000-12345601", "12345", "王建国"]


def text_of(pdf: bytes, tmp_path: Path) -> str:
    p = tmp_path / "n.pdf"
    p.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, timeout=30, check=True)
    return out.stdout


def fonts_of(pdf: bytes, tmp_path: Path) -> str:
    p = tmp_path / "f.pdf"
    p.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(p)], capture_output=True, text=True, timeout=30, check=True).stdout


def _has(text: str, *needles: str) -> None:
    flat = "".join(text.split())
    missing = [n for n in needles if "".join(n.split()) not in flat]
    assert not missing, f"missing {missing} in:\n{text}"


def test_acceptance_notice_holds_number_limits_materials_and_query(tmp_path):
    pdf = render(NoticeData(kind="acceptance", notice_no="SG20261124-0001-SL", **BASE))
    t = text_of(pdf, tmp_path)
    _has(t, "受理通知书", "SG20261124-0001-SL", *COMMON, "决定予以受理", "第三十二条", "3 个工作日", "2026年11月27日",
         "7 个工作日", "施工图设计文件审查合格书", "第四十五条", "办理进度查询")
    fonts = fonts_of(pdf, tmp_path)
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line or "CJK" in line or "Hei" in line]
    assert cjk and all(" yes yes yes " in f" {' '.join(line.split())} " for line in cjk)  # embedded, subset, unicode


def test_correction_notice_lists_every_item_to_correct(tmp_path):
    d = NoticeData(kind="correction", notice_no="SG20261124-0001-BZ1",
                   **{**BASE, "to_correct": [["施工合同", "缺少发包方签章"], ["建设资金已经落实承诺书", "缺少，请补交"]]})
    t = text_of(render(d), tmp_path)
    _has(t, "补正材料通知书", "一次性告知", "SG20261124-0001-BZ1", *COMMON, "施工合同", "缺少发包方签章",
         "建设资金已经落实承诺书", "第（四）项", "3 个工作日")


def test_rejection_notice_states_reason_basis_and_remedies(tmp_path):
    d = NoticeData(kind="rejection", notice_no="SG20261124-0001-BY",
                   **{**BASE, "reason": "申请事项依法不需要取得行政许可", "reason_basis": "《行政许可法》第三十二条第一款第（一）项"})
    t = text_of(render(d), tmp_path)
    _has(t, "不予受理通知书", "SG20261124-0001-BY", *COMMON, "申请事项依法不需要取得行政许可",
         "《行政许可法》第三十二条第一款第（一）项", "行政复议", "行政诉讼")


def test_notice_served_by_the_api_is_the_stored_one(client, login, tmp_path):
    clerk = login("1001", window_no=1)
    body = {"matter_code": "ZJ-001", "window_no": 1, "outcome": "request_correction",
            "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
            "materials": [{"code": "M1", "status": "received"}, {"code": "M2", "status": "defective", "note": "已过期"}]}
    case = client.post("/api/v1/cases", json=body, headers=clerk).json()
    pdf = client.get(case["notices"][0]["pdf_url"], headers=clerk).content
    t = text_of(pdf, tmp_path)
    _has(t, "补正材料通知书", case["case_no"], "张三", "110105********002X", "建设工程规划许可证", "已过期",
         "施工合同", "建设资金已经落实承诺书", "0000-12345601", case["query_code"], "市住房和城乡建设局")
    assert "11010519491231002X" not in t


@pytest.mark.parametrize("kind", ["acceptance", "correction", "rejection"])
def test_long_content_wraps_over_pages_without_losing_text(kind, tmp_path):
    many = [[f"材料第{i}项" + "很长的名称" * 6, "原件及复印件", 2] for i in range(40)]
    d = NoticeData(kind=kind, notice_no="X-1", **{**BASE, "received": many, "to_correct": [[m[0], "缺少"] for m in many]})
    t = text_of(render(d), tmp_path)
    _has(t, "材料第39项", "第 2 页")
