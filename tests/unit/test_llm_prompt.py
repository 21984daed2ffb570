"""The assist prompt builder: what each task sends, the cache-friendly order, the caps, redaction,
and reading the model's tool answers back. Secret-shaped samples are assembled at run time."""

from __future__ import annotations

import base64
import json

import pytest
from helpers import new_incident, to_execute

from cockpit.assist.prompt import (
    ASK_RULES,
    CLASSIFY_TOOL,
    PREAMBLE,
    REVIEW_TOOL,
    Caps,
    Classification,
    Proposal,
    build_prompt,
    parse_classification,
    parse_proposals,
    truncate,
)
from cockpit.assist.types import AssistError, Reply
from cockpit.domain import commands as c
from cockpit.errors import CockpitError, IllegalTransition, NotFound
from cockpit.severity import SEVERITIES
from cockpit.text.redact import Redactor

FIX_BODY = "## Fix\nFIX-BODY-MARKER: counters fail closed."
TESTS_BODY = "## Tests\nTESTS-BODY-MARKER: failover integration test."


def incident(engine, slug="inc", title="Checkout 5xx"):
    """Resolve in execute: `fix` at the engineer after one hand-off and one reject, `tests` ready;
    one finding on each unit."""
    new_incident(engine, upto="resolve", slug=slug)
    to_execute(engine, slug, [("fix", ()), ("tests", ())])
    engine.run(slug, c.edit_unit, unit="fix", body=FIX_BODY)
    engine.run(slug, c.edit_unit, unit="tests", body=TESTS_BODY)
    engine.run(slug, c.advance_hat, unit="fix")
    engine.run(slug, c.advance_hat, unit="fix", message="HANDOFF-MSG: fix drafted, please review")
    engine.run(slug, c.reject_hat, unit="fix", message="REJECT-REASON: no regression test named")
    engine.run(slug, c.file_feedback, title="Fix misses the replica path", body="FINDING-ON-FIX body", unit="fix")
    engine.run(slug, c.file_feedback, title="Tests too narrow", body="FINDING-ON-TESTS body", unit="tests")
    return slug


def user_text(prompt) -> str:
    [message] = prompt.messages
    assert message["role"] == "user"
    return "".join(b["text"] for b in message["content"])


def system_text(prompt) -> str:
    return "\n".join(b["text"] for b in prompt.system)


def everything(prompt) -> str:
    """All that leaves: system, tools, messages and the preview shown before sending."""
    return json.dumps([prompt.system, prompt.tools, prompt.messages, prompt.preview], ensure_ascii=False)


# ------------------------------------------------------------------ draft


def test_draft_carries_the_hat_mandate_and_the_units_own_context_only(engine):
    slug = incident(engine)
    pos = engine.position(slug)
    stage = pos.stage("resolve").stage
    prompt = build_prompt(pos, "draft", unit="fix", runbooks=[("redis-failover", "Promote the replica.")])

    assert prompt.task == "draft" and prompt.unit == "fix" and prompt.tools == () and prompt.tool_choice is None
    system = system_text(prompt)
    assert stage.hat("engineer").body.strip()[:200] in system  # the current hat's mandate
    assert "# Hat: Engineer (engineer)" in system
    assert stage.description in system and "## Scope" in system  # the stage's scope
    assert "markdown only" in prompt.system[-1]["text"]

    user = user_text(prompt)
    assert "# Checkout 5xx" in user  # the intent
    assert "FIX-BODY-MARKER" in user  # the unit body
    assert "HANDOFF-MSG" in user and "REJECT-REASON" in user  # the hand-offs so far
    assert "FINDING-ON-FIX" in user  # open findings on this unit
    assert "## unit: investigate-work" in user  # upstream stage outputs
    assert "## runbook: redis-failover\nPromote the replica." in user
    assert user.rstrip().endswith("Answer with the unit body in markdown only.")
    # Nothing of the sibling unit's body or of findings on other units.
    assert "TESTS-BODY-MARKER" not in user and "FINDING-ON-TESTS" not in user


