"""The timeline as the record, on screen (issue 16): `*` stars the highlighted event, `N` adds a
note (on the timeline and on the intent screen), `f` shows one kind, and the intent screen says
once what others did since the engineer's last action."""

from __future__ import annotations

import pytest
from helpers import NOW, settle
from textual.widgets import Input

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.app.timeline import add_note
from cockpit.clock import fixed_clock
from cockpit.domain.record import starred
from screens.app import CockpitApp
from screens.timeline import TimelineView

pytestmark = pytest.mark.anyio


def prompts(app) -> list[str]:
    events = app.screen.query_one("#events")
    return [str(events.get_option_at_index(i).prompt) for i in range(events.option_count)]


async def open_timeline(app, pilot) -> None:
    await settle(app, pilot)
    await pilot.press("t")
    await settle(app, pilot)
    assert isinstance(app.screen, TimelineView)


async def test_star_marks_the_highlighted_event_and_records_who_starred_it(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_timeline(app, pilot)
        await pilot.press("g")  # the first event: the intent opened
        first = app.screen.highlighted()
        await pilot.press("asterisk")
        await settle(app, pilot)
        assert first.id in starred(seeded.timeline(demo.INCIDENT))
        last = seeded.timeline(demo.INCIDENT)[-1]
        assert (last["command"], last["actor"], last["data"]) == ("star", "oncall", {"event": first.id})
        assert app.screen.highlighted().id == first.id  # the cursor stays on it
        assert "* starred" in prompts(app)[0]
        await pilot.press("asterisk")  # again: the star comes off
        await settle(app, pilot)
        assert first.id not in starred(seeded.timeline(demo.INCIDENT))
        assert "* starred" not in prompts(app)[0]


async def test_a_note_typed_on_the_timeline_is_stored_redacted_and_shown(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_timeline(app, pilot)
        await pilot.press("N")
        await pilot.pause()
        app.screen.query_one(Input).value = "02:14 paged the database on-call token=Zq8vLr2Kx9Tt4WmQ"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineView)
        last = seeded.timeline(demo.INCIDENT)[-1]
        assert last["command"] == "note" and last["data"] == {"happened_at": "2026-11-20T02:14:00Z"}
        assert "Zq8vLr2Kx9Tt4WmQ" not in last["message"]
        shown = prompts(app)[-1]
        # the time once, beside the words (it said "[02:14 +00:00] 02:14 paged…")
        assert "note" in shown and "[02:14 +00:00] paged the database on-call" in shown
        assert "Zq8vLr2Kx9Tt4WmQ" not in shown


async def test_the_filter_shows_one_kind_or_the_starred(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_timeline(app, pilot)
        everything = len(prompts(app))
        await pilot.press("f")
        await pilot.pause()
        choices = app.screen.query_one("#choices")
        ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        assert ids[:2] == ["all", "starred"] and "finding" in ids and "hat" in ids
        choices.highlighted = ids.index("finding")
        await pilot.press("enter")
        await settle(app, pilot)
        findings = prompts(app)
        assert 0 < len(findings) < everything
        assert all(any(w in p for w in ("feedback", "fix")) for p in findings)
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#choices").highlighted = 1  # starred: the demo stars three events
        await pilot.press("enter")
        await settle(app, pilot)
        starred_now = prompts(app)
        assert len(starred_now) == 3 and all("* starred" in p for p in starred_now)


async def test_n_on_the_intent_screen_adds_a_note(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("N")
        await pilot.pause()
        app.screen.query_one(Input).value = "status page updated"
        await pilot.press("enter")
        await settle(app, pilot)
        last = seeded.timeline(demo.INCIDENT)[-1]
        assert (last["command"], last["message"]) == ("note", "status page updated")


async def test_reopening_an_intent_says_what_others_did_since_once(seeded):
    priya = Engine(seeded.store, seeded.catalog, clock=fixed_clock(NOW), actor="priya")
    add_note(priya, demo.INCIDENT, "took over as incident commander")
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        said = [n.message for n in app._notifications if n.title == "Since you left"]
        assert said == ["Since your last action 2 h ago: priya 1 note."]
        app.screen.load()  # a reload (a poll, a write) says nothing again
        await settle(app, pilot)
        assert len([n for n in app._notifications if n.title == "Since you left"]) == 1
