"""`cockpit haiku sync` and `cockpit haiku resolve` (issue 15): two cockpits, each with its own
database, on two clones of one local bare repository (real git, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import GIT_ENV, git

INTENT = ".haiku/intents/inc"
CAUSE = "stages/triage/units/unit-001-cause.md"


class Cockpit:
    """One engineer: a clone and a database, driven through `cockpit ... --db`."""

    def __init__(self, clone: Path, db: Path, actor: str, capsys, monkeypatch) -> None:
        self.clone, self.db, self.actor = clone, db, actor
        self._capsys, self._monkeypatch = capsys, monkeypatch

    def __call__(self, *args: str) -> tuple[int, str, str]:
        from cockpit.cli.main import main

        self._monkeypatch.setenv("COCKPIT_ACTOR", self.actor)
        self._capsys.readouterr()
        code = main([*args, "--db", str(self.db)])
        out, err = self._capsys.readouterr()
        return code, out, err

    def ok(self, *args: str) -> str:
        code, out, err = self(*args)
        assert code == 0, (args, out, err)
        return out

    def units(self) -> dict[str, tuple[str, str | None]]:
        status = json.loads(self.ok("status", "inc", "--json"))
        return {u["slug"]: (u["status"], u["hat"]) for u in status["units"]}

    def sync(self) -> list[dict]:
        _, out, err = self("haiku", "sync", "--project", str(self.clone), "--json")
        assert out, err
        return json.loads(out)


@pytest.fixture
def team(tmp_path, capsys, monkeypatch):
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    git(tmp_path, "init", "-q", "--bare", "-b", "main", "remote.git")
    git(tmp_path, "clone", "-q", "remote.git", "a")
    (tmp_path / "a" / "README").write_text("the payments service\n")
    git(tmp_path / "a", "add", "README")
    git(tmp_path / "a", "commit", "-q", "-m", "first")
    git(tmp_path / "a", "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", "remote.git", "b")
    a = Cockpit(tmp_path / "a", tmp_path / "a.db", "alice", capsys, monkeypatch)
    b = Cockpit(tmp_path / "b", tmp_path / "b.db", "bob", capsys, monkeypatch)
    # alice opens the incident, lists two units, starts one, writes it into her clone and syncs
    a.ok("new", "--studio", "incident-response", "--title", "Checkout 5xx", "--slug", "inc")
    a.ok("unit", "add", "inc", "--title", "Find the cause", "--unit", "cause")
    a.ok("unit", "add", "inc", "--title", "Page the owner", "--unit", "page")
    a.ok("ready", "inc")
    a.ok("signoff", "inc", "--role", "severity-accuracy")
    a.ok("advance", "inc", "cause")
    a.ok("haiku", "export", "inc", str(a.clone))
    [first] = a.sync()
    assert (first["pulled"], first["pushed"], first["problem"]) == (True, True, None)
    # bob's cockpit has never seen it: a sync of his clone pulls it and imports it
    [pulled] = b.sync()
    assert pulled["pushed"] and pulled["imported"] == [{"slug": "inc", "status": "imported"}]
    return a, b


def commits(clone: Path) -> list[tuple[str, list[str]]]:
    """(subject, files) of every commit, newest first."""
    out = []
    for sha in git(clone, "rev-list", "HEAD").split():
        files = git(clone, "show", "--name-only", "--format=", sha).split()
        out.append((git(clone, "log", "-1", "--format=%s", sha), files))
    return out


def test_two_cockpits_on_two_clones_each_see_the_others_work_on_another_unit(team):
    a, b = team
    assert b.units() == {
        "cause": ("active", "incident-commander"),
        "page": ("ready", "incident-commander"),
    }
    a.ok("advance", "inc", "cause", "-m", "found it")
    b.ok("advance", "inc", "page")
    [synced_a] = a.sync()
    [synced_b] = b.sync()  # rebases on alice's commit: a different unit file, and the shared journal
    assert synced_b["problem"] is None and synced_b["pushed"] and synced_b["conflicts"] == []
    [again] = a.sync()
    assert again["pulled"] and again["problem"] is None
    assert a.units()["page"] == ("active", "incident-commander")
    assert b.units()["cause"] == ("active", "first-responder")
    # one commit per sync, saying what changed, touching the intent's files only
    log = commits(a.clone)
    assert [s for s, _ in log[:3]] == [
        "cockpit: inc — started page as incident-commander",
        "cockpit: inc — advanced cause to first-responder",
        "cockpit: inc — opened; started cause as incident-commander; added page to triage; and 3 more",
    ]
    assert all(f.startswith(INTENT + "/") for s, files in log[:3] for f in files)
    assert not any("cockpit/conflicts" in f for _, files in log for f in files)
    status = synced_a["intents"][0]["status"]
    assert (status["branch"], status["upstream"], status["ahead"], status["behind"]) == ("main", "origin/main", 0, 0)
    assert status["last_commit"] == git(a.clone, "rev-parse", "HEAD~1")  # alice's sync, before bob's came


def both_edit_the_cause(a: Cockpit, b: Cockpit, tmp_path: Path) -> None:
    """alice and bob each rewrite the cause unit's body; alice syncs first."""
    (tmp_path / "alice.md").write_text("The pool ran dry at 02:10.\n")
    (tmp_path / "bob.md").write_text("A bad deploy at 02:05.\n")
    a.ok("unit", "edit", "inc", "cause", "--body-file", str(tmp_path / "alice.md"))
    b.ok("unit", "edit", "inc", "cause", "--body-file", str(tmp_path / "bob.md"))
    a.sync()


