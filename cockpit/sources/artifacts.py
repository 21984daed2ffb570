"""Reading the files a unit lists under "Artifacts produced", so the artifact-secrets check can
scan them, and finding which required discovery and output artifacts exist (the engine's rule:
cockpit.domain.required_artifacts). Done by the caller before any transaction (checks and
commands stay pure); nothing is written.

`cockpit check --root DIR` names the one tree it may read: a listed path that resolves outside it
(`../`, an absolute path, a symlink out) is refused, never read, and the check says so. The same
rule keeps a quality gate's `dir` inside the root (`outside_root`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from cockpit.checks.base import Refused
from cockpit.checks.operations import artifact_paths
from cockpit.domain import required_artifacts
from cockpit.domain.studio import Studio
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


def present(location: str, root: str | os.PathLike[str]) -> bool:
    """Whether a required artifact's `location` (cockpit.domain.required_artifacts) exists under
    `root` as the H·AI·K·U engine judges it: a file or folder at the path, and for a location
    ending in `/` a folder holding something besides `.gitkeep`. A location that resolves outside
    `root` is never looked at: it counts as missing."""
    if outside_root(location, root, what="location") is not None:
        return False
    target = Path(root) / location
    if location.endswith("/"):
        return target.is_dir() and any(entry.name != ".gitkeep" for entry in target.iterdir())
    return target.exists()


def on_disk(locations: Iterable[str], root: str | os.PathLike[str]) -> dict[str, bool]:
    """location → present, for the commands that require artifacts (`on_disk=`)."""
    return {location: present(location, root) for location in locations}


def required_on_disk(studio: Studio, intent_slug: str, root: str | None) -> dict[str, bool] | None:
    """location → present for every artifact the studio's stages require of this intent, looked up
    under `root`; None when there is no root (nobody looked)."""
    if root is None:
        return None
    return on_disk(required_artifacts.locations(studio.stages, intent_slug), root)
