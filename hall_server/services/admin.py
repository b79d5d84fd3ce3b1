"""Hall configuration use cases: queue categories and windows (staff and devices live in
``auth``). Each change is logged like any other: the supervision office sees who opened
a window or a queue, and when."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..domain import hours as dh
from ..domain import queue as q
from ..domain.errors import BadInput, Conflict, NotFound
from ..domain.roles import STAFF_ROLES, Role
from ..models import Category, Department, Device, Staff, Window
from ..models.admin import StaffLeave, StaffPhoto
from ..settings import Settings
from . import auth, events
from .actors import Actor
from .configlog import changed


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


# --- the admin screens: list, change, disable (never delete what history refers to) ---------
# Every change is one ``config.changed`` event (services/configlog.py) with before/after.

def _dept_maps(session: Session) -> tuple[dict[int, Department], dict[str, Department]]:
    rows = list(session.scalars(select(Department)))
    return {d.id: d for d in rows}, {d.code: d for d in rows}


def _dept_code_name(depts: dict[int, Department], dept_id: int | None) -> tuple[str | None, str]:
    d = depts.get(dept_id) if dept_id is not None else None
    return (d.code, d.name) if d else (None, "")


def _dept_or_clear(session: Session, code: str | None, current: int | None) -> int | None:
    """``None`` keeps the department, ``""`` clears it, a code sets it (404 if unknown)."""
    if code is None:
        return current
    return department_id(session, code) if code else None


def department_out(d: Department) -> c.DepartmentOut:
    return c.DepartmentOut(code=d.code, name=d.name, phone=d.phone or "", active=d.active)


def list_departments(session: Session) -> list[c.DepartmentOut]:
    return [department_out(d) for d in session.scalars(select(Department).order_by(Department.code))]


def add_department(session: Session, *, body: c.DepartmentIn, actor: Actor, now: datetime) -> c.DepartmentOut:
    if session.scalar(select(Department.id).where(Department.code == body.code)) is not None:
        raise Conflict(f"部门编码 {body.code} 已存在。", code="department_exists")
    d = Department(code=body.code, name=body.name.strip(), phone=body.phone.strip(), active=True)
    session.add(d)
    session.flush()
    out = department_out(d)
    changed(session, kind="department", key=d.code, before=None, after=out.model_dump(mode="json"),
            actor=actor, now=now)
    return out


def _department(session: Session, code: str) -> Department:
    d = session.scalar(select(Department).where(Department.code == code))
    if d is None:
        raise NotFound(f"没有部门 {code}。", code="department_not_found")
    return d


def patch_department(session: Session, *, code: str, body: c.DepartmentPatch, actor: Actor,
                     now: datetime) -> c.DepartmentOut:
    d = _department(session, code)
    before = department_out(d).model_dump(mode="json")
    if body.name is not None:
        d.name = body.name.strip()
    if body.phone is not None:
        d.phone = body.phone.strip()
    if body.active is not None:
        d.active = body.active
    session.flush()
    out = department_out(d)
    changed(session, kind="department", key=code, before=before, after=out.model_dump(mode="json"),
            actor=actor, now=now)
    return out


def _serving(session: Session) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for w in session.scalars(select(Window).order_by(Window.window_no)):
        if not w.active:
            continue
        for p in w.categories:
            out.setdefault(p, []).append(w.window_no)
    return out


def category_row(k: Category, depts: dict[int, Department], serving: dict[str, list[int]]) -> c.CategoryRow:
    code, name = _dept_code_name(depts, k.department_id)
    return c.CategoryRow(prefix=k.prefix, name=k.name, department_code=code, department=name,
                         service_minutes=k.service_minutes, sort=k.sort,
                         hours=[c.TimeSpan(start=a, end=b) for a, b in (k.hours or [])],
                         windows=serving.get(k.prefix, []), active=k.active)


def list_categories(session: Session) -> list[c.CategoryRow]:
    depts, _ = _dept_maps(session)
    serving = _serving(session)
    return [category_row(k, depts, serving)
            for k in session.scalars(select(Category).order_by(Category.sort, Category.prefix))]


def _category(session: Session, prefix: str) -> Category:
    k = session.scalar(select(Category).where(Category.prefix == prefix))
    if k is None:
        raise NotFound(f"没有业务类别“{prefix}”。", code="category_not_found")
    return k


def patch_category(session: Session, *, prefix: str, body: c.CategoryPatch, actor: Actor,
                   now: datetime) -> c.CategoryRow:
    k = _category(session, prefix)
    depts, _ = _dept_maps(session)
    before = category_row(k, depts, _serving(session)).model_dump(mode="json")
    if body.name is not None:
        k.name = body.name.strip()
    k.department_id = _dept_or_clear(session, body.department_code, k.department_id)
    if body.service_minutes is not None:
        k.service_minutes = body.service_minutes
    if body.sort is not None:
        k.sort = body.sort
    if body.hours is not None:
        spans = [(s.start, s.end) for s in body.hours]
        dh.parse_day(spans, f"业务类别 {prefix} ")
        k.hours = [list(s) for s in spans] or None
    if body.active is not None:
        k.active = body.active
    session.flush()
    out = category_row(k, depts, _serving(session))
    changed(session, kind="category", key=prefix, before=before, after=out.model_dump(mode="json"),
            actor=actor, now=now)
    return out


def window_row(w: Window, depts: dict[int, Department]) -> c.WindowRow:
    code, name = _dept_code_name(depts, w.department_id)
    return c.WindowRow(window_no=w.window_no, name=w.name, department_code=code, department=name,
                       categories=list(w.categories), is_fee_window=w.is_fee_window,
                       led_address=w.led_address, staff_a=w.staff_a, staff_b=list(w.staff_b or []),
                       active=w.active)


def list_windows(session: Session) -> list[c.WindowRow]:
    depts, _ = _dept_maps(session)
    return [window_row(w, depts) for w in session.scalars(select(Window).order_by(Window.window_no))]


def _check_categories(session: Session, categories: list[str]) -> None:
    if len(set(categories)) != len(categories):
        raise BadInput("窗口的业务类别不能重复。", code="duplicate_category")
    known = set(session.scalars(select(Category.prefix).where(Category.prefix.in_(categories))))
    missing = [p for p in categories if p not in known]
    if missing:
        raise NotFound(f"没有业务类别“{'、'.join(missing)}”。", code="category_not_found")


def _check_post_holders(session: Session, a: str | None, b: list[str]) -> None:
    names = [x for x in [a, *b] if x]
    if len(set(names)) != len(names):
        raise BadInput("A角和B角不能是同一人，B角也不能重复。", code="duplicate_post_holder")
    known = set(session.scalars(select(Staff.staff_no).where(Staff.staff_no.in_(names))))
    missing = [x for x in names if x not in known]
    if missing:
        raise NotFound(f"没有工号 {'、'.join(missing)}。", code="staff_not_found")


def patch_window(session: Session, *, window_no: int, body: c.WindowPatch, actor: Actor,
                 now: datetime) -> c.WindowRow:
    w = session.scalar(select(Window).where(Window.window_no == window_no))
    if w is None:
        raise NotFound(f"没有 {window_no} 号窗口。", code="window_not_found")
    depts, _ = _dept_maps(session)
    before = window_row(w, depts).model_dump(mode="json")
    if body.name is not None:
        w.name = body.name.strip()
    w.department_id = _dept_or_clear(session, body.department_code, w.department_id)
    if body.categories is not None:
        _check_categories(session, list(body.categories))
        w.categories = list(body.categories)
    if body.is_fee_window is not None:
        w.is_fee_window = body.is_fee_window
    if "led_address" in body.model_fields_set:
        w.led_address = body.led_address
    a = w.staff_a if body.staff_a is None else (body.staff_a or None)
    b = list(w.staff_b or []) if body.staff_b is None else list(body.staff_b)
    _check_post_holders(session, a, b)
    w.staff_a, w.staff_b = a, b
    if body.active is not None:
        w.active = body.active
    session.flush()
    out = window_row(w, depts)
    changed(session, kind="window", key=str(window_no), before=before, after=out.model_dump(mode="json"),
            actor=actor, now=now, window_no=window_no)
    return out


def set_window_extras(session: Session, *, window: Window, led_address: int | None, staff_a: str | None,
                      staff_b: list[str]) -> None:
    """The admin fields a new window may carry beyond ``add_window``'s."""
    _check_post_holders(session, staff_a or None, staff_b)
    window.led_address, window.staff_a, window.staff_b = led_address, staff_a or None, list(staff_b)
    session.flush()


