"""Whether a branch is merged into a repository's default branch, asked of git.

The engine's structural signal for an external gate (haiku-method plugin/providers/git.md,
External Gate Signal Detection, tier 1): the stage's branch merged, checked locally with
`git merge-base --is-ancestor`. Tier 2 (asking gh/glab about the PR) needs the network and is left
out. Every git call (cockpit.sources.git_repo) has a timeout, runs with the branch as one argument
after `--end-of-options` where git reads options, and never changes the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import NamedTuple

from cockpit.errors import CockpitError
from cockpit.sources import git_repo


class Merged(NamedTuple):
    branch: str
    into: str  # the default branch it is merged into
    commit: str  # the merge commit that brought it in (the branch's tip when fast-forwarded)


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return git_repo.run(repo, *args)


def _resolves(repo: Path, ref: str) -> str | None:
    out = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def _full_name(repo: Path, ref: str) -> str:
    out = _git(repo, "rev-parse", "--symbolic-full-name", "--verify", "--quiet", "--end-of-options", ref)
    return out.stdout.strip() if out.returncode == 0 else ""


def _same_branch(repo: Path, branch: str, target: str) -> bool:
    """Whether `branch` is `target` itself, or the local branch `target` tracks (main and origin/main)."""
    ours, theirs = _full_name(repo, branch), _full_name(repo, target)
    if not ours or not theirs:
        return branch == target
    if ours == theirs:
        return True
    local = ours.removeprefix("refs/heads/") if ours.startswith("refs/heads/") else None
    remote = theirs.split("/", 3)[3] if theirs.startswith("refs/remotes/") and theirs.count("/") >= 3 else None
    return local is not None and local == remote


def default_branch(repo: Path) -> str:
    """The repository's default branch: what origin/HEAD names, else a local main or master."""
    head = _git(repo, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if head.returncode == 0 and head.stdout.strip():
        return head.stdout.strip()  # origin/main: the remote's view, as fetched
    for name in ("main", "master"):
        if _resolves(repo, name):
            return name
    raise CockpitError(f"{repo}: no default branch found (no origin/HEAD, main or master): name one with --into")


MAX_MERGES = 200  # merges after the tip looked at for the one that brought it in


def merged(repo: Path | str, branch: str, into: str | None = None) -> Merged | None:
    """The merge of `branch` into `into` (default: the default branch), or None while it is not
    merged. Refused when `repo` is not a git repository or `branch` / `into` do not exist."""
    root = Path(repo)
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise CockpitError(f"{root} is not a git repository")
    target = into or default_branch(root)
    tip = _resolves(root, branch)
    if tip is None:
        raise CockpitError(f"{root}: no branch {branch!r}")
    if _resolves(root, target) is None:
        raise CockpitError(f"{root}: no branch {target!r} to check the merge into")
    if _same_branch(root, branch, target):  # always "merged" into itself: it proves no review
        raise CockpitError(
            f"{branch!r} is the branch it must be merged into ({target}): the submission must name the branch "
            "under review"
        )
    check = _git(root, "merge-base", "--is-ancestor", "--end-of-options", tip, target)
    if check.returncode == 1:
        return None
    if check.returncode != 0:
        raise CockpitError(f"git merge-base failed in {root}: {check.stderr.strip()[:200]}")
    # The merge that brought the tip in: the first merge commit after it whose first parent (the
    # target before that merge) did not hold the tip yet. Without one, the tip was already on the
    # target's line — a fast-forward, or a branch with no commits of its own (`git branch fresh
    # main~5` is "merged" at once, and any later merge of another branch descends from it): git
    # then shows no review being merged, and the gate is approved by hand with the review's URL.
    path = _git(root, "rev-list", "--ancestry-path", "--merges", "--reverse", f"{tip}..{target}", "--")
    for merge in (path.stdout.split() if path.returncode == 0 else [])[:MAX_MERGES]:
        before = _git(root, "merge-base", "--is-ancestor", "--end-of-options", tip, f"{merge}^1")
        if before.returncode == 1:
            return Merged(branch, target, merge)
    raise CockpitError(
        f"{branch!r} is in {target} without a merge commit that brought it in (a fast-forward, or a branch "
        f"with no commits of its own): git cannot show the review was merged; approve the gate by hand "
        f"with the review's URL (cockpit approve SLUG --external URL)"
    )
