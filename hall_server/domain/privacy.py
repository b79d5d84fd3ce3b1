"""Masking of personal data: 身份证号 and phone numbers are shown only where needed."""
from __future__ import annotations

from typing import Any

SENSITIVE_ID_KEYS = frozenset({"id_number", "applicant_id_number", "citizen_id_number", "credit_code_person"})
SENSITIVE_PHONE_KEYS = frozenset({"phone", "applicant_phone", "citizen_phone", "contact_phone"})
SENSITIVE_NAME_KEYS = frozenset({"citizen_name", "applicant_name", "payer_name", "real_name"})


def mask_id(value: str) -> str:
    """110101********1234 (18 digits), 110101*****1234 (15): region kept, birth date hidden."""
    if not value:
        return value
    n = len(value)
    if n < 15:  # permits (港澳台 8–11), passports (9), …: keeping 6 + 4 would hide almost nothing
        return value[:1] + "*" * (n - 1)
    if n == 15:  # first-generation 身份证: region 6, birth 6, order 3; the birth date is hidden
        return value[:6] + "*" * 6 + value[-3:]
    return value[:6] + "*" * (n - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return value
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def mask_name(value: str) -> str:
    """张三 -> 张*, 王建国 -> 王**, 欧阳娜娜 -> 欧***: the surname is enough for a board to call."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_data(data: Any, *, names: bool = False) -> Any:
    """Recursively mask known personal keys (for displays, kiosks and logs)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            if isinstance(v, str) and k in SENSITIVE_ID_KEYS:
                out[k] = mask_id(v)
            elif isinstance(v, str) and k in SENSITIVE_PHONE_KEYS:
                out[k] = mask_phone(v)
            elif names and isinstance(v, str) and k in SENSITIVE_NAME_KEYS:
                out[k] = mask_name(v)
            else:
                out[k] = mask_data(v, names=names)
        return out
    if isinstance(data, list):
        return [mask_data(v, names=names) for v in data]
    return data

# Masking a whole event for non-office roles (which kinds are office-only, which keys are
# private) is declared per event kind in ``contract/events.py`` (``masked``).
