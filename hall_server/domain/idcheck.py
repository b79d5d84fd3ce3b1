"""Check digits of Chinese identifiers: 身份证 (GB 11643) and 统一社会信用代码 (GB 32100).

A typo in either is the commonest bad input at a window; both codes carry a check
character precisely so a system can refuse them on the spot.
"""
from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def valid_id_number(value: str) -> bool:
    """18-digit 身份证号: format, a real birth date and the GB 11643 check digit."""
    v = value.strip().upper()
    if not _ID_RE.match(v):
        return False
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    return id_check_digit(v[:17]) == v[17]


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


def _org_code_check(code8: str) -> str:
    """GB 11714 organisation code check (positions 9-17 of the USCC hold that code)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(chars.index(c) * w for c, w in zip(code8, weights))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def valid_uscc(value: str) -> bool:
    """统一社会信用代码: both check characters — the embedded organisation code's
    (GB 11714, position 17) and the whole code's (GB 32100, position 18)."""
    v = value.strip().upper()
    if len(v) != 18 or not _USCC_RE.match(v):
        return False
    if uscc_check_char(v[:17]) != v[17]:
        return False
    org = v[8:17]
    if not all(c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" for c in org[:8]):
        return False
    return _org_code_check(org[:8]) == org[8]