# --- staff --------------------------------------------------------------------------------

def _staff(session: Session, staff_no: str) -> Staff:
    st = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if st is None:
        raise NotFound(f"找不到工号 {staff_no}。", code="staff_not_found")
    return st


def staff_row(st: Staff, depts: dict[int, Department], photos: set[int], now: datetime) -> c.StaffRow:
    code, name = _dept_code_name(depts, st.department_id)
    return c.StaffRow(staff_no=st.staff_no, name=st.name, department_code=code, department=name,
                      post=st.post or "", roles=sorted(st.role_set), active=st.active,
                      has_photo=st.id in photos, locked=bool(st.locked_until and st.locked_until > now))


def _photo_ids(session: Session) -> set[int]:
    return set(session.scalars(select(StaffPhoto.staff_id)))


def list_staff(session: Session, *, now: datetime) -> list[c.StaffRow]:
    depts, _ = _dept_maps(session)
    photos = _photo_ids(session)
    return [staff_row(st, depts, photos, now) for st in session.scalars(select(Staff).order_by(Staff.staff_no))]


def staff_out(session: Session, staff_no: str, *, now: datetime) -> c.StaffRow:
    depts, _ = _dept_maps(session)
    return staff_row(_staff(session, staff_no), depts, _photo_ids(session), now)