def test_a_conflicting_edit_to_one_unit_keeps_both_versions_and_nothing_is_pushed_until_resolved(team, tmp_path):
    a, b = team
    both_edit_the_cause(a, b, tmp_path)
    ours = (b.clone / INTENT / CAUSE).read_bytes()
    remote_before = git(b.clone.parent / "remote.git", "rev-parse", "main")
    [stopped] = b.sync()
    assert stopped["problem"] and not stopped["pushed"] and not stopped["pulled"]
    [conflict] = stopped["conflicts"]
    assert conflict["file"] == CAUSE and conflict["ours"] == str(b.clone / INTENT / CAUSE)
    theirs = (a.clone / INTENT / CAUSE).read_bytes()
    assert Path(conflict["theirs"]).read_bytes() == theirs  # both versions on disk, ours untouched
    assert (b.clone / INTENT / CAUSE).read_bytes() == ours
    assert not (b.clone / ".git" / "rebase-merge").exists()
    assert git(b.clone.parent / "remote.git", "rev-parse", "main") == remote_before
    # a second sync still refuses, saying so
    [refused] = b.sync()
    assert not refused["pulled"] and not refused["pushed"] and refused["conflicts"][0]["file"] == CAUSE
    # bob takes alice's version: the file is hers, his cockpit walks by it, and the sync merges and pushes
    b.ok("haiku", "resolve", "inc", CAUSE, "--take", "theirs")
    assert (b.clone / INTENT / CAUSE).read_bytes() == theirs
    [merged] = b.sync()
    assert merged["problem"] is None and merged["pushed"] and merged["conflicts"] == []
    assert git(b.clone, "log", "-1", "--format=%s") == f"cockpit: merged origin/main: took theirs of {INTENT}/{CAUSE}"
    assert (
        git(b.clone, "log", "-1", "--skip=1", "--first-parent", "--format=%s")
        == f"cockpit: inc — took theirs of {CAUSE}"
    )
    assert merged["intents"][0]["status"]["conflicts"] == []
    [after] = a.sync()
    assert after["problem"] is None
    assert (a.clone / INTENT / CAUSE).read_bytes() == theirs


def test_taking_ours_pushes_ours_over_on_the_next_sync(team, tmp_path):
    a, b = team
    both_edit_the_cause(a, b, tmp_path)
    b.sync()
    ours = (b.clone / INTENT / CAUSE).read_bytes()
    b.ok("haiku", "resolve", "inc", CAUSE, "--take", "ours")
    [merged] = b.sync()
    assert merged["pushed"] and merged["problem"] is None
    a.sync()
    assert (a.clone / INTENT / CAUSE).read_bytes() == ours


def test_offline_a_sync_still_commits_and_says_it_did_not_pull(team, tmp_path):
    a, _ = team
    git(a.clone, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    a.ok("advance", "inc", "cause", "-m", "found it")
    code, out, _ = a("haiku", "sync", "inc")
    assert code == 1
    assert "inc: committed" in out and "not pulled" in out
    assert git(a.clone, "log", "-1", "--format=%s") == "cockpit: inc — advanced cause to first-responder"


def test_an_intent_in_the_database_only_is_refused_by_name(team):
    a, _ = team
    a.ok("new", "--studio", "incident-response", "--title", "Other", "--slug", "other")
    code, _, err = a("haiku", "sync", "other")
    assert code != 0 and "cockpit haiku export other" in err
