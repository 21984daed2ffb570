"""The runbook library as the checks see it: a read-only lookup, injected into the engine.

`ops.alert-runbooks` asks two things of it: does a runbook of this name exist, and what does its
lint say. Anything with those two methods will do (see `RunbookLookup`); `FolderRunbooks` is a
small stand-in over folders of markdown files until the runbook index is wired in, and
`from_index` adapts an index object that offers `get(name)` and `lint(name)`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable


def runbook_key(reference: str) -> str:
    """`runbooks/orders-api/pool-saturation.md#triage` → `pool-saturation`: how references are compared."""
    reference = reference.split("#", 1)[0].split("?", 1)[0].strip().rstrip("/")
    name = reference.rsplit("/", 1)[-1]
    return name[:-3].lower() if name.lower().endswith(".md") else name.lower()


class FolderRunbooks:
    """Runbooks are the `*.md` files under some folders, keyed by file stem; no lint of its own."""

    def __init__(self, folders: Iterable[str | os.PathLike[str]]) -> None:
        self._names = {runbook_key(p.name) for folder in folders if Path(folder).is_dir() for p in Path(folder).rglob("*.md")}

    def exists(self, name: str) -> bool:
        return runbook_key(name) in self._names

    def lint_errors(self, name: str) -> list[str]:
        return []


class IndexRunbooks:
    """Adapts the runbook index: `find(key)` returns a runbook or None; `lint(runbook)` returns error strings."""

    def __init__(self, find: Callable[[str], Any], lint: Callable[[Any], Iterable[Any]] | None = None) -> None:
        self._find, self._lint = find, lint

    def exists(self, name: str) -> bool:
        return self._find(runbook_key(name)) is not None

    def lint_errors(self, name: str) -> list[str]:
        found = self._find(runbook_key(name))
        if found is None or self._lint is None:
            return []
        return [str(problem) for problem in self._lint(found)]