def test_draft_follows_the_hat_the_unit_is_wearing(engine):
    slug = incident(engine)
    engine.run(slug, c.advance_hat, unit="fix", message="again")
    prompt = build_prompt(engine.position(slug), "draft", unit="fix")
    assert "# Hat: Reviewer (reviewer)" in prompt.system[-1]["text"]
    assert "as the reviewer hat" in user_text(prompt)


def test_draft_of_a_unit_not_started_uses_the_producer_hat_and_draft_needs_a_unit(engine):
    slug = incident(engine)
    pos = engine.position(slug)
    assert "# Hat: Engineer" in build_prompt(pos, "draft", unit="tests").system[-1]["text"]
    with pytest.raises(CockpitError):
        build_prompt(pos, "draft")
    with pytest.raises(NotFound):
        build_prompt(pos, "draft", unit="nope")
    with pytest.raises(CockpitError):
        build_prompt(pos, "summarise", unit="fix")


# ------------------------------------------------------------------ review


def test_review_forces_the_file_findings_tool_over_the_stages_units_and_severities(engine):
    slug = incident(engine)
    pos = engine.position(slug)
    prompt = build_prompt(pos, "review")
    [tool] = prompt.tools
    assert tool["name"] == REVIEW_TOOL
    assert prompt.tool_choice == {"type": "tool", "name": REVIEW_TOOL}
    item = tool["input_schema"]["properties"]["findings"]["items"]
    assert item["properties"]["severity"]["enum"] == list(SEVERITIES) == ["blocker", "high", "medium", "low"]
    assert item["properties"]["unit"]["enum"] == ["fix", "tests", None]
    assert item["properties"]["title"]["maxLength"] == 120
    assert set(item["required"]) == {"title", "body", "severity", "unit"}

    agent = pos.stage("resolve").stage.reviewers[0]
    assert prompt.reviewer == agent.name == "correctness"
    mandate = prompt.system[-1]["text"]
    assert "# Review agent: Correctness (correctness)" in mandate
    assert agent.checks[0][:40] in " ".join(mandate.split()) and agent.failure_modes[0][:40] in " ".join(
        mandate.split()
    )
    user = user_text(prompt)
    assert "FIX-BODY-MARKER" in user and "TESTS-BODY-MARKER" in user  # the whole stage under review
    assert "FINDING-ON-FIX" in user  # open findings, so it does not file them again


def test_review_of_one_unit_leaves_the_sibling_body_out_and_checks_the_reviewer(engine):
    slug = incident(engine)
    pos = engine.position(slug)
    prompt = build_prompt(pos, "review", unit="fix", reviewer="cross-stage-consistency")  # studio-level reviewer
    assert prompt.reviewer == "cross-stage-consistency"
    user = user_text(prompt)
    assert "FIX-BODY-MARKER" in user and "TESTS-BODY-MARKER" not in user
    assert prompt.tools[0]["input_schema"]["properties"]["findings"]["items"]["properties"]["unit"]["enum"] == [
        "fix",
        "tests",
        None,
    ]
    with pytest.raises(NotFound, match="no review agent 'security'"):
        build_prompt(pos, "review", reviewer="security")


# ------------------------------------------------------------------ classify


def test_classify_uses_the_classifier_mandate_and_the_findings_stage_units(engine):
    slug = incident(engine)
    pos = engine.position(slug)
    prompt = build_prompt(pos, "classify", ref="fb-1")
    assert prompt.ref == "FB-001"
    [tool] = prompt.tools
    assert tool["name"] == CLASSIFY_TOOL and prompt.tool_choice == {"type": "tool", "name": CLASSIFY_TOOL}
    props = tool["input_schema"]["properties"]
    assert props["severity"]["enum"] == list(SEVERITIES)
    assert props["unit"]["enum"] == ["fix", "tests", None]
    assert set(tool["input_schema"]["required"]) == {"severity", "unit", "reason"}
    classifier = pos.stage("resolve").stage.hat("classifier")
    assert "# Hat: Classifier (classifier)" in prompt.system[-1]["text"]
    assert classifier.body.strip()[:200] in prompt.system[-1]["text"]
    user = user_text(prompt)
    assert "## finding: FB-001 — Fix misses the replica path" in user and "FINDING-ON-FIX" in user
    assert "FIX-BODY-MARKER" in user  # the classifier reads the stage's units to route
    with pytest.raises(NotFound):
        build_prompt(pos, "classify", ref="FB-099")


