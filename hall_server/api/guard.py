"""Input no handler should ever see: NUL and other control characters in the path, the
query or any JSON string (PostgreSQL refuses NUL in text; spreadsheets refuse control
characters). Refused once, here, with a Chinese message, instead of in every model.

Tab, line feed and carriage return stay allowed (multi-line notes)."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import Scope

from ..domain.errors import BadInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacter(BadInput):
    code = "control_character"
    message = "提交的内容含有不可见的控制字符（如空字符），请删除后重试。"


def refuse_url(scope: Scope) -> ControlCharacter | None:
    path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    for part in (path, scope.get("query_string", b"")):
        if part and _CONTROL_BYTES.search(unquote_to_bytes(part)):
            return ControlCharacter()
    return None


def _has_control(v: Any) -> bool:
    if isinstance(v, str):
        return bool(_CONTROL.search(v))
    if isinstance(v, dict):
        return any(_has_control(k) or _has_control(x) for k, x in v.items())
    if isinstance(v, list):
        return any(_has_control(x) for x in v)
    return False


def refuse_body(body: bytes, content_type: bytes = b"") -> ControlCharacter | None:
    """A JSON body with a control character in any string (raw bytes or ``\\u0000``
    escapes). Other bodies (an uploaded workbook is binary) and bodies that are not valid
    JSON are left to the endpoint's own validation."""
    if content_type and b"json" not in content_type.lower():
        return None
    if not content_type and body.lstrip()[:1] not in (b"{", b"[", b'"'):  # the framework reads JSON then too
        return None
    if not body or (b"\\u00" not in body and b"\\u007" not in body and not _CONTROL_BYTES.search(body)):
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return ControlCharacter() if b"\x00" in body else None
    return ControlCharacter() if _has_control(parsed) else None
