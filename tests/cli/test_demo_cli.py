"""`cockpit demo`: the samples go to the demo database only; `--reset` seeds it again, and refuses
any other database."""

from __future__ import annotations

import json

from cockpit.cli.main import main


def test_demo_no_tui_seeds_and_indexes_the_samples(cli):
    code, out, _ = cli("demo", "--no-tui")
    assert code == 0 and "checkout-5xx-cert-rotation\tseeded" in out
    assert "runbooks: 5 added" in out
    listed = json.loads(cli("runbooks", "list", "--json")[1])["runbooks"]
    assert "certificate-rotation" in [r["name"] for r in listed]


def test_reset_seeds_the_demo_again_and_says_what_it_did(cli):
    cli("demo", "--no-tui")
    cli("new", "--studio", "incident-response", "--title", "Trying things")
    cli("feedback", "close", "checkout-5xx-cert-rotation", "FB-004", "--non-actionable", "Typo fixed.")
    code, out, err = cli("demo", "--reset", "--no-tui")
    assert (code, err) == (0, "")
    said = out.splitlines()
    assert said[0].startswith("reset the demo database ") and said[1].startswith("  removed 3 intents (")
    assert "trying-things" in said[1] and said[2] == "  seeded checkout-5xx-cert-rotation, orders-api-pool-limits"
    assert said[3] == "  runbooks kept, indexed: 0 added, 0 changed, 5 unchanged, 0 gone"
    status = json.loads(cli("status", "--json")[1])["intents"]
    assert sorted(i["slug"] for i in status) == ["checkout-5xx-cert-rotation", "orders-api-pool-limits"]
    findings = json.loads(cli("feedback", "list", "checkout-5xx-cert-rotation", "--json")[1])["feedback"]
    assert "FB-004" in [f["id"] for f in findings]  # open again, as seeded


def test_the_demo_refuses_a_database_with_intents_of_its_own(cli):
    cli("new", "--studio", "incident-response", "--title", "Real outage")
    for args in (("demo", "--no-tui"), ("demo", "--reset", "--no-tui")):
        code, out, err = cli(*args)
        assert (code, out) == (1, "")
        assert "holds intents of its own (real-outage)" in err and "nothing was changed" in err
    status = json.loads(cli("status", "--json")[1])["intents"]
    assert [i["slug"] for i in status] == ["real-outage"]
    assert json.loads(cli("runbooks", "list", "--json")[1])["runbooks"] == []  # no sample either


def test_the_demo_never_touches_the_users_own_database(tmp_path, monkeypatch, capsys):
    own = tmp_path / "mine.db"
    monkeypatch.setenv("COCKPIT_DB", str(own))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    code = main(["demo", "--reset", "--no-tui", "--db", str(own)])
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


def test_reset_for_the_screen_without_a_terminal_changes_nothing(cli):
    cli("demo", "--no-tui")
    cli("new", "--studio", "incident-response", "--title", "Trying things")
    code, _, err = cli("demo", "--reset")  # no terminal here: the screen cannot open, so no reset
    assert code == 1 and "needs a terminal" in err
    status = json.loads(cli("status", "--json")[1])["intents"]
    assert "trying-things" in [i["slug"] for i in status]