# ------------------------------------------------------------------ ask


def test_ask_demands_cited_facts_apart_from_hypotheses(engine):
    slug = incident(engine)
    timeline = engine.timeline(slug)
    prompt = build_prompt(
        engine.position(slug),
        "ask",
        question="Why did checkout fail?",
        runbooks=[("redis-failover", "Promote the replica.")],
        timeline=timeline,
    )
    rules = prompt.system[-1]["text"]
    assert rules == ASK_RULES
    for needed in (
        "## Facts",
        "## Hypotheses",
        "I don't know",
        "[unit:<slug>]",
        "[runbook:<name>]",
        "[finding:FB-001]",
        "Hypothesis (unconfirmed):",
    ):
        assert needed in rules
    user = user_text(prompt)
    # Sources are labelled the way the citations name them.
    assert "## unit: fix" in user and "## unit: tests" in user and "## runbook: redis-failover" in user
    assert "## finding: FB-002" in user and "## timeline" in user and "REJECT-REASON" in user
    assert user.rstrip().endswith("## request\nWhy did checkout fail?")
    with pytest.raises(CockpitError, match="question"):
        build_prompt(engine.position(slug), "ask", question="  ")


# ------------------------------------------------------------------ cache order


@pytest.mark.parametrize(
    "task, kw",
    [
        ("draft", {"unit": "fix"}),
        ("review", {}),
        ("classify", {"ref": "FB-001"}),
        ("ask", {"question": "status?"}),
    ],
)
def test_the_stable_system_prefix_is_byte_identical_across_incidents(engine, task, kw):
    a = incident(engine, slug="inc-a", title="Checkout 5xx")
    b = incident(engine, slug="inc-b", title="Search latency")
    engine.run(b, c.edit_unit, unit="fix", body="A different fix entirely, written at 02:40.")
    pa = build_prompt(engine.position(a), task, timeline=engine.timeline(a), **kw)
    pb = build_prompt(engine.position(b), task, timeline=engine.timeline(b), runbooks=[("x", "y")], **kw)

    assert json.dumps(pa.system) == json.dumps(pb.system)  # byte-exact: the cache prefix holds
    assert json.dumps(pa.tools) == json.dumps(pb.tools)  # tools come first in the prefix
    assert pa.messages != pb.messages
    # The breakpoint sits on the last stable block only.
    assert [("cache_control" in blk) for blk in pa.system] == [False] * (len(pa.system) - 1) + [True]
    assert pa.system[-1]["cache_control"] == {"type": "ephemeral"}
    assert pa.system[0]["text"] == PREAMBLE
    system = system_text(pa)
    assert "inc-a" not in system and "2026-" not in system and "Checkout 5xx" not in system
    assert "inc-a" in user_text(pa)  # the changing incident state goes last


def test_the_preamble_says_the_model_is_advisory_only():
    for words in ("advisory only", "never approve", "close a finding", "advance or reject a hat"):
        assert words in PREAMBLE


# ------------------------------------------------------------------ caps


def test_a_long_chunk_is_truncated_with_a_visible_marker(engine):
    slug = incident(engine)
    body = "\n".join(f"line {i:05d} " + "x" * 40 for i in range(1000))  # ~52,000 chars
    engine.run(slug, c.edit_unit, unit="fix", body=body)
    prompt = build_prompt(engine.position(slug), "draft", unit="fix", caps=Caps(per_chunk=5_000, total=60_000))
    user = user_text(prompt)
    assert "line 00000" in user and "line 00999" not in user
    start = user.index("## unit: fix")
    section = user[start : user.index("\n\n## ", start)]
    kept = section.split("\n", 1)[1].split("\n[… truncated ")[0]
    dropped = int(section.rsplit("[… truncated ", 1)[1].split(" ")[0])
    assert len(kept) <= 5_000 and len(kept) + dropped == len(body) and body.startswith(kept)


