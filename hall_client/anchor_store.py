"""The supervision client's own copies of the signed audit checkpoints (docs/audit.md).

Every supervision PC keeps each checkpoint it has seen in a JSON-lines file in its data
folder, so a rewrite of the server's database cannot also rewrite them. The office's
public key is pinned the first time one is seen; a checkpoint signed with another key is
not kept. ``compare`` says, from the server's answer to an integrity check, which kept
checkpoint the chain no longer extends. Widget-less: the supervision mode wires it.
"""
from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hall_server.contract import CheckpointOut

log = logging.getLogger(__name__)


def default_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hall-client"


def signature_ok(cp: CheckpointOut, public_key: str) -> bool:
    if cp.public_key != public_key:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
            base64.b64decode(cp.signature), cp.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


class CheckpointStore:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.file = directory / "audit-checkpoints.jsonl"
        self.key_file = directory / "audit-public-key.txt"

    @property
    def pinned_key(self) -> str | None:
        return self.key_file.read_text(encoding="utf-8").strip() if self.key_file.exists() else None

    def all(self) -> list[CheckpointOut]:
        if not self.file.exists():
            return []
        out = []
        for line in self.file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(CheckpointOut.model_validate_json(line))
        return out

    def merge(self, seen: Iterable[CheckpointOut]) -> tuple[int, int]:
        """Keep the new checkpoints that carry a good signature of the pinned key.
        Returns (added, refused)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        have = {(c.seq, c.hash) for c in self.all()}
        added = refused = 0
        lines = []
        for cp in seen:
            key = self.pinned_key
            if key is None:
                key = cp.public_key
                self.key_file.write_text(key + "\n", encoding="utf-8")
            if not signature_ok(cp, key):
                refused += 1
                log.warning("checkpoint at seq %s not signed by the pinned office key", cp.seq)
                continue
            if (cp.seq, cp.hash) not in have:
                have.add((cp.seq, cp.hash))
                lines.append(json.dumps(cp.model_dump(), ensure_ascii=False, sort_keys=True))
                added += 1
        if lines:
            with self.file.open("a", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in lines))
        return added, refused


def compare(kept: Iterable[CheckpointOut], *, head_seq: int, hashes: Mapping[int, str | None]) -> list[str]:
    """Each kept checkpoint the server's chain no longer extends, in plain Chinese."""
    out = []
    for cp in kept:
        if cp.seq > head_seq:
            out.append(f"本机保存的检查点记录到第 {cp.seq} 条，服务器日志只到第 {head_seq} 条（末尾事件被删除）")
        elif hashes.get(cp.seq) != cp.hash:
            out.append(f"第 {cp.seq} 条事件与本机保存的签名检查点（{cp.at[:16].replace('T', ' ')}）不符（日志被改写）")
    return out
