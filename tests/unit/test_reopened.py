"""Why a stage moved back (issue 13): StageState.reopened says which fix cleared which sign-off,
or what re-opened a gate approved once, and `cockpit status` shows it."""

from __future__ import annotations

from helpers import new_incident, to_execute

from cockpit.app import report
from cockpit.app.demo import sign_all
from cockpit.domain import commands as c


def with_review_finding(engine) -> str:
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("probe", ())])
    engine.run(slug, c.advance_hat, unit="probe", message="start")
    engine.run(
        slug,
        c.file_feedback,
        title="Alert fires on staging too",
        severity="medium",
        unit="probe",
        origin="adversarial-review",
        role="correctness",
    )
    assert engine.position(slug).active.phase == "execute"
    return slug


def test_a_fix_that_clears_a_review_sign_off_says_why_review_is_due_again(engine):
    slug = with_review_finding(engine)
    assert engine.position(slug).active.reopened is None
    for message in ("route", "scoped to prod", "verified on staging"):
        engine.run(slug, c.advance_fix, ref="FB-001", message=message)
    pos = engine.position(slug)
    assert (pos.active.phase, pos.active.missing_review) == ("review", (("probe", "correctness"),))
    assert pos.active.reopened == (
        "FB-001 was fixed after correctness signed off probe: a fix clears the sign-offs it names, "
        "so the review is due again"
    )
    lines = report.position_text(pos).splitlines()
    assert lines[2] == f"back    resolve moved back: {pos.active.reopened}"
    assert report.position_json(pos)["stages"][3]["reopened"] == pos.active.reopened
    engine.run(slug, c.signoff, unit="probe", role="correctness")
    pos = engine.position(slug)
    assert (pos.active.phase, pos.active.reopened) == ("execute", None)
    assert not any(line.startswith("back") for line in report.position_text(pos).splitlines())


def test_a_closure_that_fixed_nothing_moves_nothing_back(engine):
    slug = with_review_finding(engine)
    engine.run(slug, c.close_finding, ref="FB-001", resolution="non_actionable", text="staging is meant to page")
    pos = engine.position(slug)
    assert (pos.active.phase, pos.active.reopened) == ("execute", None)


def test_a_gate_approved_once_says_what_re_opened_it(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("work", ())])
    for _ in range(len(engine.position(slug).active.stage.hats) + 1):
        engine.run(slug, c.advance_hat, unit="work", message="done")
    sign_all(engine, slug)
    engine.run(slug, c.request_changes, title="Rollback thresholds", severity="low")
    pos = engine.position(slug)
    assert (pos.active.phase, pos.active.reopened) == ("gate", None)  # never approved: nothing moved back
    engine.run(slug, c.approve)
    assert engine.position(slug).active.name == "postmortem"
    engine.run(slug, c.file_feedback, title="Canary owner missing", severity="high", stage="resolve")
    pos = engine.position(slug)
    resolve = pos.stage("resolve")
    assert (pos.active.name, resolve.phase) == ("resolve", "gate")
    assert resolve.reopened == "FB-002 (high) was filed after the gate was approved: the gate is due again"
    engine.run(slug, c.classify, ref="FB-001", severity="blocker")
    assert engine.position(slug).active.reopened == (
        "FB-001 became blocker, FB-002 (high) was filed after the gate was approved: the gate is due again"
    )
