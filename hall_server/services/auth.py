"""Passwords (argon2id, memory-hard), bearer tokens, sign-in lockout and device tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from ..domain.errors import BadInput, Conflict, NotFound, Unauthorized
from ..domain.roles import ALL_ROLES, DEVICE_ROLES, STAFF_ROLES, Role
from ..models import Device, Duty, Staff, Token
from ..models.audit import LoginThrottle
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
          checked_hash: str | None = None, source: str = "") -> LoginResult:
    """Check the password, counting failures; the caller commits even on failure so the
    failure count sticks (the API does this via ``LoginFailed``).

    Failures are counted per account *and source* (the client's address; approvals typed
    at another's PC count under their own empty source): growing delays, then a lockout
    of that source only, so five wrong passwords typed anywhere cannot lock an approver or
    the admin out of the hall. Across all sources an account only gets (capped) delays.
    An admin lifts any of it (``unlock``); an account lock set by the admin stops its tokens.

    ``verified_hash``: the hash the caller already checked ``password`` against outside
    the transaction (argon2 takes tens of ms; holding the writer lock meanwhile would
    stall every window). It counts only if it is still the stored hash. ``checked_hash``:
    the hash the caller checked and found *not* matching (no need to hash again)."""
    staff = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if staff is None or not staff.active:
        raise LoginFailed("工号或密码错误。")
    if staff.locked_until and staff.locked_until > now:
        raise LoginFailed("账号已被管理员锁定，请联系系统管理员。", code="account_locked")
    source = source[:64]
    row = session.get(LoginThrottle, (staff.staff_no, source))
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        wait = row.blocked_until - now
        if row.failures >= settings.lockout_attempts:
            minutes = max(1, int(wait.total_seconds() // 60) + 1)
            raise LoginFailed(f"在本机连续输错密码次数过多，已锁定，请 {minutes} 分钟后再试或请管理员解锁"
                              "（其他电脑登录不受影响）。", code="account_locked")
        raise TooManyAttempts(f"密码输错，请 {max(1, int(wait.total_seconds() + 0.999))} 秒后再试。")
    account_wait = _account_delay(session, settings=settings, staff=staff, now=now)
    if account_wait > 0:
        raise TooManyAttempts(f"该账号近期多次输错密码，请 {int(account_wait + 0.999)} 秒后再试。")
    try:
        if checked_hash is not None and checked_hash == staff.password_hash:
            raise VerificationError()
        if verified_hash is None or verified_hash != staff.password_hash:
            hasher(settings).verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        staff.failed_logins += 1
        if row is None:
            row = LoginThrottle(staff_no=staff.staff_no, source=source, failures=0, last_failed_at=now)
            session.add(row)
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= settings.lockout_attempts:
            row.blocked_until = now + timedelta(minutes=settings.lockout_minutes)
            events.append(session, kinds.STAFF_LOCKED.type, actor=f"staff:{staff.staff_no}", at=now,
                          data={"staff_no": staff.staff_no, "minutes": settings.lockout_minutes,
                                "source": source})
            raise LoginFailed(
                f"连续输错密码 {settings.lockout_attempts} 次，本机已锁定 {settings.lockout_minutes} 分钟"
                "（管理员可解锁）。", code="account_locked") from None
        row.blocked_until = now + timedelta(seconds=source_delay(row.failures, settings=settings))
        left = settings.lockout_attempts - row.failures
        raise LoginFailed(f"工号或密码错误，在本机再错 {left} 次将锁定。") from None
    staff.failed_logins = 0
    if row is not None:
        session.delete(row)
    token = new_token()
    expires = now + timedelta(hours=settings.token_ttl_hours)
    session.add(Token(token_hash=hash_token(token), staff_id=staff.id, window_no=window_no,
                      created_at=now, expires_at=expires))
    session.flush()
    return LoginResult(token, staff, expires)


def sign_in_blocked(session: Session, *, settings: Settings, staff: Staff, now: datetime,
                    source: str = "") -> bool:
    """Would a password from this source be refused unchecked right now (account lock,
    the source's delay or lockout, the account's delay)? Approvals ask this first, so a
    right guess after many wrong ones does not slip through."""
    if staff.locked_until is not None and staff.locked_until > now:
        return True
    row = session.get(LoginThrottle, (staff.staff_no, source[:64]))
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        return True
    return _account_delay(session, settings=settings, staff=staff, now=now) > 0


def source_delay(failures: int, *, settings: Settings) -> float:
    """Seconds a source waits after its n-th wrong password: 0, 1, 2, 4 … (capped); a
    typo costs nothing, guessing costs time."""
    if failures <= 1:
        return 0.0
    return float(min(2 ** (failures - 2), settings.login_source_delay_max_s))


def _account_delay(session: Session, *, settings: Settings, staff: Staff, now: datetime) -> float:
    """Guesses spread over many sources slow the account down (never lock it)."""
    over = staff.failed_logins - settings.login_account_delay_after
    if over < 0:
        return 0.0
    last = session.scalar(select(func.max(LoginThrottle.last_failed_at)).where(LoginThrottle.staff_no == staff.staff_no))
    if last is None:
        return 0.0
    wait = min(2.0 ** over, settings.login_source_delay_max_s) - (now - last).total_seconds()
    return max(0.0, wait)


def unlock(session: Session, *, staff_no: str, actor: Actor, now: datetime) -> int:
    """The admin lifts every sign-in lockout and delay of an account, and an account lock."""
    staff = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if staff is None:
        raise NotFound(f"找不到工号 {staff_no}。", code="staff_not_found")
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.staff_no == staff_no)).all()
    for r in rows:
        session.delete(r)
    staff.failed_logins = 0
    staff.locked_until = None
    events.append(session, kinds.STAFF_UNLOCKED.type, actor=actor, at=now,
                  data={"staff_no": staff_no, "sources": len(rows)})
    return len(rows)


def lock(session: Session, *, staff_no: str, actor: Actor, now: datetime, days: int = 36500) -> Staff:
    """The admin locks an account: it cannot sign in and its tokens stop working."""
    staff = session.scalar(select(Staff).where(Staff.staff_no == staff_no))
    if staff is None:
        raise NotFound(f"找不到工号 {staff_no}。", code="staff_not_found")
    staff.locked_until = now + timedelta(days=days)
    events.append(session, kinds.STAFF_LOCKED.type, actor=actor, at=now, data={"staff_no": staff_no, "by_admin": True})
    return staff


class LoginFailed(Unauthorized):
    code = "login_failed"


class TooManyAttempts(LoginFailed):
    """A wait imposed by the throttle (a LoginFailed, so approvals treat it as one)."""
    status = 429
    code = "too_many_attempts"
    message = "密码输错次数较多，请稍后再试。"


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
        if staff.locked_until is not None and staff.locked_until > now:
            raise Unauthorized("账号已被管理员锁定。", code="invalid_token")
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
