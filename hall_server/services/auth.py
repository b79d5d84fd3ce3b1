"""Passwords (argon2id, memory-hard), bearer tokens, sign-in lockout and device tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from ..domain.errors import BadInput, Conflict, NotFound, Unauthorized
from ..domain.roles import ALL_ROLES, DEVICE_ROLES, STAFF_ROLES, Role
from ..models import Device, Duty, Staff, Token
from ..settings import Settings
from . import events
from .actors import Actor


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib,
                          parallelism=settings.argon2_parallelism)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def parse_roles(roles: str | list[str]) -> list[Role]:
    items = roles.split(",") if isinstance(roles, str) else roles
    out: list[Role] = []
    for r in items:
        r = r.strip()
        if not r:
            continue
        if r not in ALL_ROLES:
            raise BadInput(f"未知角色“{r}”。", code="unknown_role")
        out.append(Role(r))
    return out


def add_staff(
    session: Session, *, settings: Settings, staff_no: str, name: str, password: str,
    roles: list[Role], department_id: int | None = None, post: str = "", photo_ref: str = "",
    actor: Actor, now: datetime,
) -> Staff:
    if not staff_no.strip() or not name.strip():
        raise BadInput("工号和姓名不能为空。")
    if len(password) < 6:
        raise BadInput("密码至少 6 位。", code="weak_password")
    bad = [r for r in roles if r not in STAFF_ROLES]
    if bad or not roles:
        raise BadInput("工作人员角色须为 clerk/cashier/manager/supervisor/admin。", code="unknown_role")
    if session.scalar(select(Staff.id).where(Staff.staff_no == staff_no)) is not None:
        raise Conflict(f"工号 {staff_no} 已存在。", code="staff_exists")
    staff = Staff(staff_no=staff_no, name=name, department_id=department_id, post=post,
                  photo_ref=photo_ref, roles=",".join(roles),
                  password_hash=hasher(settings).hash(password))
    session.add(staff)
    session.flush()
    events.append(session, kinds.STAFF_ADDED.type, actor=actor, at=now,
                  data={"staff_no": staff_no, "name": name, "roles": list(roles)})
    return staff


def add_device(session: Session, *, name: str, kind: Role, window_no: int | None = None,
               actor: Actor, now: datetime) -> tuple[Device, str]:
    """Create a device and its token; the token is shown once and stored only hashed."""
    if kind not in DEVICE_ROLES:
        raise BadInput("设备类型须为 kiosk/display/evaluator。", code="unknown_role")
    if session.scalar(select(Device.id).where(Device.name == name)) is not None:
        raise Conflict(f"设备名 {name} 已存在。", code="device_exists")
    device = Device(name=name, kind=kind, window_no=window_no, status={})
    session.add(device)
    session.flush()
    token = new_token()
    session.add(Token(token_hash=hash_token(token), device_id=device.id, created_at=now))
    events.append(session, kinds.DEVICE_ADDED.type, actor=actor, at=now,
                  data={"device": name, "kind": str(kind), "window_no": window_no})
    return device, token


@dataclass(frozen=True)
class LoginResult:
    token: str
    staff: Staff
    expires_at: datetime


def password_hash_of(session: Session, staff_no: str) -> str | None:
    return session.scalar(select(Staff.password_hash).where(Staff.staff_no == staff_no))


_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def check_password(settings: Settings, password_hash: str | None, password: str) -> bool:
    """The slow, memory-hard part of a sign-in, meant to run outside the writer lock.

    An unknown 工号 is checked against a dummy hash of the same cost, so the answer's
    timing does not tell which staff numbers exist."""
    h = hasher(settings)
    if password_hash is None:
        key = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
        if key not in _DUMMY_HASHES:
            _DUMMY_HASHES[key] = h.hash(secrets.token_urlsafe(16))
        password_hash = _DUMMY_HASHES[key]
        try:
            h.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return bool(h.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def login(session: Session, *, settings: Settings, staff_no: str, password: str, now: datetime,
          window_no: int | None = None, verified_hash: str | None = None,
          checked_hash: str | None = None) -> LoginResult:
    """Check the password, counting failures; the caller commits even on failure so the
    failure count sticks (the API does this via ``LoginFailed``).

    ``verified_hash``: the hash the caller already checked ``password`` against outside
    the transaction (argon2 takes tens of ms; holding the writer lock meanwhile would
    stall every window). It counts only if it is still the stored hash. ``checked_hash``:
    the hash the caller checked and found *not* matching (no need to hash again)."""
    staff = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if staff is None or not staff.active:
        raise LoginFailed("工号或密码错误。")
    if staff.locked_until and staff.locked_until > now:
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        raise LoginFailed(f"连续输错密码次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员。",
                          code="account_locked")
    try:
        if checked_hash is not None and checked_hash == staff.password_hash:
            raise VerificationError()
        if verified_hash is None or verified_hash != staff.password_hash:
            hasher(settings).verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        staff.failed_logins += 1
        if staff.failed_logins >= settings.lockout_attempts:
            staff.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            staff.failed_logins = 0
            events.append(session, kinds.STAFF_LOCKED.type, actor=f"staff:{staff.staff_no}", at=now,
                          data={"staff_no": staff.staff_no, "minutes": settings.lockout_minutes})
            raise LoginFailed(
                f"连续输错密码 {settings.lockout_attempts} 次，账号已锁定 {settings.lockout_minutes} 分钟。",
                code="account_locked") from None
        left = settings.lockout_attempts - staff.failed_logins
        raise LoginFailed(f"工号或密码错误，再错 {left} 次将锁定账号。") from None
    staff.failed_logins = 0
    staff.locked_until = None
    token = new_token()
    expires = now + timedelta(hours=settings.token_ttl_hours)
    session.add(Token(token_hash=hash_token(token), staff_id=staff.id, window_no=window_no,
                      created_at=now, expires_at=expires))
    session.flush()
    return LoginResult(token, staff, expires)


class LoginFailed(Unauthorized):
    code = "login_failed"


def resolve(session: Session, *, token: str, now: datetime) -> Actor:
    return resolve_token(session, token=token, now=now)[0]


def resolve_token(session: Session, *, token: str, now: datetime) -> tuple[Actor, datetime | None]:
    """The actor behind a bearer token, and when the token expires (for callers that cache)."""
    row = session.scalar(select(Token).where(Token.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("登录已失效，请重新登录。", code="invalid_token")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized("登录已过期，请重新登录。", code="token_expired")
    if row.staff_id is not None:
        staff = session.get(Staff, row.staff_id)
        if staff is None or not staff.active:
            raise Unauthorized("账号已停用。", code="invalid_token")
        return Actor(kind="staff", id=staff.id, name=staff.name,
                     roles=frozenset(Role(r) for r in staff.role_set), staff_no=staff.staff_no,
                     window_no=row.window_no, department_id=staff.department_id), row.expires_at
    device = session.get(Device, row.device_id)
    if device is None or not device.active:
        raise Unauthorized("设备已停用。", code="invalid_token")
    return Actor(kind="device", id=device.id, name=device.name, roles=frozenset({Role(device.kind)}),
                 device_name=device.name, window_no=device.window_no), row.expires_at


def revoke(session: Session, *, token: str | None = None, staff_no: str | None = None,
           device: str | None = None, actor: Actor, now: datetime) -> int:
    q = select(Token).where(Token.revoked_at.is_(None))
    if token is not None:
        q = q.where(Token.token_hash == hash_token(token))
    elif staff_no is not None:
        sid = session.scalar(select(Staff.id).where(Staff.staff_no == staff_no))
        if sid is None:
            raise NotFound(f"找不到工号 {staff_no}。", code="staff_not_found")
        q = q.where(Token.staff_id == sid)
    elif device is not None:
        did = session.scalar(select(Device.id).where(Device.name == device))
        if did is None:
            raise NotFound(f"找不到设备 {device}。", code="device_not_found")
        q = q.where(Token.device_id == did)
    else:
        raise BadInput("请指定要注销的令牌、工号或设备。")
    n = 0
    for t in session.scalars(q):
        t.revoked_at = now
        n += 1
    if n:
        events.append(session, kinds.TOKEN_REVOKED.type, actor=actor, at=now,
                      data={"staff_no": staff_no, "device": device, "count": n})
    return n


def open_duty(session: Session, staff_id: int) -> Duty | None:
    return session.scalar(select(Duty).where(Duty.staff_id == staff_id, Duty.ended_at.is_(None)))
