"""AI provenance on the commands an engineer runs after accepting a proposal: the event data says the
model was involved, the stored facts are what the engineer accepted, the timeline text shows it."""

from __future__ import annotations

import pytest
from helpers import NOW, new_incident, to_execute

from cockpit.app.report import ai_note
from cockpit.app.timeline import timeline_text
from cockpit.assist.prompt import CLASSIFY_TOOL, REVIEW_TOOL, build_prompt, parse_classification, parse_proposals
from cockpit.assist.types import Reply
from cockpit.domain import commands as c
from cockpit.errors import CockpitError

AI = {"model": "claude-test", "request_id": "req_0123", "task": "draft"}


def resolve(engine, slug="inc") -> str:
    new_incident(engine, upto="resolve", slug=slug)
    to_execute(engine, slug, [("fix", ()), ("tests", ())])
    return slug


def last(engine, slug) -> dict:
    return engine.timeline(slug)[-1]


def test_an_accepted_draft_is_stored_as_edited_and_marked_ai_drafted(engine):
    slug = resolve(engine)
    accepted = "## Fix\nThe engineer's edited version of the AI draft."
    done = engine.run(slug, c.edit_unit, unit="fix", body=accepted, ai={**AI, "edited": True})
    assert done.summary == "fix: AI-drafted body saved"
    event = last(engine, slug)
    assert event["command"] == "edit_unit" and event["data"]["ai"] == {**AI, "edited": True}
    assert done.position.stage("resolve").unit("fix").unit.body == accepted
    assert ai_note(event) == "AI-drafted revision, edited · claude-test"
    assert "edit_unit (AI-drafted revision, edited · claude-test)" in timeline_text(engine.timeline(slug), NOW)


def test_an_accepted_draft_keeps_the_body_it_replaced(engine):
    slug = resolve(engine)
    old = engine.position(slug).stage("resolve").unit("fix").unit.body
    engine.run(slug, c.edit_unit, unit="fix", body="## Fix\nfrom the model", ai=AI)
    assert last(engine, slug)["data"]["replaced"] == old


def test_an_edit_from_a_stale_body_is_refused_and_writes_nothing(engine):
    from cockpit.errors import IllegalTransition

    slug = resolve(engine)
    opened = engine.position(slug).stage("resolve").unit("fix").unit.body
    engine.run(slug, c.edit_unit, unit="fix", body="saved by another session", was=opened)
    events = len(engine.timeline(slug))
    with pytest.raises(IllegalTransition, match="changed since you opened it"):
        engine.run(slug, c.edit_unit, unit="fix", body="my edit of the old text", was=opened)
    assert engine.position(slug).stage("resolve").unit("fix").unit.body == "saved by another session"
    assert len(engine.timeline(slug)) == events


def test_a_plain_edit_carries_no_provenance(engine):
    slug = resolve(engine)
    engine.run(slug, c.edit_unit, unit="fix", body="by hand")
    event = last(engine, slug)
    assert "ai" not in event["data"] and ai_note(event) is None
    assert "AI" not in timeline_text([event], NOW)


