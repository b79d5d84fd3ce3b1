"""Tables of the cases area (filled in by that area)."""
from __future__ import annotations

from .base import Base  # noqa: F401
