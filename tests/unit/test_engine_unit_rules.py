"""The H·AI·K·U engine's unit-level rules, each as the engine applies it (issue 14): the bolt cap,
the fix-loop cap, completion criteria holding the last hat, required discovery and outputs.
Each test names the engine file (gigsmart/haiku-method, packages/haiku/src/...) it follows."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from helpers import new_incident, to_execute

from cockpit.domain import commands as c
from cockpit.domain import required_artifacts as ra
from cockpit.domain.criteria import held_by_criteria, unchecked_criteria
from cockpit.domain.studio import Template
from cockpit.domain.walk import MAX_FIX_LOOP_BOLTS, MAX_UNIT_BOLTS
from cockpit.errors import IllegalTransition
from cockpit.sources.artifacts import on_disk, present

# ------------------------------------------------------------------ bolt cap


def _rejects(engine, slug: str, unit: str, n: int) -> None:
    """Advance the unit off its first hat and have the second send it back, `n` times."""
    for i in range(n):
        engine.run(slug, c.advance_hat, unit=unit, message="over to you")
        engine.run(slug, c.reject_hat, unit=unit, message=f"not yet {i}")


def test_the_reject_that_would_start_bolt_six_is_refused_and_a_human_decides(engine):
    """tools/state/haiku_unit_reject_hat.ts: `currentBolt + 1 > MAX_UNIT_BOLTS` returns
    max_bolts_exceeded (escalate to the user) before anything moves; bolts 1..5 are worked."""
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.advance_hat, unit="roll")  # start: bolt 1
    _rejects(engine, slug, "roll", MAX_UNIT_BOLTS - 1)
    unit = engine.position(slug).active.unit("roll")
    assert (unit.bolt, unit.status, unit.on_last_bolt) == (MAX_UNIT_BOLTS, "active", True)
    nxt = engine.position(slug).next
    assert nxt.kind == "advance_hat" and "Bolt 5 is its last" in nxt.text and "a human decides" in nxt.text
    engine.run(slug, c.advance_hat, unit="roll", message="one more go")
    with pytest.raises(IllegalTransition, match="bolt 5, the last of 5.*refused.*resume it with a reason.*rescope"):
        engine.run(slug, c.reject_hat, unit="roll", message="still wrong")
    unit = engine.position(slug).active.unit("roll")
    assert (unit.bolt, unit.hat) == (MAX_UNIT_BOLTS, "mitigator")  # nothing moved


def test_the_last_bolt_may_still_advance(engine):
    """haiku_unit_reject_hat.ts caps rejects only: haiku_unit_advance_hat.ts has no bolt check on a
    plain advance, so the work of bolt 5 can pass."""
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.advance_hat, unit="roll")
    _rejects(engine, slug, "roll", MAX_UNIT_BOLTS - 1)
    for _ in range(3):
        engine.run(slug, c.advance_hat, unit="roll", message="passes")
    assert engine.position(slug).active.unit("roll").status == "done"


def test_resume_on_the_last_bolt_allows_more_rejects(engine):
    """The engine leaves the decision to the user (max_bolts_exceeded); cockpit records it as a
    resume with a reason, which starts a new count of bolts."""
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.advance_hat, unit="roll")
    with pytest.raises(IllegalTransition, match="not escalated nor on its last bolt"):
        engine.run(slug, c.resume, unit="roll", reason="too early")
    _rejects(engine, slug, "roll", MAX_UNIT_BOLTS - 1)
    done = engine.run(slug, c.resume, unit="roll", reason="pairing with the planner")
    assert "4 more rejects" in done.summary
    engine.run(slug, c.advance_hat, unit="roll", message="again")
    engine.run(slug, c.reject_hat, unit="roll", message="one more")
    unit = engine.position(slug).active.unit("roll")
    assert (unit.bolt, unit.status, unit.on_last_bolt) == (MAX_UNIT_BOLTS + 1, "active", False)


def test_agent_finding_escalates_after_its_third_bolt(engine):
    """orchestrator/workflow/fix-chain-dispatch.ts: an agent finding is dispatched while its bolt <
    MAX_FIX_LOOP_BOLTS (3), so three passes run and the fourth escalates to a human."""
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.file_feedback, title="f", severity="high", origin="agent", unit="roll")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route")
    for bolt in range(1, MAX_FIX_LOOP_BOLTS + 1):
        assert engine.position(slug).finding("FB-001").status == "fixing", bolt
        engine.run(slug, c.advance_fix, ref="FB-001", message="fixed")
        engine.run(slug, c.reject_fix, ref="FB-001", reason="not fixed")
    assert engine.position(slug).finding("FB-001").status == "escalated"


# ------------------------------------------------------------------ completion criteria

BODY = """Roll back the canary.