def test_review_proposals_filed_by_the_engineer_record_the_agent_and_the_model(engine):
    slug = resolve(engine)
    pos = engine.position(slug)
    prompt = build_prompt(pos, "review")
    reply = Reply(
        task="review",
        model="claude-test",
        request_id="req_9",
        tool_calls=(
            {
                "name": REVIEW_TOOL,
                "input": {
                    "findings": [
                        {
                            "title": "No rollback criteria",
                            "body": "Say when to roll back.",
                            "severity": "high",
                            "unit": "fix",
                        },
                        {
                            "title": "Class search missing",
                            "body": "Search the other limiters.",
                            "severity": "medium",
                            "unit": None,
                        },
                        {"title": "Typo", "body": "teh", "severity": "low", "unit": "tests"},
                    ]
                },
            },
        ),
    )
    proposals, notes = parse_proposals(reply, pos, "resolve")
    assert notes == []
    ai = {"model": reply.model, "request_id": reply.request_id, "task": "review"}
    for p in proposals[:2]:  # the engineer files two of three
        engine.run(
            slug,
            c.file_feedback,
            title=p.title,
            body=p.body,
            severity=p.severity,
            unit=p.unit,
            origin="adversarial-review",
            role=prompt.reviewer,
            ai=ai,
        )
    events = [e for e in engine.timeline(slug) if e["command"] == "file_feedback"]
    assert [e["data"]["feedback"] for e in events] == ["FB-001", "FB-002"]
    for e in events:
        assert (
            e["data"]["ai"] == ai and e["data"]["role"] == "correctness" and e["data"]["origin"] == "adversarial-review"
        )
        assert ai_note(e) == "proposed by AI · claude-test"
    findings = engine.position(slug).findings
    assert [
        (f.feedback.title, f.feedback.severity, f.target, f.feedback.origin, f.feedback.invalidates) for f in findings
    ] == [
        ("No rollback criteria", "high", "fix", "adversarial-review", ("correctness",)),
        ("Class search missing", "medium", None, "adversarial-review", ("correctness",)),
    ]


def test_an_accepted_classification_records_the_reason_and_the_model(engine):
    slug = resolve(engine)
    engine.run(slug, c.file_feedback, title="Failover still drops counters", body="seen in staging")
    pos = engine.position(slug)
    reply = Reply(
        task="classify",
        model="claude-test",
        request_id="req_7",
        tool_calls=(
            {
                "name": CLASSIFY_TOOL,
                "input": {
                    "severity": "blocker",
                    "unit": "fix",
                    "reason": "The fix does not hold on failover, the incident's own trigger.",
                },
            },
        ),
    )
    got = parse_classification(reply, pos, "FB-001")
    ai = {"model": "claude-test", "request_id": "req_7", "task": "classify"}
    engine.run(slug, c.classify, ref="FB-001", severity=got.severity, unit=got.unit, ai=ai, reason=got.reason)
    event = last(engine, slug)
    assert event["command"] == "classify" and event["data"]["ai"] == ai and event["data"]["reason"] == got.reason
    assert event["message"] == got.reason  # the timeline shows the paragraph
    assert event["data"]["after"] == {"severity": "blocker", "unit": "fix", "invalidates": ["user"]}
    finding = engine.position(slug).finding("FB-001")
    assert (finding.feedback.severity, finding.target) == ("blocker", "fix")
    assert ai_note(event) == "classified with AI · claude-test"


def test_a_changed_classification_keeps_the_engineers_values(engine):
    slug = resolve(engine)
    engine.run(slug, c.file_feedback, title="Slow dashboard")
    engine.run(
        slug,
        c.classify,
        ref="FB-001",
        severity="low",
        unit="tests",
        reason="Cosmetic, the engineer says.",
        ai={"model": "m", "task": "classify", "edited": True},
    )
    event = last(engine, slug)
    assert event["data"]["after"]["severity"] == "low" and event["data"]["ai"]["edited"] is True


def test_classify_without_ai_or_reason_is_unchanged(engine):
    slug = resolve(engine)
    engine.run(slug, c.file_feedback, title="Slow dashboard")
    engine.run(slug, c.classify, ref="FB-001", severity="medium")
    event = last(engine, slug)
    assert "ai" not in event["data"] and "reason" not in event["data"] and event["message"] is None


@pytest.mark.parametrize("ai", [{}, "claude", {"model": object()}])
def test_provenance_must_be_json_data(engine, ai):
    slug = resolve(engine)
    with pytest.raises(CockpitError, match="AI provenance"):
        engine.run(slug, c.edit_unit, unit="fix", body="x", ai=ai)
    assert last(engine, slug)["command"] != "edit_unit"  # nothing was written
