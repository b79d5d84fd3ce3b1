"""The audit area's API: signed checkpoints of the event chain, the findings of a check
(chain, anchors, business rows), and the admin's unlock of a sign-in."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import Field

from .core import Model

__all__ = ["CheckpointOut", "CheckpointsOut", "AuditFinding", "AuditCheckIn", "UnlockOut"]

FindingKind = Literal["chain", "head", "anchor", "deep"]


class CheckpointOut(Model):
    """One signed checkpoint, exactly as the office's JSON-lines file keeps it."""
    format: str = Field(max_length=40)
    hall: str = Field(max_length=100)
    seq: int = Field(ge=0, le=2**62)
    hash: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")
    at: str = Field(max_length=40)
    counts: dict[str, int] = Field(max_length=40)
    public_key: str = Field(max_length=100)
    key_id: str = Field(max_length=32)
    signature: str = Field(max_length=200)

    def signed_bytes(self) -> bytes:
        """What the signature covers: the same bytes as ``domain.anchors.Checkpoint.signed_bytes``
        (a test keeps the two equal), so a client verifies without the server's code."""
        body = {"format": self.format, "hall": self.hall, "seq": self.seq, "hash": self.hash, "at": self.at,
                "counts": dict(self.counts), "public_key": self.public_key}
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class CheckpointsOut(Model):
    checkpoints: list[CheckpointOut]
    public_key: str | None  # the office's key the server signs with (base64), None: no key yet
    key_id: str | None


class AuditFinding(Model):
    kind: FindingKind
    seq: int | None = None
    message: str  # plain Chinese, names the place (seq, receipt number, case number …)


class AuditCheckIn(Model):
    """What the supervision client sends with its integrity check: the checkpoints it
    keeps, and whether to compare the business tables with the log too."""
    checkpoints: list[CheckpointOut] = Field(default_factory=list, max_length=5000)
    deep: bool = False


class UnlockOut(Model):
    """An admin's lock or unlock of an account's sign-in."""
    staff_no: str
    locked: bool
    sources_cleared: int = 0  # unlock: the per-source lockouts lifted
    at: datetime
