"""A submission approves its gate only through a merge git can show (reviews of issue 14).

`git merge-base --is-ancestor main main` is true, so `submit --url URL --branch main` followed by
`submit --check` approved the external gate with "merged main into main"; a branch with no commits
of its own, or one fast-forwarded, is "merged" too without any merge of a review to show.
"""

from __future__ import annotations

import pytest
from helpers import git, repo_with_branch

from cockpit.errors import CockpitError
from cockpit.sources.git_merge import merged


@pytest.fixture
def repo(tmp_path):
    return repo_with_branch(tmp_path / "repo", "feature")


def test_the_default_branch_is_not_a_branch_under_review(repo):
    with pytest.raises(CockpitError, match="is the branch it must be merged into"):
        merged(repo, "main")
    with pytest.raises(CockpitError, match="is the branch it must be merged into"):
        merged(repo, "feature", into="feature")


def test_the_local_branch_behind_a_remote_default_is_refused_too(repo, tmp_path):
    """origin/main is the default once cloned: `main` (tracking it) proves no review either."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    with pytest.raises(CockpitError, match=r"\(origin/main\)"):
        merged(clone, "main")
    git(clone, "checkout", "-q", "feature")
    assert merged(clone, "feature") is None  # a real branch under review still works


def test_a_merged_feature_branch_still_approves(repo):
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    found = merged(repo, "feature")
    assert found is not None and found.into == "main"
    assert found.commit == git(repo, "rev-parse", "HEAD")  # the merge commit that brought it in


def test_a_branch_with_no_commits_of_its_own_is_not_a_merged_review(repo):
    """Review of issue 14: `git branch fresh main` is an ancestor of main at once, and any later
    merge of another branch descends from it; neither shows a review being merged."""
    git(repo, "branch", "fresh", "main")
    with pytest.raises(CockpitError, match="without a merge commit that brought it in"):
        merged(repo, "fresh")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")  # someone else's merge, later
    with pytest.raises(CockpitError, match="without a merge commit that brought it in"):
        merged(repo, "fresh")


def test_a_fast_forward_is_left_to_a_person(repo):
    """A fast-forward leaves no merge commit: git cannot tell it from a branch that was always there."""
    git(repo, "merge", "-q", "--ff-only", "feature")
    with pytest.raises(CockpitError, match="approve the gate by hand"):
        merged(repo, "feature")
