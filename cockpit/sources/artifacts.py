"""Reading the files a unit lists under "Artifacts produced", so the artifact-secrets check can
scan them. Done by the caller before any transaction (checks stay pure); nothing is written.

`cockpit check --root DIR` names the one tree it may read: a listed path that resolves outside it
(`../`, an absolute path, a symlink out) is refused, never read, and the check says so. The same
rule keeps a quality gate's `dir` inside the root (`outside_root`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cockpit.checks.base import Refused
from cockpit.checks.operations import artifact_paths
from cockpit.text.terminal import safe

MAX_BYTES = 512 * 1024  # enough for any config file; a huge file is read only this far


def outside_root(path: str, root: str | os.PathLike[str], *, what: str) -> str | None:
    """Why `path` (relative to `root`) is refused: it resolves outside `root` by `..`, by being
    absolute, or through a symlink. None when it stays inside."""
    base = Path(root).resolve()
    target = (base / path).resolve()  # an absolute `path` replaces `base`; symlinks are followed
    if target == base or base in target.parents:
        return None
    return f"{what} `{safe(path, one_line=True)}` resolves outside the root {safe(str(base), one_line=True)}; refused"


def read_artifacts(body: str, root: str | os.PathLike[str]) -> dict[str, str | Refused]:
    """Listed path → text for each listed regular file under `root` (missing ones are left out);
    a path leading outside `root` maps to why it was not read."""
    found: dict[str, str | Refused] = {}
    base = Path(root)
    for path, _line in artifact_paths(body):
        reason = outside_root(path, base, what="listed artifact")
        if reason is not None:
            found[path] = Refused(reason)
            continue
        target = base / path
        if target.is_file():
            with open(target, "rb") as handle:
                found[path] = handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    return found


def read_all(bodies: Mapping[str, str], root: str | os.PathLike[str]) -> dict[str, dict[str, str | Refused]]:
    """unit slug → its artifacts, for `check_runs.evaluate(..., artifacts=...)`."""
    return {slug: read_artifacts(body, root) for slug, body in bodies.items()}
