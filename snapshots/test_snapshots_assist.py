"""The assist pane: the send preview, an answer mid-stream, a finished draft and review proposals.

The model is the loopback fake API (through the real SDK); the clock the Assistant measures
latency with is fixed, so every figure on screen is the same on each run.
"""

from __future__ import annotations

import pytest
from fake_anthropic import fake_api_fixture
from helpers import until, workers_done
from snapshot_harness import SIZES, make_app

from cockpit.app import demo
from cockpit.assist.client import Assistant
from cockpit.assist.settings import LLMSettings
from screens.assist import AssistScreen
from screens.dialogs import SendPreview

DRAFT = [
    "## Fix\n",
    "Build the checkout-api truststore at deploy time from the platform CA bundle ",
    "instead of baking it into the image.\n\n",
    "## Regression test\n",
    "`tests/integration/test_gateway_tls.py::test_rotated_intermediate_is_trusted` (integration layer) ",
    "fails on the pre-fix image and passes on the fix.\n\n",
    "## Deployment plan\n",
    "Canary to 5% for 30 minutes, then 50%, then 100%.\n",
]


fake = fake_api_fixture()


def assist_app(db, fake):
    settings = LLMSettings(api_key="test-key", base_url=fake.url, model="claude-haiku-4-5", max_retries=0, timeout=5.0)
    return make_app(db, demo.INCIDENT, assistant=Assistant(settings, clock=lambda: 0.0))


def draft_until(state: str, key: str = "w"):
    """run_before: ask for a draft, send it from the preview, stop at `state`."""

    async def run(pilot) -> None:
        app = pilot.app
        await workers_done(app)
        await pilot.pause()
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, SendPreview))
        if state != "preview":
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, AssistScreen))
            screen = app.screen
            if state == "streaming":
                await until(pilot, lambda: screen.query_one("#as-text").text.count("\n") >= 3)
            else:
                await until(pilot, lambda: screen.reply is not None and not screen.streaming)
                await until(pilot, lambda: str(screen.query_one("#as-usage").render()).strip() != "")
        app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_send_preview_before_the_first_request(snap_compare, demo_db, fake, size):
    assert snap_compare(assist_app(demo_db, fake), terminal_size=size, run_before=draft_until("preview"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_assist_pane_streaming(snap_compare, demo_db, fake, size):
    fake.text(DRAFT, hold_after=4)  # four pieces shown, then the stream waits: the pane is mid-answer
    assert snap_compare(assist_app(demo_db, fake), terminal_size=size, run_before=draft_until("streaming"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_assist_pane_finished_draft(snap_compare, demo_db, fake, size):
    fake.text(DRAFT, input_tokens=1800, cache_read=5200)
    assert snap_compare(assist_app(demo_db, fake), terminal_size=size, run_before=draft_until("done"))


def review_proposals():
    async def run(pilot) -> None:
        app = pilot.app
        await workers_done(app)
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("enter")  # the stage's own review agent, first in the list
        await until(pilot, lambda: isinstance(app.screen, SendPreview))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, AssistScreen) and bool(app.screen.proposals))
        await until(pilot, lambda: str(app.screen.query_one("#as-usage").render()).strip() != "")
        app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_assist_pane_review_proposals(snap_compare, demo_db, fake, size):
    fake.tool_use(
        "file_findings",
        {
            "findings": [
                {
                    "title": "No alert on gateway handshake failures",
                    "body": "The fix ships without a page for PKIX errors.",
                    "severity": "high",
                    "unit": "truststore-at-deploy",
                },
                {
                    "title": "Canary window shorter than the hourly batch",
                    "body": "30 minutes misses the refunds batch.",
                    "severity": "medium",
                    "unit": None,
                },
                {
                    "title": "Typo in the rollback heading",
                    "body": "Cosmetic.",
                    "severity": "low",
                    "unit": "truststore-at-deploy",
                },
            ]
        },
        preface_text="Three findings against the resolve write-up.",
    )
    assert snap_compare(assist_app(demo_db, fake), terminal_size=size, run_before=review_proposals())
