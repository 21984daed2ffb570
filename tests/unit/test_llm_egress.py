"""End to end through the one egress: every secret of the corpus (tests/secrets_corpus.py), planted
where an engineer pastes things — a unit body, a finding, a hat's hand-off message (and so the
timeline), the question — is never seen by the API, whatever the task; the look-alikes arrive intact.

The prompt is built by cockpit/app/assist_context.py (the app's and `cockpit assist preview`'s one path)
and sent by cockpit.assist.client through the real SDK to the loopback fake, which records every byte."""

from __future__ import annotations

import pytest
from fake_anthropic import fake_api_fixture
from helpers import new_incident, plant_corpus, to_execute
from secrets_corpus import LOOK_ALIKES, SECRETS

from cockpit.app.assist_context import prompt_for, read_context
from cockpit.assist.client import Assistant
from cockpit.assist.settings import LLMSettings
from cockpit.domain import commands as c

pytestmark = pytest.mark.anyio
fake = fake_api_fixture()
VALUES = [v for s in SECRETS for v in s.values]
QUESTION_SECRETS = [s for s in SECRETS if "\n" not in s.context][:5]  # a question is one line


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("task", ["draft", "review", "classify", "ask"])
async def test_no_corpus_secret_reaches_the_api(engine, fake, task):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ()), ("probe", ())])
    ref = plant_corpus(engine, slug, "fix")
    engine.run(
        slug,
        c.edit_unit,
        unit="probe",
        body="## Seen on the bridge\n" + "\n".join(a.context for a in LOOK_ALIKES) + "\n",
    )
    question = "are these still valid? " + " ; ".join(s.context for s in QUESTION_SECRETS)
    prompt = prompt_for(
        read_context(engine, slug),
        task,
        unit="fix",
        ref=ref if task == "classify" else None,
        question=question if task == "ask" else None,
    )
    fake.text(["ok"])
    reply = await Assistant(LLMSettings(api_key="test-key", base_url=fake.url, max_retries=0)).stream(prompt)
    assert reply.ok, reply.error
    fake.assert_never_received(*VALUES)
    [request] = fake.requests
    sent = "\n".join(_strings(request.body))  # decoded: a JSON escape cannot hide a value from the check
    assert not [v for v in VALUES if v in sent]
    # What was planted did reach the prompt, masked: the check above is not vacuous.
    assert sum(prompt.redactions.values()) >= len(SECRETS)
    assert "[PRIVATE_KEY_1]" in sent and "Credentials pasted" in sent
    assert prompt.suspects == ()  # the second scan finds nothing the patterns left
    if task == "ask":  # the task whose context holds every unit, the probe too
        kept = [a.kind for a in LOOK_ALIKES if a.context not in sent]
        assert not kept, kept
    if task == "draft":
        assert "handing over; what I found:" in sent  # the hand-off message went along, masked
