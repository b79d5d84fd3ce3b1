"""The supervision office's actions, one keyword-only function each (widgets never
speak HTTP themselves). Exports are files, which the JSON connection does not carry:
``download`` fetches them in a worker thread and reports back through a signal."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from PySide6.QtCore import QObject, Signal

from hall_server.contract import (AuditCheckOut, CheckpointsOut, CardDetailOut, CardsOut, EventSearchOut, SignoffOut,
                                  TimelineOut)

from ..bridge import KnownError
from ..connection import ApiError, Connection, Offline, Reply

log = logging.getLogger(__name__)

OnOk = Callable[[Any], None]
OnErr = Callable[[KnownError], None]


def _q(params: Mapping[str, Any]) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return ("?" + urlencode(clean)) if clean else ""


def search_events(api: Connection, *, filters: Mapping[str, Any], before_seq: int | None = None,
                  limit: int = 200, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get("/supervision/events" + _q({**filters, "before_seq": before_seq, "limit": limit}),
                   model=EventSearchOut, on_ok=on_ok, on_error=on_error)


def case_timeline(api: Connection, *, case_no: str, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get(f"/supervision/timeline/case/{quote(case_no.strip(), safe='')}", model=TimelineOut,
                   on_ok=on_ok, on_error=on_error)


def staff_timeline(api: Connection, *, staff_no: str, day: str, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get(f"/supervision/timeline/staff/{quote(staff_no.strip(), safe='')}" + _q({"day": day}),
                   model=TimelineOut, on_ok=on_ok, on_error=on_error)


def list_cards(api: Connection, *, start: str, end: str, open_only: bool = False, on_ok: OnOk,
               on_error: OnErr) -> Reply:
    return api.get("/supervision/cards" + _q({"from": start, "to": end, "open_only": "true" if open_only else None}),
                   model=CardsOut, on_ok=on_ok, on_error=on_error)


def card_detail(api: Connection, *, key: str, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get("/supervision/cards/detail" + _q({"key": key}), model=CardDetailOut, on_ok=on_ok,
                   on_error=on_error)


def sign_off(api: Connection, *, key: str, note: str, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.post("/supervision/cards/signoff", {"key": key, "note": note}, model=SignoffOut, idempotent=True,
                    on_ok=on_ok, on_error=on_error)


def audit_check(api: Connection, *, on_ok: OnOk, on_error: OnErr, checkpoints: list[Any] | None = None,
                deep: bool = False) -> Reply:
    body = {"checkpoints": [c.model_dump() for c in checkpoints or []], "deep": deep}
    return api.post("/supervision/audit-check", body, model=AuditCheckOut, on_ok=on_ok, on_error=on_error)


def checkpoints(api: Connection, *, on_ok: OnOk, on_error: OnErr) -> Reply:
    return api.get("/supervision/checkpoints", model=CheckpointsOut, on_ok=on_ok, on_error=on_error)


class Download(QObject):
    """``finished(path)`` or ``failed(KnownError)``, delivered in the GUI thread."""

    finished = Signal(str)
    failed = Signal(object)


def download(api: Connection, *, path: str, params: Mapping[str, Any], dest: Path,
             on_ok: Callable[[str], None], on_error: OnErr) -> Download:
    """Fetch an export (xlsx/pdf) into ``dest`` off the GUI thread."""
    job = Download(api)
    job.finished.connect(on_ok)
    job.failed.connect(on_error)
    url = api.base_url + path + _q(params)
    headers = {"Authorization": f"Bearer {api.token}"}

    def run() -> None:
        try:
            r = httpx.get(url, headers=headers, timeout=120, trust_env=False)
            if r.status_code >= 400:
                try:
                    err = r.json()["error"]
                    raise ApiError(str(err["message"]), code=str(err["code"]), status=r.status_code)
                except (ValueError, KeyError, TypeError):
                    raise ApiError(f"导出失败（{r.status_code}）。", code="http_error", status=r.status_code) from None
            dest.write_bytes(r.content)
        except KnownError as e:
            job.failed.emit(e)
            return
        except httpx.TransportError:
            job.failed.emit(Offline())
            return
        except OSError as e:
            job.failed.emit(KnownError(f"无法保存文件：{e.strerror or e}", code="save_failed"))
            return
        job.finished.emit(str(dest))

    threading.Thread(target=run, name="export-download", daemon=True).start()
    return job
