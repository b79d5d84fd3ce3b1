"""Demo catalog of the construction and housing field (住建、规划、不动产、燃气).

The content follows the public 办事指南 of these matters in shape and legal basis; the
limits are the statutory ones and a typical promised (承诺) reduction. Fee items are
referenced by code: the fees area holds their standards and amounts.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..models.cases import Matter
from ..services import catalog as svc
from ..services.actors import SYSTEM
from ..settings import Settings

if TYPE_CHECKING:
    from . import SeedReport

COMPLAINT = "12345"


def _m(code: str, name: str, form: str = "original_and_copy", copies: int = 1, required: bool = True,
       notes: str = "") -> dict[str, Any]:
    return {"code": code, "name": name, "form": form, "copies": copies, "required": required, "notes": notes}


MATTERS: list[dict[str, Any]] = [
    {
        "code": "ZJ-001", "name": "建设工程施工许可证核发", "department_code": "ZJJ", "case_prefix": "SG",
        "category_prefix": "A", "kind": "promised",
        "legal_basis": "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）",
        "conditions": "依法应当办理用地批准手续的，已办理用地批准手续；已取得建设工程规划许可证；施工场地已具备施工条件；"
                      "已确定施工企业；有满足施工需要的施工图纸及技术资料；有保证工程质量和安全的具体措施；建设资金已落实。",
        "procedure": ["申请", "受理", "审查", "决定", "送达"],
        "materials": [
            _m("M1", "建筑工程施工许可证申请表", "original", 1, notes="加盖建设单位公章"),
            _m("M2", "建设工程规划许可证", "copy", 1),
            _m("M3", "中标通知书或直接发包批准文件", "copy", 1),
            _m("M4", "施工合同", "copy", 1, notes="须有双方签章"),
            _m("M5", "施工图设计文件审查合格书", "copy", 1),
            _m("M6", "建设资金已经落实承诺书", "original", 1),
            _m("M7", "授权委托书及经办人身份证", "original_and_copy", 1, required=False, notes="委托办理时提交"),
        ],
        "statutory_limit": 7, "statutory_unit": "working", "promised_limit": 3, "promised_unit": "working",
        "fee_items": [], "fee_note": "不收费", "enquiry_phone": "0000-12345601", "complaint_phone": COMPLAINT,
    },
    {
        "code": "ZR-001", "name": "建设工程规划许可证核发", "department_code": "ZRZY", "case_prefix": "GH",
        "category_prefix": "C", "kind": "promised",
        "legal_basis": "《中华人民共和国城乡规划法》第四十条",
        "conditions": "已取得土地使用权证明文件；建设工程设计方案符合控制性详细规划和规划条件。",
        "procedure": ["申请", "受理", "审查（含方案公示）", "决定", "送达"],
        "materials": [
            _m("M1", "建设工程规划许可申请表", "original", 1),
            _m("M2", "土地使用权证明文件", "copy", 1),
            _m("M3", "建设工程设计方案总平面图", "original", 2, notes="须加盖设计单位出图章"),
            _m("M4", "建筑单体设计方案（平、立、剖面图）", "original", 2),
            _m("M5", "申请人身份证明或营业执照", "copy", 1),
        ],
        "statutory_limit": 20, "statutory_unit": "working", "promised_limit": 10, "promised_unit": "working",
        "fee_items": [], "fee_note": "不收费", "enquiry_phone": "0000-12345602", "complaint_phone": COMPLAINT,
    },
    {
        "code": "ZJ-002", "name": "商品房预售许可", "department_code": "ZJJ", "case_prefix": "YS",
        "category_prefix": "A", "kind": "promised",
        "legal_basis": "《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》（建设部令第131号）第七条",
        "conditions": "已交付全部土地使用权出让金，取得土地使用权证书；持有建设工程规划许可证和施工许可证；"
                      "按提供预售的商品房计算，投入开发建设的资金达到工程建设总投资的百分之二十五以上，并已确定施工进度和竣工交付日期。",
        "procedure": ["申请", "受理", "现场查勘", "审查", "决定", "送达"],
        "materials": [
            _m("M1", "商品房预售许可申请表", "original", 1),
            _m("M2", "开发企业营业执照和资质证书", "copy", 1),
            _m("M3", "不动产权证书（土地）", "copy", 1),
            _m("M4", "建设工程规划许可证和施工许可证", "copy", 1),
            _m("M5", "工程施工合同及形象进度证明", "copy", 1),
            _m("M6", "商品房预售方案", "original", 1),
            _m("M7", "预售资金监管协议", "original_and_copy", 1),
        ],
        "statutory_limit": 10, "statutory_unit": "working", "promised_limit": 5, "promised_unit": "working",
        "fee_items": [], "fee_note": "不收费", "enquiry_phone": "0000-12345601", "complaint_phone": COMPLAINT,
    },
    {
        "code": "BDC-001", "name": "房屋所有权登记（国有建设用地使用权及房屋所有权首次登记）",
        "department_code": "BDC", "case_prefix": "DJ", "category_prefix": "B", "kind": "promised",
        "legal_basis": "《中华人民共和国民法典》第二百零九条、第二百一十条；《不动产登记暂行条例》第二十条；"
                       "《不动产登记暂行条例实施细则》第三十五条",
        "conditions": "房屋已竣工验收；申请人为国有建设用地使用权人；权属清楚、界址清楚、面积准确。",
        "procedure": ["申请", "受理", "审核", "登簿", "缴费", "发证"],
        "materials": [
            _m("M1", "不动产登记申请书", "original", 1),
            _m("M2", "申请人身份证明", "original_and_copy", 1),
            _m("M3", "不动产权属来源证明（国有建设用地使用权证书）", "original", 1),
            _m("M4", "建设工程符合规划的材料", "copy", 1),
            _m("M5", "房屋已经竣工的材料（竣工验收备案表）", "copy", 1),
            _m("M6", "房地产调查或者测绘报告", "original", 1),
            _m("M7", "相关税费缴纳凭证", "copy", 1, required=False, notes="依法需要缴纳税费的提交"),
        ],
        "statutory_limit": 30, "statutory_unit": "working", "promised_limit": 5, "promised_unit": "working",
        "fee_items": [{"code": "BDC-DJF-FZZ", "name": "不动产登记费（非住宅）"},
                      {"code": "BDC-DJF-ZZ", "name": "不动产登记费（住宅）"},
                      {"code": "BDC-GBF", "name": "不动产权证书工本费"}],
        "fee_note": "住宅每件80元，非住宅每件550元；证书工本费每本10元（第一本免收）",
        "enquiry_phone": "0000-12345603", "complaint_phone": COMPLAINT,
    },
    {
        "code": "RQ-001", "name": "燃气经营许可证核发", "department_code": "RQB", "case_prefix": "RQ",
        "category_prefix": "A", "kind": "promised",
        "legal_basis": "《城镇燃气管理条例》第十五条；《燃气经营许可管理办法》（建城〔2019〕2号）",
        "conditions": "符合燃气发展规划要求；有符合国家标准的燃气气源和燃气设施；有固定的经营场所、完善的安全管理制度和健全的经营方案；"
                      "企业的主要负责人、安全生产管理人员以及运行、维护和抢修人员经专业培训并考核合格。",
        "procedure": ["申请", "受理", "材料审查", "现场核查", "决定", "送达"],
        "materials": [
            _m("M1", "燃气经营许可申请书", "original", 1),
            _m("M2", "企业营业执照", "copy", 1),
            _m("M3", "燃气设施竣工验收合格文件", "copy", 1),
            _m("M4", "气源证明（供气协议）", "copy", 1),
            _m("M5", "经营场所产权或租赁证明", "copy", 1),
            _m("M6", "安全管理制度和经营方案", "original", 1),
            _m("M7", "主要负责人等人员专业培训考核合格证明", "copy", 1),
        ],
        "statutory_limit": 20, "statutory_unit": "working", "promised_limit": 15, "promised_unit": "working",
        "fee_items": [], "fee_note": "不收费", "enquiry_phone": "0000-12345604", "complaint_phone": COMPLAINT,
    },
    {
        "code": "BDC-002", "name": "不动产登记资料查询", "department_code": "BDC", "case_prefix": "CX",
        "category_prefix": "B", "kind": "instant",
        "legal_basis": "《不动产登记暂行条例》第二十七条；《不动产登记资料查询暂行办法》",
        "conditions": "权利人、利害关系人可以依法查询、复制不动产登记资料。",
        "procedure": ["申请", "受理", "当场出具查询结果"],
        "materials": [
            _m("M1", "不动产登记资料查询申请书", "original", 1),
            _m("M2", "查询人身份证明", "original", 1, notes="原件核验后退回"),
            _m("M3", "利害关系证明材料", "copy", 1, required=False, notes="利害关系人查询时提交"),
        ],
        "statutory_limit": 0, "statutory_unit": "working", "promised_limit": 0, "promised_unit": "working",
        "fee_items": [], "fee_note": "不收费", "enquiry_phone": "0000-12345603", "complaint_phone": COMPLAINT,
    },
    {
        "code": "ZJ-003", "name": "房屋建筑和市政基础设施工程竣工验收备案", "department_code": "ZJJ",
        "case_prefix": "BA", "category_prefix": "A", "kind": "promised",
        "legal_basis": "《建设工程质量管理条例》第四十九条；《房屋建筑和市政基础设施工程竣工验收备案管理办法》",
        "conditions": "工程已经竣工验收合格。",
        "procedure": ["申请", "受理", "审查", "备案"],
        "materials": [
            _m("M1", "工程竣工验收备案表", "original", 2),
            _m("M2", "工程竣工验收报告", "original", 1),
            _m("M3", "规划、消防等部门出具的认可文件或准许使用文件", "copy", 1),
            _m("M4", "施工单位签署的工程质量保修书", "original", 1),
            _m("M5", "住宅质量保证书和住宅使用说明书", "copy", 1, required=False, notes="商品住宅工程提交"),
        ],
        "statutory_limit": 15, "statutory_unit": "natural", "promised_limit": 5, "promised_unit": "working",
        "fee_items": [], "fee_note": "不收费", "enquiry_phone": "0000-12345601", "complaint_phone": COMPLAINT,
    },
]


def seed(session: Session, *, settings: Settings, now: datetime, report: "SeedReport") -> None:
    if session.scalar(select(Matter.id).limit(1)) is not None:
        return
    items = [c.MatterIn.model_validate(m) for m in MATTERS]
    svc.import_matters(session, items=items, actor=SYSTEM, now=now)
    report.lines.append(f"已建立演示事项清单：{len(items)} 个事项（住建、规划、不动产、燃气）。")
