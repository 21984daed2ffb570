"""H·AI·K·U unit files (`units/unit-NN-<slug>.md`): read, and check as a set before import.

Every problem is located as `path:line: reason`; a set with any problem imports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.domain.dag import find_cycle
from cockpit.errors import SourceError
from cockpit.text import frontmatter


@dataclass(frozen=True)
class UnitFile:
    path: str
    slug: str  # the file stem: H·AI·K·U's depends_on names siblings by it
    title: str
    body: str
    depends_on: tuple[str, ...]
    depends_line: int
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _expand(paths: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(path.glob("*.md")) if path.is_dir() else [path])  # filename order, as H·AI·K·U walks them
    return files


def read_unit_files(paths: Iterable[str]) -> tuple[list[UnitFile], list[SourceError]]:
    units: list[UnitFile] = []
    problems: list[SourceError] = []
    for path in _expand(paths):
        try:
            doc = frontmatter.read(str(path))
        except SourceError as exc:
            problems.append(exc)
            continue
        deps = doc.meta.get("depends_on") or []
        if isinstance(deps, str):
            deps = [deps]
        if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
            problems.append(
                SourceError(str(path), doc.line_of("depends_on"), "`depends_on:` must be a list of unit names")
            )
            continue
        bad_gates = _gate_problems(doc)
        if bad_gates:
            problems += bad_gates
            continue
        heading = re.search(r"^#\s+(.+?)\s*$", doc.body, re.MULTILINE)
        title = str(doc.meta.get("title") or (heading.group(1) if heading else path.stem))
        units.append(
            UnitFile(
                str(path), path.stem, title, doc.body.lstrip("\n"), tuple(deps), doc.line_of("depends_on"), doc.meta
            )
        )
    return units, problems


def _gate_problems(doc: frontmatter.Document) -> list[SourceError]:
    """The file's `quality_gates` entries that `cockpit check` would refuse (a command with control
    characters, no command, ...), each at its line: refused at import, not only when run."""
    from cockpit.sources.quality_gates import gate_entries

    _specs, problems = gate_entries(doc.meta)
    return [SourceError(doc.path, doc.line_of("quality_gates", index=index), problem) for index, problem in problems]


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
