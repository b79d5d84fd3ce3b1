"""Catalog use cases: save a matter, search, import and export (JSON and xlsx).

Import is all-or-nothing: one bad row rejects the file with its row number, so an
admin never ends up with half a catalog.
"""
from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..contract import events as kinds
from ..domain import catalog as cat
from ..domain.errors import BadInput, NotFound
from ..domain.workdays import UNIT_LABELS, LimitUnit
from ..models import Department
from ..models.cases import Matter
from . import events
from .actors import Actor

log = logging.getLogger(__name__)


def limit_text(m: Matter) -> str:
    if cat.MatterKind(m.kind) is cat.MatterKind.INSTANT:
        return "即办（当场办结）"
    p = f"承诺 {m.promised_limit} {UNIT_LABELS[LimitUnit(m.promised_unit)]}"
    if m.statutory_limit:
        p += f"（法定 {m.statutory_limit} {UNIT_LABELS[LimitUnit(m.statutory_unit)]}）"
    return p


def _dept_names(session: Session) -> dict[int, tuple[str, str]]:
    return {d.id: (d.code, d.name) for d in session.scalars(select(Department))}


def matter_out(m: Matter, depts: dict[int, tuple[str, str]]) -> c.MatterOut:
    code, name = depts.get(m.department_id or 0, (None, ""))
    return c.MatterOut(
        code=m.code, name=m.name, department_code=code, case_prefix=m.case_prefix,
        category_prefix=m.category_prefix, kind=cat.MatterKind(m.kind), legal_basis=m.legal_basis,
        conditions=m.conditions, procedure=list(m.procedure or []),
        materials=[c.MaterialItem(**x) for x in m.materials or []],
        statutory_limit=m.statutory_limit, statutory_unit=LimitUnit(m.statutory_unit),
        promised_limit=m.promised_limit, promised_unit=LimitUnit(m.promised_unit),
        fee_items=[c.FeeItemRef(**x) for x in m.fee_items or []], fee_note=m.fee_note,
        enquiry_phone=m.enquiry_phone, complaint_phone=m.complaint_phone, active=m.active,
        department=name, kind_label=cat.KIND_LABELS[cat.MatterKind(m.kind)], initials=m.initials,
        limit_text=limit_text(m),
    )


def matter_brief(m: Matter, depts: dict[int, tuple[str, str]]) -> c.MatterBrief:
    return c.MatterBrief(code=m.code, name=m.name, department=depts.get(m.department_id or 0, ("", ""))[1],
                         kind=cat.MatterKind(m.kind), kind_label=cat.KIND_LABELS[cat.MatterKind(m.kind)],
                         initials=m.initials, limit_text=limit_text(m), category_prefix=m.category_prefix)


def get_matter(session: Session, code: str, *, active_only: bool = True) -> Matter:
    m = session.scalar(select(Matter).where(Matter.code == code))
    if m is None or (active_only and not m.active):
        raise NotFound(f"事项清单中没有编码为“{code}”的事项。", code="matter_not_found")
    return m


def materials_of(m: Matter) -> list[cat.Material]:
    return [cat.Material(x["code"], x["name"], cat.MaterialForm(x["form"]), int(x["copies"]), bool(x["required"]),
                         x.get("notes", "")) for x in m.materials or []]


def _apply(session: Session, body: c.MatterIn, *, now: datetime) -> tuple[Matter, bool]:
    cat.validate_limits(kind=body.kind, statutory=body.statutory_limit, statutory_unit=body.statutory_unit,
                        promised=body.promised_limit, promised_unit=body.promised_unit)
    mats = [cat.Material(x.code, x.name, x.form, x.copies, x.required, x.notes) for x in body.materials]
    cat.validate_materials(mats)
    dept_id = None
    if body.department_code:
        dept_id = session.scalar(select(Department.id).where(Department.code == body.department_code))
        if dept_id is None:
            raise BadInput(f"没有部门编码“{body.department_code}”。", code="department_not_found")
    m = session.scalar(select(Matter).where(Matter.code == body.code))
    created = m is None
    if m is None:
        m = Matter(code=body.code)
        session.add(m)
    pinyin, initials = cat.pinyin_keys(body.name)
    m.name, m.department_id, m.case_prefix, m.category_prefix = body.name, dept_id, body.case_prefix, body.category_prefix
    m.kind, m.legal_basis, m.conditions = str(body.kind), body.legal_basis, body.conditions
    m.procedure = list(body.procedure)
    m.materials = [x.model_dump(mode="json") for x in body.materials]
    m.statutory_limit, m.statutory_unit = body.statutory_limit, str(body.statutory_unit)
    m.promised_limit, m.promised_unit = body.promised_limit, str(body.promised_unit)
    m.fee_items = [x.model_dump(mode="json") for x in body.fee_items]
    m.fee_note, m.enquiry_phone, m.complaint_phone = body.fee_note, body.enquiry_phone, body.complaint_phone
    m.pinyin, m.initials, m.active, m.updated_at = pinyin, initials, body.active, now
    session.flush()
    return m, created


