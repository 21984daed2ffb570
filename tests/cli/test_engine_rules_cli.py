"""The engine's unit-level rules from the shell (issue 14): required discovery looked for under
`--root`, unchecked completion criteria holding the last hat."""

from __future__ import annotations

import json


def test_ready_is_refused_until_the_required_discovery_exists_under_root(cli, tmp_path):
    """orchestrator.ts validateDiscoveryArtifacts: elaborate does not end without a required
    discovery artifact at its location (relative to the project root, the slug filled in)."""
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("unit", "add", "inc", "--title", "Declare SEV2")
    code, out, err = cli("ready", "inc", "--root", str(tmp_path))
    assert (code, out) == (1, "")
    assert err == (
        "cockpit: 1 required discovery artifact of triage missing: incident-brief (expected at "
        f"{tmp_path}/.haiku/intents/inc/knowledge/INCIDENT-BRIEF.md): elaborate cannot end; write them, then "
        "declare the list ready again\n"
    )
    brief = tmp_path / ".haiku" / "intents" / "inc" / "knowledge" / "INCIDENT-BRIEF.md"
    brief.parent.mkdir(parents=True)
    brief.write_text("# Brief\n")
    code, out, _ = cli("advance", "inc", "--root", str(tmp_path))  # the obvious step: the same rule
    assert code == 0 and "unit list ready" in out


def test_without_a_project_root_nothing_is_looked_for(cli):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("unit", "add", "inc", "--title", "Declare SEV2")
    assert cli("ready", "inc")[0] == 0  # no --root and no .haiku/ here: the rule is not applied


def test_unchecked_criteria_hold_the_last_hat_from_the_shell(cli, tmp_path):
    """tools/state/haiku_unit_advance_hat.ts criteria_not_met."""
    body = tmp_path / "unit.md"
    body.write_text("Declare it.\n\n- [ ] status page updated\n- [x] channel open\n")
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("unit", "add", "inc", "--title", "Declare SEV2", "--body-file", str(body))
    cli("ready", "inc")
    cli("signoff", "inc", "--role", "severity-accuracy")
    for _ in range(3):
        assert cli("advance", "inc", "declare-sev2", "-m", "on")[0] == 0
    code, out, _ = cli("status", "inc")
    assert '1 completion criterion unchecked in declare-sev2: "status page updated"' in out
    code, _, err = cli("advance", "inc", "declare-sev2", "-m", "done")
    assert code == 1 and "1 completion criterion unchecked in declare-sev2" in err


def test_status_names_missing_artifacts_and_the_move_they_hold(cli, tmp_path):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    code, out, _ = cli("status", "inc", "--root", str(tmp_path))
    assert code == 0
    assert (
        "holds   1 required discovery artifact of triage missing: incident-brief (expected at "
        f"{tmp_path}/.haiku/intents/inc/knowledge/INCIDENT-BRIEF.md) (elaborate cannot end)"
    ) in out.splitlines()
    code, out, _ = cli("status", "inc", "--root", str(tmp_path), "--json")
    assert json.loads(out)["missing_artifacts"] == [
        "1 required discovery artifact of triage missing: incident-brief (expected at "
        f"{tmp_path}/.haiku/intents/inc/knowledge/INCIDENT-BRIEF.md) (elaborate cannot end)"
    ]
    assert "holds" not in cli("status", "inc")[1]  # no project at hand: nothing looked for


def test_the_project_is_found_above_the_current_folder(cli, tmp_path, monkeypatch):
    """As git finds .git: run from deep inside a H·AI·K·U checkout, the rule looks in its root."""
    (tmp_path / ".haiku").mkdir()
    deep = tmp_path / "services" / "checkout"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("unit", "add", "inc", "--title", "Declare SEV2")
    code, _, err = cli("ready", "inc")
    # the whole path: the responder stands two folders below the project
    assert (
        code == 1 and f"incident-brief (expected at {tmp_path}/.haiku/intents/inc/knowledge/INCIDENT-BRIEF.md)" in err
    )
