"""The pure walk: baton positions, severity order, phases, DAG readiness, caps, gate epochs."""

from __future__ import annotations

import pytest
from helpers import STAGE_BODIES, new_incident, to_execute

from cockpit import severity as sev
from cockpit.domain import commands as c
from cockpit.domain.dag import dependency_problems, find_cycle
from cockpit.domain.model import Decision, Feedback, Intent, IntentFacts, Iteration, Unit
from cockpit.domain.walk import MAX_FIX_LOOP_BOLTS, MAX_UNIT_BOLTS, baton, derive
from cockpit.errors import IllegalTransition

CHAIN = ("engineer", "reviewer", "verifier")


def it(n: int, hat: str, result: str | None) -> Iteration:
    return Iteration(n, 1, hat, "t", None if result is None else "t", result, None, n)


# ------------------------------------------------------------------ baton (pure)


def test_baton_starts_on_the_first_hat_unstarted():
    b = baton(CHAIN, [])
    assert (b.hat, b.bolt, b.started, b.finished) == ("engineer", 1, False, False)


def test_baton_open_iteration_holds_its_hat():
    assert baton(CHAIN, [it(1, "engineer", "advance"), it(2, "reviewer", None)]).hat == "reviewer"


def test_baton_reject_goes_back_one_hat_and_starts_a_new_bolt():
    b = baton(CHAIN, [it(1, "engineer", "advance"), it(2, "reviewer", "reject")])
    assert (b.hat, b.bolt) == ("engineer", 2)


def test_baton_reject_on_the_first_hat_reruns_it():
    assert baton(CHAIN, [it(1, "engineer", "reject")]).hat == "engineer"


def test_baton_advance_on_the_last_hat_finishes():
    b = baton(CHAIN, [it(1, "engineer", "advance"), it(2, "reviewer", "advance"), it(3, "verifier", "advance")])
    assert b.finished and b.hat is None


def test_baton_counts_rejects_since_resume():
    its = [it(1, "reviewer", "reject"), it(2, "engineer", "advance"), it(3, "reviewer", "reject")]
    assert baton(CHAIN, its).rejects_since_resume == 2
    assert baton(CHAIN, its, resumed_at_event=2).rejects_since_resume == 1
    assert not baton(CHAIN, its).same_hat_rejected_twice  # the engineer advanced in between


def test_baton_same_hat_rejecting_twice_in_a_row_is_stuck():
    its = [it(1, "engineer", "reject"), it(2, "engineer", "reject")]
    assert baton(CHAIN, its).same_hat_rejected_twice
    assert not baton(CHAIN, its, resumed_at_event=1).same_hat_rejected_twice


# ------------------------------------------------------------------ severity


def test_severity_order_and_unset_ranks_with_medium():
    assert [sev.rank(s) for s in ("blocker", "high", "medium", "low")] == [0, 1, 2, 3]
    assert sev.rank(None) == sev.rank("medium")


@pytest.mark.parametrize(
    "threshold, blocking",
    [
        ("blocker", {"blocker", None}),
        ("high", {"blocker", "high", None}),
        ("medium", {"blocker", "high", "medium", None}),
        ("low", {"blocker", "high", "medium", "low", None}),
    ],
)
def test_blocking_threshold(threshold, blocking):
    assert {s for s in ("blocker", "high", "medium", "low", None) if sev.is_blocking(s, threshold)} == blocking


def test_findings_sort_by_severity_then_number(engine):
    slug = new_incident(engine, upto="triage")
    for title, severity in [
        ("l", "low"),
        ("u", None),
        ("b", "blocker"),
        ("m", "medium"),
        ("h", "high"),
        ("b2", "blocker"),
    ]:
        engine.run(slug, c.file_feedback, title=title, severity=severity, origin="user-chat")
    order = [f.feedback.title for f in engine.position(slug).open_findings]
    assert order == ["b", "b2", "h", "u", "m", "l"]  # unset sorts with medium, by number


# ------------------------------------------------------------------ DAG


def test_dag_detects_self_unknown_and_cycles():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    problems = dependency_problems({"a": ["a", "zz"], "b": ["c"], "c": ["b"]})
    assert "unit 'a' depends on itself" in problems
    assert "unit 'a' depends on unknown unit 'zz'" in problems
    assert any(p.startswith("dependency cycle: b → c → b") for p in problems)
    assert dependency_problems({"a": [], "b": ["a"]}) == []