## Completion Criteria
- [x] canary drained
- [ ] error rate under 1% for 15 minutes
- [X] on-call told

```
- [ ] an example box in a code block
```
Notes: - [ ] inline box
"""


def test_unchecked_criteria_are_counted_as_the_engine_counts_them():
    """tools/state/haiku_unit_advance_hat.ts counts `/- \\[ \\]/g` over the whole unit file: any
    section, code blocks included, ticked `[x]`/`[X]` boxes not."""
    assert unchecked_criteria(BODY) == (
        "error rate under 1% for 15 minutes",
        "an example box in a code block",
        "inline box",
    )
    assert unchecked_criteria("- [x] a\n- [X] b\n* [ ] star boxes are not the engine's\n") == ()
    assert held_by_criteria("roll", ("a", "b", "c", "d", "")) == (
        '5 completion criteria unchecked in roll: "a", "b", "c" and 2 more'
    )


def test_unchecked_criteria_hold_the_last_hat(engine):
    """tools/state/haiku_unit_advance_hat.ts: on the last hat, criteria_not_met refuses to complete
    the unit while unchecked boxes remain; earlier hats advance regardless."""
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.edit_unit, unit="roll", body=BODY)
    for _ in range(3):  # start, planner → mitigator, mitigator → verifier: none completes it
        engine.run(slug, c.advance_hat, unit="roll", message="on")
    nxt = engine.position(slug).next
    assert (nxt.kind, nxt.unit) == ("tick_criteria", "roll")
    assert nxt.text.startswith('3 completion criteria unchecked in roll: "error rate under 1% for 15 minutes"')
    with pytest.raises(IllegalTransition, match="3 completion criteria unchecked in roll.*verifier hat cannot"):
        engine.run(slug, c.advance_hat, unit="roll", message="done")
    engine.run(slug, c.edit_unit, unit="roll", body=BODY.replace("- [ ]", "- [x]"))
    engine.run(slug, c.advance_hat, unit="roll", message="done")
    assert engine.position(slug).active.unit("roll").status == "done"


def test_a_held_unit_gives_way_to_one_that_can_move(engine):
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ()), ("page", ())])
    engine.run(slug, c.edit_unit, unit="roll", body=BODY)
    for _ in range(3):
        engine.run(slug, c.advance_hat, unit="roll", message="on")
    engine.run(slug, c.advance_hat, unit="page")
    for _ in range(2):
        engine.run(slug, c.advance_hat, unit="page", message="on")
    nxt = engine.position(slug).next  # both wear the verifier: the one that can complete goes first
    assert (nxt.kind, nxt.unit) == ("advance_hat", "page")


# ------------------------------------------------------------------ required discovery and outputs


def _template(name: str, kind: str, **meta) -> Template:
    return Template(name, kind, name, "", f"{kind}/{name}.md", meta)


def test_required_artifacts_follow_the_engines_template_rules(catalog):
    """orchestrator.ts (validateDiscoveryArtifacts, outputs_missing) and studio-reader.ts
    (readStageArtifactDefs): `required` is true unless false, `{intent-slug}` is filled in, a
    template without a location or with one in parentheses is never checked."""
    stage = replace(
        catalog.get("incident-response").stage("resolve"),
        templates=(
            _template("b-summary", "output", location=".haiku/intents/{intent-slug}/b.md"),
            _template("a-optional", "output", location="a.md", required=False),
            _template("c-tree", "output", location="(project source tree)"),
            _template("d-nowhere", "output"),
            _template("e-notes", "discovery", location="knowledge/{intent-slug}/"),
        ),
    )
    outputs = ra.required_artifacts(stage, "output", "inc")
    assert [(a.name, a.location) for a in outputs] == [("b-summary", ".haiku/intents/inc/b.md")]
    assert ra.locations([stage], "inc") == ("knowledge/inc/", ".haiku/intents/inc/b.md")
    assert ra.missing(stage, "output", "inc", None) == ()  # nobody looked: not applied
    assert ra.missing(stage, "output", "inc", {".haiku/intents/inc/b.md": True}) == ()
    assert ra.missing(stage, "output", "inc", {}) == outputs


def test_presence_on_disk_as_the_engine_judges_it(tmp_path):
    """orchestrator/workflow/cursor.ts: a location ending in `/` is a folder that must hold
    something besides .gitkeep; any other location must exist. Outside the root counts as missing."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / ".gitkeep").write_text("")
    (tmp_path / "brief.md").write_text("x")
    assert present("brief.md", tmp_path) and not present("other.md", tmp_path)
    assert not present("notes/", tmp_path)
    (tmp_path / "notes" / "a.md").write_text("x")
    assert present("notes/", tmp_path)
    assert not present("../brief.md", tmp_path / "notes")
    assert on_disk(["brief.md", "x/"], tmp_path) == {"brief.md": True, "x/": False}