def test_truncation_is_deterministic_and_never_splits_a_secret():
    key = "AK" + "IA" + "QX7Z2LMN4PRS8TUV"
    text = "a" * 89 + " " + key + " " + "b" * 200
    head = truncate(text, 100)  # the cut would fall inside the key: it moves to the key's start
    assert "AKIA" not in head and head.startswith("a" * 89) and head.endswith(f"[… truncated {len(text) - 90} chars]")
    assert truncate(text, 100) == head
    tail = truncate("c" * 200 + " " + key + " " + "d" * 89, 100, keep_tail=True)
    assert "TUV" not in tail and tail == f"[… truncated {201 + len(key)} chars]\n " + "d" * 89
    assert truncate("short", 100) == "short"


def test_the_total_cap_drops_the_last_ranked_runbooks_first_and_says_so(engine):
    slug = incident(engine)
    runbooks = [(f"rb{i}", f"runbook {i} " + "r" * 9_000) for i in range(8)]
    caps = Caps(per_chunk=12_000, total=40_000)
    prompt = build_prompt(engine.position(slug), "draft", unit="fix", runbooks=runbooks, caps=caps)
    user = user_text(prompt)
    kept = [name for name, _ in runbooks if f"## runbook: {name}\n" in user]
    assert kept and kept == [f"rb{i}" for i in range(len(kept))]  # a prefix of the ranking survives
    assert len(kept) < len(runbooks)
    left_out = ", ".join(f"runbook: rb{i}" for i in reversed(range(len(kept), len(runbooks))))
    assert f"[context cap of 40000 chars: left out {left_out}]" in user
    assert "FIX-BODY-MARKER" in user and user.rstrip().endswith("markdown only.")  # pinned chunks stay
    note = user.index("[context cap")
    assert len(user) - len(user[note:].split("\n\n", 1)[0]) <= caps.total + 500  # joins and the note itself


def test_without_runbooks_to_drop_the_timeline_and_far_upstream_go_before_the_units_context(engine):
    slug = incident(engine)
    timeline = [
        {"id": i, "at": "t", "actor": "a", "command": "tick", "message": "m" * 3_000, "data": {}} for i in range(10)
    ]
    prompt = build_prompt(
        engine.position(slug), "draft", unit="fix", timeline=timeline, caps=Caps(per_chunk=12_000, total=8_000)
    )
    user = user_text(prompt)
    assert "left out timeline" in user and "## timeline" not in user
    assert "FIX-BODY-MARKER" in user and "HANDOFF-MSG" in user and "FINDING-ON-FIX" in user


# ------------------------------------------------------------------ redaction


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


AWS_KEY = "AK" + "IA" + "QX7Z2LMN4PRS8TUV"
BEARER = "tok" + "0123456789abcdefXYZ"
KEY_LINE = "MIIEowIBAAKCAQEA7" + "q9sSecretKeyLine"
PRIVATE_KEY = "-----BEGIN " + f"RSA PRIVATE KEY-----\n{KEY_LINE}\n-----END RSA PRIVATE KEY-----"
URL_PW = "s3cr3t" + "-pw-42"
JWT = _b64({"alg": "HS256", "typ": "JWT"}) + "." + _b64({"sub": "tenant-42"}) + "." + "c2lnbmF0dXJlLW5vdC1yZWFs"
PASSWORD = "hunter" + "2xQ"
EMAIL = "priya.n" + "@example.com"
SECRETS = {
    "AWS_KEY": AWS_KEY,
    "AUTH_HEADER": BEARER,
    "PRIVATE_KEY": KEY_LINE,
    "URL_PASSWORD": URL_PW,
    "JWT": JWT,
    "SECRET": PASSWORD,
    "EMAIL": EMAIL,
}


