"""The `cockpit` CLI: output, --json, one-line errors with non-zero exit, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import REPO

from cockpit.cli.main import main


def test_new_status_and_json(cli):
    code, out, _ = cli("new", "--studio", "incident-response", "--title", "Checkout 5xx")
    assert (code, out.strip()) == (0, "checkout-5xx")
    code, out, _ = cli("status", "checkout-5xx", "--json")
    data = json.loads(out)
    assert (data["stage"], data["phase"], data["next"]["kind"]) == ("triage", "elaborate", "add_units")
    assert [s["name"] for s in data["stages"]] == ["triage", "investigate", "mitigate", "resolve", "postmortem"]


def test_a_full_unit_walk_from_the_shell(cli):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    assert cli("unit", "add", "inc", "--title", "Declare SEV2")[0] == 0
    code, out, _ = cli("advance", "inc")  # elaborate: the obvious step is declaring the list ready
    assert code == 0 and "unit list ready" in out
    assert cli("signoff", "inc", "--role", "severity-accuracy")[0] == 0
    code, out, _ = cli("advance", "inc", "-m", "starting")
    assert "started declare-sev2" in out
    code, out, _ = cli("advance", "inc", "declare-sev2", "-m", "channel open")
    assert "incident-commander → first-responder" in out and out.splitlines()[-1].startswith("next: ")
    code, out, _ = cli("reject", "inc", "declare-sev2", "-m", "status page not set")
    assert "bolt 2" in out
    code, out, _ = cli("timeline", "inc", "--json")
    commands = [e["command"] for e in json.loads(out)["events"]]
    assert commands == [
        "create_intent",
        "add_unit",
        "declare_ready",
        "signoff",
        "start_unit",
        "advance_hat",
        "reject_hat",
    ]
    assert all(e["actor"] == "oncall" for e in json.loads(out)["events"])


def test_feedback_list_is_sorted_and_closes_from_the_shell(cli):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    for title, severity in [("low one", "low"), ("blocker one", "blocker"), ("high one", "high")]:
        cli("feedback", "add", "inc", "--title", title, "--severity", severity)
    cli("feedback", "add", "inc", "--title", "unclassified one")
    _, out, _ = cli("feedback", "list", "inc", "--json")
    assert [f["title"] for f in json.loads(out)["feedback"]] == [
        "blocker one",
        "high one",
        "unclassified one",
        "low one",
    ]
    assert cli("feedback", "close", "inc", "FB-002", "--reply", "fixed")[0] == 0
    assert cli("feedback", "reject", "inc", "3", "--reason", "dupe")[0] == 0
    assert cli("feedback", "close", "inc", "FB-004", "--non-actionable", "answered")[0] == 0
    _code, out, _ = cli("feedback", "list", "inc", "--all", "--json")
    assert {f["id"]: f["status"] for f in json.loads(out)["feedback"]} == {
        "FB-001": "pending",
        "FB-002": "closed",
        "FB-003": "rejected",
        "FB-004": "non_actionable",
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (("status", "nope"), "no intent 'nope'"),
        (("new", "--studio", "nope", "--title", "x"), "unknown studio 'nope'"),
        (("approve", "inc"), "gate of triage is not open"),
        (("advance", "inc", "ghost"), "no unit 'ghost'"),
        (("feedback", "close", "inc", "FB-9", "--reply", "x"), "no finding 'FB-9'"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(cli, args, message):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    code, out, err = cli(*args)
    assert code == 1 and out == ""
    assert err.startswith("cockpit: ") and message in err and err.count("\n") == 1


def test_approving_an_auto_gate_is_refused(cli):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("unit", "add", "inc", "--title", "Work")
    cli("ready", "inc")
    cli("signoff", "inc", "--role", "severity-accuracy")
    for _ in range(4):
        cli("advance", "inc", "work")
    cli("feedback", "add", "inc", "--title", "blocker", "--severity", "blocker")
    cli("signoff", "inc", "--role", "severity-accuracy")
    code, _, err = cli("approve", "inc", "--override", "because")
    assert code == 1 and "auto gate" in err


def test_bad_arguments_exit_2_with_usage(cli, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["feedback", "add", "inc", "--severity", "critical"])
    assert exit_.value.code == 2


def test_missing_body_file_is_one_clear_line(cli, tmp_path):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    code, _, err = cli("unit", "add", "inc", "--title", "x", "--body-file", str(tmp_path / "missing.md"))
    assert code == 1 and "missing.md" in err and "No such file" in err


def test_status_without_slug_lists_most_urgent_first(cli):
    for slug in ("calm", "burning"):
        cli("new", "--studio", "incident-response", "--title", slug, "--slug", slug)
    cli("feedback", "add", "burning", "--title", "b", "--severity", "blocker")
    _code, out, _ = cli("status", "--json")
    intents = json.loads(out)["intents"]
    assert [i["slug"] for i in intents] == ["burning", "calm"]
    assert (intents[0]["blocking"], intents[0]["open"], intents[0]["stage"]) == (1, {"blocker": 1}, "triage")


def test_studios_command_lists_gate_kinds(cli):
    code, out, _ = cli("studios", "--json")
    data = json.loads(out)
    ir = next(s for s in data["studios"] if s["name"] == "incident-response")
    assert next(s for s in ir["stages"] if s["name"] == "mitigate")["gate"] == ["ask", "await"]
    assert code == 0 and data["problems"] == []


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return set(out.split())


def test_the_core_imports_neither_textual_nor_anthropic():
    import pkgutil

    import cockpit

    names = [f"cockpit.{m.name}" for m in pkgutil.iter_modules(cockpit.__path__) if m.name != "__main__"]
    loaded = _modules_after("\n".join(f"import {n}" for n in names))
    assert set(names) <= loaded
    assert not {m for m in loaded if m.split(".")[0] in ("textual", "anthropic", "httpx2")}


def test_help_parses_arguments_before_importing_anything_heavy():
    loaded = _modules_after(
        "from cockpit.cli.main import build_parser\ntry:\n    build_parser().parse_args(['--help'])\nexcept SystemExit:\n    pass"
    )
    heavy = {"sqlite_utils", "yaml", "textual", "anthropic", "rich", "httpx"}
    assert not {m for m in loaded if m.split(".")[0] in heavy}


def test_the_screens_load_without_the_core_so_the_first_frame_comes_first():
    """The intent screen is drawn before the engine, sqlite-utils and markdown load (in a worker)."""
    loaded = _modules_after("import screens.app, screens.intent_view, screens.intent_list, screens.timeline")
    assert not {m for m in loaded if m.split(".")[0] in {"sqlite_utils", "yaml", "markdown_it", "anthropic"}}
    assert not loaded & {
        "cockpit.app.engine",
        "cockpit.domain.commands",
        "cockpit.store.database",
        "cockpit.domain.walk",
        "screens.dialogs",
    }


def test_the_demo_opens_on_the_demo_incident():
    from cockpit.app import demo
    from cockpit.cli import tui

    assert tui.DEMO_INCIDENT == demo.INCIDENT


def test_environment_beats_the_config_file_and_tilde_expands(tmp_path, monkeypatch, capsys):
    """Regression: config values beat $COCKPIT_DB/$COCKPIT_ACTOR, and `~` in `db` was not expanded."""
    home = tmp_path / "home"
    (tmp_path / "cfg" / "cockpit").mkdir(parents=True)
    (tmp_path / "cfg" / "cockpit" / "config.toml").write_text('db = "~/incidents/c.db"\nactor = "sam"\n')
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("COCKPIT_DB", raising=False)
    monkeypatch.delenv("COCKPIT_ACTOR", raising=False)
    assert main(["new", "--studio", "incident-response", "--title", "A"]) == 0
    assert (home / "incidents" / "c.db").exists()
    monkeypatch.setenv("COCKPIT_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("COCKPIT_ACTOR", "alex")
    assert main(["new", "--studio", "incident-response", "--title", "B"]) == 0
    capsys.readouterr()
    main(["timeline", "b", "--json"])
    assert json.loads(capsys.readouterr().out)["events"][0]["actor"] == "alex"
    assert (tmp_path / "env.db").exists()


def test_a_broken_studio_is_named_with_its_problem(tmp_path, cli, capsys):
    """Regression: an intent whose studio failed to load said only 'unknown studio'. An intent walks
    by its pinned definition (issue 14), so it still derives and the status line names the problem;
    one made before pins walks by the files and is refused, naming it."""
    studio = tmp_path / "extra" / "oncall"
    (studio / "stages" / "one").mkdir(parents=True)
    (studio / "STUDIO.md").write_text("---\nname: oncall\nstages: [one]\n---\n")
    (studio / "stages" / "one" / "STAGE.md").write_text("---\nname: one\nhats: [classifier]\nreview: ask\n---\n")
    assert (
        cli("new", "--studio", "oncall", "--title", "T", "--slug", "t1", "--studios", str(tmp_path / "extra"))[0] == 0
    )
    (studio / "stages" / "one" / "STAGE.md").write_text("---\nname: one\nhats: [classifier]\nreview: asks\n---\n")
    code, out, _ = cli("status", "t1", "--studios", str(tmp_path / "extra"))
    assert code == 0 and "studio 'oncall' failed to load" in out and "STAGE.md:4:" in out
    assert "t1 walks by its pinned definition" in out.splitlines()[-1]
    from cockpit.store.database import Store

    store = Store(tmp_path / "c.db")
    with store.db.conn:
        store.db.execute("DELETE FROM studio_pins")  # as an intent made before pins
    store.close()
    code, _, err = cli("status", "t1", "--studios", str(tmp_path / "extra"))
    assert code == 1 and "studio 'oncall' failed to load" in err and "STAGE.md:4:" in err
