"""What a command returns: the rows to write and the one timeline event that records them.

Plain data, shared by the commands and the check runs that file findings inside a command's
Change, and read by the store, which commits a Change in one transaction. Its own module so that
neither of those imports the other to name these types.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    """When and by whom a command is applied (from the engine's injected clock), and what the
    engine read of the world for it: the runbook library the checks consult, and which required
    discovery and output locations exist in the project (the engine's artifact rule)."""

    now: str
    actor: str
    runbooks: Any = None  # cockpit.checks.RunbookLookup | None
    # location → present under the project root (cockpit.sources.artifacts.required_on_disk);
    # None when no project is at hand, and the rule is then not applied.
    on_disk: Mapping[str, bool] | None = None
    project: str | None = None  # the project root those locations are relative to


@dataclass(frozen=True)
class Change:
    event: Event
    writes: tuple[Insert | Update, ...]
    summary: str  # one line for the person who asked
