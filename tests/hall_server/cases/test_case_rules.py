"""Pure intake rules: the case transition table, the materials check and its three
outcomes, applicant identifiers, case numbers and catalog search."""
from __future__ import annotations

from datetime import date

import pytest

from hall_server.domain import cases as dc
from hall_server.domain.catalog import Material, MaterialForm, MatterKind, SearchEntry, pinyin_keys, search, validate_limits
from hall_server.domain.errors import BadInput, Conflict
from hall_server.domain.workdays import LimitUnit

S, A = dc.CaseState, dc.CaseAction
CATALOG = [
    Material("M1", "申请表", MaterialForm.ORIGINAL, 1, True),
    Material("M2", "施工合同", MaterialForm.COPY, 1, True),
    Material("M3", "授权委托书", MaterialForm.ORIGINAL, 1, False),
]
OK_ID = "11010519491231002X"
OK_USCC = "91350100M000100Y43"


def test_concluded_cases_cannot_be_concluded_again_or_changed():
    for closed in (S.APPROVED, S.REFUSED, S.DELIVERED, S.REJECTED, S.WITHDRAWN):
        for a in (A.APPROVE, A.REFUSE, A.SUSPEND, A.EXTEND, A.ACCEPT):
            with pytest.raises(dc.IllegalCaseMove) as e:
                dc.step(closed, a)
            assert e.value.status == 409
    assert "已办结的办件不能再变更" in str(dc.IllegalCaseMove(S.APPROVED, A.APPROVE).message)


def test_lifecycle_walks_accept_review_suspend_resume_conclude_deliver():
    s = S.NEW
    for a in (A.ACCEPT, A.START_REVIEW, A.SUSPEND, A.RESUME, A.EXTEND, A.APPROVE, A.DELIVER):
        s = dc.step(s, a)
    assert s is S.DELIVERED
    assert dc.allowed(S.SUSPENDED) == {A.RESUME, A.WITHDRAW}  # a suspended case cannot be concluded


def test_correction_waits_and_resumes_into_any_intake_outcome():
    assert dc.step(S.NEW, A.REQUEST_CORRECTION) is S.CORRECTION
    assert {dc.step(S.CORRECTION, a) for a in (A.ACCEPT, A.REQUEST_CORRECTION, A.REJECT)} == {
        S.ACCEPTED, S.CORRECTION, S.REJECTED}


def test_accepting_with_a_required_material_missing_is_refused_without_override():
    check = dc.check_materials(CATALOG, [dc.Tick("M1", dc.MaterialStatus.RECEIVED)])
    assert [m.code for m in check.to_correct] == ["M2"]  # M3 optional: not listed
    with pytest.raises(Conflict) as e:
        dc.decide_intake(check, A.ACCEPT, override_reason=" ", reject_reason=None, reject_basis=None)
    assert e.value.code == "materials_missing" and "施工合同" in e.value.message
    d = dc.decide_intake(check, A.ACCEPT, override_reason="容缺受理，承诺3日内补交", reject_reason=None, reject_basis=None)
    assert d.override_reason == "容缺受理，承诺3日内补交"


def test_correction_lists_every_missing_and_defective_item_at_once():
    ticks = [dc.Tick("M1", dc.MaterialStatus.DEFECTIVE, "未加盖公章"), dc.Tick("M3", dc.MaterialStatus.DEFECTIVE, "无签字")]
    check = dc.check_materials(CATALOG, ticks)
    assert [(m.code, m.status) for m in check.to_correct] == [
        ("M1", dc.MaterialStatus.DEFECTIVE), ("M2", dc.MaterialStatus.MISSING), ("M3", dc.MaterialStatus.DEFECTIVE)]
    dc.decide_intake(check, A.REQUEST_CORRECTION, override_reason=None, reject_reason=None, reject_basis=None)
    complete = dc.check_materials(CATALOG, [dc.Tick("M1", dc.MaterialStatus.RECEIVED), dc.Tick("M2", dc.MaterialStatus.RECEIVED)])
    with pytest.raises(BadInput) as e:
        dc.decide_intake(complete, A.REQUEST_CORRECTION, override_reason=None, reject_reason=None, reject_basis=None)
    assert e.value.code == "nothing_to_correct"


def test_a_defect_must_say_what_is_wrong():
    check = dc.check_materials(CATALOG, [dc.Tick("M1", dc.MaterialStatus.DEFECTIVE)])
    with pytest.raises(BadInput) as e:
        dc.decide_intake(check, A.REQUEST_CORRECTION, override_reason=None, reject_reason=None, reject_basis=None)
    assert e.value.code == "defect_note_required"


