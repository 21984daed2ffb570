"""Named commands through the engine: legal transitions write facts + one event; illegal ones refuse."""

from __future__ import annotations

import pytest
from helpers import STAGE_BODIES, new_incident, to_execute

from cockpit.app.demo import complete_stage, sign_all
from cockpit.domain import commands as c
from cockpit.errors import CockpitError, IllegalTransition, NotFound


def events(engine, slug):
    return [e["command"] for e in engine.timeline(slug)]


def finish_units(engine, slug, *units):
    hats = engine.position(slug).active.stage.hats
    for unit in units:
        for _ in range(len(hats) + 1):
            engine.run(slug, c.advance_hat, unit=unit, message="done")


def at_gate(engine, stage: str, slug="inc") -> str:
    new_incident(engine, upto=stage, slug=slug)
    to_execute(engine, slug, [("work", ())])
    finish_units(engine, slug, "work")
    sign_all(engine, slug)
    assert engine.position(slug).active.phase == "gate"
    return slug


# ------------------------------------------------------------------ every command leaves one event


def test_each_command_appends_exactly_one_event_with_its_facts(engine):
    slug = new_incident(engine, upto="resolve")
    before = len(engine.timeline(slug))
    done = engine.run(slug, c.add_unit, title="Fix it", unit="fix", body="## Root cause\n...")
    timeline = engine.timeline(slug)
    assert len(timeline) == before + 1
    last = timeline[-1]
    assert (last["command"], last["unit"], last["stage"], last["actor"], last["id"]) == (
        "add_unit",
        "fix",
        "resolve",
        "tester",
        done.event_id,
    )


def test_advance_records_the_handoff_message_on_the_baton(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.advance_hat, unit="fix")
    engine.run(slug, c.advance_hat, unit="fix", message="patch in PR 812; test at tests/test_tls.py")
    unit = engine.position(slug).active.unit("fix")
    assert unit.hat == "reviewer"
    assert [(i.hat, i.result, i.message) for i in unit.handoffs] == [
        ("engineer", "advance", "patch in PR 812; test at tests/test_tls.py")
    ]


def test_reject_sends_back_with_reason_and_new_bolt(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.advance_hat, unit="fix")
    engine.run(slug, c.advance_hat, unit="fix", message="ready")
    done = engine.run(slug, c.reject_hat, unit="fix", message="no regression test")
    unit = done.position.active.unit("fix")
    assert (unit.hat, unit.bolt) == ("engineer", 2)
    assert unit.handoffs[-1].message == "no regression test"


@pytest.mark.parametrize(
    "setup, command, kwargs, error, match",
    [
        ("finished", c.advance_hat, {"unit": "fix"}, IllegalTransition, "finished its baton"),
        ("finished", c.reject_hat, {"unit": "fix", "message": "x"}, IllegalTransition, "finished its baton"),
        ("ready", c.reject_hat, {"unit": "fix", "message": "x"}, IllegalTransition, "has not started"),
        ("ready", c.reject_hat, {"unit": "fix", "message": " "}, CockpitError, "reason"),
        ("ready", c.advance_hat, {"unit": "ghost"}, NotFound, "no unit 'ghost'"),
        ("ready", c.advance_hat, {"unit": "later"}, IllegalTransition, "waits on fix"),
        ("elaborate", c.advance_hat, {"unit": "fix"}, IllegalTransition, "is in elaborate, not execute"),
        ("ready", c.approve, {}, IllegalTransition, "gate of resolve is not open"),
        ("ready", c.declare_ready, {}, IllegalTransition, "already declared"),
        ("ready", c.signoff, {"unit": "fix", "role": "correctness"}, IllegalTransition, "no review is open"),
    ],
)
def test_illegal_transitions_refuse_and_write_nothing(engine, setup, command, kwargs, error, match):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix", unit="fix", body=STAGE_BODIES["resolve"])
    engine.run(slug, c.add_unit, title="Later", unit="later", depends_on=("fix",))
    if setup != "elaborate":
        engine.run(slug, c.declare_ready)
        sign_all(engine, slug)
    if setup == "finished":
        finish_units(engine, slug, "fix")
    before = len(engine.timeline(slug))
    with pytest.raises(error, match=match):
        engine.run(slug, command, **kwargs)
    assert len(engine.timeline(slug)) == before


