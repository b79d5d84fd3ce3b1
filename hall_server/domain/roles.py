"""Who may do what: staff roles and device kinds share one enum for endpoint checks."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    CASHIER = "cashier"
    MANAGER = "manager"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    KIOSK = "kiosk"
    DISPLAY = "display"
    EVALUATOR = "evaluator"


STAFF_ROLES = frozenset({Role.CLERK, Role.CASHIER, Role.MANAGER, Role.SUPERVISOR, Role.ADMIN})
DEVICE_ROLES = frozenset({Role.KIOSK, Role.DISPLAY, Role.EVALUATOR})
ALL_ROLES = STAFF_ROLES | DEVICE_ROLES

ROLE_LABELS = {
    Role.CLERK: "窗口人员", Role.CASHIER: "收费员", Role.MANAGER: "大厅管理员",
    Role.SUPERVISOR: "驻厅监察", Role.ADMIN: "系统管理员", Role.KIOSK: "取号机",
    Role.DISPLAY: "显示屏", Role.EVALUATOR: "评价器",
}
