"""Signed checkpoints of the event chain: anchors kept outside the database.

A checkpoint says "at seq N the chain's hash was H" (with the time and a few counts),
signed with the supervision office's Ed25519 key. Whoever holds the database file can
rewrite the chain and recompute every hash, but cannot sign; a checkpoint the office
kept (its JSON-lines file, every supervision client) then no longer matches the row at
seq N, or that row is gone. Pure: the caller reads the rows and the key file.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "hall-checkpoint-1"


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return _b64(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def key_id(public_b64: str) -> str:
    """A short name for a public key (first 16 hex digits of its SHA-256), printed for the office."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def new_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_key_pem(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


@dataclass(frozen=True)
class Checkpoint:
    hall: str
    seq: int
    hash: str
    at: str  # ISO 8601 UTC
    counts: Mapping[str, int]
    public_key: str  # base64, raw Ed25519
    signature: str = ""  # base64 over ``signed_bytes()``
    format: str = FORMAT

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def signed_bytes(self) -> bytes:
        body = {"format": self.format, "hall": self.hall, "seq": self.seq, "hash": self.hash, "at": self.at,
                "counts": dict(self.counts), "public_key": self.public_key}
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "hall": self.hall, "seq": self.seq, "hash": self.hash, "at": self.at,
                "counts": dict(self.counts), "public_key": self.public_key, "key_id": self.key_id,
                "signature": self.signature}

    def to_line(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Checkpoint":
        return cls(hall=str(d["hall"]), seq=int(d["seq"]), hash=str(d["hash"]), at=str(d["at"]),
                   counts={str(k): int(v) for k, v in dict(d.get("counts", {})).items()},
                   public_key=str(d["public_key"]), signature=str(d.get("signature", "")),
                   format=str(d.get("format", FORMAT)))


def sign(cp: Checkpoint, key: Ed25519PrivateKey) -> Checkpoint:
    unsigned = Checkpoint(cp.hall, cp.seq, cp.hash, cp.at, cp.counts, public_key_b64(key), "", cp.format)
    return Checkpoint(unsigned.hall, unsigned.seq, unsigned.hash, unsigned.at, unsigned.counts,
                      unsigned.public_key, _b64(key.sign(unsigned.signed_bytes())), unsigned.format)


def signature_ok(cp: Checkpoint, *, trusted: frozenset[str] | None = None) -> bool:
    """The signature matches the checkpoint and its key; with ``trusted`` (base64 public
    keys the office recorded) the key must also be one of those."""
    if trusted is not None and cp.public_key not in trusted:
        return False
    try:
        pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(cp.public_key, validate=True))
        pub.verify(base64.b64decode(cp.signature, validate=True), cp.signed_bytes())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def parse_lines(text: str) -> list[Checkpoint]:
    """The office's file: one checkpoint per line (JSON); blank lines ignored. A line that
    is not a checkpoint raises ``ValueError`` naming the line."""
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Checkpoint.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"第 {i} 行不是检查点：{e}") from None
    return out


@dataclass(frozen=True)
class Finding:
    seq: int
    message: str  # plain Chinese, names the place


@dataclass
class AnchorResult:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check(checkpoints: Iterable[Checkpoint], *, hash_at: Callable[[int], str | None], last_seq: int,
          trusted: frozenset[str] | None = None) -> AnchorResult:
    """Does the chain still extend every known checkpoint? ``hash_at(seq)`` is the stored
    row's hash (None: no such row); ``last_seq`` the chain's last row."""
    res = AnchorResult()
    for cp in checkpoints:
        res.checked += 1
        if not signature_ok(cp, trusted=trusted):
            res.findings.append(Finding(cp.seq, f"检查点（第 {cp.seq} 条，{cp.at}）签名无效或不是监察室的密钥"))
            continue
        if cp.seq > last_seq:
            res.findings.append(Finding(cp.seq, f"检查点记录到第 {cp.seq} 条，日志现只到第 {last_seq} 条："
                                                 f"第 {last_seq + 1}–{cp.seq} 条事件已被删除"))
            continue
        h = hash_at(cp.seq)
        if h is None:
            res.findings.append(Finding(cp.seq, f"检查点所记的第 {cp.seq} 条事件已不存在"))
        elif h != cp.hash:
            res.findings.append(Finding(cp.seq, f"第 {cp.seq} 条事件的哈希与 {cp.at} 的签名检查点不符："
                                                 f"该处及之前的日志已被改写"))
    return res


def head_finding(*, head_seq: int, head_hash: str, last_seq: int, last_hash: str) -> Finding | None:
    """The chain's tip (event_head) must be the last row: a tip ahead of the rows means
    rows were deleted from the end; a different hash means the last row was replaced."""
    if head_seq != last_seq:
        return Finding(head_seq, f"链头记录到第 {head_seq} 条，日志最后一条却是第 {last_seq} 条"
                                 + ("（末尾事件已被删除）" if head_seq > last_seq else ""))
    if head_hash != last_hash:
        return Finding(head_seq, f"链头哈希与第 {last_seq} 条事件不符（末尾事件已被改写）")
    return None