def save_matter(session: Session, *, body: c.MatterIn, actor: Actor, now: datetime) -> c.MatterOut:
    old = session.scalar(select(Matter).where(Matter.code == body.code))
    before = _as_in(matter_out(old, _dept_names(session))) if old is not None else None
    m, created = _apply(session, body, now=now)
    events.append(session, (kinds.MATTER_CREATED if created else kinds.MATTER_UPDATED).type, actor=actor, at=now,
                  data={"matter_code": m.code, "name": m.name, "staff_no": actor.staff_no})
    out = matter_out(m, _dept_names(session))
    if before is not None:  # what changed, for the supervision office (fees, limits, materials…)
        from .configlog import changed
        changed(session, kind="matter", key=m.code, before=before, after=_as_in(out), actor=actor, now=now)
    return out


def _as_in(m: c.MatterOut) -> dict[str, Any]:
    return c.MatterIn.model_validate(m.model_dump(include=set(c.MatterIn.model_fields))).model_dump(mode="json")


def search(session: Session, *, query: str, limit: int = 20, include_inactive: bool = False) -> list[c.MatterBrief]:
    """Rank on the stored keys only (a city catalog has ~1,500 matters); load the few
    matters shown."""
    depts = _dept_names(session)
    q = select(Matter.code, Matter.name, Matter.pinyin, Matter.initials, Matter.department_id)
    if not include_inactive:
        q = q.where(Matter.active.is_(True))
    entries = [cat.SearchEntry(code, name, py, ini, depts.get(dept or 0, ("", ""))[1])
               for code, name, py, ini, dept in session.execute(q)]
    hits = [e.code for e in cat.search(entries, query, limit=limit)]
    if not hits:
        return []
    matters = {m.code: m for m in session.scalars(select(Matter).where(Matter.code.in_(hits)))}
    return [matter_brief(matters[code], depts) for code in hits]


def export(session: Session) -> list[c.MatterOut]:
    depts = _dept_names(session)
    return [matter_out(m, depts) for m in session.scalars(select(Matter).order_by(Matter.code))]


# --- import / export files ------------------------------------------------------

XLSX_MATTER_COLUMNS = [
    ("code", "事项编码"), ("name", "事项名称"), ("department_code", "部门编码"), ("case_prefix", "办件编号前缀"),
    ("category_prefix", "取号类别"), ("kind", "办件类型"), ("legal_basis", "设定依据"), ("conditions", "受理条件"),
    ("procedure", "办理流程"), ("statutory_limit", "法定时限"), ("statutory_unit", "法定时限单位"),
    ("promised_limit", "承诺时限"), ("promised_unit", "承诺时限单位"), ("fee_items", "收费项目"),
    ("fee_note", "收费说明"), ("enquiry_phone", "咨询电话"), ("complaint_phone", "投诉电话"), ("active", "启用"),
]
XLSX_MATERIAL_COLUMNS = [
    ("matter_code", "事项编码"), ("code", "材料编码"), ("name", "材料名称"), ("form", "形式"),
    ("copies", "份数"), ("required", "必要"), ("notes", "备注"),
]
_KIND_IN = {"即办件": "instant", "承诺件": "promised"}
_UNIT_IN = {"工作日": "working", "自然日": "natural"}
_FORM_IN = {v: k for k, v in cat.FORM_LABELS.items()}
_BOOL_IN = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False}


def parse_json(raw: bytes) -> list[c.MatterIn]:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadInput(f"JSON 文件无法解析：{e}", code="bad_file") from None
    items = doc.get("matters") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise BadInput("JSON 应为事项数组，或 {\"matters\": [...]}。", code="bad_file")
    return [_validated(i + 1, x) for i, x in enumerate(items)]


def _validated(row: int, x: Any) -> c.MatterIn:
    if isinstance(x, dict):
        x = {k: v for k, v in x.items() if k in c.MatterIn.model_fields}  # exports carry derived fields
    try:
        return c.MatterIn.model_validate(x)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        raise BadInput(f"第 {row} 个事项有误（{loc}）：{err.get('msg', '')}", code="bad_file") from None