def test_missing_discovery_holds_elaborate(engine, tmp_path):
    """orchestrator.ts validateDiscoveryArtifacts (discovery_missing: "Cannot advance to
    execution") and cursor.ts discovery_required: a required discovery artifact missing at its
    location keeps the stage in elaborate. The engine looks in its project (Engine.project)."""
    slug = new_incident(engine, upto="mitigate")
    engine.run(slug, c.add_unit, title="Roll back", unit="roll")
    engine.project = tmp_path
    expected = ".haiku/intents/inc/knowledge/MITIGATION-LOG.md"
    with pytest.raises(
        IllegalTransition,
        match=f"1 required discovery artifact of mitigate missing: mitigation-log \\(expected at {re.escape(str(tmp_path / expected))}\\)",
    ):
        engine.run(slug, c.declare_ready)
    assert engine.position(slug).active.phase == "elaborate"
    (tmp_path / expected).parent.mkdir(parents=True)
    (tmp_path / expected).write_text("# Mitigation log\n")
    engine.run(slug, c.declare_ready)
    assert engine.position(slug).active.phase != "elaborate"


def test_without_a_project_the_artifact_rule_is_not_applied(engine):
    """Walked with no H·AI·K·U checkout at hand (Engine.project None, the demo), nobody looked:
    the bundled studios' required discovery does not hold every intent."""
    slug = new_incident(engine, upto="mitigate")
    engine.run(slug, c.add_unit, title="Roll back", unit="roll")
    assert engine.project is None
    engine.run(slug, c.declare_ready)
    assert engine.position(slug).active.phase != "elaborate"


def test_missing_outputs_hold_execute(engine, tmp_path):
    """orchestrator.ts outputs_missing ("Cannot advance to review"): the advance that would end
    execute is refused while a required output is missing; earlier advances are not."""
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.project = tmp_path
    expected = ".haiku/intents/inc/stages/resolve/artifacts/RESOLUTION-SUMMARY.md"
    for _ in range(3):
        engine.run(slug, c.advance_hat, unit="fix", message="on")
    with pytest.raises(
        IllegalTransition,
        match=f"1 required output of resolve missing: resolution-summary \\(expected at {re.escape(str(tmp_path / expected))}\\)",
    ):
        engine.run(slug, c.advance_hat, unit="fix", message="done")
    assert engine.position(slug).active.phase == "execute"
    (tmp_path / expected).parent.mkdir(parents=True)
    (tmp_path / expected).write_text("# Resolution summary\n")
    engine.run(slug, c.advance_hat, unit="fix", message="done")
    assert engine.position(slug).active.phase == "approve"
