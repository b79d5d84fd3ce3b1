"""The hall manager's and the complaint handlers' actions, one keyword-only function each
(widgets never speak HTTP themselves). Report files (PDF, xlsx) are not JSON: they go
through ``supervision_ops.download``, which fetches them off the GUI thread."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from hall_server.contract import (ComplaintList, ComplaintOut, DailyReportOut, DeviceHealthOut, DeviceRetireOut,
                                  FollowupOut, MonthlyReportOut, RatingList, ReconOut, TicketOut, YearlyReportOut)

from .bridge import KnownError
from .connection import Connection, Reply
from .widgets.supervision_ops import Download, download

OnOk = Callable[[Any], None]
OnErr = Callable[[KnownError], None]

# what each report kind asks the server for: path, its period parameter(s), the answer's model
REPORTS: dict[str, tuple[str, Any]] = {
    "daily": ("/reports/daily", DailyReportOut),
    "monthly": ("/reports/monthly", MonthlyReportOut),
    "yearly": ("/reports/yearly", YearlyReportOut),
    "recon": ("/fees/reconciliation", ReconOut),
}


def _q(params: dict[str, Any]) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return ("?" + urlencode(clean)) if clean else ""


def load_report(api: Connection, *, kind: str, period: dict[str, Any], on_ok: OnOk, on_error: OnErr) -> Reply:
    path, model = REPORTS[kind]
    return api.get(path + _q(period), model=model, on_ok=on_ok, on_error=on_error)


def save_report(api: Connection, *, kind: str, period: dict[str, Any], fmt: str, dest: Path,
                on_ok: Callable[[str], None], on_error: OnErr) -> Download:
    """The same report as a file (``fmt`` "pdf" or "xlsx"), written to ``dest``."""
    path, _model = REPORTS[kind]
    return download(api, path=path, params={**period, "format": fmt}, dest=dest, on_ok=on_ok, on_error=on_error)


# --- devices ---------------------------------------------------------------------------

def device_health(api: Connection, *, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get("/devices/health", model=list[DeviceHealthOut], on_ok=on_ok, on_error=on_error)


def retire_device(api: Connection, *, name: str, reason: str, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.post("/devices/retire", {"name": name, "reason": reason}, model=DeviceRetireOut,
                    on_ok=on_ok, on_error=on_error)


# --- 绿色通道 ---------------------------------------------------------------------------

def issue_priority(api: Connection, *, category: str, reason: str, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.post("/tickets", {"category": category, "priority": True, "priority_reason": reason},
                    model=TicketOut, idempotent=True, on_ok=on_ok, on_error=on_error)


# --- 投诉 and 差评 follow-ups ------------------------------------------------------------

def complaints(api: Connection, *, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get("/complaints?limit=500", model=ComplaintList, on_ok=on_ok, on_error=on_error)


def bad_ratings(api: Connection, *, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get("/ratings?bad_only=true&limit=500", model=RatingList, on_ok=on_ok, on_error=on_error)


def assign_complaint(api: Connection, *, complaint_no: str, to_staff_no: str, note: str, on_ok: OnOk,
                     on_error: OnErr) -> Reply:
    return api.post(f"/complaints/{complaint_no}/assign", {"to_staff_no": to_staff_no, "note": note},
                    model=ComplaintOut, on_ok=on_ok, on_error=on_error)


def reply_complaint(api: Connection, *, complaint_no: str, reply: str, method: str, on_ok: OnOk,
                    on_error: OnErr) -> Reply:
    return api.post(f"/complaints/{complaint_no}/reply", {"reply": reply, "method": method},
                    model=ComplaintOut, on_ok=on_ok, on_error=on_error)


def complaint_step(api: Connection, *, complaint_no: str, step: str, note: str, level: str | None = None,
                   on_ok: OnOk, on_error: OnErr) -> Reply:
    """``step``: "rectify" (整改, before the reply) or "call-back" (回访, after it, with the
    citizen's view on three levels when given)."""
    body: dict[str, Any] = {"note": note}
    if step == "call-back" and level:
        body["level"] = level
    return api.post(f"/complaints/{complaint_no}/{step}", body, model=ComplaintOut, on_ok=on_ok, on_error=on_error)


def followup_step(api: Connection, *, followup_id: int, step: str, note: str, on_ok: OnOk,
                  on_error: OnErr) -> Reply:
    """``step``: "call-back" (回访) or "rectify" (整改)."""
    return api.post(f"/ratings/followups/{followup_id}/{step}", {"note": note}, model=FollowupOut,
                    on_ok=on_ok, on_error=on_error)


def record_rerate(api: Connection, *, followup_id: int, level: str, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.post(f"/ratings/followups/{followup_id}/rerate", {"level": level}, model=FollowupOut,
                    on_ok=on_ok, on_error=on_error)
