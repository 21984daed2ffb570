"""What `cockpit studio upgrade` shows and refuses (cockpit.domain.studio_upgrade): the diff of two
definitions, and the orphan rule, one test per clause: a removed stage with facts; a removed hat
worn by a unit not done, but not by a done one; a removed fix hat worn by an open
finding; a removed reviewer with sign-offs in a stage not complete."""

from __future__ import annotations

from dataclasses import replace

from helpers import new_incident, to_execute

from cockpit.domain import commands as c
from cockpit.domain.studio import Stage, Studio
from cockpit.domain.studio_upgrade import Drift, ListChange, diff, orphans


def with_stage(studio: Studio, name: str, **changes) -> Studio:
    return replace(studio, stages=tuple(replace(s, **changes) if s.name == name else s for s in studio.stages))


def without_stage(studio: Studio, name: str) -> Studio:
    return replace(studio, stages=tuple(s for s in studio.stages if s.name != name))


def test_list_change_names_additions_removals_and_a_new_order():
    change = ListChange(("a", "b", "c"), ("c", "b", "d"))
    assert (change.added, change.removed, change.reordered) == (("d",), ("a",), True)
    assert not ListChange(("a", "b"), ("a", "x", "b")).reordered  # an insertion is not a reorder
    assert change.words("hats") == ["hats added: d", "hats removed: a", "hats reordered: a → b → c  ⇒  c → b → d"]


def test_the_diff_names_stages_hats_fix_hats_gates_reviewers_and_rewritten_mandates(catalog):
    old = catalog.get("incident-response")
    resolve = old.stage("resolve")
    engineer = resolve.hat("engineer")
    new = without_stage(old, "postmortem")
    new = replace(new, stages=(new.stages[1], new.stages[0], *new.stages[2:]))  # investigate before triage
    new = with_stage(
        new,
        "resolve",
        hats=("reviewer", "engineer"),
        fix_hats=("classifier", "engineer"),
        gate=("ask", "external"),
        reviewers=(),
        hat_defs={**resolve.hat_defs, "engineer": replace(engineer, body=engineer.body + "\nMore.")},
    )
    lines = diff(old, new).lines()
    assert "stages removed: postmortem" in lines
    assert "stages reordered: triage → investigate → mitigate → resolve → postmortem  ⇒  " in "\n".join(lines)
    assert "resolve: hats removed: verifier" in lines
    assert "resolve: hats reordered: engineer → reviewer → verifier  ⇒  reviewer → engineer" in lines
    assert "resolve: fix hats removed: feedback-assessor" in lines
    assert "resolve: gate: ask → ask, external" in lines
    assert "resolve: reviewers removed: correctness" in lines
    assert "resolve: mandate, checklist or checks changed: engineer" in lines
    assert diff(old, old).lines() == ["no change to stages, hats, gates or reviewers (other text in the files changed)"]
    assert not diff(old, old).structural
    assert diff(old, new).as_json()["changed_stages"][0]["stage"] == "resolve"


def test_a_removed_stage_must_hold_no_facts(engine):
    slug = new_incident(engine, upto="triage")
    engine.run(slug, c.add_unit, title="Declare it", unit="declare")
    engine.run(slug, c.file_feedback, title="Severity unclear", stage="triage")
    studio = engine.position(slug).studio
    assert orphans(engine.position(slug), without_stage(studio, "triage")) == (
        "stage triage is removed but holds 1 unit, 1 finding",
    )
    assert orphans(engine.position(slug), without_stage(studio, "postmortem")) == ()  # nothing recorded there


def test_a_removed_hat_must_not_have_been_worn_by_a_unit_not_done(engine):
    slug = new_incident(engine, upto="triage")
    to_execute(engine, slug, [("a", ()), ("b", ())])
    for _ in range(4):  # a walks every hat: done
        engine.run(slug, c.advance_hat, unit="a", message="ok")
    engine.run(slug, c.advance_hat, unit="b")  # b wears incident-commander
    pos = engine.position(slug)
    hats = pos.stage("triage").stage.hats
    assert orphans(pos, with_stage(pos.studio, "triage", hats=hats[1:])) == (
        "triage: hat incident-commander is removed while unit b (not done) has worked on it",
    )
    # first-responder was worn by a alone, and a is done: its history orphans nothing
    assert orphans(pos, with_stage(pos.studio, "triage", hats=(hats[0], hats[2]))) == ()


def test_a_removed_fix_hat_must_not_have_been_worn_by_an_open_finding(engine):
    slug = new_incident(engine, upto="triage")
    to_execute(engine, slug, [("a", ())])
    engine.run(slug, c.file_feedback, title="Blast radius missing", unit="a", severity="high")
    engine.run(slug, c.file_feedback, title="Typo", unit="a", severity="low")
    engine.run(slug, c.advance_fix, ref="FB-001")  # the classifier takes FB-001
    pos = engine.position(slug)
    fix = pos.stage("triage").stage.fix_hats
    assert orphans(pos, with_stage(pos.studio, "triage", fix_hats=fix[1:])) == (
        "triage: fix hat classifier is removed while open FB-001 has worked on it",
    )
    engine.run(slug, c.close_finding, ref="FB-001", resolution="rejected", text="not a problem")
    pos = engine.position(slug)
    assert orphans(pos, with_stage(pos.studio, "triage", fix_hats=fix[1:])) == ()  # closed: history


def test_a_removed_reviewer_must_hold_no_signoffs_in_a_stage_not_complete(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])  # correctness signs off fix before execute
    pos = engine.position(slug)
    assert orphans(pos, with_stage(pos.studio, "resolve", reviewers=())) == (
        "resolve: reviewer correctness is removed but signed off fix and the stage is not complete",
    )
    passed = engine.position(slug).stage("triage")  # complete: its sign-offs are history
    assert passed.status == "complete" and passed.stage.reviewers
    assert orphans(pos, with_stage(pos.studio, "triage", reviewers=())) == ()


def test_adding_reordering_and_changing_gates_orphan_nothing(engine):
    slug = new_incident(engine, upto="triage")
    to_execute(engine, slug, [("a", ())])
    engine.run(slug, c.advance_hat, unit="a")
    pos = engine.position(slug)
    triage: Stage = pos.stage("triage").stage
    changed = with_stage(pos.studio, "triage", hats=tuple(reversed(triage.hats)), gate=("ask",))
    assert orphans(pos, changed) == ()


def test_drift_says_what_happened_in_one_short_line():
    drift = Drift("a" * 40, "incident-response", "sha256:" + "1" * 64, "sha256:" + "2" * 64)
    assert drift.line == f"studio incident-response changed on disk: see cockpit studio upgrade {'a' * 40}"
    assert drift.warning == f"studio changed on disk — cockpit studio upgrade {'a' * 40}"
    assert len(Drift("inc", "incident-response", "x", "y").line) <= 80
    gone = Drift("inc", "incident-response", "x", None, "unknown studio 'incident-response'")
    assert gone.line == (
        "studio incident-response does not load from disk (unknown studio 'incident-response'): "
        "inc walks by its pinned definition"
    )
    assert gone.as_json() == {
        "studio": "incident-response",
        "pinned": "x",
        "current": None,
        "problem": "unknown studio 'incident-response'",
        "pinned_overlay": None,
        "current_overlay": None,
        "text": gone.line,
    }
