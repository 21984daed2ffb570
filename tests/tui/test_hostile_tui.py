"""Hostile data on every screen: what the app would write to the terminal holds no sequence that
came from data, and markup in data is shown as typed.

The stream checked is the one Textual's driver writes for a full repaint of the screen on top
(`CompositorUpdate.render_segments`), so it is exactly what a terminal would receive."""

from __future__ import annotations

import pytest
from fake_anthropic import fake_api_fixture
from helpers import NOW, settle, until
from hostile import plant, raw_sequences

from cockpit.app.engine import Engine
from cockpit.assist.client import Assistant
from cockpit.assist.settings import LLMSettings
from cockpit.clock import fixed_clock
from cockpit.store.database import Store
from screens.app import CockpitApp

pytestmark = pytest.mark.anyio
fake = fake_api_fixture()


def terminal_stream(app: CockpitApp) -> str:
    """What the driver would write to repaint the whole screen now."""
    return app.screen._compositor.render_full_update().render_segments(app.console)


def assert_inert(app: CockpitApp) -> str:
    stream = terminal_stream(app)
    assert raw_sequences(stream) == [], f"on {type(app.screen).__name__}"
    return stream


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    engine = Engine(Store(tmp_path / "h.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    plant(engine, tmp_path / "runbooks", clock=fixed_clock(NOW))
    return engine


def make_app(engine: Engine, **kwargs) -> CockpitApp:
    return CockpitApp(engine, poll_seconds=0.2, **kwargs)


async def test_the_list_the_intent_and_the_timeline_show_hostile_text_inert(engine):
    app = make_app(engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        stream = assert_inert(app)  # the intent list
        assert "␛]0;PWN-TITLE" in stream and "␛[2JPWN-CLEAR" in stream  # shown, not obeyed
        await pilot.press("enter")
        await settle(app, pilot)
        stream = assert_inert(app)  # units, baton with the hand-off, feedback, mandate
        assert "PWN-CLIP" in stream and "[link=https://evil.example/]PWN-MU-LINK[/link]" in stream
        await pilot.press("t")
        await settle(app, pilot)
        assert "PWN-CLIP" in assert_inert(app)  # the timeline quotes the messages


async def test_a_finding_menu_and_the_approve_dialog_are_inert(engine):
    app = make_app(engine, open_slug="inc")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        screen.query_one("#feedback").focus()
        await settle(app, pilot)
        assert "PWN-TITLE" in assert_inert(app)  # the finding beside the list (a wide window)
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "FindingScreen"
        assert "PWN-TITLE" in assert_inert(app)  # title, body and fix-loop messages in full
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "Choice"
        assert "PWN-TITLE" in assert_inert(app)


async def test_a_hostile_runbook_is_inert_in_the_library_and_its_copy_notice(engine):
    app = make_app(engine, open_slug="inc")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:  # toasts drawn, as in a terminal
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        app.screen.open("hostile")
        await settle(app, pilot)
        assert "PWN-CLIP" in assert_inert(app)  # the title, the rendered text and the code block
        await pilot.press("y", "enter")  # copy the block: the notice quotes its first line
        await settle(app, pilot)
        await until(pilot, lambda: "Copied" in terminal_stream(app))  # the toast is drawn a frame later
        assert "without its control characters" in assert_inert(app)
        # A paste into a shell must not carry sequences (ESC[201~ would end bracketed paste).
        assert app.clipboard.startswith("x PWN-CLIP ") and "PWN-MARKUP" in app.clipboard
        assert raw_sequences(app.clipboard) == [] and "\x1b" not in app.clipboard
        await pilot.press("slash", *"PWN")
        await settle(app, pilot)
        assert "PWN" in assert_inert(app)  # search results and snippets


async def test_a_hostile_model_answer_is_shown_and_stored_without_its_sequences(engine, fake):
    from screens.assist import AssistScreen
    from screens.dialogs import SendPreview

    # Sequences whole and split across stream events, as a model (or a proxy) could send them.
    fake.text(
        ["## Fix\n", "Rotate \x1b]52;c;cm0gLXJmIH4=\x07 now \x1b", "[2J", "then\x1b]0;PWN-TITLE\x07 check\x9b6n.\n"]
    )
    settings = LLMSettings(api_key="test-key", base_url=fake.url, model="claude-haiku-4-5", max_retries=0, timeout=5.0)
    app = make_app(engine, open_slug="inc", assistant=Assistant(settings))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.screen.selected_unit = "fix"
        app.screen._show_unit()
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, SendPreview))
        assert_inert(app)  # the preview quotes the hostile unit body
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, AssistScreen))
        await settle(app, pilot, rounds=6)
        shown = app.screen.query_one("#as-text").text
        assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
        assert "Rotate" in shown and "check" in shown
        assert_inert(app)
        await pilot.press("a")
        await settle(app, pilot)
    body = engine.position("inc").stage("resolve").unit("fix").unit.body
    assert body == "## Fix\nRotate  now [2Jthen check.\n"