def test_rejection_needs_reason_and_legal_basis():
    check = dc.check_materials(CATALOG, [])
    with pytest.raises(BadInput):
        dc.decide_intake(check, A.REJECT, override_reason=None, reject_reason="不属于本机关职权范围", reject_basis="")
    dc.decide_intake(check, A.REJECT, override_reason=None, reject_reason="不属于本机关职权范围",
                     reject_basis="《行政许可法》第三十二条第一款第（二）项")


def test_unknown_material_code_is_bad_input():
    with pytest.raises(BadInput) as e:
        dc.check_materials(CATALOG, [dc.Tick("M9", dc.MaterialStatus.RECEIVED)])
    assert e.value.code == "unknown_material"


@pytest.mark.parametrize("kind,idn,code", [
    (dc.ApplicantKind.PERSON, "110105194912310021", "invalid_id_number"),
    (dc.ApplicantKind.PERSON, "11010519491331002X", "invalid_id_number"),  # month 13
    (dc.ApplicantKind.ORGANISATION, "91350100M000100Y42", "invalid_uscc"),
    (dc.ApplicantKind.ORGANISATION, "91350100M000100Y4X", "invalid_uscc"),
])
def test_invalid_id_number_or_credit_code_is_refused(kind, idn, code):
    with pytest.raises(BadInput) as e:
        dc.check_applicant(dc.Applicant(kind, "张三", idn, "13800138000", "李四"))
    assert e.value.code == code


def test_valid_applicants_are_normalised():
    p = dc.check_applicant(dc.Applicant(dc.ApplicantKind.PERSON, " 张三 ", OK_ID.lower(), "13800138000"))
    assert p.name == "张三" and p.id_number == OK_ID
    o = dc.check_applicant(dc.Applicant(dc.ApplicantKind.ORGANISATION, "某建设公司", OK_USCC, "0591-87654321", "李四"))
    assert o.id_number == OK_USCC
    with pytest.raises(BadInput):
        dc.check_applicant(dc.Applicant(dc.ApplicantKind.PERSON, "张三", OK_ID, "12345"))
    with pytest.raises(BadInput):  # an organisation acts through a named agent
        dc.check_applicant(dc.Applicant(dc.ApplicantKind.ORGANISATION, "某建设公司", OK_USCC, "13800138000"))


def test_case_numbers_are_prefix_day_and_sequence():
    assert dc.format_case_no("SG", date(2026, 11, 24), 1) == "SG20261124-0001"
    assert dc.format_case_no("SG", date(2026, 11, 24), 10000) == "SG20261124-10000"  # never wraps
    assert dc.CASE_NO_RE.match("SG20261124-0001")
    assert dc.notice_no("SG20261124-0001", "correction", 2) == "SG20261124-0001-BZ2"
    assert len(dc.query_code_from(b"\x01" * 8)) == 6


def test_pinyin_initials_find_the_matter():
    assert pinyin_keys("建设工程施工许可证核发")[1] == "jsgcsgxkzhf"
    entries = [SearchEntry("ZJ-001", "建设工程施工许可证核发", *pinyin_keys("建设工程施工许可证核发")),
               SearchEntry("ZR-001", "建设工程规划许可证核发", *pinyin_keys("建设工程规划许可证核发")),
               SearchEntry("ZJ-002", "商品房预售许可", *pinyin_keys("商品房预售许可"))]
    assert [e.code for e in search(entries, "sgxk")] == ["ZJ-001"]
    assert [e.code for e in search(entries, "SGXK")] == ["ZJ-001"]
    assert [e.code for e in search(entries, "ghxk")] == ["ZR-001"]
    assert [e.code for e in search(entries, "预售")] == ["ZJ-002"]
    assert search(entries, "zj-002")[0].code == "ZJ-002"
    assert {e.code for e in search(entries, "xuke")} == {"ZJ-001", "ZR-001", "ZJ-002"}  # full pinyin matches too


def test_promised_limit_may_not_exceed_statutory():
    with pytest.raises(BadInput):
        validate_limits(kind=MatterKind.PROMISED, statutory=10, statutory_unit=LimitUnit.WORKING, promised=15,
                        promised_unit=LimitUnit.WORKING)
    with pytest.raises(BadInput):
        validate_limits(kind=MatterKind.INSTANT, statutory=0, statutory_unit=LimitUnit.WORKING, promised=3,
                        promised_unit=LimitUnit.WORKING)