def test_declare_ready_needs_a_unit(engine):
    slug = new_incident(engine, upto="resolve")
    with pytest.raises(IllegalTransition, match="no units yet"):
        engine.run(slug, c.declare_ready)


def test_unit_add_rejects_duplicates_unknown_dependencies_and_future_stages(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix", unit="fix")
    with pytest.raises(CockpitError, match="already has a unit 'fix'"):
        engine.run(slug, c.add_unit, title="Fix again", unit="fix")
    with pytest.raises(CockpitError, match="unknown unit 'nope'"):
        engine.run(slug, c.add_unit, title="Other", depends_on=("nope",))
    with pytest.raises(IllegalTransition, match="not reached yet"):
        engine.run(slug, c.add_unit, title="Later", stage="postmortem")


def test_signoff_refuses_unknown_reviewer_and_double_signing(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix", unit="fix")
    engine.run(slug, c.declare_ready)
    with pytest.raises(NotFound, match="no review agent 'security'"):
        engine.run(slug, c.signoff, unit="fix", role="security")
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    with pytest.raises(IllegalTransition):
        engine.run(slug, c.signoff, unit="fix", role="correctness")


def test_edit_unit_saves_the_body_and_records_hashes(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix", unit="fix", body="old")
    engine.run(slug, c.edit_unit, unit="fix", body="new body")
    assert engine.position(slug).active.unit("fix").unit.body == "new body"
    data = engine.timeline(slug)[-1]["data"]
    assert data["before"] != data["after"] and data["chars"] == 8
    with pytest.raises(CockpitError, match="unchanged"):
        engine.run(slug, c.edit_unit, unit="fix", body="new body")


# ------------------------------------------------------------------ feedback


def test_fix_loop_walks_classifier_producer_assessor_and_closes_with_reply(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.file_feedback, title="Canary has no owner")
    with pytest.raises(IllegalTransition, match="classify FB-001"):
        engine.run(slug, c.advance_fix, ref="FB-001", message="go")
    engine.run(slug, c.classify, ref="FB-001", severity="high", unit="fix")
    assert engine.position(slug).finding("FB-001").hat == "classifier"
    engine.run(slug, c.advance_fix, ref="FB-001", message="real gap in the plan")
    assert engine.position(slug).finding("FB-001").hat == "engineer"
    engine.run(slug, c.advance_fix, ref="fb-1", message="owner named")
    with pytest.raises(CockpitError, match="closure reply"):
        engine.run(slug, c.advance_fix, ref="FB-001")
    engine.run(slug, c.advance_fix, ref="FB-001", message="Priya watches the canary")
    f = engine.position(slug).finding("FB-001")
    assert (f.status, f.feedback.resolution, f.feedback.closure_text) == (
        "closed",
        "closed",
        "Priya watches the canary",
    )
    assert events(engine, slug)[-1] == "close_feedback"


@pytest.mark.parametrize(
    "resolution, text, status",
    [
        ("closed", "fixed in PR 9", "closed"),
        ("non_actionable", "a question, answered", "non_actionable"),
        ("rejected", "the finding misreads the diff", "rejected"),
    ],
)
def test_human_closures_need_their_text(engine, resolution, text, status):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="thing")
    with pytest.raises(CockpitError):
        engine.run(slug, c.close_finding, ref="FB-001", resolution=resolution, text="")
    engine.run(slug, c.close_finding, ref="FB-001", resolution=resolution, text=text)
    f = engine.position(slug).finding("FB-001")
    assert (f.status, f.feedback.closure_text, f.is_open) == (status, text, False)
    with pytest.raises(IllegalTransition, match="already"):
        engine.run(slug, c.close_finding, ref="FB-001", resolution="closed", text="again")


def test_send_back_names_what_is_open_and_starts_a_bolt(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="t", severity="high")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route")
    engine.run(slug, c.advance_fix, ref="FB-001", message="fixed")
    engine.run(slug, c.reject_fix, ref="FB-001", reason="item 3 still open")
    f = engine.position(slug).finding("FB-001")
    assert (f.hat, f.bolt, f.status) == ("engineer", 2, "fixing")


def test_agent_findings_need_a_severity_and_origins_are_checked(engine):
    slug = new_incident(engine, upto="resolve")
    with pytest.raises(CockpitError, match="must carry a severity"):
        engine.run(slug, c.file_feedback, title="t", origin="adversarial-review")
    with pytest.raises(CockpitError, match="unknown origin"):
        engine.run(slug, c.file_feedback, title="t", origin="martian")
    with pytest.raises(CockpitError, match="unknown severity"):
        engine.run(slug, c.file_feedback, title="t", severity="critical")
    with pytest.raises(IllegalTransition, match="not reached yet"):
        engine.run(slug, c.file_feedback, title="t", stage="postmortem")


def test_resume_lets_an_escalated_finding_continue(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="t", severity="high", origin="agent")
    engine.run(slug, c.advance_fix, ref="FB-001", message="route")
    for _ in range(3):
        engine.run(slug, c.advance_fix, ref="FB-001", message="fixed")
        engine.run(slug, c.reject_fix, ref="FB-001", reason="not yet")
    with pytest.raises(IllegalTransition, match="escalated"):
        engine.run(slug, c.advance_fix, ref="FB-001", message="again")
    engine.run(slug, c.resume, ref="FB-001", reason="pairing with the engineer on it")
    assert engine.position(slug).finding("FB-001").status == "fixing"
    with pytest.raises(IllegalTransition, match="not escalated"):
        engine.run(slug, c.resume, ref="FB-001", reason="again")


# ------------------------------------------------------------------ gates


def test_auto_gate_advances_by_itself_and_refuses_approval(engine):
    slug = new_incident(engine, upto="triage")
    to_execute(engine, slug, [("work", ())])
    engine.run(slug, c.file_feedback, title="comms late", severity="high")
    finish_units(engine, slug, "work")
    sign_all(engine, slug)
    pos = engine.position(slug)
    assert (pos.active.name, pos.active.phase, pos.active.gate.is_auto) == ("triage", "gate", True)
    with pytest.raises(IllegalTransition, match="auto gate"):
        engine.run(slug, c.approve, override="whatever")
    engine.run(slug, c.close_finding, ref="FB-001", resolution="closed", text="comms sent")
    assert engine.position(slug).active.name == "investigate"


def test_ask_gate_refuses_blocking_feedback_without_override_and_records_it(engine):
    slug = at_gate(engine, "resolve")
    engine.run(slug, c.file_feedback, title="b", severity="blocker")
    engine.run(slug, c.file_feedback, title="m", severity="medium")
    with pytest.raises(IllegalTransition, match=r"FB-001 \(blocker\).*override"):
        engine.run(slug, c.approve)
    assert engine.position(slug).active.name == "resolve"
    engine.run(slug, c.approve, override="customer impact ongoing; fix lands in postmortem actions")
    pos = engine.position(slug)
    approval = pos.stage("resolve").gate.approval
    assert (approval.path, approval.reason) == ("ask", "customer impact ongoing; fix lands in postmortem actions")
    assert pos.active.name == "postmortem"
    assert engine.timeline(slug)[-1]["data"]["overridden"] == ["FB-001"]


def test_ask_gate_without_blockers_approves_without_override(engine):
    slug = at_gate(engine, "resolve")
    engine.run(slug, c.file_feedback, title="nit", severity="low")
    engine.run(slug, c.approve)
    approval = engine.position(slug).stage("resolve").gate.approval
    assert approval.reason is None


def test_request_changes_files_user_feedback_and_closing_it_reopens_the_gate(engine):
    slug = at_gate(engine, "resolve")
    engine.run(slug, c.request_changes, title="Deployment plan lacks rollback thresholds", unit="work")
    pos = engine.position(slug)
    f = pos.finding("FB-001")
    assert (f.feedback.origin, f.feedback.severity, f.blocking, f.feedback.invalidates) == (
        "user-chat",
        None,
        True,
        ("user",),
    )
    assert pos.next.kind == "classify"
    engine.run(slug, c.classify, ref="FB-001", severity="high")
    for message in ("route", "thresholds added"):
        engine.run(slug, c.advance_fix, ref="FB-001", message=message)
    engine.run(slug, c.advance_fix, ref="FB-001", message="rollback at 0.5% errors")
    pos = engine.position(slug)
    assert (pos.active.name, pos.active.phase) == ("resolve", "gate")  # re-opened: a human looks again
    engine.run(slug, c.approve)
    assert engine.position(slug).active.name == "postmortem"


def test_an_approval_older_than_a_new_blocker_no_longer_counts(engine):
    slug = at_gate(engine, "resolve")
    engine.run(slug, c.approve)
    assert engine.position(slug).stage("resolve").status == "complete"
    engine.run(slug, c.file_feedback, title="fix broke refunds", severity="blocker", stage="resolve")
    pos = engine.position(slug)
    assert (pos.active.name, pos.active.phase) == ("resolve", "gate")


def test_external_gate_needs_a_recorded_external_decision(engine):
    slug = at_gate(engine, "postmortem")
    with pytest.raises(IllegalTransition, match="record the external decision"):
        engine.run(slug, c.approve)
    engine.run(slug, c.approve, external_url="https://git.example/pm/pull/4")
    pos = engine.position(slug)
    assert pos.complete and pos.next.kind == "complete"
    assert pos.stage("postmortem").gate.approval.url == "https://git.example/pm/pull/4"


def test_compound_ask_await_gate_takes_either_path(engine):
    slug = at_gate(engine, "mitigate")
    engine.run(slug, c.approve, external_url="https://status.example/events/77")
    assert engine.position(slug).stage("mitigate").gate.approval.path == "await"
    other = at_gate(engine, "mitigate", slug="inc2")
    engine.run(other, c.approve)
    assert engine.position(other).stage("mitigate").gate.approval.path == "ask"


def test_ask_only_gate_takes_no_external_decision(engine):
    slug = at_gate(engine, "resolve")
    with pytest.raises(IllegalTransition, match="takes no external decision"):
        engine.run(slug, c.approve, external_url="https://x")


def test_intent_walks_to_completion(engine):
    slug = new_incident(engine)
    pos = engine.position(slug)
    assert pos.complete and all(s.status == "complete" for s in pos.stages)
    with pytest.raises(IllegalTransition, match="complete"):
        engine.run(slug, c.add_unit, title="more")


def test_software_operations_walk_uses_borrowed_security_reviewer(engine):
    engine.create_intent(studio="software", title="Pool limits", slug="ops")
    for stage in ("inception", "design", "product", "development"):
        complete_stage(engine, "ops", stage, [(f"{stage}-u", "u", "", ())], evidence="https://git.example/pr/1")
    to_execute(engine, "ops", [("deploy", ())])
    roles = {role for _, role in engine.position("ops").stage("operations").missing_approval}
    assert {"observability", "reliability", "security"} <= roles


def test_ticks_persist_per_hat_and_bolt(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.advance_hat, unit="fix")
    item = engine.position(slug).active.stage.hat("engineer").checklist[0]
    engine.run(slug, c.tick, unit="fix", item=item, ticked=True)
    assert engine.position(slug).active.unit("fix").ticked == {item}
    with pytest.raises(IllegalTransition, match="already ticked"):
        engine.run(slug, c.tick, unit="fix", item=item, ticked=True)
    with pytest.raises(NotFound, match="no checklist item"):
        engine.run(slug, c.tick, unit="fix", item="made up", ticked=True)
    engine.run(slug, c.advance_hat, unit="fix", message="ok")
    assert engine.position(slug).active.unit("fix").ticked == frozenset()  # the reviewer starts clean
    engine.run(slug, c.reject_hat, unit="fix", message="again")
    assert engine.position(slug).active.unit("fix").ticked == frozenset()  # a new bolt starts clean
    engine.run(slug, c.tick, unit="fix", item=item, ticked=True)
    engine.run(slug, c.tick, unit="fix", item=item, ticked=False)
    assert engine.position(slug).active.unit("fix").ticked == frozenset()


def test_a_finding_raised_to_blocking_after_approval_reopens_the_gate(engine):
    """Regression: the epoch dated an open blocker by when it was filed, not when it became blocking."""
    slug = at_gate(engine, "resolve")
    engine.run(slug, c.file_feedback, title="minor", severity="low")
    engine.run(slug, c.approve)
    assert engine.position(slug).active.name == "postmortem"
    engine.run(slug, c.classify, ref="FB-001", severity="blocker")
    pos = engine.position(slug)
    assert (pos.active.name, pos.active.phase, [f.feedback.ref for f in pos.active.gate.blockers]) == (
        "resolve",
        "gate",
        ["FB-001"],
    )


def test_a_non_actionable_closure_reopens_nothing(engine):
    """Regression: a non-actionable closure changed nothing, so it must not clear sign-offs or re-open a gate."""
    slug = at_gate(engine, "resolve")
    engine.run(slug, c.approve)
    engine.run(
        slug,
        c.file_feedback,
        title="why this order?",
        severity="low",
        origin="user-question",
        stage="resolve",
        unit="work",
    )
    engine.run(slug, c.close_finding, ref="FB-001", resolution="non_actionable", text="answered: deps first")
    assert engine.position(slug).active.name == "postmortem"


def test_a_fix_after_execute_clears_only_the_approval_not_the_spec_review(engine):
    """Regression: closing a reviewer finding on a finished unit sent the stage back before execute."""
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("work", ())])
    finish_units(engine, slug, "work")
    engine.run(slug, c.signoff, unit="work", role="correctness")
    engine.run(
        slug,
        c.file_feedback,
        title="test is vacuous",
        severity="high",
        unit="work",
        origin="adversarial-review",
        role="correctness",
    )
    for message in ("route", "fixed", "verified"):
        engine.run(slug, c.advance_fix, ref="FB-001", message=message)
    pos = engine.position(slug)
    assert (pos.active.phase, pos.active.missing_review, pos.active.missing_approval) == (
        "approve",
        (),
        (("work", "correctness"),),
    )


