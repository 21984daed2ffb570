"""The intent screen's markdown panes: on the first show (rich's Markdown not imported yet) they
are filled after the frame with the data, and only the latest text asked for a pane is shown."""

from __future__ import annotations

import pytest
from helpers import settle
from rich.markdown import Markdown
from textual.widgets import Static

from cockpit.app import demo
from screens import render
from screens.app import CockpitApp
from screens.intent_view import IntentView
from screens.widgets.mandate import MarkdownText

pytestmark = pytest.mark.anyio


def _markup(widget: Static) -> str | None:
    content = widget.content
    return content.markup if isinstance(content, Markdown) else None


async def test_first_show_fills_the_markdown_panes_after_the_data(seeded, monkeypatch):
    monkeypatch.setattr(render, "markdown_loaded", lambda: False)  # as in a fresh process
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, IntentView)
        unit = view.current_unit()
        assert unit is not None and unit.hat is not None
        hat = view.stage.stage.hat(unit.hat)
        assert _markup(view.query_one("#mandate-text", Static)) == hat.body
        assert "Runbooks for this intent" in (_markup(view.query_one("#outputs-text", Static)) or "")


async def test_only_the_latest_markdown_asked_for_a_pane_is_shown(seeded, monkeypatch):
    app = CockpitApp(seeded, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, IntentView)
        mandate = view.query_one("#mandate-text", MarkdownText)
        monkeypatch.setattr(render, "markdown_loaded", lambda: False)
        mandate.show_markdown("# first")
        mandate.show_markdown("# second")
        await pilot.pause()
        await pilot.pause()
        assert _markup(mandate) == "# second"
