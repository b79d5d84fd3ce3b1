"""The demo hall (construction and housing field). ``seed(...)`` runs the core seed and
then each area's, in order; an area that is not there yet is skipped."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from ..settings import Settings

AREAS = ("core", "catalog", "fees", "accountability", "supervision")
DEMO_PASSWORD = "demo1234"


@dataclass
class SeedReport:
    lines: list[str] = field(default_factory=list)
    device_tokens: dict[str, str] = field(default_factory=dict)


def seed(session: Session, *, settings: Settings, now: datetime) -> SeedReport:
    report = SeedReport()
    for area in AREAS:
        try:
            mod = importlib.import_module(f"{__name__}.{area}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{area}":
                continue
            raise
        mod.seed(session, settings=settings, now=now, report=report)
    return report