def test_units_wait_for_their_dependencies(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ()), ("cleanup", ("fix",)), ("docs", ())])
    stage = engine.position(slug).active
    assert [(u.unit.slug, u.status, u.waiting_on) for u in stage.units] == [
        ("fix", "ready", ()),
        ("cleanup", "waiting", ("fix",)),
        ("docs", "ready", ()),
    ]
    for _ in range(4):  # start + three hats
        engine.run(slug, c.advance_hat, unit="fix")
    assert engine.position(slug).active.unit("cleanup").status == "ready"


# ------------------------------------------------------------------ phases


def test_phases_walk_elaborate_review_execute_approve_gate(engine):
    slug = new_incident(engine, upto="resolve")
    assert engine.position(slug).active.phase == "elaborate"
    engine.run(slug, c.add_unit, title="Fix it", unit="fix", body=STAGE_BODIES["resolve"])
    assert engine.position(slug).active.phase == "elaborate"
    engine.run(slug, c.declare_ready)
    assert engine.position(slug).active.phase == "review"
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    assert engine.position(slug).active.phase == "execute"
    for _ in range(4):
        engine.run(slug, c.advance_hat, unit="fix", message="ok")
    assert engine.position(slug).active.phase == "approve"
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    pos = engine.position(slug)
    assert (pos.active.name, pos.active.phase, pos.next.kind) == ("resolve", "gate", "approve")
    engine.run(slug, c.approve)
    pos = engine.position(slug)
    assert pos.stage("resolve").status == "complete"
    assert (pos.active.name, pos.active.phase) == ("postmortem", "elaborate")


def test_a_unit_added_after_review_reopens_review(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    assert engine.position(slug).active.phase == "execute"
    engine.run(slug, c.add_unit, title="Late", unit="late")
    assert engine.position(slug).active.phase == "review"
    assert engine.position(slug).active.missing_review == (("late", "correctness"),)


def test_unit_reject_past_the_bolt_cap_is_refused(engine):
    # Was: the fifth reject escalated the unit. The engine refuses the reject that would start bolt
    # 6 (haiku_unit_reject_hat.ts); tests/unit/test_engine_unit_rules.py covers the rule in full.
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.advance_hat, unit="fix")
    for n in range(MAX_UNIT_BOLTS - 1):
        engine.run(slug, c.advance_hat, unit="fix", message="try")
        engine.run(slug, c.reject_hat, unit="fix", message=f"nope {n}")
    engine.run(slug, c.advance_hat, unit="fix", message="try")
    with pytest.raises(IllegalTransition, match="refused"):
        engine.run(slug, c.reject_hat, unit="fix", message="nope again")
    unit = engine.position(slug).active.unit("fix")
    assert (unit.status, unit.bolt) == ("active", MAX_UNIT_BOLTS)


def test_a_history_past_the_bolt_cap_is_escalated(catalog):
    # Imported facts can hold more send-backs than cockpit's commands allow: a human decides.
    studio = catalog.get("incident-response")
    rejects = tuple(
        Iteration(i, 1, "incident-commander", "t", "t", "reject", "no", i + 1) for i in range(1, MAX_UNIT_BOLTS + 1)
    )
    facts = IntentFacts(
        Intent(1, "inc", "Inc", studio.name, "t0", 1),
        units=(Unit(1, "triage", "work", "Work", "", (), "t0", 1),),
        iterations=(*rejects, Iteration(99, 1, "incident-commander", "t", None, None, None, 99)),
        decisions=(Decision(1, "triage", "elaborated", "t0", "me", 1),),
    )
    unit = derive(studio, facts).stage("triage").unit("work")
    assert (unit.status, unit.bolt) == ("escalated", MAX_UNIT_BOLTS + 1)


