"""Named statuses move only along their transition table; the check lives here, once."""
from __future__ import annotations

import enum
from collections.abc import Mapping

from models.errors import InvalidTransition


def check_transition(table: Mapping[enum.Enum, set], current: enum.Enum | None, target: enum.Enum,
                     what: str) -> None:
    allowed = table.get(current, set()) if current is not None else {target}
    if target not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none (final status)"
        raise InvalidTransition(
            f"{what} cannot move from {current.value if current else 'nothing'} to {target.value}; "
            f"allowed next: {options}", "status")
