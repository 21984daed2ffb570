"""End to end through the one egress: a secret of every kind planted in an incident (unit body,
finding, question) is never seen by the API, whatever the task; the look-alikes arrive intact.

The prompt is built by cockpit.llm_prompt and sent by cockpit.llm_client through the real SDK to
the loopback fake, which records every byte it receives."""

from __future__ import annotations

import json

import pytest

from cockpit import commands as c
from cockpit.llm_client import Assistant
from cockpit.llm_prompt import build_prompt
from cockpit.llm_settings import LLMSettings
from fake_anthropic import fake_api_fixture
from helpers import new_incident, to_execute
from test_redact import SAMPLES

pytestmark = pytest.mark.anyio
fake = fake_api_fixture()
LOOK_ALIKES = ["3f2a9c1e0b7d4a6f8e5c2b1a0f9e8d7c6b5a4f3e", "123e4567-e89b-12d3-a456-426614174000", 'password: ""']


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.parametrize("task", ["draft", "review", "classify", "ask"])
async def test_no_planted_secret_reaches_the_api(engine, fake, task):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ()), ("probe", ())])
    planted = "\n".join(text for _kind, text, _secret in SAMPLES)
    engine.run(slug, c.edit_unit, unit="fix", body=f"## Fix\n{planted}\n\nSeen in: {' '.join(LOOK_ALIKES)}\n")
    engine.run(slug, c.file_feedback, title="Leaked creds in the runbook", body=planted, unit="fix")
    ref = engine.position(slug).findings[-1].feedback.ref
    prompt = build_prompt(engine.position(slug), task, unit="fix", ref=ref if task == "classify" else None,
                          question=f"is {SAMPLES[0][2]} still valid?" if task == "ask" else None,
                          timeline=engine.timeline(slug))
    fake.text(["ok"])
    reply = await Assistant(LLMSettings(api_key="test-key", base_url=fake.url, max_retries=0)).stream(prompt)
    assert reply.ok, reply.error
    fake.assert_never_received(*(secret for _kind, _text, secret in SAMPLES))
    sent = json.dumps(fake.requests[0].body)
    assert all(json.dumps(look)[1:-1] in sent for look in LOOK_ALIKES)
    assert sum(prompt.redactions.values()) >= len(SAMPLES)
