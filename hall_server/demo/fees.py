"""Fees of the demo hall: collection accounts, the fee items of the demo matters (不动产
登记 BDC-001, codes as the catalog lists them), and the receipt and refund series.

Standards follow 发改价格规〔2016〕2559号 (登记费 住宅 80 元/件, 非住宅 550 元/件, 证书工本费
each extra certificate 10 元); the tiered survey fee is a demonstration of the area model,
not a real tariff.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from .. import contract as c
from ..domain.fees import IncomeType, StandardKind
from ..models.fees import FeeAccount
from ..services import fees as svc
from ..services.actors import SYSTEM
from ..settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from . import SeedReport

BANK = "示范市农村商业银行政务中心支行"
ACCOUNTS = [
    ("BDC-01", "市不动产登记中心非税收入待缴过渡户", "6230000000000101", "BDC"),
    ("BDC-02", "市不动产登记中心测绘收入待缴过渡户", "6230000000000102", "BDC"),
    ("ZJJ-01", "市住房和城乡建设局非税收入待缴过渡户", "6230000000000201", "ZJJ"),
    ("ZRZY-01", "市自然资源和规划局非税收入待缴过渡户", "6230000000000301", "ZRZY"),
    ("RQB-01", "市城市管理局非税收入待缴过渡户", "6230000000000401", "RQB"),
]
BASIS_2559 = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
ITEMS = [
    dict(code="BDC-DJF-ZZ", name="不动产登记费（住宅）", matter_code="BDC-001", department_code="BDC",
         account_code="BDC-01", income_type=IncomeType.ADMIN_FEE, legal_basis=BASIS_2559, unit="件",
         standard=dict(kind=StandardKind.FIXED, price_fen=8000), exclusive_group="BDC-DJF"),
    dict(code="BDC-DJF-FZZ", name="不动产登记费（非住宅）", matter_code="BDC-001", department_code="BDC",
         account_code="BDC-01", income_type=IncomeType.ADMIN_FEE, legal_basis=BASIS_2559, unit="件",
         standard=dict(kind=StandardKind.FIXED, price_fen=55000), exclusive_group="BDC-DJF"),
    dict(code="BDC-GBF", name="不动产权证书工本费（第二本起）", matter_code="BDC-001", department_code="BDC",
         account_code="BDC-01", income_type=IncomeType.ADMIN_FEE, legal_basis=BASIS_2559, unit="本",
         standard=dict(kind=StandardKind.PER_UNIT, price_fen=1000, whole_units=True)),
    dict(code="BDC-CHF", name="房产测绘费（演示：按面积分档）", matter_code="BDC-001", department_code="BDC",
         account_code="BDC-02", income_type=IncomeType.OTHER, legal_basis="示范市房产测绘收费办法（演示数据）",
         unit="m²", standard=dict(kind=StandardKind.TIERED, whole_units=False, min_fen=5000, max_fen=500000,
                                   tiers=[dict(upto_centi=20000, price_fen=136),
                                          dict(upto_centi=100000, price_fen=100),
                                          dict(upto_centi=None, price_fen=80)])),
]
SERIES = [("receipt", "政务服务收费票据", "SF2026", 8), ("refund", "退费凭证", "TF2026", 8)]


def seed(session: "Session", *, settings: Settings, now: datetime, report: "SeedReport") -> None:
    if session.scalar(select(FeeAccount.id).limit(1)) is not None:
        return
    for code, name, account_no, dept in ACCOUNTS:
        svc.add_account(session, body=c.FeeAccountIn(code=code, name=name, bank=BANK, account_no=account_no,
                                                      department_code=dept), actor=SYSTEM, now=now)
    for item in ITEMS:
        svc.add_item(session, body=c.FeeItemIn.model_validate(item), actor=SYSTEM, now=now)
    for code, name, prefix, width in SERIES:
        svc.save_series(session, code=code, body=c.SeriesIn(name=name, prefix=prefix, width=width), actor=SYSTEM,
                        now=now)
    report.lines.append(f"收费：{len(ACCOUNTS)} 个收款账户、{len(ITEMS)} 个收费项目、票据号段 "
                        + "、".join(f"{p}{'0' * (w - 1)}1" for _, _, p, w in SERIES) + " 起。")
