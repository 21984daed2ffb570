"""The baton pane says what holds the unit in hand as the engine would (issue 14): unchecked
completion criteria on its last hat, and its last bolt before a human decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import T0, new_incident, settle, to_execute

from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.domain.walk import MAX_UNIT_BOLTS
from screens.app import CockpitApp

pytestmark = pytest.mark.anyio


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    from cockpit.store.database import Store

    return Engine(Store(tmp_path / "holds.db"), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="me")


async def baton_text(engine) -> str:
    app = CockpitApp(engine, open_slug="inc", poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        return " ".join(line.strip() for line in str(app.screen.query_one("#baton").render()).splitlines())


async def test_the_baton_pane_names_the_unchecked_criteria(engine):
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.edit_unit, unit="roll", body="- [ ] error rate under 1%\n- [x] canary drained\n")
    for _ in range(3):
        engine.run(slug, c.advance_hat, unit="roll", message="on")
    text = await baton_text(engine)
    assert '1 completion criterion unchecked in roll: "error rate under 1%": tick them' in text


async def test_the_baton_pane_marks_the_last_bolt(engine):
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.advance_hat, unit="roll")
    for i in range(MAX_UNIT_BOLTS - 1):
        engine.run(slug, c.advance_hat, unit="roll", message="on")
        engine.run(slug, c.reject_hat, unit="roll", message=f"no {i}")
    assert "bolt 5 is its last of 5: a reject is refused, a human decides" in await baton_text(engine)


async def test_the_app_refuses_to_end_elaborate_without_the_required_discovery(engine, tmp_path):
    """The app's commands go through the engine, which looks in its project for the required
    discovery (orchestrator.ts validateDiscoveryArtifacts): `d` is refused, naming the file, and
    the stage stays in elaborate."""
    slug = new_incident(engine, upto="mitigate")
    engine.run(slug, c.add_unit, title="Roll back", unit="roll")
    engine.project = tmp_path
    app = CockpitApp(engine, open_slug="inc", poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        said = " ".join(str(n.message) for n in app._notifications)
    assert f"mitigation-log (expected at {tmp_path}/.haiku/intents/inc/knowledge/MITIGATION-LOG.md)" in said
    assert engine.position(slug).active.phase == "elaborate"


async def test_next_on_unchecked_criteria_opens_the_units_body(engine):
    """`n` when the next step is ticking completion criteria opens the editor on that unit's body,
    where the `- [ ]` boxes are."""
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    engine.run(slug, c.edit_unit, unit="roll", body="- [ ] error rate under 1%\n")
    for _ in range(3):
        engine.run(slug, c.advance_hat, unit="roll", message="on")
    assert engine.position(slug).next.kind == "tick_criteria"
    app = CockpitApp(engine, open_slug="inc", poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        editor = app.screen.query_one("TextArea")
        assert "- [ ] error rate under 1%" in editor.text
