"""Reading the files a unit lists under "Artifacts produced", so the artifact-secrets check can
scan them. Done by the caller before any transaction (checks stay pure); nothing is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from cockpit.checks.operations import artifact_paths

MAX_BYTES = 512 * 1024  # enough for any config file; a huge file is read only this far


def read_artifacts(body: str, root: str | os.PathLike[str]) -> dict[str, str]:
    """Listed path → text for each listed regular file under `root` (missing ones are left out)."""
    found: dict[str, str] = {}
    base = Path(root)
    for path, _line in artifact_paths(body):
        target = base / path
        if target.is_file():
            with open(target, "rb") as handle:
                found[path] = handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    return found


def read_all(bodies: Mapping[str, str], root: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """unit slug → its artifacts, for `check_runs.evaluate(..., artifacts=...)`."""
    return {slug: read_artifacts(body, root) for slug, body in bodies.items()}
