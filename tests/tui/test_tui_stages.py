"""The stages browser: earlier stages' units and outputs, read and copied from the keyboard."""

from __future__ import annotations

import pytest
from helpers import settle
from textual.widgets import Input

from cockpit.app import demo
from screens.app import CockpitApp
from screens.document import DocumentView
from screens.intent_view import IntentView
from screens.stages import StagesScreen

pytestmark = pytest.mark.anyio


def app_for(engine, **kwargs) -> CockpitApp:
    return CockpitApp(engine, poll_seconds=3600, open_slug=demo.INCIDENT, **kwargs)


def document_text(screen: StagesScreen) -> str:
    rendered = screen.query_one(DocumentView).rendered
    assert rendered is not None
    return " ".join(" ".join(line.text.split()) for line in rendered.lines)


def options_of(screen: StagesScreen, list_id: str) -> list[str]:
    from textual.widgets import OptionList

    return [o.id for o in screen.query_one(list_id, OptionList).options if o.id is not None]


async def test_o_opens_the_earlier_stages_and_y_copies_investigates_root_cause(seeded):
    """The issue's case: in resolve, the check wants investigate's root cause quoted verbatim."""
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StagesScreen)
        # the worked stages only (no pending postmortem), on the one the current stage builds on
        assert options_of(screen, "#st-stages") == ["triage", "investigate", "mitigate", "resolve"]
        assert screen.stage_name == "mitigate"
        await pilot.press("k")  # investigate
        await settle(app, pilot)
        assert screen.stage_name == "investigate"
        assert options_of(screen, "#st-items") == [
            "unit:trace-tls-failures",
            "unit:correlate-deploys",
            "output:discovery:root-cause",
        ]
        await pilot.press("enter")  # into its units: the first one is shown
        await settle(app, pilot)
        body = seeded.position(demo.INCIDENT).stage("investigate").unit("trace-tls-failures").unit.body
        assert "checkout-api trusts only the CA bundle baked into its image" in document_text(screen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.clipboard == body


async def test_an_output_template_is_shown_and_copied(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("tab", "G")  # mitigate's last item: its discovery template
        await settle(app, pilot)
        assert screen.item == "output:discovery:mitigation-log"
        template = next(t for t in seeded.catalog.get("incident-response").stage("mitigate").templates)
        assert "The record of every action taken to stop the impact" in document_text(screen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.clipboard == template.body


async def test_the_active_stage_is_there_too_and_esc_goes_back(seeded):
    app = app_for(seeded, read_only=True)  # reading is no write: it opens in read-only mode too
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("G")
        await settle(app, pilot)
        assert screen.stage_name == "resolve"
        resolve = seeded.position(demo.INCIDENT).stage("resolve")
        assert options_of(screen, "#st-items")[: len(resolve.units)] == [f"unit:{u.unit.slug}" for u in resolve.units]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)


async def test_the_stages_browser_is_in_the_palette_and_help(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        commands = {cmd.title: cmd for cmd in app.get_system_commands(view)}
        assert "Earlier stages" in commands
        commands["Earlier stages"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, StagesScreen)


async def test_tab_and_enter_move_the_keys_between_the_three_panes(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert screen.focused.id == "st-stages"
        assert screen.query_one("#st-stages-pane").has_class("has-keys")
        await pilot.press("enter")
        assert screen.focused.id == "st-items" and screen.query_one("#st-items-pane").has_class("has-keys")
        await pilot.press("enter")
        assert screen.focused.id == "st-doc" and screen.query_one("#st-right").has_class("has-keys")
        assert not screen.query_one("#st-stages-pane").has_class("has-keys")


async def test_a_new_intent_shows_its_first_stage_and_what_it_is_to_produce(engine):
    slug = engine.create_intent(studio="incident-response", title="Fresh page")
    app = CockpitApp(engine, poll_seconds=3600, open_slug=slug)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert options_of(screen, "#st-stages") == ["triage"] and screen.stage_name == "triage"
        assert options_of(screen, "#st-items") == ["output:discovery:incident-brief"]  # no unit yet
        assert screen.item == "output:discovery:incident-brief" and "Incident" in document_text(screen)


async def test_b_sends_the_chosen_stage_back_to_elaborate_with_a_reason(seeded):
    """Revisit from the stages browser (haiku-method orchestrator/revisit.ts: back to elaborate with
    a reason, units kept, later stages walked again): b asks why, the answer is written."""
    from screens.dialogs import TextPrompt

    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StagesScreen) and screen.stage_name == "mitigate"
        units = len(seeded.position(demo.INCIDENT).stage("mitigate").units)
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "rollback was never verified"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen  # the dialog closed once written
        pos = seeded.position(demo.INCIDENT)
        assert (pos.active.name, pos.active.phase) == ("mitigate", "elaborate")
        assert len(pos.active.units) == units  # kept
        assert pos.active.reopened == "sent back to elaborate: rollback was never verified"
        # the screen shows the new walk: mitigate is active now, resolve is paused (no longer listed)
        assert options_of(screen, "#st-stages") == ["triage", "investigate", "mitigate"]


async def test_b_on_a_stage_in_elaborate_says_why_before_asking(seeded):
    from cockpit.domain import commands as c

    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.press("j")  # resolve, the active stage (in execute: it can be sent back)
        await settle(app, pilot)
        screen = app.screen
        assert screen.stage_name == "resolve"
        seeded.run(demo.INCIDENT, c.revisit, stage="resolve", reason="already sent back once")
        screen.load()
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert app.screen is screen  # refused before a reason is typed: nothing to send back
