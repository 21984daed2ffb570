"""The timeline screen and the baton pane: every entry with its date, time and UTC offset (and how
long ago, by the app's clock, when there is room), hand-offs that name giver and taker."""

from __future__ import annotations

import pytest
from helpers import settle

from cockpit.app import demo
from screens.app import CockpitApp
from screens.timeline import TimelineView

pytestmark = pytest.mark.anyio


def prompts(app) -> list[str]:
    events = app.screen.query_one("#events")
    return [str(events.get_option_at_index(i).prompt) for i in range(events.option_count)]


async def test_each_entry_has_its_date_time_offset_and_how_long_ago(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineView)
        lines = prompts(app)
        # Seeded from 5 h before the fixed NOW (07:00 UTC), an event every 2 minutes.
        assert lines[0].startswith("2026-11-20 02:00 +00:00    5 h ago  oncall")
        assert all(line[:23].endswith("+00:00") for line in lines)
        reject = next(line for line in lines if "reject hat" in line)
        assert reject.split("\n")[1].strip().startswith("reviewer ↩ engineer (sent back): Regression test")
        handed = next(line for line in lines if "advance fix FB-001" in line)
        assert handed.split("\n")[1].strip().startswith("classifier → engineer: Targets truststore-at-deploy")


async def test_a_narrow_screen_keeps_the_date_and_drops_how_long_ago(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        first = prompts(app)[0]
        assert first.startswith("2026-11-20 02:00 +00:00  oncall") and "ago" not in first
        highlighted = app.screen.query_one("#events").highlighted
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        assert "5 h ago" in prompts(app)[0]
        assert app.screen.query_one("#events").highlighted == highlighted  # redrawn in place


async def test_the_baton_pane_says_who_handed_what_to_whom(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        baton = str(app.screen.query_one("#baton").render())
        lines = [line.strip() for line in baton.splitlines()]
        start = next(i for i, line in enumerate(lines) if line.startswith("engineer → reviewer"))
        assert lines[start].startswith("engineer → reviewer: refunds-worker covered")  # newest first
        assert "reviewer ↩ engineer (sent back): Regression test only covers checkout-api;" in " ".join(lines)
        assert not any(line.startswith(("→ ", "↩ ")) for line in lines)  # never a bare arrow