def test_agent_finding_escalates_after_three_bolts_but_human_ones_do_not(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    agent = engine.run(slug, c.file_feedback, title="agent", severity="high", origin="agent").summary.split()[1]
    human = engine.run(slug, c.file_feedback, title="human", severity="high", origin="user-chat").summary.split()[1]
    for ref in (agent, human):
        for _ in range(MAX_FIX_LOOP_BOLTS):
            # an advance between the send-backs: only the bolt cap (not same-hat-twice) can trigger
            engine.run(slug, c.advance_fix, ref=ref, message="to engineer")
            engine.run(slug, c.reject_fix, ref=ref, reason="engineer cannot")
    pos = engine.position(slug)
    assert pos.finding(agent).status == "escalated"
    assert pos.finding(human).status == "fixing"


def test_assessor_sending_back_three_times_escalates_an_agent_finding(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.file_feedback, title="f", severity="high", origin="agent", unit="fix")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route")
    for n in range(MAX_FIX_LOOP_BOLTS):
        assert engine.position(slug).finding("FB-001").status == "fixing", n
        engine.run(slug, c.advance_fix, ref="FB-001", message="fixed")
        engine.run(slug, c.reject_fix, ref="FB-001", reason="not fixed")
    f = engine.position(slug).finding("FB-001")
    assert (f.status, f.bolt) == ("escalated", MAX_FIX_LOOP_BOLTS + 1)
    assert engine.position(slug).next.kind == "decide_finding"


def test_one_hat_rejecting_twice_in_a_row_escalates_at_once(catalog):
    # Only the first fix hat could send back twice in a row, and it no longer may (the command
    # refuses: tests/unit/test_feedback_rules.py); a history recorded before still escalates.
    studio = catalog.get("incident-response")
    facts = IntentFacts(
        Intent(1, "inc", "Inc", studio.name, "t0", 1),
        feedback=(Feedback(1, 1, "resolve", "f", "", "agent", "bot", "agent", "high", None, (), "t0", 2),),
        fix_iterations=(
            Iteration(1, 1, "classifier", "t1", "t1", "reject", "cannot route", 3),
            Iteration(2, 1, "classifier", "t2", "t2", "reject", "still cannot route", 4),
            Iteration(3, 1, "classifier", "t3", None, None, None, 4),
        ),
    )
    found = derive(studio, facts).finding("FB-001")
    assert found.status == "escalated"
    assert found.escalated_because == (
        "the classifier hat sent it back twice in a row with nothing handed on between: a human decides"
    )


def test_blocking_feedback_takes_priority_over_the_stage_walk(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    assert engine.position(slug).next.kind == "advance_hat"
    engine.run(slug, c.file_feedback, title="low one", severity="low")
    assert engine.position(slug).next.kind == "advance_hat"  # non-blocking rides along
    engine.run(slug, c.file_feedback, title="what about X?")
    nxt = engine.position(slug).next
    assert (nxt.kind, nxt.feedback) == ("classify", "FB-002")
    engine.run(slug, c.classify, ref="FB-002", severity="high")
    assert engine.position(slug).next.kind == "fix"


def test_threshold_changes_what_blocks(catalog, engine):
    from cockpit.app.engine import Engine

    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="m", severity="medium")
    assert not engine.position(slug).finding("FB-001").blocking
    strict = Engine(engine.store, catalog, clock=engine.clock, threshold="medium")
    assert strict.position(slug).finding("FB-001").blocking


# ------------------------------------------------------------------ sign-off invalidation


def test_closing_a_reviewer_finding_clears_that_reviewers_signoff(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.actor, before = "correctness", engine.actor  # the reviewer files it under its own name
    engine.run(slug, c.file_feedback, title="test is vacuous", severity="high", unit="fix", origin="adversarial-review")
    engine.actor = before
    assert engine.position(slug).finding("FB-001").feedback.invalidates == ("correctness",)
    engine.run(slug, c.close_finding, ref="FB-001", resolution="closed", text="test now drives the handshake")
    pos = engine.position(slug)
    assert pos.active.phase == "review"
    assert pos.active.missing_review == (("fix", "correctness"),)


def test_rejecting_a_finding_as_invalid_clears_nothing(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(
        slug,
        c.file_feedback,
        title="bogus",
        severity="high",
        unit="fix",
        origin="adversarial-review",
        role="correctness",
    )
    engine.run(slug, c.classify, ref="FB-001", invalidates=("correctness",))
    engine.run(slug, c.close_finding, ref="FB-001", resolution="rejected", text="misread the diff")
    assert engine.position(slug).active.phase == "execute"
