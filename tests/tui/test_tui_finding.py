"""The finding in full: Enter opens it on its own screen, a wide window shows it beside the list."""

from __future__ import annotations

import pytest
from helpers import settle

from cockpit.app import demo
from screens.app import CockpitApp
from screens.dialogs import Choice
from screens.finding import FindingScreen, FindingView
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio


def app_for(engine) -> CockpitApp:
    return CockpitApp(engine, poll_seconds=3600, open_slug=demo.INCIDENT)


def shown_text(view: FindingView) -> str:
    return str(view.query_one("#finding-text").render())


async def test_enter_on_a_finding_shows_it_whole_then_its_actions(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        await pilot.press("tab", "j", "enter")  # FB-002
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FindingScreen) and screen.ref == view.selected_finding == "FB-002"
        finding = seeded.position(demo.INCIDENT).finding("FB-002").feedback
        text = shown_text(screen.query_one(FindingView))
        assert finding.body.split()[0] in text and "Fix loop" in text and "filed" in text
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice) and "FB-002" in app.screen.title_text
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)


async def test_the_finding_screen_shows_what_its_action_wrote(seeded):
    from textual.widgets import Input

    from screens.dialogs import TextPrompt

    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "j", "enter")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("enter")  # its actions
        await settle(app, pilot)
        menu = app.screen
        assert isinstance(menu, Choice)
        close = [key for key, _ in menu.choices].index("close")
        await pilot.press(*["down"] * close, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "Owner named in the rota."
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        text = shown_text(screen.query_one(FindingView))
        assert "Closed" in text and "Owner named in the rota." in text
        await pilot.press("enter")  # closed: nothing to act on, said
        await settle(app, pilot)
        assert app.screen is screen


async def test_a_wide_window_shows_the_finding_under_the_cursor_beside_the_list(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert not view.query("#finding-preview")  # not built until wanted
        await pilot.press("tab")
        await settle(app, pilot)
        preview = view.query_one("#finding-preview", FindingView)
        assert preview.display and not view.baton.display and not view.detail.display
        assert "FB-001" in shown_text(preview)
        await pilot.press("j")
        await settle(app, pilot)
        assert "FB-002" in shown_text(preview)
        await pilot.press("shift+tab")  # the units again: the unit's baton and mandate come back
        await settle(app, pilot)
        assert not preview.display and view.baton.display and view.detail.display


async def test_a_narrow_window_keeps_the_unit_beside_the_list(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        await pilot.press("tab", "j")
        await settle(app, pilot)
        assert not view.query("#finding-preview") and view.detail.display


def test_times_read_with_date_offset_and_age():
    from datetime import UTC, datetime, timedelta, timezone

    from screens.render import when

    now = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
    assert when("2026-12-06T05:04:09Z", now) == "2026-12-06 05:04 +00:00 (55 min ago)"
    kolkata = now.astimezone(timezone(timedelta(hours=5, minutes=30)))  # the clock's zone is the one shown
    assert when("2026-12-05T05:04:09Z", kolkata) == "2026-12-05 10:34 +05:30 (1 d ago)"


@pytest.mark.parametrize(("ref", "expected"), [("FB-001", "advance"), ("FB-005", "classify"), ("FB-006", "resume")])
async def test_the_finding_menu_starts_on_the_findings_next_step(seeded, ref, expected):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        view.selected_finding = ref
        view.action_finding_menu()
        await settle(app, pilot)
        menu = app.screen
        assert isinstance(menu, Choice)
        options = menu.query_one("#choices")
        assert options.highlighted_option.id == expected
