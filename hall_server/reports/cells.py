"""Spreadsheet cells that open: control characters (a NUL, a form feed pasted into a
note long ago) make openpyxl refuse the cell and the whole export fail, so every row
written to a workbook goes through ``append``, which drops them."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet


def clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append(ws: Worksheet, values: Iterable[Any]) -> None:
    ws.append([clean(v) for v in values])