def test_planted_secrets_never_leave_and_are_counted(engine):
    slug = incident(engine)
    engine.run(
        slug,
        c.edit_unit,
        unit="fix",
        body=f"## Fix\nkey {AWS_KEY} in the env\ncurl -H 'Authorization: Bearer {BEARER}'\n{PRIVATE_KEY}\n",
    )
    engine.run(
        slug,
        c.file_feedback,
        title="Leaky DSN",
        unit="fix",
        body=f"DSN postgres://app:{URL_PW}@db.internal:5432/orders and token {JWT}",
    )
    runbooks = [("creds", f"Reset with password={PASSWORD}, ask {EMAIL}; the old key {AWS_KEY} is revoked.")]
    timeline = [{"id": 1, "at": "t", "actor": "a", "command": "note", "message": f"paged {EMAIL}", "data": {}}]
    for task, kw in [("draft", {"unit": "fix"}), ("review", {}), ("ask", {"question": f"is {EMAIL} on call?"})]:
        prompt = build_prompt(engine.position(slug), task, runbooks=runbooks, timeline=timeline, **kw)
        sent = everything(prompt)
        for kind, secret in SECRETS.items():
            assert secret not in sent, (task, kind)
            assert prompt.redactions.get(kind, 0) >= 1, (task, kind, prompt.redactions)
        # One value, one placeholder, in every chunk it appears in.
        user = user_text(prompt)
        unit_part = user[user.index("## unit: fix") :]
        assert "[AWS_KEY_1]" in unit_part.split("## runbook: creds")[0]
        assert "the old key [AWS_KEY_1] is revoked" in user
        assert prompt.redactions["AWS_KEY"] == 2 and "[AWS_KEY_2]" not in user
        assert "[EMAIL_1]" in prompt.preview


def test_a_message_over_several_lines_keeps_its_lines_so_redaction_sees_its_structure(engine):
    # A hand-off pasting an AWS credentials file: the secret key sits alone on its line, which is
    # how the redaction knows it. Joined into one timeline line, it would have gone out in clear.
    secret = "wJalrXUtnFEMI" + "/K7MDENG/bPxRfiCYz" + "Q2Lm9Ks0B"
    slug = incident(engine)
    engine.run(slug, c.advance_hat, unit="fix", message=f"creds from the box:\n[default]\n{secret}\n")
    for task, kw in [("draft", {"unit": "fix"}), ("ask", {"question": "who?"})]:
        prompt = build_prompt(engine.position(slug), task, timeline=engine.timeline(slug), **kw)
        assert secret not in prompt.preview, task
        assert "    [AWS_SECRET_1]" in prompt.preview  # below the event, indented
    draft = build_prompt(engine.position(slug), "draft", unit="fix")
    assert "advance:\n    creds from the box:\n    [default]\n    [AWS_SECRET_1]" in user_text(
        draft
    )  # the hand-offs chunk


def test_one_redactor_keeps_placeholders_stable_across_prompts(engine):
    slug = incident(engine)
    engine.run(slug, c.edit_unit, unit="fix", body=f"owner {EMAIL}")
    redactor = Redactor()
    first = build_prompt(engine.position(slug), "ask", question="who owns this? other@example.org", redactor=redactor)
    second = build_prompt(engine.position(slug), "draft", unit="fix", redactor=redactor)
    assert "owner [EMAIL_1]" in user_text(first) and "owner [EMAIL_1]" in user_text(second)
    assert "[EMAIL_2]" in user_text(first)
    assert first.redactions == {"EMAIL": 2} and second.redactions == {"EMAIL": 1}


def test_the_preview_is_exactly_what_is_sent(engine):
    slug = incident(engine)
    prompt = build_prompt(engine.position(slug), "review")
    for block in prompt.system:
        assert block["text"] in prompt.preview
    assert user_text(prompt) in prompt.preview
    assert f"tool {REVIEW_TOOL} (forced)" in prompt.preview and "cache breakpoint" in prompt.preview


# ------------------------------------------------------------------ reading the answers back


def review_reply(findings, **kw) -> Reply:
    return Reply(task="review", tool_calls=({"name": REVIEW_TOOL, "input": {"findings": findings}},), model="m", **kw)


def test_parse_proposals_keeps_good_findings_and_normalises_severity(engine):
    slug = incident(engine)
    reply = review_reply(
        [
            {"title": "No rollback criteria", "body": "Say when to roll back.", "severity": " High ", "unit": "fix"},
            {"title": "  Class search\n incomplete ", "body": "", "severity": "low", "unit": None},
        ]
    )
    proposals, notes = parse_proposals(reply, engine.position(slug), "resolve")
    assert proposals == [
        Proposal("No rollback criteria", "Say when to roll back.", "high", "fix"),
        Proposal("Class search incomplete", "", "low", None),
    ]
    assert notes == []


