"""The catalog import preview: every row of an xlsx catalog checked, every problem listed
in Chinese, nothing written. The admin fixes the file until the preview is clean, then
imports it (``catalog.import_matters`` takes all rows or none)."""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..models import Category, Department
from ..models.cases import Matter
from . import catalog

LABELS = dict(catalog.XLSX_MATTER_COLUMNS) | {"materials": "材料"}
MATERIAL_LABELS = {"code": "材料编码", "name": "材料名称", "form": "形式", "copies": "份数"}


def _field_problem(err: Any) -> str:
    loc = [p for p in err.get("loc", ())]
    if not loc:
        return "内容格式不正确"
    label = LABELS.get(str(loc[0]), str(loc[0]))
    if loc[0] == "materials" and len(loc) >= 3:
        label = f"第 {int(loc[1]) + 1} 项材料的{MATERIAL_LABELS.get(str(loc[2]), str(loc[2]))}"
    kind = str(err.get("type", ""))
    if kind in ("missing", "string_too_short"):
        return f"“{label}”不能为空"
    if kind in ("string_too_long", "too_long"):
        return f"“{label}”过长"
    if kind in ("int_parsing", "int_type", "int_from_float", "greater_than_equal", "less_than_equal"):
        return f"“{label}”应为合理的整数"
    if kind in ("enum", "literal_error"):
        return f"“{label}”的取值不在可选范围内"
    if kind == "string_pattern_mismatch":
        return f"“{label}”格式不正确"
    return f"“{label}”内容不正确"


def preview_xlsx(session: Session, raw: bytes) -> c.CatalogPreviewOut:
    rows, mat_problems = catalog.xlsx_rows(raw)
    depts = set(session.scalars(select(Department.code)))
    cats = set(session.scalars(select(Category.prefix)))
    existing = set(session.scalars(select(Matter.code)))
    seen: dict[str, int] = {}
    out: list[c.PreviewRow] = []
    for n, d in rows:
        code, name = str(d.get("code") or ""), str(d.get("name") or "")
        problems: list[str] = []
        clean = {k: v for k, v in d.items() if k in c.MatterIn.model_fields}
        try:
            m: c.MatterIn | None = c.MatterIn.model_validate(clean)
        except ValidationError as e:
            m = None
            problems += list(dict.fromkeys(_field_problem(err) for err in e.errors()))
        if code and code in seen:
            problems.append(f"事项编码与第 {seen[code]} 行重复")
        elif code:
            seen[code] = n
        dept = d.get("department_code")
        if dept and str(dept) not in depts:
            problems.append(f"部门编码“{dept}”不存在，请先在“部门”页添加")
        cat = d.get("category_prefix")
        if cat and str(cat) not in cats:
            problems.append(f"取号类别“{cat}”不存在，请先在“业务类别”页添加")
        if m is not None:
            if m.statutory_unit == m.promised_unit and m.promised_limit > m.statutory_limit > 0:
                problems.append("承诺时限不能长于法定时限")
            mat_codes = [x.code for x in m.materials]
            if len(set(mat_codes)) != len(mat_codes):
                problems.append("材料编码有重复")
        problems += mat_problems.pop(code, [])
        out.append(c.PreviewRow(row=n, code=code, name=name, problems=problems,
                                action=("" if problems else "update" if code in existing else "create")))
    for code, probs in mat_problems.items():
        out.append(c.PreviewRow(row=0, code=code, name="（材料表）", problems=probs))
    bad = sum(1 for r in out if r.problems)
    return c.CatalogPreviewOut(rows=out, total=len(rows), bad=bad, ok=bad == 0 and bool(rows))
