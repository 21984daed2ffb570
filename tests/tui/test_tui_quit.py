"""Ctrl+C quits, as at any shell, asking first while a dialog holds unsaved text; in read-only mode
a write key says "read-only", naming its action, instead of doing nothing (issue 13)."""

from __future__ import annotations

import pytest
from helpers import settle
from textual.widgets import TextArea

from cockpit.app import demo
from screens.app import CockpitApp
from screens.dialogs import BodyEditor, Choice, _Modal
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio


async def test_ctrl_c_quits_the_intent_screen(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app._exit and app.return_code == 0
        assert not any("to quit" in n.message for n in app._notifications)


async def test_ctrl_c_in_an_editor_with_changes_asks_and_continue_keeps_them(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e", *"half a sentence")
        editor = app.screen
        assert isinstance(editor, BodyEditor)
        typed = editor.query_one("#editor", TextArea).text
        await pilot.press("ctrl+c")  # the text area's own ctrl+c (copy) does not take it
        await settle(app, pilot)
        assert isinstance(app.screen, Choice) and not app._exit
        await pilot.press("c")  # continue
        await settle(app, pilot)
        assert app.screen is editor and editor.query_one("#editor", TextArea).text == typed
        await pilot.press("ctrl+c")
        await settle(app, pilot)
        await pilot.press("ctrl+c")  # on the question: quit
        await pilot.pause()
        assert app._exit


async def test_ctrl_c_with_a_typed_hand_off_message_asks_and_q_quits(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"handing on", "ctrl+c")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice)
        await pilot.press("q")
        await pilot.pause()
        assert app._exit


async def test_ctrl_c_in_an_unchanged_dialog_quits_at_once(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, _Modal)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app._exit


@pytest.mark.parametrize(("key", "action"), [("a", "Advance hat"), ("f", "File finding"), ("e", "Edit unit")])
async def test_a_write_key_in_read_only_mode_says_read_only_naming_the_action(seeded, key, action):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
        [said] = [n for n in app._notifications if n.title == "Read-only"]
        assert said.message.startswith(f"Read-only: {action}: not possible") and "--read-only" in said.message


async def test_a_read_key_in_read_only_mode_says_nothing(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "t")  # move, then the timeline: reading is allowed
        await settle(app, pilot)
        assert [n for n in app._notifications if n.title == "Read-only"] == []
