"""Feedback rules of issue 13: request changes takes a severity."""

from __future__ import annotations

import pytest
from helpers import new_incident, to_execute

from cockpit import severity as sev
from cockpit.app.demo import sign_all
from cockpit.domain import commands as c


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
