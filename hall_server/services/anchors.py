"""Signed checkpoints and the full integrity check (chain, head, anchors, business rows).

The private key is a file the supervision office holds (``Settings.audit_key_path``,
made by ``hall-server audit-key``); the database keeps only signed checkpoints and the
public key. Without the file the server makes no checkpoints and says so.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from .. import contract as c
from ..domain import anchors, audit, replay
from ..domain.errors import Conflict, HallError
from ..models import Event, EventHead, Setting, Staff, Ticket
from ..models.accountability import Rating
from ..models.audit import AuditCheckpoint
from ..models.cases import Case, CaseNotice
from ..models.fees import PaymentNotice, Receipt
from ..settings import Settings
from . import events
from .actors import Actor

log = logging.getLogger(__name__)

PUBLIC_KEY_SETTING = "audit.public_key"


class NoAuditKey(HallError):
    status = 409
    code = "no_audit_key"
    message = "尚未配置监察室签名密钥（请在服务器上运行 hall-server audit-key），无法生成检查点。"


def write_key_file(path: Path, *, force: bool = False) -> str:
    """Create the office's private key file (0600); returns the public key (base64)."""
    if path.exists() and not force:
        raise Conflict(f"密钥文件 {path} 已存在；如确需更换请加 --force（旧检查点仍用旧公钥核验）。",
                       code="audit_key_exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = anchors.new_key_pem()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return anchors.public_key_b64(anchors.load_key_pem(pem))


def load_key(settings: Settings) -> Ed25519PrivateKey | None:
    path = settings.audit_key_path
    if not path.exists():
        return None
    return anchors.load_key_pem(path.read_bytes())


def register_key(session: Session, *, public_key: str, actor: Actor, now: datetime) -> None:
    """Record the public key (never the private one) and log the change of key."""
    row = session.get(Setting, PUBLIC_KEY_SETTING)
    value = {"public_key": public_key, "key_id": anchors.key_id(public_key), "since": now.isoformat()}
    if row is None:
        session.add(Setting(key=PUBLIC_KEY_SETTING, value=value))
    else:
        row.value = value
    events.append(session, kinds.AUDIT_KEY_REGISTERED.type, actor=actor, at=now,
                  data={"key_id": value["key_id"], "public_key": public_key})


def public_key(session: Session) -> str | None:
    row = session.get(Setting, PUBLIC_KEY_SETTING)
    return None if row is None else str(row.value.get("public_key"))


def counts(session: Session) -> dict[str, int]:
    return {
        "events": int(session.scalar(select(func.count()).select_from(Event)) or 0),
        "tickets": int(session.scalar(select(func.count()).select_from(Ticket)) or 0),
        "cases": int(session.scalar(select(func.count()).select_from(Case)) or 0),
        "receipts": int(session.scalar(select(func.count()).select_from(Receipt)) or 0),
        "receipts_fen": int(session.scalar(select(func.coalesce(func.sum(Receipt.amount_fen), 0))) or 0),
        "ratings": int(session.scalar(select(func.count()).select_from(Rating)) or 0),
    }


def make_checkpoint(session: Session, *, settings: Settings, actor: Actor, now: datetime,
                    key: Ed25519PrivateKey | None = None) -> anchors.Checkpoint:
    """Sign the chain's tip as it is now, store the checkpoint, log that it was made."""
    key = key or load_key(settings)
    if key is None:
        raise NoAuditKey()
    seq, h = events.tip(session)
    cp = anchors.sign(anchors.Checkpoint(hall=settings.hall_name, seq=seq, hash=h, at=now.isoformat(),
                                         counts=counts(session), public_key=""), key)
    if public_key(session) != cp.public_key:
        register_key(session, public_key=cp.public_key, actor=actor, now=now)
    session.add(AuditCheckpoint(seq=cp.seq, hash=cp.hash, made_at=now, counts=dict(cp.counts), hall=cp.hall,
                                key_id=cp.key_id, public_key=cp.public_key, signature=cp.signature))
    events.append(session, kinds.AUDIT_CHECKPOINTED.type, actor=actor, at=now,
                  data={"checkpoint_seq": cp.seq, "hash": cp.hash, "key_id": cp.key_id, "counts": dict(cp.counts)})
    log.info("audit checkpoint at seq %s signed with key %s", cp.seq, cp.key_id)
    return cp


def _from_row(r: AuditCheckpoint) -> anchors.Checkpoint:
    return anchors.Checkpoint(hall=r.hall, seq=r.seq, hash=r.hash, at=r.made_at.isoformat(), counts=r.counts,
                              public_key=r.public_key, signature=r.signature)


def stored(session: Session, *, limit: int | None = None) -> list[anchors.Checkpoint]:
    q = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
    if limit:
        q = q.limit(limit)
    return [_from_row(r) for r in reversed(session.scalars(q).all())]


def export_lines(session: Session) -> str:
    """The office's file: every checkpoint, one JSON object per line."""
    return "".join(cp.to_line() + "\n" for cp in stored(session))


def due(session: Session, *, now: datetime, every_hours: float) -> bool:
    last = session.scalar(select(func.max(AuditCheckpoint.made_at)))
    return last is None or now - last >= timedelta(hours=every_hours)


# --- the full check ---------------------------------------------------------------------

@dataclass
class Report:
    chain: audit.VerifyResult
    findings: list[tuple[str, int | None, str]] = field(default_factory=list)  # (kind, seq, message)
    anchors_checked: int = 0
    anchor_hashes: dict[int, str | None] = field(default_factory=dict)
    deep: bool = False

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.findings


def hash_at(session: Session, seq: int) -> str | None:
    return session.scalar(select(Event.hash).where(Event.seq == seq))


def check(session: Session, *, checkpoints: Iterable[anchors.Checkpoint] = (), deep: bool = False,
          trusted: frozenset[str] | None = None) -> Report:
    """Chain, head, known checkpoints and (``deep``) the business tables, each finding
    naming its place."""
    r = Report(events.verify(session), deep=deep)
    if not r.chain.ok:
        r.findings.append(("chain", r.chain.first_bad_seq, f"第 {r.chain.first_bad_seq} 条：{r.chain.reason}"))
    else:
        tip = session.execute(select(EventHead.seq, EventHead.hash).where(EventHead.id == 1)).first()
        head_seq, head_hash = (int(tip[0]), str(tip[1])) if tip else (0, audit.GENESIS)
        f = anchors.head_finding(head_seq=head_seq, head_hash=head_hash, last_seq=r.chain.last_seq,
                                 last_hash=r.chain.last_hash)
        if f is not None:
            r.findings.append(("head", f.seq, f.message))
    cps = list(checkpoints)
    for cp in cps:
        r.anchor_hashes[cp.seq] = hash_at(session, cp.seq)
    res = anchors.check(cps, hash_at=lambda s: r.anchor_hashes.get(s), last_seq=r.chain.last_seq
                        if r.chain.ok else _max_seq(session), trusted=trusted)
    r.anchors_checked = res.checked
    r.findings += [("anchor", f.seq, f.message) for f in res.findings]
    if deep:
        r.findings += [("deep", m.seq, m.message) for m in deep_check(session)]
    return r


def _max_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(Event.seq))) or 0)


