"""The cockpit screen on a H·AI·K·U project (issue 15, `cockpit --haiku PATH`): a unit file edited
on disk (an agent advancing its hat, a teammate's git pull) shows on the open intent within two seconds, and the
header says where the intent lives. The fixture is tests/fixtures/haiku/project's search-latency
(v4 form, after gigsmart/haiku-method packages/haiku/src/orchestrator/workflow/cursor.ts)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from helpers import NOW, settle, until

from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.store.database import Store
from screens.app import CockpitApp

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "haiku" / "project"
SLUG = "search-latency"
UNIT = ".haiku/intents/search-latency/stages/design/units/unit-002-empty-state.md"


def linked_app(catalog, tmp_path: Path, **kwargs) -> tuple[CockpitApp, Path]:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / ".haiku" / "intents" / SLUG, project / ".haiku" / "intents" / SLUG)
    engine = Engine(Store(tmp_path / "t.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    engine.import_haiku(project)  # imported before: this start re-imports it unchanged
    app = CockpitApp(engine, poll_seconds=3600, open_slug=SLUG, haiku=[str(project)], **kwargs)
    return app, project


def unit_rows(app) -> list[str]:
    options = app.screen.units.options
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_a_unit_edited_on_disk_shows_within_two_seconds(catalog, tmp_path):
    app, project = linked_app(catalog, tmp_path, haiku_poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.backend.projects_open)
        await settle(app, pilot)
        assert "▶ unit-002-empty-state · designer · b2" in unit_rows(app)
        unit = project / UNIT
        held = "  - {hat: designer, started_at: '2026-05-05T12:20:00Z', completed_at: null, result: null}\n"
        handed = (
            "  - {hat: designer, started_at: '2026-05-05T12:20:00Z', completed_at: '2026-05-05T12:40:00Z', result: advance}\n"
            "  - {hat: design-reviewer, started_at: '2026-05-05T12:40:00Z', completed_at: null, result: null}\n"
        )
        unit.write_text(unit.read_text().replace(held, handed))  # an agent advanced the hat
        started = time.monotonic()
        await until(pilot, lambda: "▶ unit-002-empty-state · design-reviewer · b2" in unit_rows(app), seconds=2)
        assert time.monotonic() - started < 2


async def test_a_write_from_the_screen_lands_in_the_file_and_sets_off_no_reimport(catalog, tmp_path):
    from cockpit.domain import commands as c
    from cockpit.domain.call import call

    app, project = linked_app(catalog, tmp_path, haiku_poll_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.backend.projects_open)
        await settle(app, pilot)
        imports: list[object] = []
        real = app.backend.engine.import_haiku
        app.backend.engine.import_haiku = lambda *a, **k: imports.append(a) or real(*a, **k)  # type: ignore[method-assign]
        app.write(SLUG, call(c.edit_unit, unit="unit-002-empty-state", body="Written from the screen.\n"))
        await until(pilot, lambda: (project / UNIT).read_text().endswith("Written from the screen.\n"))
        await pilot.pause(0.3)  # several looks at the files
        assert imports == []


async def test_the_header_says_where_the_intent_lives(catalog, tmp_path, monkeypatch):
    from screens.widgets.header import IntentHeader

    monkeypatch.setenv("HOME", str(tmp_path))
    app, _project = linked_app(catalog, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.query_one(IntentHeader).location is not None)
        lines = app.screen.query_one(IntentHeader).render().plain.splitlines()
        assert lines[1] == "not in git · ~/project"
