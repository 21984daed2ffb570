"""Getting to an intent from the keyboard: `n` on the list starts one (studio, title), `:` jumps to
one by slug or title from the list or from any intent screen."""

from __future__ import annotations

import pytest
from helpers import settle
from textual.widgets import Input, OptionList, Static

from cockpit.app import demo
from screens.app import CockpitApp
from screens.intent_list import IntentList
from screens.intent_view import IntentView
from screens.open_intent import JumpTo, NewIntent, matches
from screens.stages import StagesScreen

pytestmark = pytest.mark.anyio


def list_app(engine, **kwargs) -> CockpitApp:
    return CockpitApp(engine, poll_seconds=3600, **kwargs)


def slugs(engine) -> set[str]:
    return {o.intent.slug for o in engine.overviews()}


async def test_n_creates_an_intent_in_the_studio_picked_and_opens_it(seeded):
    app = list_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, NewIntent)
        studios = [o.id for o in dialog.query_one("#studios", OptionList).options]
        assert studios == sorted(seeded.catalog.studios)  # every loaded studio, by name
        await pilot.press(*["down"] * studios.index("software"), "enter")  # enter: on to the title
        assert dialog.focused is dialog.query_one("#title", Input)
        await pilot.press(*"Rotate the orders DB password", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView) and app.screen.slug == "rotate-the-orders-db-password"
        created = seeded.position("rotate-the-orders-db-password")
        assert created.studio.name == "software" and created.facts.intent.title == "Rotate the orders DB password"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentList)


async def test_a_title_the_domain_refuses_is_said_in_the_dialog_and_kept(seeded):
    app = list_app(seeded)
    before = slugs(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        dialog = app.screen
        long_title = "x" * 121  # over the domain's MAX_TITLE
        dialog.query_one("#title", Input).value = long_title
        dialog.query_one("#title", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog
        said = str(dialog.query_one("#dialog-status", Static).render())
        assert "Not saved" in said and "at most 120 characters" in said
        assert dialog.query_one("#title", Input).value == long_title  # nothing typed is lost
        dialog.query_one("#title", Input).value = ""
        await pilot.press("enter")  # empty: the domain's rule too
        await settle(app, pilot)
        assert app.screen is dialog and "title" in str(dialog.query_one("#dialog-status", Static).render())
    assert slugs(seeded) == before


async def test_n_creates_nothing_in_read_only_mode(seeded):
    app = list_app(seeded, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentList)


def test_matching_takes_every_word_and_puts_the_slug_typed_first(seeded):
    intents = seeded.overviews()
    assert [o.intent.slug for o in matches(intents, "")] == [o.intent.slug for o in intents]
    assert [o.intent.slug for o in matches(intents, "CERT checkout")] == [demo.INCIDENT]  # any case, any order
    assert [o.intent.slug for o in matches(intents, "pool")] == [demo.OPERATIONS]  # in the slug or title
    assert matches(intents, "cert nothing-like-this") == []
    seeded.create_intent(studio="software", title="Orders api pool limits follow-up", slug="orders-api")
    ranked = [o.intent.slug for o in matches(seeded.overviews(), "orders-api")]
    assert ranked[0] == "orders-api" and ranked[1] == demo.OPERATIONS  # whole slug, then a slug prefix


async def test_colon_on_the_list_jumps_to_the_intent_typed(seeded):
    app = list_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon")
        await settle(app, pilot)
        assert isinstance(app.screen, JumpTo)
        await pilot.press(*"pool", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView) and app.screen.slug == demo.OPERATIONS


async def test_colon_from_an_intent_screen_jumps_with_the_list_underneath(seeded):
    app = list_app(seeded, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")  # from deeper in: the stages browser
        await settle(app, pilot)
        assert isinstance(app.screen, StagesScreen)
        await pilot.press("colon")
        await settle(app, pilot)
        await pilot.press(*"orders", "down", "up", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView) and app.screen.slug == demo.OPERATIONS
        assert [type(s) for s in app.screen_stack[-2:]] == [IntentList, IntentView]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentList)


async def test_colon_is_text_in_a_dialog_and_no_match_opens_nothing(seeded):
    app = list_app(seeded, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon")
        await settle(app, pilot)
        jump = app.screen
        await pilot.press("colon")  # typed into the box, not a second dialog
        await settle(app, pilot)
        assert app.screen is jump and jump.query_one("#jump", Input).value == ":"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is jump  # nothing matches ":": nothing opens
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView) and app.screen.slug == demo.INCIDENT


async def test_jump_is_in_the_intent_screens_palette(seeded):
    app = list_app(seeded, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        commands = {cmd.title: cmd for cmd in app.get_system_commands(app.screen)}
        commands["Jump to intent"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, JumpTo)
