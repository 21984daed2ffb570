"""What every snapshot test builds on: the fixed clock, the two sizes, the app on a copied demo
database, and a run_before that waits for data, presses keys and freezes what moves."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import workers_done
from textual.widgets import Input

from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store
from screens.app import CockpitApp

NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
SIZES = [(80, 24), (160, 48)]


def make_app(db, open_slug: str | None = None, **kwargs) -> CockpitApp:
    engine = Engine(Store(db), load_catalog(), clock=fixed_clock(NOW), actor="oncall")
    return CockpitApp(engine, poll_seconds=3600, open_slug=open_slug, **kwargs)


def settle_then(*keys: str, text: str | None = None):
    """run_before: wait for data, press keys, wait again, then freeze what moves (toasts, cursors).
    `text`: then put it in the focused field as if typed (typing it key by key, with a wait after
    each, cost seconds a snapshot)."""

    async def run(pilot) -> None:
        app = pilot.app
        for _ in range(2):
            await workers_done(app)
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            await workers_done(app)
        if text is not None:
            field = app.focused
            if isinstance(field, Input):
                field.value = text
                field.cursor_position = len(text)
            else:
                field.insert(text)  # a TextArea: typed at its cursor
            await pilot.pause()
            await workers_done(app)
        await pilot.pause()
        for screen in app.screen_stack:
            for box in screen.query(Input):
                box.cursor_blink = False
        app.clear_notifications()
        await pilot.pause()

    return run
