"""The assist pane says what its keys cannot do (issue 13): a review that proposes nothing says "no
proposals" instead of showing an empty list, and `a` after a cancelled stream says why nothing
happens instead of nothing at all. Through the real SDK against the loopback fake API."""

from __future__ import annotations

import pytest
from fake_anthropic import fake_api_fixture
from helpers import NOW, new_incident, settle, to_execute, until
from textual.widgets import OptionList

from cockpit.app.engine import Engine
from cockpit.assist.client import Assistant
from cockpit.assist.settings import LLMSettings
from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.assist import AssistScreen
from screens.dialogs import SendPreview

pytestmark = pytest.mark.anyio

fake = fake_api_fixture()


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    engine = Engine(Store(tmp_path / "as.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    return engine


def make_app(engine: Engine, url: str) -> CockpitApp:
    settings = LLMSettings(api_key="test-key", base_url=url, model="claude-haiku-4-5", max_retries=0, timeout=5.0)
    return CockpitApp(engine, open_slug="inc", poll_seconds=3600, assistant=Assistant(settings))


async def open_assist(app: CockpitApp, pilot, *keys: str) -> AssistScreen:
    await settle(app, pilot)
    app.screen.selected_unit = "fix"
    await pilot.press(*keys)
    await until(pilot, lambda: isinstance(app.screen, SendPreview))
    await pilot.press("y")
    await until(pilot, lambda: isinstance(app.screen, AssistScreen))
    return app.screen


def said(app: CockpitApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


@pytest.mark.parametrize("answer", ["text only", "an empty tool call"])
async def test_a_review_that_proposes_nothing_says_no_proposals(engine, fake, answer):
    if answer == "text only":
        fake.text(["The unit reads well; nothing to add."])
    else:
        fake.tool_use("file_findings", {"findings": []}, preface_text="Nothing found.")
    app = make_app(engine, fake.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_assist(app, pilot, "R", "enter")
        await settle(app, pilot, rounds=6)
        screen = app.screen
        listed = screen.query_one("#as-proposals", OptionList)
        assert [str(o.prompt) for o in listed.options] == [
            "No proposals: correctness on fix found nothing to file. r asks again."
        ]
        await pilot.press("f")
        await settle(app, pilot)
        assert said(app, "File proposal") == ["No proposals: correctness on fix found nothing to file. r asks again."]


async def test_accept_after_a_cancelled_draft_says_why_it_does_nothing(engine, fake):
    fake.slow([f"word{i} " for i in range(200)], delay=0.05)
    app = make_app(engine, fake.url)
    before = engine.position("inc").active.unit("fix").unit.body
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_assist(app, pilot, "w")
        await until(pilot, lambda: screen.query_one("#as-text").text.count("word") >= 3)
        await pilot.press("escape")  # cancel: the partial draft stays
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert app.screen is screen
        [reason] = said(app, "Accept")
        assert reason.startswith("This draft was cancelled: accepting it would replace the whole body")
    assert engine.position("inc").active.unit("fix").unit.body == before


async def test_accept_after_a_cancelled_classification_says_why(engine, fake):
    engine.run("inc", c.file_feedback, title="Checkout still slow for some users", body="p95 up")
    ref = next(f.feedback.ref for f in engine.position("inc").findings if f.feedback.severity is None)
    fake.slow([f"word{i} " for i in range(200)], delay=0.05)
    app = make_app(engine, fake.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.selected_finding = ref
        screen = await open_assist(app, pilot, "C")
        await until(pilot, lambda: screen.query_one("#as-text").text.count("word") >= 2)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert said(app, "Accept") == [
            "The request was cancelled: there is no whole answer to act on. r sends it again."
        ]
