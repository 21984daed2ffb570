"""The H·AI·K·U project cockpit runs in: the nearest folder, at or above a starting folder, that
holds `.haiku/` (as git finds `.git/`). Its `.haiku/studios` overlays the studios, and the
engine's required discovery and outputs are looked for under it. One rule, one place."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

HAIKU_DIR = ".haiku"


def intents_dir(project: str | os.PathLike[str]) -> Path:
    """Where a project keeps its intents: `<project>/.haiku/intents`."""
    return Path(project) / HAIKU_DIR / "intents"


def studios_dir(project: str | os.PathLike[str]) -> Path:
    """Where a project keeps the studio files that overlay the plugin's: `<project>/.haiku/studios`."""
    return Path(project) / HAIKU_DIR / "studios"


def find_project(start: str | os.PathLike[str] = ".") -> Path | None:
    """The nearest folder at or above `start` that holds `.haiku/`, or None."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / HAIKU_DIR).is_dir():
            return folder
    return None


def project_root(explicit: str | os.PathLike[str] | None) -> str | None:
    """The project the engine looks in for required artifacts: `--root DIR`, or the H·AI·K·U project
    cockpit runs in; None when neither, and that rule is then not applied (no checkout at hand)."""
    if explicit:
        return str(explicit)
    found = find_project()
    return str(found) if found is not None else None


def first_link(base: Path, parts: Iterable[str]) -> Path | None:
    """The first symbolic link on the way from `base` down through `parts`, or None. An intent's
    files are read and written where they are: a link could lead a read (/etc/passwd as a unit's
    body) or a write out of the project."""
    here = base
    for part in parts:
        here = here / part
        if here.is_symlink():
            return here
    return None
