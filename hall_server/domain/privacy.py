"""Masking of personal data: 身份证号 and phone numbers are shown only where needed."""
from __future__ import annotations

from typing import Any

SENSITIVE_ID_KEYS = frozenset({"id_number", "applicant_id_number", "citizen_id_number", "credit_code_person"})
SENSITIVE_PHONE_KEYS = frozenset({"phone", "applicant_phone", "citizen_phone", "contact_phone"})
SENSITIVE_NAME_KEYS = frozenset({"citizen_name", "applicant_name", "payer_name", "real_name"})


def mask_id(value: str) -> str:
    """110101********1234: region kept for the clerk, birth date hidden."""
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
    """张三 -> 张*, 欧阳娜娜 -> 欧***: the surname is enough for a board to call."""
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


# What a rating said is for the office and the manager only: a clerk who could read the
# level of the person just served could press them, or retaliate (DESIGN: 好差评).
RATING_PRIVATE_KEYS = frozenset({"level", "bad", "reasons", "outcome", "comment", "label"})


def mask_event_data(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The event data as shown to roles without access to personal data or ratings."""
    masked = mask_data(data, names=True)
    if event_type.startswith("rating."):
        masked = {k: v for k, v in masked.items() if k not in RATING_PRIVATE_KEYS}
    return masked


PRIVATE_EVENT_TYPE = "rating.private"


def masked_event_type(event_type: str) -> str:
    """Only a 差评 opens a follow-up, so even the type of a follow-up event would tell a
    clerk what was rated: those reach non-office roles as a neutral placeholder (the seq
    stays, so clients see no gap)."""
    if event_type.startswith("rating.") and event_type != "rating.recorded":
        return PRIVATE_EVENT_TYPE
    return event_type


def mask_event(event_type: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    t = masked_event_type(event_type)
    if t == PRIVATE_EVENT_TYPE:
        return t, {}
    return t, mask_event_data(event_type, data)
