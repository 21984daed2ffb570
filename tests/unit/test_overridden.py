"""A gate approved past blocking findings overrides them (issue 13): they stay open but block
nothing after it, so a later stage's next action, a finished intent's blocking count and the
later gates' blockers no longer name them; and a gate with blockers is never approved without a
reason."""

from __future__ import annotations

import pytest
from helpers import STAGE_BODIES, new_incident, to_gate

from cockpit.app import report
from cockpit.app.demo import complete_stage
from cockpit.domain import commands as c
from cockpit.domain import walk
from cockpit.errors import IllegalTransition


def past_resolve_with_an_override(engine) -> str:
    slug = new_incident(engine, upto="resolve")
    to_gate(engine, slug)
    engine.run(slug, c.file_feedback, title="Canary has no owner at night", severity="high")
    engine.run(slug, c.file_feedback, title="Typo", severity="low")
    with pytest.raises(IllegalTransition, match=r"blocking feedback FB-001 \(high\): approving needs an override"):
        engine.run(slug, c.approve)
    engine.run(slug, c.approve, override="customer impact first; FB-001 tracked in postmortem")
    return slug


def test_a_finding_overridden_at_a_passed_gate_blocks_nothing_after_it(engine):
    slug = past_resolve_with_an_override(engine)
    pos = engine.position(slug)
    assert pos.active.name == "postmortem"
    f = pos.finding("FB-001")
    assert (f.is_open, f.blocking, f.overridden, f.status) == (True, False, True, "pending")
    resolve = pos.stage("resolve").gate
    assert (resolve.approved, resolve.blockers, [o.feedback.ref for o in resolve.overridden]) == (True, (), ["FB-001"])
    assert pos.next.kind == "add_units" and pos.next.feedback is None  # postmortem's own work, not FB-001
    assert walk.overview(pos).blocking == 0
    rows = report.position_text(pos).split("open feedback")[1].splitlines()[2:4]
    assert [row.split()[:3] for row in rows] == [["▲", "FB-001", "high"], ["·", "FB-002", "low"]]  # no "*"


def test_the_next_action_and_order_still_put_a_later_stages_blocker_first(engine):
    slug = past_resolve_with_an_override(engine)
    engine.run(slug, c.file_feedback, title="Timeline gap", severity="medium", stage="postmortem")
    engine.run(slug, c.file_feedback, title="Who paged whom?", stage="postmortem")  # unclassified: blocks
    pos = engine.position(slug)
    assert [(f.feedback.ref, f.blocking) for f in pos.open_findings] == [
        ("FB-004", True),  # the one blocking finding first
        ("FB-001", False),  # overridden high, with the findings that do not block, by rank
        ("FB-003", False),
        ("FB-002", False),
    ]
    assert (pos.next.kind, pos.next.feedback) == ("classify", "FB-004")


def test_a_finished_intent_counts_no_blocking_findings_in_status_or_the_list(engine):
    slug = past_resolve_with_an_override(engine)
    write_up = [("write-up", "Write-up", STAGE_BODIES.get("postmortem", ""), ())]
    complete_stage(engine, slug, "postmortem", write_up, evidence="https://docs.example/pm/1")
    pos = engine.position(slug)
    assert pos.complete and pos.next.kind == "complete"
    assert [f.blocking for f in pos.open_findings] == [False, False]
    [fast] = [o for o in engine.overviews() if o.intent.slug == slug]
    assert fast == walk.overview(pos)
    assert (fast.blocking, dict(fast.open)) == (0, {"high": 1, "low": 1})
    assert report.urgency_key(pos) == report.urgency_key(fast)


def test_approving_past_the_gates_own_blockers_needs_a_reason(engine):
    slug = past_resolve_with_an_override(engine)
    to_gate(engine, slug)
    engine.run(slug, c.file_feedback, title="Action items lack owners", severity="blocker", stage="postmortem")
    pos = engine.position(slug)
    gate = pos.active.gate
    assert [f.feedback.ref for f in gate.blockers] == ["FB-003"]
    # the gate's blockers are exactly the open findings marked as blocking: one list, not two
    assert [f.feedback.ref for f in pos.open_findings if f.blocking] == ["FB-003"]
    url = "https://docs.example/pm/1"  # the postmortem's gate is an external review
    for reason in (None, "", "   "):
        with pytest.raises(IllegalTransition, match=r"postmortem has blocking feedback FB-003 \(blocker\)"):
            engine.run(slug, c.approve, override=reason, external_url=url)
    done = engine.run(slug, c.approve, override="tracked in the action-item tracker", external_url=url)
    assert done.position.complete
    assert done.position.stage("postmortem").gate.approval.reason == "tracked in the action-item tracker"


def test_the_finding_detail_says_it_was_overridden(engine):
    from cockpit.domain.finding_detail import finding_detail

    slug = past_resolve_with_an_override(engine)
    d = finding_detail(engine.position(slug), "FB-001", engine.timeline(slug))
    assert (d.blocking, d.overridden, d.is_open) == (False, True, True)
    assert report.finding_detail_text(d).splitlines()[0] == (
        "FB-001  ▲ high, overridden at the resolve gate  pending  Canary has no owner at night"
    )
    assert report.finding_detail_json(d)["overridden"] is True
