"""Pilot tests of running a runbook step from the runbook screen (issue 16): x → the block's dry
run → the confirmation its tier needs → output streamed into the pane → the timeline event; a
destructive step refused until its target is typed; nothing runs read-only."""

from __future__ import annotations

import pytest
from helpers import NOW, settle, until
from textual.widgets import Log

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.runbooks.index import index_library
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.run_step import RunStep
from screens.runbooks import RunbookScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    engine = Engine(Store(tmp_path / "rb.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    folder = tmp_path / "lib"
    folder.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("x")
    (folder / "aaa-steps.md").write_text(
        f"# Steps\n\n## Look\n\n```sh\necho first; echo second\n```\n\n## Wipe\n\n```sh\nrm -f {victim}\n```\n"
    )
    index_library(engine.store, [folder], clock=fixed_clock(NOW))
    return engine


async def open_step(app, pilot, block: int) -> RunStep:
    await settle(app, pilot)
    app.push_screen(RunbookScreen(demo.INCIDENT, open_name="aaa-steps"))
    await until(pilot, lambda: getattr(app.screen, "runbook", None) is not None)
    await pilot.press("x")
    await settle(app, pilot)
    await pilot.press(*["j"] * (block - 1), "enter")
    await until(pilot, lambda: isinstance(app.screen, RunStep))
    return app.screen


async def test_dry_run_then_one_key_then_output_streams_then_the_timeline_event(engine):
    app = CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(app, pilot, 1)
        shown = str(screen.query_one("#dry-run").render())
        assert "aaa-steps#1" in shown and "risk: read" in shown and "echo first; echo second" in shown
        assert screen.state == "confirming"
        # the keys named once: the read step's prompt already says enter or y
        assert str(screen.query_one("#ask").render()) == "read-only step: press enter (or y) to run it  (esc cancels)"
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.state in ("running", "done"), (screen.state, str(screen.query_one("#ask").render()), app.focused)
        await until(pilot, lambda: screen.state == "done")
        assert list(screen.query_one("#output", Log).lines) == ["first", "second"]
        event = engine.timeline(demo.INCIDENT)[-1]
        assert event["command"] == "runbook_run" and event["message"].startswith("ran aaa-steps#1 (read): exit 0")


async def test_a_destructive_step_is_refused_until_the_target_is_typed(engine, tmp_path):
    app = CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=0.2)
    victim = tmp_path / "victim"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(app, pilot, 2)
        assert screen.plan.confirmation.kind == "type"
        await pilot.press("y", "enter")  # one key is not enough
        await settle(app, pilot)
        assert screen.state == "confirming" and victim.exists()
        await pilot.press(*"nope", "enter")
        await settle(app, pilot)
        assert screen.state == "confirming" and victim.exists()
        assert "Not what was asked" in str(screen.query_one("#ask").render())
        screen.query_one("#answer").value = ""
        screen.query_one("#answer").value = str(victim)  # typed or pasted: the value is what counts
        await pilot.press("enter")
        await until(pilot, lambda: screen.state == "done")
        assert not victim.exists()


async def test_nothing_runs_read_only(engine, tmp_path):
    app = CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=0.2, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(app, pilot, 2)
        assert screen.state == "done"
        assert "read-only" in str(screen.query_one("#ask").render())
        await pilot.press("y", "enter")
        await settle(app, pilot)
        assert (tmp_path / "victim").exists()
        assert engine.timeline(demo.INCIDENT)[-1]["command"] != "runbook_run"
