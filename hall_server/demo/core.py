"""Core of the demo hall: departments, queue categories, 12 windows, staff of every role,
one kiosk, one display and an evaluator per window."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from ..domain.roles import Role
from ..models import Category, Department, Staff, Window
from ..services import auth, events
from ..services.actors import SYSTEM
from ..settings import Settings

if TYPE_CHECKING:
    from . import SeedReport

DEPARTMENTS = [
    ("ZJJ", "市住房和城乡建设局", "0000-12345601"),
    ("ZRZY", "市自然资源和规划局", "0000-12345602"),
    ("BDC", "市不动产登记中心", "0000-12345603"),
    ("RQB", "市城市管理局（燃气）", "0000-12345604"),
]
# prefix, name, department, minutes per service
CATEGORIES = [
    ("A", "工程建设审批", "ZJJ", 12.0),
    ("B", "不动产登记", "BDC", 10.0),
    ("C", "规划与用地", "ZRZY", 15.0),
    ("D", "综合收费", None, 4.0),
]
# window_no, name, department, categories in the order the window serves them, fee window?
WINDOWS = [
    (1, "工程建设审批 1 号窗", "ZJJ", ["A"], False),
    (2, "工程建设审批 2 号窗", "ZJJ", ["A"], False),
    (3, "工程建设审批 3 号窗", "ZJJ", ["A", "C"], False),
    (4, "商品房预售许可窗", "ZJJ", ["A", "B"], False),
    (5, "不动产登记 5 号窗", "BDC", ["B"], False),
    (6, "不动产登记 6 号窗", "BDC", ["B"], False),
    (7, "不动产登记 7 号窗", "BDC", ["B"], False),
    (8, "不动产登记 8 号窗", "BDC", ["B", "A"], False),
    (9, "规划许可 9 号窗", "ZRZY", ["C"], False),
    (10, "规划许可 10 号窗", "ZRZY", ["C", "A"], False),
    (11, "燃气经营许可窗", "RQB", ["A", "C"], False),
    (12, "综合收费窗口", None, ["D"], True),
]
# staff_no, name, department, post, roles
STAFF = [
    ("1001", "王建国", "ZJJ", "审批科科员", [Role.CLERK]),
    ("1002", "李秀英", "ZJJ", "审批科科员", [Role.CLERK]),
    ("1003", "张伟", "ZJJ", "审批科副科长", [Role.CLERK]),
    ("1004", "刘洋", "ZJJ", "市场科科员", [Role.CLERK]),
    ("1005", "陈静", "BDC", "登记员", [Role.CLERK]),
    ("1006", "杨帆", "BDC", "登记员", [Role.CLERK]),
    ("1007", "赵敏", "BDC", "登记员", [Role.CLERK]),
    ("1008", "黄磊", "BDC", "登记员", [Role.CLERK]),
    ("1009", "周婷", "ZRZY", "规划科科员", [Role.CLERK]),
    ("1010", "吴刚", "ZRZY", "规划科科员", [Role.CLERK]),
    ("1011", "徐丽", "RQB", "燃气科科员", [Role.CLERK]),
    ("2001", "孙会计", None, "收费员", [Role.CASHIER]),
    ("2002", "马出纳", None, "收费员", [Role.CASHIER]),
    ("3001", "郑主任", None, "大厅主任", [Role.MANAGER]),
    ("4001", "钱监察", None, "驻厅监察员", [Role.SUPERVISOR]),
    ("4002", "冯科长", None, "财务科科长（审批作废退费）", [Role.SUPERVISOR]),
    ("9001", "系统管理员", None, "信息科", [Role.ADMIN]),
]


def seed(session: Session, *, settings: Settings, now: datetime, report: "SeedReport") -> None:
    from . import DEMO_PASSWORD
    if session.scalar(select(Department.id).limit(1)) is not None:
        report.lines.append("演示数据已存在，未重复写入。")
        return
    depts: dict[str, Department] = {}
    for code, name, phone in DEPARTMENTS:
        depts[code] = Department(code=code, name=name, phone=phone)
        session.add(depts[code])
    session.flush()
    for i, (prefix, name, dept, minutes) in enumerate(CATEGORIES):
        session.add(Category(prefix=prefix, name=name, department_id=depts[dept].id if dept else None,
                             service_minutes=minutes, sort=i))
    for no, name, dept, cats, fee in WINDOWS:
        session.add(Window(window_no=no, name=name, department_id=depts[dept].id if dept else None,
                           categories=cats, is_fee_window=fee))
    session.flush()
    events.append(session, kinds.HALL_SEEDED.type, actor=SYSTEM, at=now,
                  data={"departments": len(DEPARTMENTS), "categories": len(CATEGORIES), "windows": len(WINDOWS)})
    for staff_no, name, dept, post, roles in STAFF:
        auth.add_staff(session, settings=settings, staff_no=staff_no, name=name, password=DEMO_PASSWORD,
                       roles=roles, department_id=depts[dept].id if dept else None, post=post,
                       photo_ref=f"photos/{staff_no}.png", actor=SYSTEM, now=now)
    for name, kind, window in [("kiosk-1", Role.KIOSK, None), ("display-1", Role.DISPLAY, None)] + [
        (f"evaluator-{no}", Role.EVALUATOR, no) for no, *_ in WINDOWS
    ]:
        _, token = auth.add_device(session, name=name, kind=kind, window_no=window, actor=SYSTEM, now=now)
        report.device_tokens[name] = token
    report.lines.append(
        f"已建立演示大厅：{len(DEPARTMENTS)} 个部门、{len(CATEGORIES)} 个队列、{len(WINDOWS)} 个窗口、"
        f"{len(STAFF)} 名工作人员（演示密码均为 {DEMO_PASSWORD}）。")
