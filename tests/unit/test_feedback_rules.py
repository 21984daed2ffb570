"""Feedback rules of issue 13: request changes takes a severity, the first fix hat cannot send a
finding back (to itself), and blocking findings sort before every other."""

from __future__ import annotations

import pytest
from helpers import new_incident, to_execute

from cockpit import severity as sev
from cockpit.app.demo import sign_all
from cockpit.domain import commands as c
from cockpit.domain import walk
from cockpit.errors import IllegalTransition


def at_gate(engine, stage: str, slug: str = "inc") -> str:
    new_incident(engine, upto=stage, slug=slug)
    to_execute(engine, slug, [("work", ())])
    for _ in range(len(engine.position(slug).active.stage.hats) + 1):
        engine.run(slug, c.advance_hat, unit="work", message="done")
    sign_all(engine, slug)
    assert engine.position(slug).active.phase == "gate"
    return slug


@pytest.mark.parametrize("severity", [*sev.SEVERITIES, None])
def test_request_changes_files_the_finding_with_the_severity_picked(engine, severity):
    slug = at_gate(engine, "resolve")
    done = engine.run(slug, c.request_changes, title="Rollback thresholds missing", unit="work", severity=severity)
    f = done.position.finding("FB-001")
    assert (f.feedback.severity, f.blocking) == (severity, sev.is_blocking(severity))
    assert f"({severity or 'unclassified'})" in done.summary
    assert engine.timeline(slug)[-1]["data"]["severity"] == severity
    assert done.position.active.phase == "gate"  # still a human looks again: the gate re-opened


def test_request_changes_refuses_an_unknown_severity(engine):
    slug = at_gate(engine, "resolve")
    with pytest.raises(Exception, match="unknown severity 'critical'"):
        engine.run(slug, c.request_changes, title="t", severity="critical")


def test_the_first_fix_hat_cannot_send_a_finding_back(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="t", severity="high")
    before = len(engine.timeline(slug))
    with pytest.raises(IllegalTransition, match="FB-001 is with classifier, the first fix hat: there is no hat"):
        engine.run(slug, c.reject_fix, ref="FB-001", reason="cannot route")
    assert len(engine.timeline(slug)) == before
    f = engine.position(slug).finding("FB-001")
    assert (f.hat, f.bolt, f.status) == ("classifier", 1, "pending")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route")
    engine.run(slug, c.reject_fix, ref="FB-001", reason="not mine: the classifier again")  # the second hat may
    f = engine.position(slug).finding("FB-001")
    assert (f.hat, f.bolt) == ("classifier", 2)
    with pytest.raises(IllegalTransition, match="first fix hat"):  # and back at the first, it may not again
        engine.run(slug, c.reject_fix, ref="FB-001", reason="again")


def test_blocking_findings_sort_before_every_other(engine):
    slug = new_incident(engine, upto="resolve")
    for title, severity in [("low", "low"), ("medium", "medium"), ("unset", None), ("high", "high")]:
        engine.run(slug, c.file_feedback, title=title, severity=severity)
    engine.run(slug, c.file_feedback, title="blocker", severity="blocker")
    pos = engine.position(slug)
    assert [f.feedback.title for f in pos.open_findings] == ["blocker", "high", "unset", "medium", "low"]
    assert [f.blocking for f in pos.open_findings] == [True, True, True, False, False]
    # the overview lists the severities in the same order
    assert [s for s, _ in walk.overview(pos).open] == ["blocker", "high", None, "medium", "low"]


def test_the_order_follows_the_threshold(engine):
    slug = new_incident(engine, upto="resolve")
    for severity in ("medium", None, "high"):
        engine.run(slug, c.file_feedback, title=severity or "unset", severity=severity)
    facts = engine.store.facts(slug)
    studio = engine.catalog.get("incident-response")
    at_blocker = walk.derive(studio, facts, threshold="blocker")
    assert [f.feedback.title for f in at_blocker.open_findings] == ["unset", "high", "medium"]
    at_medium = walk.derive(studio, facts, threshold="medium")
    assert [f.feedback.title for f in at_medium.open_findings] == ["high", "medium", "unset"]
