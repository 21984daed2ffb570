"""The engine runs a stage's checks at the verifier's advance, on edits past it, and in the approve
phase: failures file (or update) engine-review findings in the same transaction, fixes close them,
and blocking ones hold the verifier and the gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import GOOD_OPS, NO_ROLLBACK, STAGE_BODIES, T0, new_incident, ops_intent, to_verifier

from cockpit.app.demo import sign_all
from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.domain.check_runs import check_id_of
from cockpit.errors import IllegalTransition
from cockpit.store.database import Store


class Library:
    def __init__(self, *names: str) -> None:
        self.names = set(names)

    def exists(self, name: str) -> bool:
        return any(n in name for n in self.names)

    def lint_errors(self, name: str) -> list[str]:
        return []


def engine_findings(engine: Engine, slug: str):
    return [f for f in engine.position(slug).findings if check_id_of(f.feedback)]


def test_a_missing_rollback_holds_the_verifier_until_fixed_then_closes_itself_and_the_auto_gate_advances(engine):
    slug = ops_intent(engine, ("deploy", NO_ROLLBACK))
    to_verifier(engine, slug, "deploy")
    done = engine.run(slug, c.advance_hat, unit="deploy", message="looks complete")
    assert "cannot advance" in done.summary and "FB-001" in done.summary
    unit = done.position.active.unit("deploy")
    assert (unit.hat, unit.status) == ("verifier", "active")  # the baton stayed at the verifier
    [finding] = engine_findings(engine, slug)
    fb = finding.feedback
    assert (check_id_of(fb), fb.origin, fb.author_type, fb.severity, finding.target) == (
        "ops.rollback",
        "engine-review",
        "system",
        "blocker",
        "deploy",
    )
    assert "line 29, ## Rollback" in fb.body
    # one transaction: the finding row carries the id of the verifier's own event
    held = engine.timeline(slug)[-1]
    assert (held["command"], held["id"], held["message"]) == ("verify_held", fb.event_id, "looks complete")
    assert held["data"]["checks"]["held_by"] == ["FB-001"]
    assert done.position.next.feedback == "FB-001"  # the walk points at the fix first

    # advancing again without a fix changes nothing and files no duplicate
    again = engine.run(slug, c.advance_hat, unit="deploy")
    assert "cannot advance" in again.summary
    assert [f.feedback.ref for f in engine_findings(engine, slug)] == ["FB-001"]

    edit = engine.run(slug, c.edit_unit, unit="deploy", body=GOOD_OPS)
    assert "closed FB-001" in edit.summary
    closed = edit.position.finding("FB-001")
    assert closed.status == "closed"
    assert closed.feedback.closure_text.startswith("Check ops.rollback passes now: a reverse procedure with commands")
    assert "It had failed with: line 29, ## Rollback" in closed.feedback.closure_text

    done = engine.run(slug, c.advance_hat, unit="deploy", message="verified")
    assert done.position.active.unit("deploy").status == "done"
    sign_all(engine, slug)
    pos = engine.position(slug)
    assert pos.stage("operations").status == "complete"  # the auto gate advanced by itself


def test_a_failure_that_changes_updates_its_finding_instead_of_filing_another(engine):
    slug = ops_intent(engine, ("deploy", NO_ROLLBACK))
    to_verifier(engine, slug, "deploy")
    engine.run(slug, c.advance_hat, unit="deploy")
    moved = "## Note\nThe release is tagged.\n\n" + NO_ROLLBACK
    done = engine.run(slug, c.edit_unit, unit="deploy", body=moved)
    assert "updated FB-001" in done.summary
    [finding] = engine_findings(engine, slug)
    assert "line 32, ## Rollback" in finding.feedback.body and finding.is_open


def test_a_non_blocking_failure_rides_along_with_the_advance(catalog):
    engine = Engine(
        Store(":memory:"), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="t", threshold="blocker"
    )
    body = GOOD_OPS.replace("## Open Questions\n", "## Open Questions\n- Which region goes first?\n")
    slug = ops_intent(engine, ("deploy", body))
    to_verifier(engine, slug, "deploy")
    done = engine.run(slug, c.advance_hat, unit="deploy")
    assert "the baton is finished" in done.summary and "filed FB-001" in done.summary
    [finding] = engine_findings(engine, slug)
    assert (check_id_of(finding.feedback), finding.feedback.severity, finding.blocking) == (
        "ops.open-questions",
        "high",
        False,
    )
    event = engine.timeline(slug)[-1]
    assert (event["command"], event["id"]) == ("advance_hat", finding.feedback.event_id)


def test_a_waived_failure_neither_holds_nor_comes_back(engine):
    slug = ops_intent(engine, ("deploy", NO_ROLLBACK))
    to_verifier(engine, slug, "deploy")
    engine.run(slug, c.advance_hat, unit="deploy")
    engine.run(
        slug,
        c.close_finding,
        ref="FB-001",
        resolution="rejected",
        text="The rollback is the platform's standard helm rollback.",
    )
    done = engine.run(slug, c.advance_hat, unit="deploy")
    assert done.position.active.unit("deploy").status == "done"
    assert "waived FB-001" in done.summary
    assert [f.feedback.ref for f in engine_findings(engine, slug)] == ["FB-001"]


def test_drafts_are_not_checked_before_the_verifier(engine):
    slug = ops_intent(engine, ("deploy", NO_ROLLBACK))
    engine.run(slug, c.advance_hat, unit="deploy")
    engine.run(slug, c.edit_unit, unit="deploy", body=NO_ROLLBACK + "\nmore\n")
    engine.run(slug, c.advance_hat, unit="deploy")  # ops-engineer → sre
    assert engine_findings(engine, slug) == []


def test_the_last_unit_to_finish_rechecks_the_whole_stage(catalog):
    library = Library("service-restart")
    engine = Engine(
        Store(":memory:"), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="t", runbooks=library
    )
    slug = ops_intent(engine, ("deploy", GOOD_OPS), ("tune", GOOD_OPS))
    to_verifier(engine, slug, "deploy")
    engine.run(slug, c.advance_hat, unit="deploy")
    assert engine.position(slug).active.unit("deploy").status == "done"
    library.names.clear()  # the runbook was deleted from the library meanwhile
    to_verifier(engine, slug, "tune")
    done = engine.run(slug, c.advance_hat, unit="tune")
    assert "cannot advance" in done.summary  # tune's own alert now links to nothing
    library.names.add("service-restart")
    done = engine.run(slug, c.advance_hat, unit="tune")
    assert done.position.active.phase == "approve"
    library.names.clear()
    done = engine.run(slug, c.signoff, unit="deploy", role="observability")  # the approve pass re-runs the checks
    assert "filed" in done.summary
    targets = {f.target for f in engine_findings(engine, slug) if f.is_open}
    assert targets == {"deploy", "tune"}


def test_a_blocking_check_finding_holds_the_ask_gate(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix", unit="fix", body=STAGE_BODIES["resolve"])
    engine.run(slug, c.declare_ready)
    sign_all(engine, slug)
    for _ in range(4):
        engine.run(slug, c.advance_hat, unit="fix", message="ok")
    sign_all(engine, slug)
    assert engine.position(slug).active.phase == "gate"
    broken = STAGE_BODIES["resolve"].replace("tests/integration/test_limiter_failover.py::", "")
    done = engine.run(slug, c.edit_unit, unit="fix", body=broken)  # an edit at the gate re-runs the checks
    ref = done.summary.split("filed ")[1].rstrip(")")
    assert [f.feedback.ref for f in done.position.active.gate.blockers] == [ref]
    with pytest.raises(IllegalTransition, match=f"blocking feedback {ref}"):
        engine.run(slug, c.approve)
    engine.run(slug, c.edit_unit, unit="fix", body=STAGE_BODIES["resolve"])
    engine.run(slug, c.approve)
    assert engine.position(slug).stage("resolve").status == "complete"


def test_run_checks_files_for_units_at_their_verifier_and_reports_drafts(engine):
    slug = ops_intent(engine, ("deploy", NO_ROLLBACK), ("draft", NO_ROLLBACK))
    to_verifier(engine, slug, "deploy")
    done = engine.run(slug, c.run_checks)
    assert done.summary == "checks on operations: filed FB-001"
    assert [f.target for f in engine_findings(engine, slug)] == ["deploy"]
    event = engine.timeline(slug)[-1]
    assert event["data"]["checks"]["failed"] == ["deploy:ops.rollback", "draft:ops.rollback"]
    assert engine.run(slug, c.run_checks, unit="deploy").summary == "checks on deploy: no change"


def test_run_checks_refuses_a_stage_without_checks(engine):
    slug = new_incident(engine, upto="triage")
    engine.run(slug, c.add_unit, title="Declare", unit="declare")
    with pytest.raises(IllegalTransition, match="declares no checks"):
        engine.run(slug, c.run_checks)
