"""The case (办件) state machine and the intake rules of 行政许可法.

One transition table says what a case may do next; the server enforces it and the
window client asks ``allowed()`` for its buttons. The rules around it — materials
check, applicant identifiers, case numbers — are pure so they are tested without a
database.

Lifecycle::

    (new) ─受理→ accepted ─开始审查→ in_review ─准予→ approved ─送达→ delivered
      │            │  ▲                 │   └─不予许可→ refused ──送达→ delivered
      │            └──┼── 中止(§45) → suspended ─恢复→ in_review
      ├─一次性告知→ correction ─(申请人补正后)受理/再次告知/不予受理
      └─不予受理→ rejected
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .catalog import Material
from .errors import BadInput, Conflict
from .idcheck import valid_id_number, valid_uscc


class CaseState(StrEnum):
    NEW = "new"  # not persisted: the state before the first intake decision
    CORRECTION = "correction"  # 待补正 (一次性告知 issued, waiting for the applicant)
    ACCEPTED = "accepted"  # 已受理
    IN_REVIEW = "in_review"  # 审查中
    SUSPENDED = "suspended"  # 中止（听证、检验、检测、鉴定、专家评审，§45 不计入时限）
    APPROVED = "approved"  # 办结：准予许可
    REFUSED = "refused"  # 办结：不予许可
    DELIVERED = "delivered"  # 已送达（结果已领取/寄出）
    REJECTED = "rejected"  # 不予受理
    WITHDRAWN = "withdrawn"  # 申请人撤回


class CaseAction(StrEnum):
    ACCEPT = "accept"
    REQUEST_CORRECTION = "request_correction"
    REJECT = "reject"
    START_REVIEW = "start_review"
    SUSPEND = "suspend"
    RESUME = "resume"
    EXTEND = "extend"
    APPROVE = "approve"
    REFUSE = "refuse"
    DELIVER = "deliver"
    WITHDRAW = "withdraw"


S, A = CaseState, CaseAction

TRANSITIONS: Mapping[tuple[CaseState, CaseAction], CaseState] = {
    (S.NEW, A.ACCEPT): S.ACCEPTED,
    (S.NEW, A.REQUEST_CORRECTION): S.CORRECTION,
    (S.NEW, A.REJECT): S.REJECTED,
    (S.CORRECTION, A.ACCEPT): S.ACCEPTED,
    (S.CORRECTION, A.REQUEST_CORRECTION): S.CORRECTION,  # returned, still incomplete
    (S.CORRECTION, A.REJECT): S.REJECTED,
    (S.CORRECTION, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.START_REVIEW): S.IN_REVIEW,
    (S.ACCEPTED, A.SUSPEND): S.SUSPENDED,
    (S.ACCEPTED, A.EXTEND): S.ACCEPTED,
    (S.ACCEPTED, A.APPROVE): S.APPROVED,
    (S.ACCEPTED, A.REFUSE): S.REFUSED,
    (S.ACCEPTED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, A.SUSPEND): S.SUSPENDED,
    (S.IN_REVIEW, A.EXTEND): S.IN_REVIEW,
    (S.IN_REVIEW, A.APPROVE): S.APPROVED,
    (S.IN_REVIEW, A.REFUSE): S.REFUSED,
    (S.IN_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.SUSPENDED, A.RESUME): S.IN_REVIEW,
    (S.SUSPENDED, A.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, A.DELIVER): S.DELIVERED,
    (S.REFUSED, A.DELIVER): S.DELIVERED,
}

STATE_LABELS: Mapping[CaseState, str] = {
    S.NEW: "新申请", S.CORRECTION: "待补正材料", S.ACCEPTED: "已受理", S.IN_REVIEW: "审查中",
    S.SUSPENDED: "中止（时限暂停计算）", S.APPROVED: "已办结（准予许可）", S.REFUSED: "已办结（不予许可）",
    S.DELIVERED: "已办结并送达", S.REJECTED: "不予受理", S.WITHDRAWN: "申请人已撤回",
}

ACTION_LABELS: Mapping[CaseAction, str] = {
    A.ACCEPT: "受理", A.REQUEST_CORRECTION: "一次性告知补正", A.REJECT: "不予受理",
    A.START_REVIEW: "开始审查", A.SUSPEND: "中止", A.RESUME: "恢复", A.EXTEND: "延长时限",
    A.APPROVE: "准予许可", A.REFUSE: "不予许可", A.DELIVER: "送达", A.WITHDRAW: "撤回",
}

CONCLUDED = frozenset({S.APPROVED, S.REFUSED, S.DELIVERED})
CLOSED = CONCLUDED | {S.REJECTED, S.WITHDRAWN}
CLOCK_RUNNING = frozenset({S.ACCEPTED, S.IN_REVIEW})
INTAKE_ACTIONS = frozenset({A.ACCEPT, A.REQUEST_CORRECTION, A.REJECT})


class IllegalCaseMove(Conflict):
    code = "illegal_transition"

    def __init__(self, state: CaseState, action: CaseAction) -> None:
        self.state, self.action = state, action
        extra = "，已办结的办件不能再变更" if state in CLOSED else ""
        super().__init__(f"办件当前为“{STATE_LABELS[state]}”，不能执行“{ACTION_LABELS[action]}”{extra}。")


def step(state: CaseState, action: CaseAction) -> CaseState:
    """Return the next state; an illegal move raises and changes nothing."""
    try:
        return TRANSITIONS[state, action]
    except KeyError:
        raise IllegalCaseMove(state, action) from None


def allowed(state: CaseState) -> frozenset[CaseAction]:
    return frozenset(a for (s, a) in TRANSITIONS if s == state)


class SuspendKind(StrEnum):
    HEARING = "hearing"  # 听证
    TESTING = "testing"  # 检验、检测、检疫
    EXPERT = "expert"  # 鉴定、专家评审
    OTHER = "other"  # 其他法定情形


SUSPEND_LABELS = {SuspendKind.HEARING: "听证", SuspendKind.TESTING: "检验检测",
                  SuspendKind.EXPERT: "鉴定或专家评审", SuspendKind.OTHER: "其他法定情形"}


# --- case numbers --------------------------------------------------------------

def format_case_no(prefix: str, day: date, seq: int) -> str:
    """SG20261124-0001: the matter's prefix, the hall's business day, a daily sequence.
    Readable over the phone, sortable, and never reused (counters never wrap)."""
    if seq < 1:
        raise ValueError(seq)
    return f"{prefix}{day:%Y%m%d}-{seq:04d}"


CASE_NO_RE = re.compile(r"^[A-Z]{1,4}\d{8}-\d{4,6}$")


def notice_no(case_no: str, kind: str, index: int = 1) -> str:
    """受理 SL, 补正 BZ (numbered, a case may be told more than once), 不予受理 BY."""
    suffix = {"acceptance": "SL", "correction": f"BZ{index}", "rejection": "BY"}[kind]
    return f"{case_no}-{suffix}"


QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# New cases get 12 characters (60 bits); codes printed before (6 characters) stay valid,
# since the lookup compares with what is stored. Why 12: guessing across all cases of a
# year at the public lookup's rate limit must stay below one hit in a million:
#   cases/year × guesses/year/source ÷ 32**12 = 1,000,000 × 525,610 ÷ 1.15e18 ≈ 4.6e-7
# (one guess a minute per address after a burst of 10: settings.case_guess_*; docs/phone.md).
QUERY_CODE_LENGTH = 12


def normalise_query_code(text: str) -> str:
    """What the citizen typed or the QR carried -> the stored form: upper case, without
    the spaces and dashes the notice prints between groups of four."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def guess_odds(*, cases_per_year: int, guesses_per_year: float, length: int = QUERY_CODE_LENGTH) -> float:
    """The chance that guessing finds any case in a year (union bound), for the docs and a test."""
    return cases_per_year * guesses_per_year / len(QUERY_CODE_ALPHABET) ** length


