"""`cockpit demo`: the samples go to the demo database only, never to a database of real work."""

from __future__ import annotations

import json

from cockpit.cli.main import main


def test_demo_no_tui_seeds_and_indexes_the_samples(cli):
    code, out, _ = cli("demo", "--no-tui")
    assert code == 0 and "checkout-5xx-cert-rotation\tseeded" in out
    assert "runbooks: 5 added" in out
    listed = json.loads(cli("runbooks", "list", "--json")[1])["runbooks"]
    assert "certificate-rotation" in [r["name"] for r in listed]


def test_the_demo_refuses_a_database_with_intents_of_its_own(cli):
    cli("new", "--studio", "incident-response", "--title", "Real outage")
    code, out, err = cli("demo", "--no-tui")
    assert (code, out) == (1, "")
    assert "holds intents of its own (real-outage)" in err and "nothing was changed" in err
    status = json.loads(cli("status", "--json")[1])["intents"]
    assert [i["slug"] for i in status] == ["real-outage"]
    assert json.loads(cli("runbooks", "list", "--json")[1])["runbooks"] == []  # no sample either


def test_the_demo_never_touches_the_users_own_database(tmp_path, monkeypatch, capsys):
    own = tmp_path / "mine.db"
    monkeypatch.setenv("COCKPIT_DB", str(own))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    code = main(["demo", "--no-tui", "--db", str(own)])
    _, err = capsys.readouterr()
    assert code == 1 and "the database cockpit opens for your own work" in err
    assert not own.exists()


def test_indexing_a_teams_database_removes_the_samples_an_earlier_cockpit_left(cli, tmp_path):
    from cockpit.runbooks.index import bundled_runbooks_dir

    team = tmp_path / "team"
    team.mkdir()
    (team / "primary-failover.md").write_text("# Primary failover\n\nPromote the replica.\n")
    cli("runbooks", "index", str(bundled_runbooks_dir()), str(team))  # as every index did before
    code, out, _ = cli("runbooks", "index", str(team))
    assert code == 0 and "5 samples removed" in out
    assert "samples removed (they belong to the demo database): cache-invalidation" in out
    _, out, _ = cli("runbooks", "search", "primary", "failover")
    assert out.splitlines()[0].startswith("primary-failover") and "database-failover" not in out