def to_json(items: list[c.MatterOut]) -> bytes:
    doc = {"matters": [c.MatterIn.model_validate(i.model_dump(include=set(c.MatterIn.model_fields))).model_dump(mode="json")
                       for i in items]}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def to_xlsx(items: list[c.MatterOut]) -> bytes:
    """Two sheets an admin can edit in WPS/Excel: 事项 and 材料 (one row per material)."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "事项"
    ws.append([label for _, label in XLSX_MATTER_COLUMNS])
    kind_out = {v: k for k, v in _KIND_IN.items()}
    unit_out = {v: k for k, v in _UNIT_IN.items()}
    for m in items:
        row: list[Any] = []
        for key, _ in XLSX_MATTER_COLUMNS:
            v: Any = getattr(m, key)
            if key == "kind":
                v = kind_out[str(v)]
            elif key in ("statutory_unit", "promised_unit"):
                v = unit_out[str(v)]
            elif key == "procedure":
                v = "\n".join(v)
            elif key == "fee_items":
                v = "\n".join(f"{f.code} {f.name}" for f in v)
            elif key == "active":
                v = "是" if v else "否"
            row.append(v if v is not None else "")
        ws.append(row)
    ms = wb.create_sheet("材料")
    ms.append([label for _, label in XLSX_MATERIAL_COLUMNS])
    for m in items:
        for mat in m.materials:
            ms.append([m.code, mat.code, mat.name, cat.FORM_LABELS[mat.form], mat.copies,
                       "是" if mat.required else "否", mat.notes])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_xlsx(raw: bytes) -> list[c.MatterIn]:
    rows, _ = xlsx_rows(raw)
    return [_validated(i, d) for i, d in rows]


def xlsx_rows(raw: bytes) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, list[str]]]:
    """The 事项 sheet's rows as field dicts (row number, fields; materials joined in), and
    the 材料 sheet's problems by matter code. Nothing is validated yet: the import
    preview reports every row's problems, ``parse_xlsx`` stops at the first."""
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a non-xlsx file
        raise BadInput(f"xlsx 文件无法读取：{type(e).__name__}", code="bad_file") from None
    if "事项" not in wb.sheetnames:
        raise BadInput("xlsx 中缺少“事项”工作表。", code="bad_file")
    labels = {label: key for key, label in XLSX_MATTER_COLUMNS}
    rows = list(wb["事项"].iter_rows(values_only=True))
    if not rows:
        return [], {}
    head = [labels.get(str(h).strip()) if h is not None else None for h in rows[0]]
    mats: dict[str, list[dict[str, Any]]] = {}
    mat_problems: dict[str, list[str]] = {}
    if "材料" in wb.sheetnames:
        mlabels = {label: key for key, label in XLSX_MATERIAL_COLUMNS}
        mrows = list(wb["材料"].iter_rows(values_only=True))
        mhead = [mlabels.get(str(h).strip()) if h is not None else None for h in (mrows[0] if mrows else [])]
        for n, r in enumerate(mrows[1:], start=2):
            d = {k: v for k, v in zip(mhead, r) if k is not None}
            if not d.get("matter_code"):
                continue
            try:
                copies = int(d.get("copies") or 1)
            except (TypeError, ValueError):
                mat_problems.setdefault(str(d["matter_code"]), []).append(
                    f"材料表第 {n} 行的份数“{d.get('copies')}”不是整数")
                copies = 1
            item = {"code": str(d.get("code") or ""), "name": str(d.get("name") or ""),
                    "form": _FORM_IN.get(str(d.get("form") or "").strip(), str(d.get("form") or "")),
                    "copies": copies,
                    "required": _BOOL_IN.get(str(d.get("required", "是")).strip().lower(), True),
                    "notes": str(d.get("notes") or "")}
            mats.setdefault(str(d["matter_code"]), []).append(item)
    out: list[tuple[int, dict[str, Any]]] = []
    for i, r in enumerate(rows[1:], start=2):
        d: dict[str, Any] = {k: v for k, v in zip(head, r) if k is not None}
        if not any(v not in (None, "") for v in d.values()):
            continue
        for k in list(d):
            if d[k] is None:
                d[k] = "" if k not in ("department_code", "category_prefix") else None
        d["kind"] = _KIND_IN.get(str(d.get("kind", "")).strip(), d.get("kind"))
        for k in ("statutory_unit", "promised_unit"):
            d[k] = _UNIT_IN.get(str(d.get(k, "")).strip(), d.get(k) or "working")
        d["procedure"] = [s for s in str(d.get("procedure") or "").splitlines() if s.strip()]
        fees = []
        for line in str(d.get("fee_items") or "").splitlines():
            code, _, name = line.strip().partition(" ")
            if code:
                fees.append({"code": code, "name": name.strip() or code})
        d["fee_items"] = fees
        d["active"] = _BOOL_IN.get(str(d.get("active", "是")).strip().lower(), True)
        for k in ("code", "case_prefix", "enquiry_phone", "complaint_phone"):
            if d.get(k) is not None:
                d[k] = str(d[k])
        d["materials"] = mats.pop(str(d.get("code")), [])
        out.append((i, d))
    for code in mats:  # materials of a matter the 事项 sheet does not have
        mat_problems.setdefault(code, []).append(f"材料表中的事项编码“{code}”在事项表中不存在")
    return out, mat_problems


def import_matters(session: Session, *, items: list[c.MatterIn], actor: Actor, now: datetime) -> c.CatalogImportOut:
    codes = [i.code for i in items]
    dup = sorted({x for x in codes if codes.count(x) > 1})
    if dup:
        raise BadInput(f"导入文件中事项编码重复：{'、'.join(dup)}。", code="bad_file")
    created = updated = 0
    for i in items:
        _, new = _apply(session, i, now=now)
        created += new
        updated += not new
    events.append(session, kinds.CATALOG_IMPORTED.type, actor=actor, at=now,
                  data={"created": created, "updated": updated, "codes": codes[:200], "staff_no": actor.staff_no})
    log.info("catalog import: %d created, %d updated", created, updated)
    return c.CatalogImportOut(created=created, updated=updated, total=len(items))
