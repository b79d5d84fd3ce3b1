"""八公开: what the hall discloses to the public, read from the catalog, fees and profile.

The kiosk's service guide and the hall board's quiet-time roll both show it, so the words
live here once, as pure functions over the server's answers (dicts as the JSON has them):
the matter (conditions, materials and the form of each, procedure, limits, legal basis,
phones), its fee items (standard and legal basis), where it is handled (department and
the windows serving its queue) and the hall's opening hours and 监督电话.

The hall profile (opening hours, 监督电话) comes from the admin area's ``GET /hall/profile``;
while a server does not offer it, the guide says to ask at the information desk and the
监督电话 is the complaint phone the catalog carries (the server's default for every matter).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from html import escape as e
from typing import Any

log = logging.getLogger(__name__)

PROFILE_PATH = "/hall/profile"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
FORMS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件", "electronic": "电子件"}
NO_HOURS = "以大厅公告为准，可到咨询台询问"


def hours_text(profile: Mapping[str, Any] | None) -> str:
    """「周一至周五 09:00-12:00、13:30-17:00」 from the profile's week (Monday first)."""
    week = (profile or {}).get("hours") or []
    if not week:
        return NO_HOURS
    groups: list[tuple[list[int], str]] = []
    for i, spans in enumerate(week[:7]):
        text = "、".join(f"{s.get('start', '')}-{s.get('end', '')}" for s in spans or [])
        if not text:
            continue
        if groups and groups[-1][1] == text and groups[-1][0][-1] == i - 1:
            groups[-1][0].append(i)
        else:
            groups.append(([i], text))
    if not groups:
        return NO_HOURS
    parts = []
    for days, text in groups:
        name = WEEKDAYS[days[0]] if len(days) == 1 else f"{WEEKDAYS[days[0]]}至{WEEKDAYS[days[-1]]}"
        parts.append(f"{name} {text}")
    return "；".join(parts)


def supervision_phone(profile: Mapping[str, Any] | None, matters: Iterable[Mapping[str, Any]] = ()) -> str:
    """The hall's 监督电话: the profile's, else the complaint phone the catalog carries."""
    phone = str((profile or {}).get("supervision_phone") or "")
    if phone:
        return phone
    for m in matters:
        if m.get("complaint_phone"):
            return str(m["complaint_phone"])
    return ""


def places(matter: Mapping[str, Any], windows: Iterable[Any]) -> str:
    """Where the matter is handled: the department and the windows serving its queue."""
    prefix = matter.get("category_prefix")
    nos = sorted(w.window_no for w in windows if prefix and prefix in getattr(w, "categories", ()))
    where = "、".join(f"{n} 号" for n in nos)
    dept = str(matter.get("department") or "")
    if where:
        return f"{dept}　{where}窗口".strip()
    return f"{dept}（请到咨询台询问窗口）" if dept else "请到咨询台询问窗口"


def fee_lines(matter: Mapping[str, Any], fees: Sequence[Mapping[str, Any]], *, basis: bool = True) -> list[str]:
    """Each fee item with its standard (and legal basis); 不收费 when there is none."""
    out = [f"{f.get('name', '')}：{f.get('standard_text', '')}" + (f"（依据：{f.get('legal_basis', '')}）" if basis else "")
           for f in fees if f.get("active", True)]
    if not out:
        listed = [str(x.get("name", "")) for x in matter.get("fee_items", [])]
        out = listed
    note = str(matter.get("fee_note") or "")
    if note and note not in out:
        out.append(note)
    return out or ["不收费"]


def material_line(x: Mapping[str, Any]) -> str:
    form = FORMS.get(str(x.get("form", "")), str(x.get("form", "")))
    need = "" if x.get("required", True) else "（如有）"
    notes = f"；{x['notes']}" if x.get("notes") else ""
    return f"{x.get('name', '')}　{form} {x.get('copies', 1)} 份{need}{notes}"


def guide_html(matter: Mapping[str, Any], *, fees: Sequence[Mapping[str, Any]] = (), windows: Iterable[Any] = (),
               profile: Mapping[str, Any] | None = None) -> str:
    """The whole 办事指南 of one matter, every 八公开 field the catalog holds."""
    def ol(items: Sequence[str]) -> str:
        return "<ol>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ol>" if items else "<p>—</p>"
    mats = [material_line(x) for x in matter.get("materials", [])]
    phones = f"咨询电话：{matter.get('enquiry_phone') or '—'}　投诉电话：{matter.get('complaint_phone') or '—'}"
    sup = supervision_phone(profile, [matter])
    sections = [
        ("办理地点", [places(matter, windows)]),
        ("办理时间", [hours_text(profile)]),
        ("办理时限", [str(matter.get("limit_text") or "—") + (f"（{matter['kind_label']}）" if matter.get("kind_label") else "")]),
        ("收费标准及依据", fee_lines(matter, fees)),
        ("申请条件", [str(matter.get("conditions") or "—")]),
        ("申请材料", mats),
        ("办理流程", [str(s) for s in matter.get("procedure", [])]),
        ("设定依据", [str(matter.get("legal_basis") or "—")]),
        ("咨询与监督", [phones] + ([f"监督电话：{sup}"] if sup else [])),
    ]
    body = "".join(f"<h3>{e(t)}</h3>" + (ol(items) if t in ("申请材料", "办理流程") else
                                          "".join(f"<p>{e(i)}</p>" for i in items)) for t, items in sections)
    return (f"<div style='line-height:140%'><h2>{e(str(matter.get('name', '')))}</h2>"
            f"<p>实施部门：{e(str(matter.get('department', '')))}</p>{body}</div>")


def roll_items(matters: Sequence[Mapping[str, Any]], fees_by_matter: Mapping[str, Sequence[Mapping[str, Any]]],
               profile: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The board's quiet-time roll: (heading, text) per matter, then the hall's phones and hours.

    Fees are shown with their standard; their legal basis is in the kiosk's guide (a board
    page has room for a few lines read from afar)."""
    out = []
    for m in matters:
        fees = "；".join(fee_lines(m, fees_by_matter.get(str(m.get("code", "")), ()), basis=False))
        out.append((str(m.get("name", "")),
                    f"{m.get('department', '')}　{m.get('limit_text', '')}\n收费：{fees}"))
    sup = supervision_phone(profile, matters)
    out.append(("监督电话", f"{sup or '—'}\n办理时间：{hours_text(profile)}"))
    return out
