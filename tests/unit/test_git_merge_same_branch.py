"""A submission naming the default branch itself must not approve the gate (review of issue 14).

`git merge-base --is-ancestor main main` is true, so `submit --url URL --branch main` followed by
`submit --check` approved the external gate with "merged main into main": no review was proven.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from cockpit.errors import CockpitError
from cockpit.sources.git_merge import merged


def _git(repo, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env={**os.environ, **env}
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "a").write_text("a")
    _git(root, "add", "a")
    _git(root, "commit", "-q", "-m", "first")
    _git(root, "checkout", "-q", "-b", "feature")
    (root / "b").write_text("b")
    _git(root, "add", "b")
    _git(root, "commit", "-q", "-m", "feature")
    _git(root, "checkout", "-q", "main")
    return root


def test_the_default_branch_is_not_a_branch_under_review(repo):
    with pytest.raises(CockpitError, match="is the branch it must be merged into"):
        merged(repo, "main")
    with pytest.raises(CockpitError, match="is the branch it must be merged into"):
        merged(repo, "feature", into="feature")


def test_the_local_branch_behind_a_remote_default_is_refused_too(repo, tmp_path):
    """origin/main is the default once cloned: `main` (tracking it) proves no review either."""
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(repo), str(clone))
    with pytest.raises(CockpitError, match=r"\(origin/main\)"):
        merged(clone, "main")
    _git(clone, "checkout", "-q", "feature")
    assert merged(clone, "feature") is None  # a real branch under review still works


def test_a_merged_feature_branch_still_approves(repo):
    _git(repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    found = merged(repo, "feature")
    assert found is not None and found.into == "main"
