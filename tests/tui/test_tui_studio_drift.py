"""The intent screen's header warns, in one line of 80 columns, when the studio's files no longer
match the definition the intent walks by, and names the command that moves it (issue 14)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import NOW, settle

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from screens.app import CockpitApp

pytestmark = pytest.mark.anyio


def changed_on_disk(seeded: Engine) -> Engine:
    """The same database, with the incident studio's files changed since the demo was seeded."""
    studio = seeded.catalog.get("incident-response")
    triage = replace(studio.stages[0], gate=("ask",))
    edited = replace(studio, stages=(triage, *studio.stages[1:]), digest="sha256:" + "e" * 64)
    catalog = replace(seeded.catalog, studios={**seeded.catalog.studios, studio.name: edited})
    return Engine(seeded.store, catalog, clock=fixed_clock(NOW), actor="oncall")


async def test_the_header_warns_when_the_studio_changed_on_disk(seeded):
    from screens.widgets.header import IntentHeader

    app = CockpitApp(changed_on_disk(seeded), poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        header = app.screen.query_one(IntentHeader)
        lines = header.render().plain.splitlines()
        assert len(lines) == 2 and header.size.height == 2
        assert lines[1] == f"⚠ studio changed on disk — cockpit studio upgrade {demo.INCIDENT}"
        assert all(len(line) <= 78 for line in lines)  # 80 columns less the header's padding
        # The walk is the pinned one: triage passed its auto gate, whatever the files say now.
        assert app.screen.position.stage("triage").status == "complete"


async def test_no_warning_while_the_files_match(seeded):
    from screens.widgets.header import IntentHeader

    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        header = app.screen.query_one(IntentHeader)
        assert header.drift is None and len(header.render().plain.splitlines()) == 1
        assert header.size.height == 1
