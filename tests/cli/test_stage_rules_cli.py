"""`cockpit new --stages/--skip`, `cockpit revisit` and `cockpit submit` (with --check against a
real local git repository) from the shell."""

from __future__ import annotations

import json

from helpers import git, repo_with_branch, to_gate

from cockpit.app.engine import Engine
from cockpit.store.database import Store

PR = "https://git.example/org/repo/pull/7"


def _engine(tmp_path, catalog) -> Engine:
    return Engine(Store(tmp_path / "c.db"), catalog, actor="oncall")


def test_new_with_its_own_stages_and_skips(cli):
    code, out, _ = cli("new", "--studio", "incident-response", "--title", "Inc", "--skip", "investigate,mitigate")
    assert code == 0
    _, out, _ = cli("status", "inc", "--json")
    statuses = {s["name"]: s["status"] for s in json.loads(out)["stages"]}
    assert statuses == {
        "triage": "active",
        "investigate": "skipped",
        "mitigate": "skipped",
        "resolve": "pending",
        "postmortem": "pending",
    }
    code, _, err = cli("new", "--studio", "incident-response", "--title", "Q", "--stages", "postmortem,nope")
    assert code == 1 and "no stage 'nope'" in err and "triage, investigate" in err
    code, _, err = cli("new", "--studio", "incident-response", "--title", "Q", "--stages", "triage", "--skip", "triage")
    assert code == 1 and "no stage left" in err


def test_revisit_from_the_shell(cli, tmp_path, catalog):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc", "--stages", "postmortem")
    to_gate(_engine(tmp_path, catalog), "inc")
    code, out, _ = cli("revisit", "inc", "postmortem", "--reason", "action items lack owners")
    assert code == 0 and "sent postmortem back to elaborate (it was in gate)" in out
    assert "next: Elaborate postmortem: declare the 1-unit list ready" in out
    code, _, err = cli("revisit", "inc", "postmortem", "--reason", "again")
    assert code == 1 and "already in elaborate" in err


def test_submit_then_check_the_merge(cli, tmp_path, catalog):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc", "--stages", "postmortem")
    to_gate(_engine(tmp_path, catalog), "inc")
    repo = repo_with_branch(tmp_path / "repo", "pm")

    code, out, _ = cli("submit", "inc", "--url", PR, "--branch", "pm")
    assert code == 0 and f"submitted the postmortem gate for external review (external): {PR} (branch pm)" in out
    _, out, _ = cli("status", "inc", "--json")
    assert "awaiting external review at " + PR in json.loads(out)["next"]["text"]

    code, out, _ = cli("submit", "inc", "--check", "--repo", str(repo))
    assert code == 1 and "pm is not merged yet" in out and PR in out
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge pm", "pm")
    code, out, _ = cli("submit", "inc", "--check", "--repo", str(repo))
    assert code == 0 and "approved the postmortem gate (external): merged pm into main at " in out
    assert "next: Every stage is complete." in out


def test_submit_refusals(cli, tmp_path, catalog):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc", "--stages", "postmortem")
    code, _, err = cli("submit", "inc", "--url", PR)
    assert code == 1 and "gate of postmortem is not open" in err
    to_gate(_engine(tmp_path, catalog), "inc")
    code, _, err = cli("submit", "inc", "--check")
    assert code == 1 and "no submitted gate names a branch" in err
    code, _, err = cli("submit", "inc", "--url", PR, "--into", "main")
    assert code == 1 and "--repo and --into go with --check" in err