def _events(session: Session, batch: int = 5000) -> Iterator[tuple[int, str, dict[str, Any]]]:
    cursor = 0
    while True:
        chunk = session.execute(select(Event.seq, Event.type, Event.data).where(Event.seq > cursor)
                                .order_by(Event.seq).limit(batch)).all()
        if not chunk:
            return
        for seq, type_, data in chunk:
            yield int(seq), str(type_), data or {}
        cursor = int(chunk[-1][0])


def deep_check(session: Session) -> list[replay.Mismatch]:
    """Replay the log and compare it with tickets, cases, notices, receipts, ratings."""
    led = replay.expect(_events(session))
    staff = {i: n for i, n in session.execute(select(Staff.id, Staff.staff_no))}
    cases = {i: n for i, n in session.execute(select(Case.id, Case.case_no))}
    tables: dict[str, Iterable[tuple[str, dict[str, Any]]]] = {
        "tickets": ((str(i), {"number": n, "state": st}) for i, n, st in
                    session.execute(select(Ticket.id, Ticket.number, Ticket.state))),
        "cases": ((n, {"state": st, "matter_code": m}) for n, st, m in
                  session.execute(select(Case.case_no, Case.state, Case.matter_code))),
        "case_notices": ((n, {"case_no": cases.get(ci), "kind": k}) for n, ci, k in
                         session.execute(select(CaseNotice.notice_no, CaseNotice.case_id, CaseNotice.kind))),
        "fee_notices": ((n, {"case_no": cn, "total_fen": t, "state": st}) for n, cn, t, st in
                        session.execute(select(PaymentNotice.notice_no, PaymentNotice.case_no,
                                               PaymentNotice.total_fen, PaymentNotice.state))),
        "fee_receipts": ((n, {"amount_fen": a, "kind": k, "case_no": cn, "method": m, "void": bool(v)})
                         for n, a, k, cn, m, v in session.execute(
                             select(Receipt.receipt_no, Receipt.amount_fen, Receipt.kind, Receipt.case_no,
                                    Receipt.method, Receipt.void))),
        "ratings": ((str(i), {"level": lv, "staff_no": staff.get(si) if si is not None else None})
                    for i, lv, si in session.execute(select(Rating.id, Rating.level, Rating.staff_id))),
    }
    out: list[replay.Mismatch] = []
    for table, rows in tables.items():
        out += replay.compare(led, table, rows)
    return out


