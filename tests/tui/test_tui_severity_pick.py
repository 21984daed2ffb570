"""The severity picked is the severity stored (issue 13): request changes (X) filed its finding
unclassified whatever the dialog said, and the classify picker started on `blocker` whatever the
finding's severity was."""

from __future__ import annotations

import pytest
from helpers import NOW, gate_with_blockers, settle
from textual.widgets import Input, OptionList, Select

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.severity import SEVERITIES
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.dialogs import Choice, FeedbackForm

pytestmark = pytest.mark.anyio


async def test_request_changes_files_the_finding_with_the_severity_picked(catalog, tmp_path):
    engine = Engine(Store(tmp_path / "tui.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    slug = gate_with_blockers(engine, 0)
    app = CockpitApp(engine, poll_seconds=3600, open_slug=slug)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("X", *"Canary skipped the EU region")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FeedbackForm) and form.query_one("#title", Input).value
        form.query_one("#severity", Select).value = "high"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    [filed] = [f for f in engine.position(slug).open_findings if f.feedback.title == "Canary skipped the EU region"]
    assert filed.feedback.severity == "high"


@pytest.mark.parametrize(("ref_of", "start"), [("high", "high"), ("unset", SEVERITIES[0])])
async def test_the_classify_picker_starts_on_the_current_severity(seeded, ref_of, start):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        finding = next(f for f in view.position.open_findings if (f.feedback.severity or "unset") == ref_of)
        view._finding_action(finding, "classify")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, Choice)
        options = picker.query_one(OptionList)
        assert options.highlighted_option is not None and options.highlighted_option.id == start
