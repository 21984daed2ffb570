"""How cockpit runs git: the one place that starts a git process (the external gate's merge check,
cockpit.sources.git_merge; the sync of intent files, cockpit.sources.haiku_git).

The git CLI, not a library (pygit2, dulwich, GitPython): no new dependency, and it is the git the
engineer runs, with their configuration, credential helpers, SSH agent, hooks and merge machinery,
so a commit, pull or push from cockpit behaves as theirs would from the shell.

Every call is an argument list (never a shell) with a timeout, `LC_ALL=C` (messages read the same
everywhere) and `GIT_TERMINAL_PROMPT=0` (a missing credential fails instead of waiting on a prompt
nobody sees). A ref or path that git could read as an option, or that holds a control character,
is refused before git sees it (`plain`); callers still put `--end-of-options` or `--` before them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from cockpit.errors import CockpitError

GIT_TIMEOUT_S = 10.0  # local commands: git answers in milliseconds
NETWORK_TIMEOUT_S = 120.0  # fetch, pull and push talk to the remote


class GitFailed(CockpitError):
    """A git command that ran and failed: its arguments, exit status and what it said."""

    def __init__(self, repo: Path, args: tuple[str, ...], returncode: int, stderr: str) -> None:
        said = " ".join(stderr.strip().split())[:300]
        super().__init__(f"git {args[0] if args else ''} failed in {repo} (exit {returncode}): {said}")
        self.returncode = returncode
        self.stderr = stderr


def run(
    repo: Path | str, *args: str, timeout: float = GIT_TIMEOUT_S, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`git -C repo ARGS`, whatever its exit status. Raises CockpitError when git is missing or
    does not answer within `timeout` seconds."""
    done = _spawn(repo, args, timeout, env, text=True)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, done.stderr)


def _spawn(
    repo: Path | str, args: tuple[str, ...], timeout: float, env: dict[str, str] | None, *, text: bool
) -> subprocess.CompletedProcess[Any]:
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=text,
            timeout=timeout,
            env=full_env,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise CockpitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise CockpitError(f"git {args[0] if args else ''} did not answer within {timeout:g} s in {repo}") from None


def out(repo: Path | str, *args: str, timeout: float = GIT_TIMEOUT_S, env: dict[str, str] | None = None) -> str:
    """What `git -C repo ARGS` printed, stripped; GitFailed when it exits non-zero."""
    done = run(repo, *args, timeout=timeout, env=env)
    if done.returncode != 0:
        raise GitFailed(Path(repo), args, done.returncode, done.stderr or done.stdout)
    return done.stdout.strip()


def plain(name: str, what: str) -> str:
    """`name` when git cannot mistake it for an option and it holds no control character."""
    if not name or name.startswith("-") or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise CockpitError(
            f"refusing the {what} {name!r}: git could read it as an option, or it holds a control character"
        )
    return name


def toplevel(path: Path | str) -> Path | None:
    """The work tree holding `path`, or None when it is not in a git repository."""
    done = run(path, "rev-parse", "--show-toplevel")
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def blob(repo: Path | str, commit: str, path: str) -> bytes | None:
    """The bytes of `path` (relative to the work tree's top) at `commit`, or None where it does not
    exist. Bytes, not text: a file is copied exactly as the commit holds it."""
    done = _spawn(
        repo, ("cat-file", "blob", f"{plain(commit, 'commit')}:{plain(path, 'path')}"), GIT_TIMEOUT_S, None, text=False
    )
    return bytes(done.stdout) if done.returncode == 0 else None
