"""The body editor (issue 13): esc with changes asks first (keep editing or discard), and
ctrl+end reaches the end of the whole text, not of the wrapped line (an edit meant for the end of
a body landed at its top)."""

from __future__ import annotations

import pytest
from helpers import settle
from textual.widgets import Input, TextArea

from cockpit.app import demo
from screens.app import CockpitApp
from screens.dialogs import BodyEditor, Choice, FeedbackForm
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio

UNIT = "truststore-at-deploy"


async def open_editor(app: CockpitApp, pilot) -> BodyEditor:
    await settle(app, pilot)
    await pilot.press("e")
    await settle(app, pilot)
    editor = app.screen
    assert isinstance(editor, BodyEditor)
    return editor


async def test_esc_with_changes_asks_and_keep_editing_keeps_the_text(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        area = editor.query_one("#editor", TextArea)
        await pilot.press(*"Added at 03:12. ")
        changed = area.text
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice)
        await pilot.press("e")  # keep editing
        await settle(app, pilot)
        assert app.screen is editor and area.text == changed


async def test_esc_with_changes_then_discard_closes_and_writes_nothing(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    before = seeded.store.last_event_id()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_editor(app, pilot)
        await pilot.press(*"scratch", "escape")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
    assert seeded.store.last_event_id() == before


async def test_esc_without_changes_closes_at_once(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_editor(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)


async def test_ctrl_end_reaches_the_end_of_the_body_and_the_edit_lands_there(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    body = seeded.position(demo.INCIDENT).active.unit(UNIT).unit.body
    assert body.count("\n") > 5  # a body of many lines, some wrapped at 80 columns
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        area = editor.query_one("#editor", TextArea)
        assert area.cursor_location == (0, 0)
        await pilot.press("ctrl+end")
        assert area.cursor_location == area.document.end
        await pilot.press(*"Verified at 03:40.", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("ctrl+home")
    assert seeded.position(demo.INCIDENT).active.unit(UNIT).unit.body == body + "Verified at 03:40."


async def test_the_finding_form_with_a_title_typed_asks_before_esc_loses_it(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f", *"No rollback", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice)
        await pilot.press("escape")  # esc on the question: keep editing
        await settle(app, pilot)
        assert isinstance(app.screen, FeedbackForm)
        assert app.screen.query_one("#title", Input).value == "No rollback"


async def test_the_editor_still_opens_on_the_line_it_is_asked_for(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(BodyEditor(UNIT, "one\ntwo\nthree\n", line=3))
        await settle(app, pilot)
        assert app.screen.query_one("#editor", TextArea).cursor_location == (2, 0)
        await pilot.press("escape")  # nothing changed: no question
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
