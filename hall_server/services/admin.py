"""Hall configuration use cases: queue categories and windows (staff and devices live in
``auth``). Each change is logged like any other: the supervision office sees who opened
a window or a queue, and when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from ..domain import queue as q
from ..domain.errors import BadInput, Conflict, NotFound
from ..models import Category, Department, Window
from . import events
from .actors import Actor


def department_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    dept = session.scalar(select(Department.id).where(Department.code == code))
    if dept is None:
        raise NotFound(f"没有部门 {code}。", code="department_not_found")
    return dept


def add_category(session: Session, *, prefix: str, name: str, department_code: str | None = None,
                 service_minutes: float = 8.0, sort: int = 0, actor: Actor, now: datetime) -> Category:
    q.validate_prefix(prefix)
    if session.scalar(select(Category.id).where(Category.prefix == prefix)) is not None:
        raise Conflict(f"业务类别 {prefix} 已存在。", code="category_exists")
    cat = Category(prefix=prefix, name=name.strip(), department_id=department_id(session, department_code),
                   service_minutes=service_minutes, sort=sort, active=True)
    session.add(cat)
    session.flush()
    events.append(session, kinds.CATEGORY_ADDED.type, actor=actor, at=now,
                  data={"category": prefix, "name": cat.name, "service_minutes": service_minutes})
    return cat


def add_window(session: Session, *, window_no: int, name: str, categories: list[str],
               department_code: str | None = None, is_fee_window: bool = False,
               actor: Actor, now: datetime) -> Window:
    """A window serves its categories in the given order (the first is its main queue)."""
    if len(set(categories)) != len(categories):
        raise BadInput("窗口的业务类别不能重复。", code="duplicate_category")
    known = set(session.scalars(select(Category.prefix).where(Category.prefix.in_(categories))))
    missing = [p for p in categories if p not in known]
    if missing:
        raise NotFound(f"没有业务类别“{'、'.join(missing)}”。", code="category_not_found")
    if session.scalar(select(Window.id).where(Window.window_no == window_no)) is not None:
        raise Conflict(f"{window_no} 号窗口已存在。", code="window_exists")
    w = Window(window_no=window_no, name=name.strip(), department_id=department_id(session, department_code),
               categories=list(categories), is_fee_window=is_fee_window)
    session.add(w)
    session.flush()
    events.append(session, kinds.WINDOW_ADDED.type, actor=actor, at=now, window_no=window_no,
                  data={"name": w.name, "categories": list(categories), "is_fee_window": is_fee_window})
    return w
