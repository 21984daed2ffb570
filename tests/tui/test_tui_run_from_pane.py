"""`x` on the intent screen runs a code block of a runbook its runbook pane (m) lists (issue 16):
the runbook first when the pane lists several, then its blocks numbered with their tier, as on the
runbook screen, then the same RunStep dialog: the dry run, the confirmation, the timeline event."""

from __future__ import annotations

import pytest
from helpers import NOW, settle, until

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.runbooks.index import index_library
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.dialogs import Choice
from screens.intent_view import IntentView
from screens.run_step import RunStep

pytestmark = pytest.mark.anyio


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    """Two runbooks the demo incident's title matches strongly, so its runbook pane lists both."""
    engine = Engine(Store(tmp_path / "rb.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "cert-checks.md").write_text(
        "# Checkout 5xx after certificate rotation: checks\n\n## Look\n\n```sh\necho looked\n```\n\n"
        "## Mark\n\n```sh\ntouch marked\n```\n"
    )
    (folder / "cert-rollback.md").write_text(
        "# Checkout 5xx after certificate rotation: rollback\n\n```sh\necho rolled\n```\n"
    )
    index_library(engine.store, [folder], clock=fixed_clock(NOW))
    return engine


def labels(app) -> list[str]:
    options = app.screen.query_one("#choices")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_x_in_the_runbook_pane_runs_a_block_through_the_dry_run(engine):
    app = CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
        await pilot.press("m")  # the runbook pane, which lists both runbooks
        await settle(app, pilot)
        assert {r.name for r in app.screen.runbooks} == {"cert-checks", "cert-rollback"}
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice) and app.screen.title_text == "Run a block of which runbook"
        names = [key for key, _ in app.screen.choices]
        await pilot.press(*["j"] * names.index("cert-checks"), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice) and app.screen.title_text == "Run a block of cert-checks"
        assert labels(app) == ["1 · read · Look: echo looked", "2 · write · Mark: touch marked"]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunStep))
        screen = app.screen
        assert "cert-checks#1" in str(screen.query_one("#dry-run").render()) and screen.state == "confirming"
        await pilot.press("y")
        await until(pilot, lambda: screen.state == "done")
        event = engine.timeline(demo.INCIDENT)[-1]
        assert event["command"] == "runbook_run" and event["message"].startswith("ran cert-checks#1 (read): exit 0")


async def test_x_with_no_runbook_in_the_pane_says_so(seeded):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.screen.runbooks == []  # no library indexed: the pane lists none
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