def integrity_check(session: Session, *, checkpoints: Iterable[anchors.Checkpoint], deep: bool, actor: Actor,
                    now: datetime) -> c.AuditCheckOut:
    """The supervision client's 完整性校验: the full check, logged as ``audit.checked``.

    Checkpoints the client sent are compared under the keys the office registered (the
    stored public key and those of the server's own checkpoints); the answer also gives
    the stored hash at each of their seqs, so the client can compare for itself."""
    trusted = {cp.public_key for cp in stored(session)}
    if (pk := public_key(session)) is not None:
        trusted.add(pk)
    cps = list(checkpoints)
    trusted |= {cp.public_key for cp in cps}  # a key the client pinned is the client's own trust
    r = check(session, checkpoints=cps, deep=deep, trusted=frozenset(trusted))
    first_bad = r.chain.first_bad_seq if not r.chain.ok else (r.findings[0][1] if r.findings else None)
    reason = r.chain.reason if not r.chain.ok else (r.findings[0][2] if r.findings else "完整")
    ev = events.append(session, "audit.checked", actor=actor, at=now,
                       data={"ok": r.ok, "checked": r.chain.checked, "last_seq": r.chain.last_seq,
                             "first_bad_seq": first_bad, "reason": reason[:200], "staff_no": actor.staff_no,
                             "anchors": r.anchors_checked, "deep": deep, "findings": len(r.findings)})
    if not r.ok:
        log.warning("integrity check failed: %s", reason)
    return c.AuditCheckOut(ok=r.ok, checked=r.chain.checked, last_seq=r.chain.last_seq, first_bad_seq=first_bad,
                           reason=reason, checked_at=now, event_seq=ev.seq, anchors_checked=r.anchors_checked,
                           head_seq=r.chain.last_seq if r.chain.ok else _max_seq(session),
                           anchor_hashes=r.anchor_hashes, deep=deep,
                           findings=[c.AuditFinding(kind=k, seq=s, message=m) for k, s, m in r.findings[:500]])


def from_contract(cp: c.CheckpointOut) -> anchors.Checkpoint:
    return anchors.Checkpoint(hall=cp.hall, seq=cp.seq, hash=cp.hash, at=cp.at, counts=cp.counts,
                              public_key=cp.public_key, signature=cp.signature, format=cp.format)


def to_contract(cp: anchors.Checkpoint) -> c.CheckpointOut:
    return c.CheckpointOut(**cp.to_dict())


def report_lines(session: Session, *, day: date, tz: tzinfo) -> list[str]:
    """The daily report's lines: the checkpoints signed that (local) day, else the last
    one before it, so the printed report itself anchors the chain."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=1)
    rows = session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.made_at >= start,
                                                         AuditCheckpoint.made_at < end)
                           .order_by(AuditCheckpoint.id)).all()
    if not rows:
        last = session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.made_at < start)
                              .order_by(AuditCheckpoint.id.desc()).limit(1))
        rows = [last] if last is not None else []
    return [f"第 {r.seq} 条 · 哈希 {r.hash[:16]}… · 密钥 {r.key_id} · {r.made_at.astimezone(tz):%Y-%m-%d %H:%M}"
            for r in rows]
