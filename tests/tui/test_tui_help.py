"""Help and the palette list every action once, with the keys people type (issue 13: help left out
space and q and showed `left_square_bracket`; the palette listed Quit twice and had no tick)."""

from __future__ import annotations

from collections import Counter

import pytest
from helpers import settle

from cockpit.app import demo
from screens.app import CockpitApp
from screens.dialogs import HelpScreen

pytestmark = pytest.mark.anyio

RAW = ("question_mark", "left_square_bracket", "right_square_bracket", "colon", "slash", "escape", "^")


async def help_rows(app: CockpitApp, pilot) -> dict[str, str]:
    await pilot.press("question_mark")
    await settle(app, pilot)
    assert isinstance(app.screen, HelpScreen)
    rows = app.screen.rows
    await pilot.press("escape")
    await settle(app, pilot)
    described = Counter(description for _, description in rows)
    assert [d for d, n in described.items() if n > 1] == []  # each action once
    assert not [keys for keys, _ in rows if any(raw in keys for raw in RAW)], rows
    return {description: keys for keys, description in rows}


async def test_help_on_the_intent_screen_names_every_key_once(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        rows = await help_rows(app, pilot)
    assert rows["Tick item"] == "space"
    assert rows["Quit"] == "q, ctrl+c, ctrl+q"
    assert rows["Down"] == "j, ↓" and rows["First"] == "g, home"  # the vim key and the arrow: one row
    assert rows["Help"] == "?" and rows["Filter"] == "/" and rows["Back"] == "esc"


async def test_help_on_the_runbook_screen_shows_brackets_as_typed(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        rows = await help_rows(app, pilot)
    assert "[" in rows.values() and "]" in rows.values()


async def test_the_palette_lists_every_action_once_with_tick_and_one_quit(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        titles = Counter(command.title for command in app.get_system_commands(app.screen))
    assert [t for t, n in titles.items() if n > 1] == []
    assert {"Tick item", "Quit", "Advance hat", "Next action", "Theme"} <= set(titles)