def patch_staff(session: Session, *, staff_no: str, body: c.StaffPatch, actor: Actor, now: datetime) -> c.StaffRow:
    st = _staff(session, staff_no)
    before = staff_out(session, staff_no, now=now).model_dump(mode="json")
    if body.roles is not None:
        bad = [r for r in body.roles if r not in STAFF_ROLES]
        if bad:
            raise BadInput("工作人员的角色只能是窗口人员、收费员、大厅管理员、驻厅监察或系统管理员。",
                           code="unknown_role")
        if actor.staff_no == staff_no and Role.ADMIN not in body.roles:
            raise BadInput("不能取消自己的系统管理员角色。", code="self_demotion")
        st.roles = ",".join(sorted(set(body.roles)))
    if body.name is not None:
        st.name = body.name.strip()
    if body.post is not None:
        st.post = body.post.strip()
    st.department_id = _dept_or_clear(session, body.department_code, st.department_id)
    if body.active is not None:
        if not body.active and actor.staff_no == staff_no:
            raise BadInput("不能停用自己的账号。", code="self_disable")
        st.active = body.active
    session.flush()
    if body.active is False:
        auth.revoke(session, staff_no=staff_no, actor=actor, now=now)  # signs them out everywhere
    out = staff_out(session, staff_no, now=now)
    changed(session, kind="staff", key=staff_no, before=before, after=out.model_dump(mode="json"),
            actor=actor, now=now)
    return out


def reset_password(session: Session, *, settings: Settings, staff_no: str, actor: Actor, now: datetime,
                   password: str) -> c.PasswordResetOut:
    """A new one-time password (shown once to the admin); the lockout is lifted and the
    staff member's sessions end. The event never carries the password or its hash."""
    st = _staff(session, staff_no)
    st.password_hash = auth.hasher(settings).hash(password)
    st.failed_logins, st.locked_until = 0, None
    session.flush()
    auth.revoke(session, staff_no=staff_no, actor=actor, now=now)
    changed(session, kind="staff", key=staff_no, before={"password": "（旧密码）"},
            after={"password": "（已重置）"}, actor=actor, now=now)
    return c.PasswordResetOut(staff_no=staff_no, password=password)


def set_photo(session: Session, *, staff_no: str, jpeg: bytes, size: tuple[int, int], actor: Actor,
              now: datetime) -> c.PhotoOut:
    st = _staff(session, staff_no)
    row = session.get(StaffPhoto, st.id)
    before = None if row is None else f"{len(row.jpeg)} 字节"
    if row is None:
        session.add(StaffPhoto(staff_id=st.id, jpeg=jpeg, updated_at=now))
    else:
        row.jpeg, row.updated_at = jpeg, now
    session.flush()
    changed(session, kind="photo", key=staff_no, before=before, after=f"{len(jpeg)} 字节（{size[0]}×{size[1]}）",
            actor=actor, now=now)
    return c.PhotoOut(staff_no=staff_no, width=size[0], height=size[1], bytes=len(jpeg))


def photo(session: Session, staff_no: str) -> bytes:
    st = _staff(session, staff_no)
    row = session.get(StaffPhoto, st.id)
    if row is None:
        raise NotFound(f"工号 {staff_no} 还没有照片。", code="photo_not_found")
    return row.jpeg


def add_leave(session: Session, *, staff_no: str, body: c.LeaveIn, actor: Actor, now: datetime) -> c.LeaveOut:
    st = _staff(session, staff_no)
    row = session.scalar(select(StaffLeave).where(StaffLeave.staff_id == st.id, StaffLeave.day == body.day))
    if row is not None and row.cancelled_at is None:
        raise Conflict(f"工号 {staff_no} 在 {body.day.isoformat()} 已有请假记录。", code="leave_exists")
    if row is None:
        row = StaffLeave(staff_id=st.id, day=body.day, note=body.note.strip(), created_at=now)
        session.add(row)
    else:
        row.note, row.cancelled_at, row.created_at = body.note.strip(), None, now
    session.flush()
    out = c.LeaveOut(staff_no=staff_no, day=body.day, note=row.note)
    changed(session, kind="leave", key=f"{staff_no}/{body.day.isoformat()}", before=None,
            after=out.model_dump(mode="json"), actor=actor, now=now)
    return out


