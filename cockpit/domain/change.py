"""What a command returns: the rows to write and the one timeline event that records them.

Plain data, shared by the commands and the check runs that file findings inside a command's
Change, and read by the store, which commits a Change in one transaction. Its own module so that
neither of those imports the other to name these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class _ThisEvent:
    """Placeholder for the id of the event written with the change (filled in by the store)."""

    def __repr__(self) -> str:
        return "THIS_EVENT"


THIS_EVENT: Any = _ThisEvent()


@dataclass(frozen=True)
class Insert:
    table: str
    row: dict[str, Any]


@dataclass(frozen=True)
class Update:
    table: str
    id: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Event:
    command: str
    message: str | None = None
    stage: str | None = None
    unit: str | None = None
    hat: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ctx:
    """When and by whom a command is applied (from the engine's injected clock), and the read-only
    services the engine was given (the runbook library the checks consult)."""

    now: str
    actor: str
    runbooks: Any = None  # cockpit.checks.RunbookLookup | None


@dataclass(frozen=True)
class Change:
    event: Event
    writes: tuple[Insert | Update, ...]
    summary: str  # one line for the person who asked