def query_code_from(raw: bytes, length: int = 6) -> str:
    """A short code printed on the notice: with the case number it unlocks the public
    lookup, so sequential case numbers cannot be walked to read others' cases."""
    n = int.from_bytes(raw, "big")
    out = []
    for _ in range(length):
        n, r = divmod(n, len(QUERY_CODE_ALPHABET))
        out.append(QUERY_CODE_ALPHABET[r])
    return "".join(out)


# --- applicant -----------------------------------------------------------------

class ApplicantKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


@dataclass(frozen=True, slots=True)
class Applicant:
    kind: ApplicantKind
    name: str
    id_number: str  # 身份证号 (person) or 统一社会信用代码 (organisation)
    phone: str
    agent_name: str = ""  # 经办人 / 代理人
    agent_id_number: str = ""


def check_applicant(a: Applicant) -> Applicant:
    """Refuse a wrong identifier on the spot: both codes carry check characters."""
    name = a.name.strip()
    if not name:
        raise BadInput("请填写申请人名称。", code="applicant_name_required")
    idn = a.id_number.strip().upper()
    if a.kind is ApplicantKind.PERSON:
        if not valid_id_number(idn):
            raise BadInput("身份证号码校验不通过，请重新读卡或核对号码。", code="invalid_id_number")
    elif not valid_uscc(idn):
        raise BadInput("统一社会信用代码校验不通过，请核对后重新输入。", code="invalid_uscc")
    phone = a.phone.strip()
    if not PHONE_RE.match(phone):
        raise BadInput("联系电话格式不正确（手机 11 位或带区号的固定电话）。", code="invalid_phone")
    agent_id = a.agent_id_number.strip().upper()
    if agent_id and not valid_id_number(agent_id):
        raise BadInput("经办人身份证号码校验不通过。", code="invalid_id_number")
    if a.kind is ApplicantKind.ORGANISATION and not a.agent_name.strip():
        raise BadInput("单位申请须填写经办人姓名。", code="agent_required")
    return Applicant(a.kind, name, idn, phone, a.agent_name.strip(), agent_id)


