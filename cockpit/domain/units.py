"""A set of H·AI·K·U unit files as the import command takes them: checked as a set (names,
dependencies, cycles), then added in dependency order.

Pure: reading the files is cockpit.sources.unit_files; the command gets what was read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cockpit.domain.dag import find_cycle
from cockpit.errors import SourceError


@dataclass(frozen=True)
class UnitFile:
    path: str
    slug: str  # the file stem: H·AI·K·U's depends_on names siblings by it
    title: str
    body: str
    depends_on: tuple[str, ...]
    depends_line: int
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def check_unit_files(units: list[UnitFile], siblings: Iterable[str], taken: Iterable[str] = ()) -> list[SourceError]:
    """Duplicate names, self-references, unknown siblings and cycles, each at its file and line.

    `siblings` are the target stage's units (the only ones a unit may depend on); `taken` is
    every unit name of the intent (names are unique across stages).
    """
    existing = set(siblings)
    taken = existing | set(taken)
    problems: list[SourceError] = []
    names = [u.slug for u in units]
    for unit in units:
        if unit.slug in taken or names.count(unit.slug) > 1:
            problems.append(SourceError(unit.path, 1, f"a unit named {unit.slug!r} already exists"))
        for dep in unit.depends_on:
            if dep == unit.slug:
                problems.append(SourceError(unit.path, unit.depends_line, f"unit {unit.slug!r} depends on itself"))
            elif dep not in names and dep not in existing:
                problems.append(SourceError(unit.path, unit.depends_line, f"depends on unknown unit {dep!r}"))
    graph = {u.slug: [d for d in u.depends_on if d != u.slug] for u in units}
    cycle = find_cycle(graph)
    if cycle:
        first = next(u for u in units if u.slug == cycle[0])
        problems.append(SourceError(first.path, first.depends_line, "dependency cycle: " + " → ".join(cycle)))
    return problems


def dependency_order(units: list[UnitFile]) -> list[UnitFile]:
    """Units before the siblings that depend on them; ties keep filename order (Kahn's algorithm)."""
    pending = list(units)
    placed: set[str] = set()
    ordered: list[UnitFile] = []
    local = {u.slug for u in units}
    while pending:
        ready = [u for u in pending if all(d in placed or d not in local for d in u.depends_on)]
        if not ready:  # a cycle: check_unit_files reports it before we get here
            raise ValueError("dependency cycle")
        ordered.append(ready[0])
        placed.add(ready[0].slug)
        pending.remove(ready[0])
    return ordered
