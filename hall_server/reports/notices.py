"""受理通知书 / 补正材料通知书（一次性告知）/ 不予受理通知书 as PDF.

Each notice carries what the field requires: its number, the applicant, the matter,
the date, the legal basis, the materials, the time limits, how to follow progress
(QR code + address + query code), and the enquiry and complaint phones. The content is
frozen when the notice is issued (``NoticeData`` is stored with the case), so a reprint
is the same document.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from .pdf import build, grid_table, kv_table, para, qr, styles

TITLES = {
    "acceptance": "受理通知书",
    "correction": "补正材料通知书（一次性告知）",
    "rejection": "不予受理通知书",
}

PERMIT_LAW = "《中华人民共和国行政许可法》"


@dataclass(frozen=True)
class NoticeData:
    kind: str  # acceptance | correction | rejection
    hall_name: str
    notice_no: str
    case_no: str
    query_code: str
    applicant_name: str
    applicant_id_masked: str
    matter_code: str
    matter_name: str
    department: str
    issued_at: str  # hall-local "2026年11月24日 09:30"
    received_date: str  # hall-local "2026年11月24日"
    legal_basis: str
    received: list[list[Any]] = field(default_factory=list)  # [name, form label, copies]
    to_correct: list[list[str]] = field(default_factory=list)  # [name, what is wrong]
    limit_text: str = ""  # 承诺办结时限
    due_date: str = ""  # hall-local date, "2026年12月01日"
    statutory_text: str = ""
    query_url: str = ""
    rating_url: str = ""  # rate-later page of the service (case.ticket_id); "" when the case had no ticket
    enquiry_phone: str = ""
    complaint_phone: str = ""
    staff: str = ""  # 受理人 name (工号)
    window_no: int | None = None
    reason: str = ""  # rejection reason
    reason_basis: str = ""  # rejection legal basis
    override_reason: str = ""  # 容缺受理 note
    correction_index: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "NoticeData":
        return cls(**d)


def _header(d: NoticeData) -> list[Flowable]:
    st = styles()
    return [
        para(d.hall_name, st.subtitle),
        para(TITLES[d.kind], st.title),
        para(f"编号：{d.notice_no}", st.subtitle),
        Spacer(1, 2 * mm),
        para(f"{d.applicant_name}：", st.body),
        Spacer(1, 1 * mm),
    ]


def _query_block(d: NoticeData) -> Flowable:
    st = styles()
    text = para(
        f"办理进度查询：扫描右侧二维码，或在大厅自助机输入办件编号 {d.case_no} 和查询码 {d.query_code}；"
        f"网址：{d.query_url}\n咨询电话：{d.enquiry_phone}　　投诉电话：{d.complaint_phone}", st.small)
    if not d.rating_url:
        t = Table([[text, qr(d.query_url)]], colWidths=[140 * mm, 30 * mm])
    else:  # the rate-later QR beside the progress QR: the citizen rates later, on the phone
        rate = para(f"服务评价：扫描右侧二维码，对本次服务进行评价（非常满意／满意／基本满意／不满意／非常不满意）；"
                    f"网址：{d.rating_url}", st.small)
        t = Table([[text, qr(d.query_url)], [rate, qr(d.rating_url, 24 * mm)]], colWidths=[140 * mm, 30 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return t


def _signature(d: NoticeData) -> list[Flowable]:
    st = styles()
    who = f"受理人：{d.staff}" + (f"（{d.window_no} 号窗口）" if d.window_no else "")
    return [Spacer(1, 4 * mm), para(who, st.body),
            para(f"{d.department}（印章）　　{d.issued_at}", st.body), Spacer(1, 4 * mm)]


def _received_table(d: NoticeData) -> Flowable:
    rows = [[str(i + 1), str(r[0]), str(r[1]), str(r[2])] for i, r in enumerate(d.received)] or [["—", "（无）", "", ""]]
    return grid_table(["序号", "已收材料", "形式", "份数"], rows, [14 * mm, 110 * mm, 28 * mm, 18 * mm])


def acceptance_pdf(d: NoticeData) -> bytes:
    st = styles()
    story: list[Flowable] = _header(d)
    story.append(para(
        f"你（单位）于 {d.received_date} 提出的“{d.matter_name}”申请，申请材料齐全、符合法定形式，"
        f"根据{PERMIT_LAW}第三十二条第一款第（五）项的规定，决定予以受理。", st.body))
    if d.override_reason:
        story.append(para(f"容缺受理说明：{d.override_reason}", st.body))
    story.append(Spacer(1, 3 * mm))
    story.append(kv_table([
        ("办件编号", d.case_no),
        ("申请人", f"{d.applicant_name}（证件号 {d.applicant_id_masked}）"),
        ("申请事项", f"{d.matter_name}（事项编码 {d.matter_code}）"),
        ("受理部门", d.department),
        ("受理日期", d.issued_at),
        ("设定依据", d.legal_basis),
        ("承诺办结时限", f"{d.limit_text}，预计于 {d.due_date} 前办结" if d.due_date else d.limit_text),
        ("法定办结时限", d.statutory_text),
    ]))
    story += [Spacer(1, 3 * mm), _received_table(d), Spacer(1, 3 * mm),
              para("听证、检验、检测、鉴定和专家评审所需时间不计算在办理时限内（行政许可法第四十五条）。", st.small),
              *_signature(d), _query_block(d)]
    return build(story, title=TITLES[d.kind], footer=f"{d.hall_name}　{TITLES[d.kind]}　{d.notice_no}")


def correction_pdf(d: NoticeData) -> bytes:
    st = styles()
    story: list[Flowable] = _header(d)
    story.append(para(
        f"你（单位）于 {d.received_date} 提出的“{d.matter_name}”申请，经审查，申请材料不齐全或者不符合法定形式。"
        f"根据{PERMIT_LAW}第三十二条第一款第（四）项的规定，现一次性告知需要补正的全部内容如下：", st.body))
    story.append(Spacer(1, 2 * mm))
    rows = [[str(i + 1), r[0], r[1]] for i, r in enumerate(d.to_correct)]
    story.append(grid_table(["序号", "需补正的材料", "补正要求"], rows, [14 * mm, 80 * mm, 76 * mm]))
    story.append(Spacer(1, 3 * mm))
    story.append(kv_table([
        ("办件编号", d.case_no),
        ("申请人", f"{d.applicant_name}（证件号 {d.applicant_id_masked}）"),
        ("申请事项", f"{d.matter_name}（事项编码 {d.matter_code}）"),
        ("受理部门", d.department),
        ("告知日期", d.issued_at),
        ("设定依据", d.legal_basis),
        ("办理时限", f"补正材料齐全并受理后，{d.limit_text}（法定 {d.statutory_text}）"),
    ]))
    story += [Spacer(1, 3 * mm), _received_table(d), Spacer(1, 3 * mm),
              para("请按上述要求一次性补正后，携带本通知书到政务服务中心原窗口办理；"
                   "材料补正齐全的，予以受理。已收材料由窗口保管。", st.body),
              *_signature(d), _query_block(d)]
    return build(story, title=TITLES[d.kind], footer=f"{d.hall_name}　{TITLES[d.kind]}　{d.notice_no}")


def rejection_pdf(d: NoticeData) -> bytes:
    st = styles()
    story: list[Flowable] = _header(d)
    story.append(para(
        f"你（单位）于 {d.received_date} 提出的“{d.matter_name}”申请，经审查，决定不予受理。", st.body))
    story.append(Spacer(1, 3 * mm))
    story.append(kv_table([
        ("办件编号", d.case_no),
        ("申请人", f"{d.applicant_name}（证件号 {d.applicant_id_masked}）"),
        ("申请事项", f"{d.matter_name}（事项编码 {d.matter_code}）"),
        ("受理部门", d.department),
        ("决定日期", d.issued_at),
        ("不予受理理由", d.reason),
        ("法律依据", d.reason_basis),
        ("事项设定依据", d.legal_basis),
    ]))
    story += [Spacer(1, 3 * mm), _received_table(d), Spacer(1, 3 * mm),
              para("上列已收材料随本通知书一并退回。如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，"
                   "或者在六个月内依法向人民法院提起行政诉讼。", st.body),
              *_signature(d), _query_block(d)]
    return build(story, title=TITLES[d.kind], footer=f"{d.hall_name}　{TITLES[d.kind]}　{d.notice_no}")


RENDERERS = {"acceptance": acceptance_pdf, "correction": correction_pdf, "rejection": rejection_pdf}


def render(d: NoticeData) -> bytes:
    return RENDERERS[d.kind](d)
