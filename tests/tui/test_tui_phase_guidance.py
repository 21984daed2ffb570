"""The mandate pane shows the stage's guidance for the phase it is in after the hat's mandate
(phases/EXECUTION.md while units execute), as the engine hands it to the hat."""

from __future__ import annotations

import shutil

import pytest
from helpers import NOW, settle
from rich.markdown import Markdown
from textual.widgets import Static

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.sources.studios import bundled_studios_dir, load_catalog
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio


async def test_the_mandate_is_followed_by_the_current_phases_guidance(tmp_path):
    studios = tmp_path / "studios"
    shutil.copytree(bundled_studios_dir() / "incident-response", studios / "incident-response")
    for stage in (studios / "incident-response" / "stages").iterdir():
        (stage / "phases" / "EXECUTION.md").write_text(f"# {stage.name}\n\nGUIDE-{stage.name}: one step at a time.\n")
    engine = Engine(
        Store(tmp_path / "g.db"), load_catalog([studios], cache=False, project=None), clock=fixed_clock(NOW)
    )
    demo.seed(engine)
    app = CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, IntentView)
        unit = view.current_unit()
        assert unit is not None and unit.hat is not None and view.stage.phase == "execute"
        content = view.query_one("#mandate-text", Static).content
        assert isinstance(content, Markdown)
        hat = view.stage.stage.hat(unit.hat)
        assert content.markup.startswith(hat.body.rstrip())
        assert content.markup.endswith(
            f"## Phase guidance: execution\n\n# {view.stage.name}\n\nGUIDE-{view.stage.name}: one step at a time."
        )