def cancel_leave(session: Session, *, staff_no: str, day: date, actor: Actor, now: datetime) -> c.LeaveOut:
    st = _staff(session, staff_no)
    row = session.scalar(select(StaffLeave).where(StaffLeave.staff_id == st.id, StaffLeave.day == day,
                                                  StaffLeave.cancelled_at.is_(None)))
    if row is None:
        raise NotFound(f"工号 {staff_no} 在 {day.isoformat()} 没有请假记录。", code="leave_not_found")
    row.cancelled_at = now
    out = c.LeaveOut(staff_no=staff_no, day=day, note=row.note)
    changed(session, kind="leave", key=f"{staff_no}/{day.isoformat()}", before=out.model_dump(mode="json"),
            after=None, actor=actor, now=now)
    return out


def list_leaves(session: Session, *, staff_no: str | None = None, start: date | None = None) -> list[c.LeaveOut]:
    q = (select(StaffLeave, Staff.staff_no).join(Staff, Staff.id == StaffLeave.staff_id)
         .where(StaffLeave.cancelled_at.is_(None)).order_by(StaffLeave.day, Staff.staff_no))
    if staff_no:
        q = q.where(Staff.staff_no == staff_no)
    if start:
        q = q.where(StaffLeave.day >= start)
    return [c.LeaveOut(staff_no=no, day=lv.day, note=lv.note) for lv, no in session.execute(q)]


def on_leave(session: Session, day: date) -> set[str]:
    """工号 of everyone on leave that day (the off-duty card leaves them out)."""
    return {x.staff_no for x in list_leaves(session, start=day) if x.day == day}


# --- devices ------------------------------------------------------------------------------

def device_row(d: Device) -> c.DeviceRow:
    return c.DeviceRow(name=d.name, kind=d.kind, window_no=d.window_no, active=d.active, last_seen_at=d.last_seen_at)


def list_devices(session: Session) -> list[c.DeviceRow]:
    return [device_row(d) for d in session.scalars(select(Device).order_by(Device.kind, Device.name))]


def _device(session: Session, name: str) -> Device:
    d = session.scalar(select(Device).where(Device.name == name))
    if d is None:
        raise NotFound(f"找不到设备 {name}。", code="device_not_found")
    return d


def patch_device(session: Session, *, name: str, body: c.DevicePatch, actor: Actor, now: datetime) -> c.DeviceRow:
    d = _device(session, name)
    before = device_row(d).model_dump(mode="json")
    if body.name is not None and body.name.strip() != d.name:
        new = body.name.strip()
        if session.scalar(select(Device.id).where(Device.name == new)) is not None:
            raise Conflict(f"设备名 {new} 已存在。", code="device_exists")
        d.name = new
    if body.window_no is not None:
        d.window_no = body.window_no or None
    session.flush()
    out = device_row(d)
    changed(session, kind="device", key=name, before=before, after=out.model_dump(mode="json"), actor=actor, now=now)
    return out


def retire_device(session: Session, *, name: str, actor: Actor, now: datetime) -> c.DeviceRow:
    """停用: the token stops working at once; the row stays for the history that names it."""
    d = _device(session, name)
    before = device_row(d).model_dump(mode="json")
    d.active = False
    session.flush()
    auth.revoke(session, device=name, actor=actor, now=now)
    out = device_row(d)
    changed(session, kind="device", key=name, before=before, after=out.model_dump(mode="json"), actor=actor, now=now)
    return out


def client_config(*, server_url: str, kind: str, token: str, window_no: int | None) -> str:
    """The hall-client TOML file for that PC (config.py's format), token included."""
    lines = ["# 政务大厅客户端配置（由系统管理生成）。请复制到该电脑，用",
             f"#   hall-client --mode {kind} --config 本文件",
             "# 启动。文件中含设备令牌，请妥善保管。",
             f'server_url = "{server_url}"', f'device_token = "{token}"']
    if window_no is not None:
        lines.append(f"window_no = {window_no}")
    lines.append("")
    lines.append("[devices]")
    if kind == "kiosk":
        lines += ['printer = "sim:printer?status=required"  # 改为取号机打印机的实际接口',
                  'idcard = "sim:idcard"                    # 改为身份证阅读器的实际接口']
    elif kind == "display":
        lines.append('led = "sim:led"                          # 改为综合屏的实际接口')
    else:
        lines.append('evaluator = "sim:evaluator"              # 改为评价器的实际接口')
    return "\n".join(lines) + "\n"
