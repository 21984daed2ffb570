"""The git half of `cockpit haiku sync`: commit an intent's folder, pull, push, count (issue 15).

Only the intent's folder is ever staged and committed (`git add -- <folder>` then `git commit --
<folder>`, so what else the engineer has staged stays staged and out of the commit); the copies
cockpit keeps of conflicting versions (`<folder>/cockpit/conflicts/`) are never committed. Pulling
rebases on the upstream (`--autostash`: the engineer's uncommitted work elsewhere in the project is
put aside and put back by git itself). Nothing talks to the network before the pull, so a sync
offline still commits.

Conflicts. The cockpit sidecar (`cockpit/facts.jsonl`) is cockpit's own journal, a line per fact,
that both sides append to on every sync: when it alone stops the rebase it is merged by keeping
both sides' lines (`git merge-file --union`) and the rebase goes on. Any other file that stops it
is a real conflict: the rebase is aborted (the local commit stays, the working tree holds our
version) and the files are returned with the two commits, for the caller to record and show.
Once an engineer has decided which version of each to take, `merge` brings the upstream in with a
merge commit, taking the decided side of each, and the union of the sidecars.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cockpit.domain.haiku_sidecar import SIDECAR
from cockpit.errors import CockpitError
from cockpit.sources import git_repo
from cockpit.sources.git_repo import NETWORK_TIMEOUT_S, GitFailed, out, plain, run

CONFLICT_COPIES = "cockpit/conflicts"  # in the intent folder (cockpit.sources.haiku_writer.CONFLICTS)
_NO_EDITOR = {"GIT_EDITOR": "true"}  # `rebase --continue` and a merge commit never open an editor
_MAX_STOPS = 200  # a rebase stops at most once per replayed commit


@dataclass(frozen=True)
class Repo:
    root: Path  # the work tree's top
    branch: str | None  # None on a detached HEAD
    upstream: str | None  # e.g. origin/main; None when the branch tracks nothing


@dataclass
class Pulled:
    ok: bool
    ours: str = ""  # our commit before the pull (it stays, the rebase aborted)
    theirs: str = ""  # the upstream's commit the pull met
    conflicts: list[str] = field(default_factory=list)  # paths from the work tree's top
    error: str | None = None  # the pull did not run to a result (offline, refused…)


def open_repo(path: Path | str) -> Repo:
    """The git repository holding `path`. CockpitError when there is none."""
    root = git_repo.toplevel(path)
    if root is None:
        raise CockpitError(f"{path} is not in a git repository: nothing to sync with")
    head = run(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    branch = head.stdout.strip() if head.returncode == 0 else None
    up = run(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}") if branch else None
    upstream = up.stdout.strip() if up is not None and up.returncode == 0 and up.stdout.strip() else None
    return Repo(root, branch, upstream)


def head(repo: Repo) -> str | None:
    done = run(repo.root, "rev-parse", "--verify", "--quiet", "HEAD")
    return done.stdout.strip() if done.returncode == 0 else None


def counts(repo: Repo) -> tuple[int, int] | None:
    """(ahead, behind) of the upstream as last fetched (no network), or None without one."""
    if repo.upstream is None:
        return None
    done = run(repo.root, "rev-list", "--left-right", "--count", "HEAD...@{upstream}")
    if done.returncode != 0:
        return None
    ahead, behind = done.stdout.split()
    return int(ahead), int(behind)


def _rel(repo: Repo, folder: Path) -> str:
    rel = Path(folder).resolve().relative_to(repo.root.resolve()).as_posix()
    return plain(rel, "intent folder")


def commit_folder(repo: Repo, folder: Path, message: str) -> str | None:
    """Commit what changed in the intent's `folder` (only there) with `message`; the new commit,
    or None when the folder has nothing to commit."""
    rel = _rel(repo, folder)
    out(repo.root, "add", "--all", "--", rel, f":(exclude){rel}/{CONFLICT_COPIES}")
    staged = run(repo.root, "diff", "--cached", "--quiet", "--", rel)
    if staged.returncode == 0:
        return None
    out(repo.root, "commit", "--quiet", "-m", message, "--", rel)
    return head(repo)


def _upstream_tip(repo: Repo) -> str:
    """The upstream's commit as last fetched, by name: a stopped rebase has no branch to ask."""
    name = plain(repo.upstream or "", "upstream")
    return out(repo.root, "rev-parse", "--verify", "--end-of-options", f"{name}^{{commit}}")


def _in_progress(repo: Repo, name: str) -> bool:
    path = out(repo.root, "rev-parse", "--git-path", name)
    return (repo.root / path).exists() if not Path(path).is_absolute() else Path(path).exists()


def _unmerged(repo: Repo) -> list[str]:
    done = run(repo.root, "diff", "--name-only", "--diff-filter=U", "-z")
    return sorted(p for p in done.stdout.split("\0") if p)


