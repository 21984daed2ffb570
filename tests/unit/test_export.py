"""`cockpit export` (issue 16): golden files of the three formats on the demo incident, the same
bytes from two databases seeded alike, everything redacted and terminal-safe, the layouts' sections.

Regenerate the golden files after a deliberate change: COCKPIT_UPDATE_GOLDEN=1 pytest this file,
then read the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import NOW, REPO

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.app.export import FILES, FORMATS, SCHEMA_VERSION, export, rendered
from cockpit.app.postmortem import LAYOUTS
from cockpit.app.timeline import add_note, set_star
from cockpit.clock import fixed_clock
from cockpit.errors import CockpitError
from cockpit.store.database import Store

GOLDEN = REPO / "tests" / "fixtures" / "golden" / "export-demo-incident"
UPDATE = bool(os.environ.get("COCKPIT_UPDATE_GOLDEN"))  # read at import: the tests' fixtures reset the environment
SECRET = "ghp_Zq8vLr2Kx9Tt4WmQ7nB3cD5eF6gH1jK0LmNo"  # a GitHub token's shape: the redaction knows it


def seeded(catalog, path: Path) -> Engine:
    engine = Engine(Store(path), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    return engine


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    return seeded(catalog, tmp_path / "a.db")


def test_the_demo_export_matches_the_golden_files(engine, tmp_path):
    written = export(engine, demo.INCIDENT, FORMATS, tmp_path / "out")
    assert [p.name for p in written] == ["postmortem.md", "incident.json", "timeline.jsonl"]
    extra = {
        f"postmortem-{layout}.md": rendered(engine, demo.INCIDENT, ["md"], layout)["postmortem.md"]
        for layout in LAYOUTS
        if layout != "google"
    }
    files = {p.name: p.read_bytes() for p in written} | {k: v.encode() for k, v in extra.items()}
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (GOLDEN / name).write_bytes(data)
    for name, data in files.items():
        assert data == (GOLDEN / name).read_bytes(), f"{name} differs from {GOLDEN / name}"


def test_the_same_database_gives_the_same_bytes_twice_and_from_a_twin(catalog, engine, tmp_path):
    twin = seeded(catalog, tmp_path / "b.db")
    first = rendered(engine, demo.INCIDENT, FORMATS, "google")
    assert rendered(engine, demo.INCIDENT, FORMATS, "google") == first
    assert rendered(twin, demo.INCIDENT, FORMATS, "google") == first


def test_the_data_carries_its_schema_and_every_event(engine):
    files = rendered(engine, demo.INCIDENT, ["json", "jsonl"], "google")
    incident = json.loads(files["incident.json"])
    assert (incident["schema"], incident["schema_version"]) == ("cockpit.incident", SCHEMA_VERSION)
    assert [s["name"] for s in incident["stages"]] == ["triage", "investigate", "mitigate", "resolve", "postmortem"]
    fb6 = next(f for f in incident["findings"] if f["id"] == "FB-006")
    assert fb6["status"] == "escalated" and len(fb6["fix_loop"]) == 8  # the loop, each step
    assert incident["runs"] == [] and incident["ai"] == []  # the demo ran and drafted nothing
    lines = [json.loads(line) for line in files["timeline.jsonl"].splitlines()]
    header, events = lines[0], lines[1:]
    assert header == {
        "schema": "cockpit.timeline",
        "schema_version": SCHEMA_VERSION,
        "intent": demo.INCIDENT,
        "events": len(events),
    }
    assert [e["id"] for e in events] == sorted(e["id"] for e in events) == [e["id"] for e in events]
    for e in events:
        assert {"id", "at", "actor", "source", "kind", "text", "references", "starred"} <= set(e)
        assert e["at"].endswith("Z")
    assert [e["id"] for e in events if e["starred"]] == incident["starred"] != []
    note = next(e for e in events if e["kind"] == "note")
    assert note["happened_at"] == "2026-11-20T02:12:00Z" and note["source"] == "human"


def test_everything_exported_is_redacted_and_terminal_safe(engine):
    add_note(engine, demo.INCIDENT, f"rotated the deploy token {SECRET}")
    engine.run(
        demo.INCIDENT,
        __import__("cockpit.domain.commands", fromlist=["x"]).file_feedback,
        stage="resolve",
        title="Status page copy",
        body=f"token {SECRET}, a clear-screen \x1b[2J and a bell \x07",
        severity="low",
        origin="user-chat",
    )
    last = engine.timeline(demo.INCIDENT)[-1]["id"]
    set_star(engine, demo.INCIDENT, last, True)
    for name, text in rendered(engine, demo.INCIDENT, FORMATS, "google").items():
        assert SECRET not in text, name
        assert "\x1b" not in text and "\x07" not in text, name
    md = rendered(engine, demo.INCIDENT, ["md"], "google")["postmortem.md"]
    data = rendered(engine, demo.INCIDENT, ["json"], "google")["incident.json"]
    assert "a clear-screen ␛[2J and a bell ␇" in json.loads(data)["findings"][-1]["body"]  # pictures, never obeyed
    assert "FB-008" in md  # the starred filing is in the postmortem's timeline


@pytest.mark.parametrize(
    ("layout", "sections"),
    [
        (
            "google",
            [
                "Summary",
                "Impact",
                "Root causes",
                "Trigger",
                "Resolution",
                "Detection",
                "Action items",
                "Lessons learned",
                "Timeline (UTC)",
                "Supporting information",
            ],
        ),
        (
            "pagerduty",
            [
                "Overview",
                "What happened",
                "Contributing factors",
                "Resolution",
                "Impact",
                "Responders",
                "Timeline (UTC)",
                "How we did",
                "Action items",
                "Supporting information",
            ],
        ),
        (
            "incident-io",
            [
                "Summary",
                "Impact",
                "Timeline (UTC)",
                "Contributors",
                "Mitigators",
                "Learnings and risks",
                "Follow-ups",
                "Supporting information",
            ],
        ),
    ],
)
def test_each_layout_has_its_sections_in_its_order(engine, layout, sections):
    md = rendered(engine, demo.INCIDENT, ["md"], layout)["postmortem.md"]
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == sections
    assert f"layout {layout}," in md


def test_unknown_formats_and_layouts_are_refused(engine, tmp_path):
    with pytest.raises(CockpitError, match="unknown export format pdf"):
        rendered(engine, demo.INCIDENT, ["pdf"], "google")
    with pytest.raises(CockpitError, match="unknown postmortem layout"):
        rendered(engine, demo.INCIDENT, ["md"], "atlassian")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CockpitError, match="could not write the export"):
        export(engine, demo.INCIDENT, ["md"], blocker / "out")


def test_the_cli_writes_the_files_asked_for(cli, tmp_path):
    code, out, err = cli("new", "--studio", "incident-response", "--title", "Checkout 5xx", "--slug", "inc")
    assert code == 0, err
    code, out, err = cli("export", "inc", "--format", "jsonl", "--out", str(tmp_path / "x"))
    assert (code, err) == (0, "")
    assert out == f"wrote {tmp_path / 'x' / FILES['jsonl']}\n"
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["timeline.jsonl"]
    code, out, err = cli("export", "nope", "--out", str(tmp_path / "y"))
    assert code == 1 and "nope" in err


def test_the_postmortem_says_which_parts_an_llm_drafted_and_who_accepted_them(engine):
    from cockpit.domain import commands as c

    body = engine.position(demo.INCIDENT).stage("resolve").unit("chain-expiry-alerts").unit.body
    ai = {"model": "claude-test", "request_id": "req_1", "task": "draft", "edited": True}
    engine.run(demo.INCIDENT, c.edit_unit, unit="chain-expiry-alerts", body=body + "\nProbe every 30 s.\n", ai=ai)
    files = rendered(engine, demo.INCIDENT, ["md", "json"], "google")
    assert (
        "AI-drafted revision, edited · claude-test on chain-expiry-alerts, accepted by oncall" in files["postmortem.md"]
    )
    (entry,) = json.loads(files["incident.json"])["ai"]
    assert (entry["model"], entry["accepted_by"], entry["edited"], entry["unit"]) == (
        "claude-test",
        "oncall",
        True,
        "chain-expiry-alerts",
    )
