"""`cockpit haiku export SLUG PATH`: what it prints, its exit status, and --json."""

from __future__ import annotations

import json


def test_export_prints_what_it_wrote_then_nothing_the_second_time(cli, tmp_path):
    cli("new", "--studio", "incident-response", "--title", "Checkout 5xx", "--slug", "inc")
    project = tmp_path / "project"
    project.mkdir()
    code, out, err = cli("haiku", "export", "inc", str(project))
    assert (code, err) == (0, "")
    assert "created   intent.md" in out and "created   cockpit/facts.jsonl" in out
    assert out.splitlines()[-1] == f"inc → {project}/.haiku/intents/inc (generation C): 2 created"
    code, out, _ = cli("haiku", "export", "inc", str(project))
    assert (code, out) == (0, f"inc → {project}/.haiku/intents/inc (generation C): 2 unchanged\n")


def test_a_conflict_exits_1_and_names_both_versions(cli, tmp_path):
    cli("new", "--studio", "incident-response", "--title", "Checkout 5xx", "--slug", "inc")
    cli("unit", "add", "inc", "--title", "Find the cause", "--unit", "cause")
    cli("haiku", "export", "inc", str(tmp_path))
    folder = tmp_path / ".haiku/intents/inc"
    unit = folder / "stages/triage/units/unit-001-cause.md"
    theirs = unit.read_text().replace("title: Find the cause", "title: Find the root cause")
    unit.write_text(theirs)
    intent = folder / "intent.md"
    intent.write_text(intent.read_text() + "A note cockpit has no field for.\n")
    cli("unit", "add", "inc", "--title", "Page the owner", "--unit", "page")
    code, out, _ = cli("haiku", "export", "inc", str(tmp_path), "--json")
    assert code == 1
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["stages/triage/units/unit-002-page.md"]["status"] in (
        "created",
        "unchanged",
    )  # a live link writes at once
    conflict = files["stages/triage/units/unit-001-cause.md"]
    assert (conflict["status"], conflict["kept"]) == (
        "conflict",
        "cockpit/conflicts/stages/triage/units/unit-001-cause.md",
    )
    assert unit.read_text() == theirs
    assert "title: Find the cause" in (folder / conflict["kept"]).read_text()
    # an edit that agrees with every fact cockpit owns is taken as read, not a conflict
    assert files["intent.md"]["status"] == "unchanged"
    code, out, _ = cli("haiku", "export", "inc", str(tmp_path))
    assert code == 1 and "conflict  stages/triage/units/unit-001-cause.md: edited on disk" in out
