"""Who is acting: resolved from the bearer token by the API and passed to services."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.roles import Role


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # "staff" | "device" | "system"
    id: int | None
    name: str
    roles: frozenset[Role]
    staff_no: str | None = None
    device_name: str | None = None
    window_no: int | None = None  # the window this token was signed in at
    department_id: int | None = None

    @property
    def ident(self) -> str:
        if self.kind == "staff":
            return f"staff:{self.staff_no}"
        if self.kind == "device":
            return f"device:{self.device_name}"
        return "system"

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


SYSTEM = Actor(kind="system", id=None, name="系统", roles=frozenset({Role.ADMIN}))