def test_review_findings_invalidate_the_reviewer_role_not_the_login(engine):
    """Regression: an adversarial-review finding invalidated the filer's login name."""
    slug = new_incident(engine, upto="resolve")
    with pytest.raises(CockpitError, match="name the reviewer.*correctness"):
        engine.run(slug, c.file_feedback, title="t", severity="high", origin="adversarial-review")
    with pytest.raises(CockpitError, match="name the reviewer"):
        engine.run(slug, c.file_feedback, title="t", severity="high", origin="adversarial-review", role="observability")
    engine.run(slug, c.file_feedback, title="t", severity="high", origin="adversarial-review", role="correctness")
    f = engine.position(slug).finding("FB-001").feedback
    assert (f.invalidates, f.author) == (("correctness",), "tester")


def test_a_runbook_copy_is_recorded_by_its_first_line_only(engine):
    slug = new_incident(engine)
    long_line = "kubectl rollout restart deployment/checkout-api " + "--namespace=payments " * 10
    done = engine.run(
        slug,
        c.record_runbook_copy,
        runbook="service-restart",
        line=42,
        text=f"\n{long_line}\nexport TOKEN=should-not-be-kept\n",
    )
    event = engine.timeline(slug)[-1]
    assert event["command"] == "runbook_copy" and event["data"] == {"runbook": "service-restart", "line": 42}
    assert event["message"].startswith("service-restart:42: kubectl rollout restart") and event["message"].endswith("…")
    assert "TOKEN" not in event["message"] and len(event["message"]) < 160
    assert "recorded in the timeline" in done.summary
