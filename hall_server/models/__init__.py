"""All tables. Each area keeps its tables in its own module; importing this package
registers every one of them on ``Base.metadata`` (Alembic and tests rely on that)."""
from .base import Base, UTCDateTime
from .core import (
    Category, Department, Device, Duty, Event, EventHead, Idempotency, Pause, QueueCount, Setting,
    Staff, Ticket, TicketCounter, Token, Window,
)
from . import cases, fees, accountability, supervision  # noqa: F401  (area tables)
from . import admin  # noqa: F401  (admin tables)
from . import audit  # noqa: F401  (checkpoints, sign-in throttle)

__all__ = [
    "Base", "UTCDateTime", "Category", "Department", "Device", "Duty", "Event", "EventHead",
    "Idempotency", "Pause", "QueueCount", "Setting", "Staff", "Ticket", "TicketCounter", "Token", "Window",
]
