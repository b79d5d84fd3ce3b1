"""Tables of the audit area: signed checkpoints of the event chain, and the sign-in
throttle per account and source."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AuditCheckpoint(Base):
    """A signed statement "the chain had this hash at this seq" (domain/anchors.py).

    Stored here for listing and export only: its worth is the copy outside the database
    (the office's file, every supervision client), which a rewrite here cannot reach."""
    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column()
    counts: Mapped[dict[str, Any]] = mapped_column()
    hall: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(100))  # base64 of the raw Ed25519 public key
    signature: Mapped[str] = mapped_column(Text)  # base64


class LoginThrottle(Base):
    """Failed sign-ins of one 工号 from one source (client address): growing delays, then
    a lockout of that source only, so nobody can lock a person out from elsewhere."""
    __tablename__ = "login_throttle"
    staff_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column()
    blocked_until: Mapped[datetime | None] = mapped_column()
