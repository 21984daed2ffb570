"""A run's redacted output is readable from the timeline (issue 16): Enter on a `runbook_run` event
opens what ran (command, tier, folder, host, user), how it ended (exit status, duration) and the
output as kept, head and tail with the line saying what was left out, in a scrolling view."""

from __future__ import annotations

import pytest
from helpers import settle

from cockpit.app import demo
from cockpit.domain.commands.runs import record_run
from screens.app import CockpitApp
from screens.document import DocumentView
from screens.run_output import RunOutputScreen
from screens.timeline import TimelineView

pytestmark = pytest.mark.anyio

KEY = "AKIAPS90VTSLOZUDCF0V"  # an AWS key id: the redaction must have taken it out
LEFT_OUT = "… 901,234 bytes left out (kept: the first 131,072 and the last 131,072) …"


def record(engine) -> int:
    head = [f"head line {i}" for i in range(60)]
    tail = [f"tail line {i}" for i in range(60)]
    output = "\n".join([f"aws_access_key_id = {KEY}", *head, LEFT_OUT, *tail]) + "\n"
    row = {
        "runbook": "orders",
        "block": 2,
        "command": "kubectl -n shop logs deploy/orders --tail=2000",
        "risk": "read",
        "cwd": "/srv/ops",
        "host": "oncall-laptop",
        "user": "sam",
        "started_at": "2026-11-20T06:40:00Z",
        "finished_at": "2026-11-20T06:40:03Z",
        "outcome": "exited",
        "exit_code": 3,
        "duration_ms": 2500,
        "output": output,
        "output_bytes": 1_163_378,
        "truncated": True,
    }
    done = engine.run(demo.INCIDENT, record_run, run=row)
    assert done.event_id is not None
    return done.event_id


def shown(view: DocumentView) -> list[str]:
    assert view.rendered is not None
    return [strip.text.rstrip() for strip in view.rendered.lines]


async def test_enter_on_a_run_event_opens_its_facts_and_redacted_output(seeded):
    event_id = record(seeded)
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineView)
        assert app.screen.highlighted().id == event_id  # the newest event, where the cursor starts
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunOutputScreen) and screen.event_id == event_id
        view = screen.query_one(DocumentView)
        lines = shown(view)
        text = "\n".join(lines)
        for fact in (
            "command kubectl -n shop logs deploy/orders --tail=2000",
            "tier read",
            "cwd /srv/ops",
            "host oncall-laptop",
            "user sam",
            "ended exit 3",
            "duration 2.5 s",
            "output 1,163,378 bytes: the head and the tail are kept",
        ):
            assert fact in text, text[:900]
        assert any("head line 0" in line for line in lines) and any("tail line 59" in line for line in lines)
        assert any("… 901,234 bytes left out" in line for line in lines)  # the marker, wrapped at 80 columns
        assert KEY not in text and "aws_access_key_id" in text  # stored redacted, shown as stored
        # Longer than the screen: it scrolls to the tail.
        assert view.virtual_size.height > view.size.height
        await pilot.press("end")
        await pilot.pause()
        assert view.scroll_y > 0
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineView)


async def test_enter_on_another_event_opens_nothing(seeded):
    record(seeded)
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press("k", "enter")  # the event before the run
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineView)
