"""好差评: five levels, the 差评 follow-up, the badge's star, and the rate-later link.

Pure rules: the levels and what counts as 差评, the follow-up transition table
(回访 → 整改 → 一次复评 → 结束), the star computed from a period's scores, and the
unguessable per-service rating token printed as a QR code.
"""
from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from .errors import BadInput, Conflict


class RatingLevel(StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASIC = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


LEVEL_LABELS: Mapping[RatingLevel, str] = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASIC: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}
# order of the evaluator's buttons, best first (the national 好差评 order)
LEVELS: tuple[RatingLevel, ...] = tuple(LEVEL_LABELS)
SCORES: Mapping[RatingLevel, int] = {lv: 5 - i for i, lv in enumerate(LEVELS)}
BAD_LEVELS = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})

# optional reasons a citizen may tick (codes stored, labels shown); one list for all levels
REASONS: Mapping[str, str] = {
    "attitude_good": "态度热情",
    "fast": "办理高效",
    "clear_guidance": "一次告知清楚",
    "attitude_bad": "服务态度差",
    "slow": "办理效率低",
    "too_many_materials": "材料要求繁多",
    "multiple_trips": "多次跑腿",
    "unclear_guidance": "告知不清楚",
    "long_wait": "等候时间长",
    "other": "其他",
}
MAX_REASONS = 5


def is_bad(level: RatingLevel) -> bool:
    """差评: the two lowest levels; they open a follow-up."""
    return level in BAD_LEVELS


def check_reasons(reasons: Iterable[str]) -> list[str]:
    out: list[str] = []
    for r in reasons:
        if r not in REASONS:
            raise BadInput(f"未知的评价原因“{r}”。", code="unknown_reason")
        if r not in out:
            out.append(r)
    if len(out) > MAX_REASONS:
        raise BadInput(f"评价原因最多选 {MAX_REASONS} 项。", code="too_many_reasons")
    return out


def star(levels: Iterable[RatingLevel], *, min_count: int) -> tuple[float | None, int]:
    """The badge's star: mean score (1–5, one decimal) of a period's ratings.

    Below ``min_count`` ratings there is no star: a star moved by one rating would tell
    the clerk that citizen's score.
    """
    scores = [SCORES[lv] for lv in levels]
    if not scores or len(scores) < max(min_count, 1):
        return None, len(scores)
    return round(sum(scores) / len(scores), 1), len(scores)


# --- the 差评 follow-up ------------------------------------------------------------

class FollowupState(StrEnum):
    CALLBACK = "callback"  # 回访 the citizen
    RECTIFY = "rectify"    # 整改
    RERATE = "rerate"      # waiting for the one re-rating
    CLOSED = "closed"


class FollowupAction(StrEnum):
    CALL_BACK = "call_back"
    RECTIFY = "rectify"
    RERATE = "rerate"
    LAPSE = "lapse"  # the citizen did not re-rate in time: the follow-up ends, the 差评 stands


FOLLOWUP_TRANSITIONS: Mapping[tuple[FollowupState, FollowupAction], FollowupState] = {
    (FollowupState.CALLBACK, FollowupAction.CALL_BACK): FollowupState.RECTIFY,
    (FollowupState.RECTIFY, FollowupAction.RECTIFY): FollowupState.RERATE,
    (FollowupState.RERATE, FollowupAction.RERATE): FollowupState.CLOSED,
    (FollowupState.RERATE, FollowupAction.LAPSE): FollowupState.CLOSED,
}

FOLLOWUP_LABELS: Mapping[FollowupState, str] = {
    FollowupState.CALLBACK: "待回访", FollowupState.RECTIFY: "待整改",
    FollowupState.RERATE: "待复评", FollowupState.CLOSED: "已结束",
}
FOLLOWUP_ACTION_LABELS: Mapping[FollowupAction, str] = {
    FollowupAction.CALL_BACK: "回访", FollowupAction.RECTIFY: "整改",
    FollowupAction.RERATE: "复评", FollowupAction.LAPSE: "复评逾期",
}


# the citizen re-rates the fix on three levels (满意 / 基本满意 / 不满意)
RERATE_LEVELS: tuple[RatingLevel, ...] = (RatingLevel.SATISFIED, RatingLevel.BASIC, RatingLevel.DISSATISFIED)


def check_rerate_level(level: RatingLevel) -> RatingLevel:
    if level not in RERATE_LEVELS:
        raise BadInput("复评只分满意、基本满意、不满意三档。", code="rerate_level")
    return level


class IllegalFollowupMove(Conflict):
    code = "illegal_transition"

    def __init__(self, state: FollowupState, action: FollowupAction) -> None:
        super().__init__(f"差评整改当前为“{FOLLOWUP_LABELS[state]}”，不能执行“{FOLLOWUP_ACTION_LABELS[action]}”。")


def followup_step(state: FollowupState, action: FollowupAction) -> FollowupState:
    try:
        return FOLLOWUP_TRANSITIONS[state, action]
    except KeyError:
        raise IllegalFollowupMove(state, action) from None


def followup_allowed(state: FollowupState) -> frozenset[FollowupAction]:
    return frozenset(a for (s, a) in FOLLOWUP_TRANSITIONS if s == state)


# --- the rate-later link -------------------------------------------------------------

_TOKEN_RE = re.compile(r"^(\d{1,12})-([a-z2-7]{26})$")


def _mac(secret: bytes, ticket_id: int) -> str:
    digest = hmac.digest(secret, f"rating:ticket:{ticket_id}".encode(), "sha256")  # one-shot, in C
    return base64.b32encode(digest[:16]).decode().lower().rstrip("=")[:26]


def rating_token(secret: bytes, ticket_id: int) -> str:
    """``<ticket id>-<128-bit MAC>``: printable before the service starts (on the ticket),
    unguessable without the hall's secret, and naming exactly one service, so one
    service can be rated once however many times its QR is scanned."""
    if not secret:
        raise ValueError("empty rating secret")
    return f"{ticket_id}-{_mac(secret, ticket_id)}"


def parse_rating_token(secret: bytes, token: str) -> int | None:
    """The ticket id a token names, or None when it is not one of ours."""
    m = _TOKEN_RE.match(token or "")
    if m is None:
        return None
    ticket_id = int(m.group(1))
    return ticket_id if hmac.compare_digest(_mac(secret, ticket_id), m.group(2)) else None
