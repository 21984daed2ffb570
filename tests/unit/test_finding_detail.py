"""A finding's detail (cockpit.domain.finding_detail): what it says, who filed it, its severity
over time, each pass of its fix loop, why it escalated, and its closure."""

from __future__ import annotations

import pytest
from helpers import NO_ROLLBACK, new_incident, ops_intent, to_verifier

from cockpit.app.backend import Backend
from cockpit.domain import commands as c
from cockpit.domain.finding_detail import finding_detail
from cockpit.errors import NotFound


def detail(engine, slug: str, ref: str):
    return finding_detail(engine.position(slug), ref, engine.timeline(slug))


def test_the_detail_holds_the_body_origin_author_and_target(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix it", unit="fix")
    engine.run(
        slug, c.file_feedback, title="Probe too coarse", body="line one\nline two", unit="fix", origin="user-visual"
    )
    d = detail(engine, slug, "fb1")  # however the reference is spelt
    assert (d.ref, d.title, d.body, d.origin, d.author, d.author_type) == (
        "FB-001",
        "Probe too coarse",
        "line one\nline two",
        "user-visual",
        "tester",
        "human",
    )
    assert (d.stage, d.target, d.severity, d.blocking, d.status, d.hat, d.bolt) == (
        "resolve",
        "fix",
        None,
        True,
        "pending",
        "classifier",
        1,
    )
    assert (d.fix_loop, d.resumes, d.escalated_because, d.closure, d.is_open) == ((), (), None, None, True)


def test_the_severity_history_says_who_set_which_severity_when(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="Unclear owner")
    engine.run(slug, c.classify, ref="FB-001", severity="high", reason="pages nobody at night")
    engine.run(slug, c.classify, ref="FB-001", unit=None, invalidates=("user",))  # no severity change: no entry
    engine.run(slug, c.classify, ref="FB-001", severity="blocker", ai={"model": "m", "task": "classify"})
    history = detail(engine, slug, "FB-001").severity_history
    assert [(h.severity, h.how, h.actor, h.note, h.ai) for h in history] == [
        (None, "filed", "tester", None, False),
        ("high", "classified", "tester", "pages nobody at night", False),
        ("blocker", "classified", "tester", None, True),
    ]
    times = [h.at for h in history]
    assert times == sorted(times) and len(set(times)) == 3  # each setting at its own moment


def test_without_events_the_history_still_ends_at_the_severity_now(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="t", severity="low")
    assert [(h.severity, h.how) for h in finding_detail(engine.position(slug), "1").severity_history] == [
        ("low", "filed")
    ]
    engine.run(slug, c.classify, ref="FB-001", severity="high")
    history = finding_detail(engine.position(slug), "1").severity_history
    assert [(h.severity, h.how, h.actor) for h in history] == [(None, "filed", "tester"), ("high", "classified", None)]
    assert history[0].note == "the severity it was filed with is not recorded"  # never shown as "unset"


def test_the_fix_loop_says_which_hat_handed_on_or_sent_back_in_which_bolt_and_why_it_escalated(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="Probe too coarse", severity="high", origin="agent")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route to engineer")
    for n in range(3):
        engine.run(slug, c.advance_fix, ref="FB-001", message=f"fixed {n}")
        engine.run(slug, c.reject_fix, ref="FB-001", reason=f"still open {n}")
    d = detail(engine, slug, "FB-001")
    assert [(s.bolt, s.hat, s.outcome, s.to, s.message) for s in d.fix_loop] == [
        (1, "classifier", "handed_on", "engineer", "route to engineer"),
        (1, "engineer", "handed_on", "feedback-assessor", "fixed 0"),
        (1, "feedback-assessor", "sent_back", "engineer", "still open 0"),
        (2, "engineer", "handed_on", "feedback-assessor", "fixed 1"),
        (2, "feedback-assessor", "sent_back", "engineer", "still open 1"),
        (3, "engineer", "handed_on", "feedback-assessor", "fixed 2"),
        (3, "feedback-assessor", "sent_back", "engineer", "still open 2"),
        (4, "engineer", "holding", None, None),
    ]
    assert d.fix_loop[2].description == "sent back to engineer"
    assert d.status == "escalated"
    assert d.escalated_because == (
        "sent back 3 times since it was filed: the fix loop of a finding filed by an agent goes to a human "
        "after 3 send-backs"
    )
    engine.run(slug, c.resume, ref="FB-001", reason="pairing on it")
    d = detail(engine, slug, "FB-001")
    assert (d.status, d.escalated_because) == ("fixing", None)
    assert [(r.actor, r.reason) for r in d.resumes] == [("tester", "pairing on it")]
    for _ in range(3):
        engine.run(slug, c.advance_fix, ref="FB-001", message="again")
        engine.run(slug, c.reject_fix, ref="FB-001", reason="no")
    assert detail(engine, slug, "FB-001").escalated_because.startswith("sent back 3 times since it was resumed")


def test_a_human_finding_never_escalates(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="t", severity="high")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route")
    for _ in range(3):
        engine.run(slug, c.advance_fix, ref="FB-001", message="fixed")
        engine.run(slug, c.reject_fix, ref="FB-001", reason="no")
    d = detail(engine, slug, "FB-001")
    assert (d.status, d.escalated_because) == ("fixing", None)


def test_the_closure_says_how_by_whom_and_what_it_cleared(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix it", unit="fix")
    engine.run(slug, c.file_feedback, title="t", severity="high", unit="fix")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route")
    engine.run(slug, c.advance_fix, ref="FB-001", message="fixed")
    engine.run(slug, c.advance_fix, ref="FB-001", message="verified on staging")
    d = detail(engine, slug, "FB-001")
    assert d.fix_loop[-1].outcome == "closed_it" and d.fix_loop[-1].description == "verified the fix and closed it"
    assert (d.closure.resolution, d.closure.text, d.closure.actor, d.closure.clears) == (
        "closed",
        "verified on staging",
        "tester",
        ("user",),
    )
    engine.run(slug, c.file_feedback, title="u", severity="low", unit="fix")
    engine.run(slug, c.advance_fix, ref="FB-002", message="route")
    engine.run(slug, c.close_finding, ref="FB-002", resolution="rejected", text="duplicate of FB-001")
    d = detail(engine, slug, "FB-002")
    assert d.fix_loop[-1].outcome == "stopped"  # the engineer's pass ended with the closure
    assert (d.closure.resolution, d.closure.text, d.closure.clears) == ("rejected", "duplicate of FB-001", ())


def test_a_check_finding_records_the_severity_it_was_filed_with(engine):
    slug = ops_intent(engine, ("deploy", NO_ROLLBACK))
    to_verifier(engine, slug, "deploy")
    engine.run(slug, c.advance_hat, unit="deploy", message="looks complete")
    d = detail(engine, slug, "FB-001")
    assert (d.origin, d.author_type) == ("engine-review", "system")
    assert [(h.severity, h.how, h.note) for h in d.severity_history] == [("blocker", "filed", None)]
    # the check run's event records the severity each finding was filed (or updated) with
    assert engine.timeline(slug)[-1]["data"]["checks"]["severities"] == {"FB-001": "blocker"}


def test_an_unknown_finding_is_not_found_through_the_backend_too(engine):
    slug = new_incident(engine, upto="resolve")
    with pytest.raises(NotFound, match="no finding 'FB-009'"):
        detail(engine, slug, "FB-009")
    engine.run(slug, c.file_feedback, title="t", body="b")
    assert Backend(engine).finding_detail(slug, "FB-001").body == "b"
    with pytest.raises(NotFound):
        Backend(engine).finding_detail(slug, "7")
