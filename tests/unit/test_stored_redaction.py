"""What is stored of model answers, gate output and copied runbook lines is redacted by the command
itself, whoever calls it (the TUI, the CLI, a script): secrets from tests/secrets_corpus.py go in,
placeholders come out, in the tables and in the timeline."""

from __future__ import annotations

import json

from helpers import new_incident, resolve_intent, to_execute, unit_file
from secrets_corpus import JWTS, SECRETS

from cockpit.domain import commands as c
from cockpit.domain.gates import GateRun

AI = {"task": "draft", "model": "m", "request_id": "req_1"}
SOME = [
    s
    for s in SECRETS
    if s.kind
    in (
        "aws-secret-access-key",
        "postgres-url",
        "slack-app-token",
        "k8s-secret",
        "jwt-split",
        "netrc",
        "private-key-rsa",
    )
]
PLANTED = "\n".join(s.context for s in SOME)
VALUES = [v for s in SOME for v in s.values]


def leaked(text: str) -> list[str]:
    return [v[:8] for v in VALUES if v in text]


def incident(engine) -> str:
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    return slug


def test_an_accepted_ai_draft_is_stored_redacted_and_a_typed_body_as_typed(engine):
    slug = incident(engine)
    engine.run(slug, c.edit_unit, unit="fix", body=f"## Fix\nrotate [AWS_KEY_1] first\n{PLANTED}\n", ai=AI)
    body = engine.position(slug).stage("resolve").unit("fix").unit.body
    assert not leaked(body) and not leaked(json.dumps(engine.timeline(slug)))
    assert "rotate [AWS_KEY_1] first" in body and "[AWS_KEY_2]" in body  # the echoed name keeps its meaning
    engine.run(slug, c.edit_unit, unit="fix", body=f"mine: {SOME[0].context}")  # the engineer's own text
    assert SOME[0].values[0] in engine.position(slug).stage("resolve").unit("fix").unit.body


def test_an_ai_proposed_finding_is_stored_redacted(engine):
    slug = incident(engine)
    title = f"Token {JWTS[0]} in the log"  # too long for a title until it is masked
    engine.run(slug, c.file_feedback, title=title, body=PLANTED, severity="high", unit="fix", ai=AI)
    fb = engine.position(slug).findings[-1].feedback
    assert not leaked(fb.body) and fb.title == "Token [JWT_1] in the log"
    assert JWTS[0] not in json.dumps(engine.timeline(slug))


def test_an_accepted_classification_reason_is_stored_redacted(engine):
    slug = incident(engine)
    engine.run(slug, c.file_feedback, title="Creds in the channel", unit="fix")
    engine.run(slug, c.classify, ref="FB-001", severity="blocker", reason=f"Live credentials:\n{PLANTED}", ai=AI)
    event = engine.timeline(slug)[-1]
    assert event["command"] == "classify" and not leaked(json.dumps(event)) and "[PRIVATE_KEY_1]" in event["message"]


def test_gate_output_is_redacted_by_the_command_whoever_ran_the_gate(engine, tmp_path):
    slug = resolve_intent(engine, unit_file(tmp_path, "  - {name: smoke, command: make smoke}\n"))
    engine.run(slug, c.declare_ready)
    run = GateRun(
        "smoke",
        f"curl -u admin:{SOME[1].values[0]} https://x.internal",
        None,
        "pass",
        "gate:smoke",
        exit_code=1,
        timed_out=False,
        seconds=0.4,
        tail=f"connecting…\n{PLANTED}\nFAILED",
    )  # not via run_gate
    done = engine.run(slug, c.record_quality_gates, unit="unit-01-fix", runs=(run.__dict__ | {"passed": False},))
    finding = done.position.finding("FB-001").feedback
    assert not leaked(json.dumps(engine.timeline(slug))) and not leaked(finding.body + finding.title)
    assert "FAILED" in finding.body and "[PRIVATE_KEY_1]" in finding.body


def test_a_copied_runbook_line_is_stored_redacted_also_when_its_secret_spans_lines(engine):
    slug = new_incident(engine)
    for sample in SOME:
        engine.run(slug, c.record_runbook_copy, runbook="rotate-creds", line=7, text=sample.context)
    messages = "\n".join(e["message"] for e in engine.timeline(slug) if e["command"] == "runbook_copy")
    assert not leaked(messages)
    assert "rotate-creds:7: token: [JWT_1]" in messages  # the split JWT's first line, masked whole
