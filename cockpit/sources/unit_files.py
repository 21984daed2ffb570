"""H·AI·K·U unit files (`units/unit-NN-<slug>.md`): read from disk into cockpit.domain.units.UnitFile.

Every problem is located as `path:line: reason`; a set with any problem imports nothing (the set
is checked by cockpit.domain.units, in the import command).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from cockpit.domain.gates import gate_entries
from cockpit.domain.units import UnitFile
from cockpit.errors import SourceError
from cockpit.text import frontmatter


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
    _specs, problems = gate_entries(doc.meta)
    return [SourceError(doc.path, doc.line_of("quality_gates", index=index), problem) for index, problem in problems]
