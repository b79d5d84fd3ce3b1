"""Demo of the supervision area: the hall's hardware reporting in, so the manager's
dashboard shows device health from the first start (a kiosk printer low on paper)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..models.supervision import DeviceHealth
from ..services import dashboard
from ..services.actors import Actor
from ..settings import Settings
from ..domain.roles import Role

if TYPE_CHECKING:
    from . import SeedReport

DEVICES = [
    ("kiosk-1/ticket-printer", "printer", "warning", "纸将尽", None),
    ("kiosk-1/idcard-reader", "idcard", "ok", "", None),
    ("display-1/hall-led", "led", "ok", "", None),
    ("window-12/receipt-printer", "printer", "ok", "", 12),
]


def seed(session: Session, *, settings: Settings, now: datetime, report: "SeedReport") -> None:
    if session.scalar(select(DeviceHealth.id).limit(1)) is not None:
        return
    actor = Actor(kind="system", id=None, name="演示", roles=frozenset({Role.ADMIN}))
    reports = [c.DeviceReport(name=n, kind=k, status=s, detail=d, window_no=w)  # type: ignore[arg-type]
               for n, k, s, d, w in DEVICES]
    dashboard.report_health(session, reports=reports, actor=actor, now=now)
    report.lines.append(f"设备状态：{len(DEVICES)} 台外设已上报（取号机打印机纸将尽）；红黄牌规则见 resources/cards.toml。")