def is_sidecar(path: str) -> bool:
    parts = path.split("/")
    return len(parts) >= 4 and parts[:2] == [".haiku", "intents"] and "/".join(parts[3:]) == SIDECAR


def _union(repo: Repo, path: str) -> None:
    """Resolve the unmerged `path` by keeping both sides' lines, and stage it."""
    with tempfile.TemporaryDirectory(prefix="cockpit-union-") as tmp:
        names = []
        for stage in (2, 1, 3):  # ours, base, theirs: git merge-file's order
            data = run(repo.root, "show", f":{stage}:{path}")
            name = Path(tmp) / str(stage)
            name.write_text(data.stdout if data.returncode == 0 else "", encoding="utf-8")
            names.append(str(name))
        merged = run(repo.root, "merge-file", "-p", "--union", *names)
        if merged.returncode < 0:
            raise GitFailed(repo.root, ("merge-file",), merged.returncode, merged.stderr)
    (repo.root / path).write_text(merged.stdout, encoding="utf-8")
    out(repo.root, "add", "--", path)


def pull(repo: Repo) -> Pulled:
    """`git pull --rebase`: the sidecar's stops are merged line by line; a stop on any other file
    aborts the rebase and returns the files."""
    ours = head(repo) or ""
    done = run(repo.root, "pull", "--rebase", "--autostash", "--quiet", timeout=NETWORK_TIMEOUT_S, env=_NO_EDITOR)
    for _ in range(_MAX_STOPS):
        if not _in_progress(repo, "rebase-merge") and not _in_progress(repo, "rebase-apply"):
            break
        stopped = _unmerged(repo)
        if not stopped or not all(is_sidecar(p) for p in stopped):
            theirs = _upstream_tip(repo)
            out(repo.root, "rebase", "--abort")
            return Pulled(False, ours, theirs, [p for p in stopped if not is_sidecar(p)] or stopped)
        for path in stopped:
            _union(repo, path)
        done = run(repo.root, "rebase", "--continue", env=_NO_EDITOR)
    else:
        out(repo.root, "rebase", "--abort")
        return Pulled(False, ours, error="the rebase stopped more often than it has commits: aborted")
    if done.returncode != 0 and head(repo) == ours:
        return Pulled(False, ours, error=" ".join((done.stderr or done.stdout).split())[:300])
    return Pulled(True, ours, _upstream_tip(repo))


def merge(repo: Repo, take: dict[str, str], message: str) -> Pulled:
    """Fetch and merge the upstream with a merge commit, taking the decided side (`take`: path →
    ours | theirs) of each conflicting file and both sides' lines of the sidecar. A conflict on a
    file with no decision aborts the merge and is returned."""
    ours = head(repo) or ""
    fetched = run(repo.root, "fetch", "--quiet", timeout=NETWORK_TIMEOUT_S)
    if fetched.returncode != 0:
        return Pulled(False, ours, error=" ".join(fetched.stderr.split())[:300])
    theirs = _upstream_tip(repo)
    done = run(repo.root, "merge", "--no-ff", "--no-commit", "--autostash", "--end-of-options", theirs, env=_NO_EDITOR)
    if not _in_progress(repo, "MERGE_HEAD"):
        if done.returncode != 0:
            return Pulled(False, ours, theirs, error=" ".join((done.stderr or done.stdout).split())[:300])
        return Pulled(True, ours, theirs)  # already up to date
    stopped = _unmerged(repo)
    undecided = [p for p in stopped if not is_sidecar(p) and p not in take]
    if undecided:
        out(repo.root, "merge", "--abort")
        return Pulled(False, ours, theirs, undecided)
    for path in stopped:
        if is_sidecar(path):
            _union(repo, path)
            continue
        side = take[path]
        if run(repo.root, "checkout", f"--{side}", "--", path).returncode != 0:
            out(repo.root, "rm", "--quiet", "--", path)  # that side deleted it
        else:
            out(repo.root, "add", "--", path)
    out(repo.root, "commit", "--quiet", "-m", message, env=_NO_EDITOR)
    return Pulled(True, ours, theirs)


def push(repo: Repo) -> str | None:
    """`git push`; None when it went, else what git said."""
    done = run(repo.root, "push", "--quiet", timeout=NETWORK_TIMEOUT_S)
    return None if done.returncode == 0 else " ".join((done.stderr or done.stdout).split())[:300]


def changed_since(repo: Repo, commit: str, folder: Path) -> bool:
    """Whether HEAD's `folder` differs from `commit`'s (what a pull brought into it)."""
    if not commit:
        return True
    done = run(repo.root, "diff", "--quiet", commit, "HEAD", "--", _rel(repo, folder))
    return done.returncode != 0