def test_parse_proposals_fixes_up_or_drops_malformed_items_with_notes(engine):
    slug = incident(engine)
    reply = review_reply(
        [
            {"title": "", "body": "no title", "severity": "high", "unit": "fix"},
            "not an object",
            {"title": "Wrong unit", "body": "b", "severity": "medium", "unit": "ghost"},
            {"title": "Odd severity", "body": "b", "severity": "critical", "unit": "tests"},
            {"title": "T" * 200, "body": None, "severity": "low", "unit": "fix"},
        ],
        error=AssistError("midstream", "overloaded", retryable=True),
    )
    proposals, notes = parse_proposals(reply, engine.position(slug), "resolve")
    assert [(p.title[:12], p.severity, p.unit) for p in proposals] == [
        ("Wrong unit", "medium", None),
        ("Odd severity", None, "tests"),
        ("T" * 12, "low", "fix"),
    ]
    assert len(proposals[2].title) == 120 and proposals[2].title.endswith("…") and proposals[2].body == ""
    text = "\n".join(notes)
    for expected in (
        "cut short (midstream)",
        "proposal 1 has no title: dropped",
        "proposal 2 is not an object",
        "resolve has no unit 'ghost'",
        "severity 'critical'",
        "proposal 5: title shortened",
    ):
        assert expected in text


def test_parse_proposals_without_a_tool_call_says_so(engine):
    pos = engine.position(incident(engine))
    proposals, notes = parse_proposals(Reply(task="review", text="Looks fine to me."), pos, "resolve")
    assert proposals == [] and "filed nothing through file_findings (it answered in text instead)" in notes[0]
    bad = Reply(task="review", tool_calls=({"name": REVIEW_TOOL, "input": {"findings": "none"}},))
    assert parse_proposals(bad, pos, "resolve") == ([], ["a file_findings call carried no findings list: ignored"])
    with pytest.raises(NotFound):
        parse_proposals(bad, pos, "nope")


def classify_reply(data) -> Reply:
    return Reply(task="classify", tool_calls=({"name": CLASSIFY_TOOL, "input": data},))


def test_parse_classification_good_and_null_unit(engine):
    pos = engine.position(incident(engine))
    got = parse_classification(
        classify_reply({"severity": "Blocker", "unit": "fix", "reason": " It breaks failover. "}), pos, "FB-001"
    )
    assert got == Classification("blocker", "fix", "It breaks failover.")
    got = parse_classification(
        classify_reply({"severity": "low", "unit": None, "reason": "Spans the stage."}), pos, "1"
    )
    assert got.unit is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"severity": "urgent", "unit": "fix", "reason": "r"}, "severity 'urgent'"),
        ({"severity": "high", "unit": "ghost", "reason": "r"}, "unit 'ghost'"),
        ({"severity": "high", "unit": "investigate-work", "reason": "r"}, "not in resolve"),  # another stage's unit
        ({"severity": "high", "unit": "fix", "reason": ""}, "no reason"),
        ({"severity": "high", "unit": "fix"}, "no reason"),
        ("not json", "not an object"),
    ],
)
def test_parse_classification_refuses_malformed_input(engine, data, message):
    pos = engine.position(incident(engine))
    with pytest.raises(CockpitError, match=message):
        parse_classification(classify_reply(data), pos, "FB-001")


def test_parse_classification_without_a_call_names_the_error(engine):
    pos = engine.position(incident(engine))
    reply = Reply(task="classify", error=AssistError("overloaded", "The service is overloaded."))
    with pytest.raises(CockpitError, match="did not call classify_finding for FB-001 \\(The service is overloaded.\\)"):
        parse_classification(reply, pos, "FB-001")


def test_classify_refuses_an_intent_scope_finding_in_words(engine):
    """An imported H·AI·K·U intent may hold findings of the whole intent (no stage): classify
    routes to a stage's units, so it is refused with why, not a KeyError out of the prompt."""
    from helpers import REPO

    engine.import_haiku(REPO / "tests/fixtures/haiku/project/.haiku/intents/checkout-redesign")
    pos = engine.position("checkout-redesign")
    [whole] = [f for f in pos.findings if f.feedback.stage == ""][:1]
    with pytest.raises(IllegalTransition, match="belongs to the whole intent"):
        build_prompt(pos, "classify", ref=whole.feedback.ref)