# --- materials check -----------------------------------------------------------

class MaterialStatus(StrEnum):
    RECEIVED = "received"  # 已收
    MISSING = "missing"  # 缺
    DEFECTIVE = "defective"  # 不符合要求（需补正）


STATUS_LABELS = {MaterialStatus.RECEIVED: "已收", MaterialStatus.MISSING: "缺少",
                 MaterialStatus.DEFECTIVE: "不符合要求"}


@dataclass(frozen=True, slots=True)
class Tick:
    code: str
    status: MaterialStatus
    note: str = ""


@dataclass(frozen=True, slots=True)
class CheckedMaterial:
    code: str
    name: str
    form: str
    copies: int
    required: bool
    status: MaterialStatus
    note: str = ""


@dataclass(frozen=True, slots=True)
class MaterialsCheck:
    items: tuple[CheckedMaterial, ...]

    @property
    def to_correct(self) -> tuple[CheckedMaterial, ...]:
        """What a correction notice lists: every required item missing, and every item
        (required or not) handed in but defective — all at once (一次性告知)."""
        return tuple(m for m in self.items if (m.required and m.status is MaterialStatus.MISSING)
                     or m.status is MaterialStatus.DEFECTIVE)

    @property
    def complete(self) -> bool:
        return not self.to_correct

    @property
    def received(self) -> tuple[CheckedMaterial, ...]:
        return tuple(m for m in self.items if m.status is MaterialStatus.RECEIVED)


def check_materials(catalog: Sequence[Material], ticks: Iterable[Tick]) -> MaterialsCheck:
    """Match the clerk's ticks to the matter's list. An unticked item counts as missing;
    an unknown code is bad input (the list on screen is out of date)."""
    by_code = {t.code: t for t in ticks}
    known = {m.code for m in catalog}
    unknown = sorted(set(by_code) - known)
    if unknown:
        raise BadInput(f"材料清单中没有：{'、'.join(unknown)}，请刷新事项后重试。", code="unknown_material")
    out = []
    for m in catalog:
        t = by_code.get(m.code)
        status = t.status if t else MaterialStatus.MISSING
        out.append(CheckedMaterial(m.code, m.name, str(m.form), m.copies, m.required, status,
                                   (t.note.strip() if t else "")))
    return MaterialsCheck(tuple(out))


@dataclass(frozen=True, slots=True)
class IntakeDecision:
    action: CaseAction
    override_reason: str | None = None


def decide_intake(check: MaterialsCheck, action: CaseAction, *, override_reason: str | None,
                  reject_reason: str | None, reject_basis: str | None) -> IntakeDecision:
    """The three outcomes of 受理 and what each needs.

    - accept with a required item missing or defective: refused, unless the clerk
      gives an explicit override reason (logged in the event);
    - correction: there must be something to correct, and it is listed all at once;
    - rejection: a reason and its legal basis are both required.
    """
    if action not in INTAKE_ACTIONS:
        raise BadInput("受理结果须为受理、一次性告知或不予受理。", code="bad_outcome")
    if action is CaseAction.ACCEPT:
        if not check.complete:
            reason = (override_reason or "").strip()
            if not reason:
                names = "、".join(m.name for m in check.to_correct)
                raise Conflict(f"材料不齐全，不能受理：{names}。请一次性告知补正，或填写特批受理理由。",
                               code="materials_missing")
            return IntakeDecision(action, reason)
        return IntakeDecision(action)
    if action is CaseAction.REQUEST_CORRECTION:
        if check.complete:
            raise BadInput("材料已齐全，无需补正，请直接受理。", code="nothing_to_correct")
        missing_note = [m for m in check.to_correct if m.status is MaterialStatus.DEFECTIVE and not m.note]
        if missing_note:
            raise BadInput(f"请写明“{missing_note[0].name}”不符合要求的具体问题。", code="defect_note_required")
        return IntakeDecision(action)
    if not (reject_reason or "").strip() or not (reject_basis or "").strip():
        raise BadInput("不予受理须写明理由和法律依据。", code="reason_required")
    return IntakeDecision(action)
