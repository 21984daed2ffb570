"""The demo's bodies exercise a failing engine check in each of its two checked stages, and the
verifier hook holds each unit once it gets there."""

from __future__ import annotations

from cockpit.app import demo
from cockpit.domain import commands as c
from cockpit.domain.check_runs import check_id_of, evaluate

CASES = [
    (demo.INCIDENT, "resolve", "truststore-at-deploy", "resolve.root-cause"),
    (demo.OPERATIONS, "operations", "deploy-pool-limits", "ops.alert-runbooks"),
]


def test_each_demo_stage_has_a_unit_failing_a_check(engine):
    demo.seed(engine)
    for slug, stage, unit, check in CASES:
        [report] = evaluate(engine.position(slug), unit=unit)
        assert report.stage == stage
        assert [r.check for r in report.failed] == [check]
        assert report.failed[0].severity == "blocker"


def test_the_demo_units_are_held_at_their_verifier_until_fixed(engine):
    demo.seed(engine)
    for slug, stage, unit, check in CASES:
        while engine.position(slug).stage(stage).unit(unit).hat != "verifier":
            engine.run(slug, c.advance_hat, unit=unit, message="ok")
        done = engine.run(slug, c.advance_hat, unit=unit, message="verified")
        assert "cannot advance" in done.summary
        [finding] = [f for f in done.position.open_findings if check_id_of(f.feedback)]
        assert (check_id_of(finding.feedback), finding.target, finding.blocking) == (check, unit, True)
