"""Where a folder stands in git, read locally: its branch and how far it is ahead of or behind
the branch it tracks, as of the last fetch (no network). For the intent header's "where does this
intent live" line; every call has a short timeout (a hung git must not hold a worker)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NamedTuple

GIT_TIMEOUT_S = 3.0


class BranchState(NamedTuple):
    branch: str  # `HEAD` when detached
    upstream: str | None  # e.g. origin/main; None when the branch tracks nothing
    ahead: int | None  # commits here not on the upstream (None without one)
    behind: int | None  # commits on the upstream not here


def _git(folder: Path, *args: str) -> str | None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):  # no git, or a hung one: the line says less
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def branch_state(folder: str | os.PathLike[str]) -> BranchState | None:
    """The branch `folder` is on; None when it is not in a git work tree (or git is missing)."""
    here = Path(folder)
    while not here.is_dir() and here != here.parent:  # a folder not written yet: ask its parent
        here = here.parent
    branch = _git(here, "rev-parse", "--abbrev-ref", "HEAD")
    if branch is None:
        return None
    upstream = _git(here, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    if not upstream:
        return BranchState(branch, None, None, None)
    counts = (_git(here, "rev-list", "--left-right", "--count", "HEAD...@{upstream}") or "").split()
    if len(counts) != 2 or not all(c.isdigit() for c in counts):
        return BranchState(branch, upstream, None, None)
    return BranchState(branch, upstream, int(counts[0]), int(counts[1]))
