"""Pilot tests of the checks view: pass/fail per unit, the failing line marked in the body, fix in place."""

from __future__ import annotations

import pytest
from helpers import NOW, STAGE_BODIES, new_incident, settle, to_execute

from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.checks import ChecksScreen
from screens.dialogs import BodyEditor
from screens.document import DocumentView

pytestmark = pytest.mark.anyio
TODO_LINE = "TODO: confirm the rollback threshold with the payments team"


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    """A resolve stage with two units: `good` passes every check, `bad` has a TODO on line 3."""
    engine = Engine(Store(tmp_path / "ck.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("good", ()), ("bad", ())])
    lines = STAGE_BODIES["resolve"].splitlines()
    bad = "\n".join([*lines[:2], TODO_LINE, *lines[2:]])
    from cockpit.domain import commands as c

    engine.run(slug, c.edit_unit, unit="bad", body=bad)
    return engine


async def open_checks(app, pilot) -> ChecksScreen:
    await settle(app, pilot)
    await pilot.press("c")
    await settle(app, pilot)
    assert isinstance(app.screen, ChecksScreen)
    return app.screen


def row_ids(screen: ChecksScreen, enabled_only: bool = True) -> list[str]:
    options = screen.query_one("#ck-list")
    rows = [options.get_option_at_index(i) for i in range(options.option_count)]
    return [r.id for r in rows if not (enabled_only and r.disabled)]


def marked_rows(view: DocumentView) -> list[int]:
    """Rendered rows whose gutter carries the ▶ failure mark."""
    return [i for i, strip in enumerate(view.rendered.lines) if "▶" in strip.text[:10]]


async def test_c_lists_results_per_unit_and_marks_the_failing_line(engine):
    app = CockpitApp(engine, open_slug="inc", poll_seconds=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_checks(app, pilot)
        failing = [s for s in row_ids(screen) if screen._result(s)[1].failed]
        bad_index = next(i for i, r in enumerate(screen.reports) if r.slug == "bad")
        assert failing == [f"{bad_index}:body.placeholders"]  # `good` passes everything
        assert screen._shown == ("bad", "body.placeholders")  # the first failure is shown at once
        view = screen.query_one(DocumentView)
        row = view.rendered.heading_rows[3]
        assert marked_rows(view) == [row] and TODO_LINE[:20] in view.rendered.lines[row].text
        title = str(screen.query_one("#ck-title").render())
        assert "line 3" in title and "TODO" in title


async def test_f_shows_failures_only_and_back_again(engine):
    app = CockpitApp(engine, open_slug="inc", poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(app, pilot)
        everything = row_ids(screen)
        await pilot.press("f")
        only = row_ids(screen)
        assert len(only) == 1 < len(everything) and screen._result(only[0])[1].failed
        await pilot.press("f")
        assert row_ids(screen) == everything


async def test_selecting_a_passing_check_marks_no_line(engine):
    app = CockpitApp(engine, open_slug="inc", poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(app, pilot)
        await pilot.press("j")  # the next row: a passing check of the same unit
        _report, result = screen._result(screen.query_one("#ck-list").highlighted_option.id)
        assert result.status == "pass" and marked_rows(screen.query_one(DocumentView)) == []


async def test_e_edits_at_the_failing_line_and_the_check_turns_green(engine):
    app = CockpitApp(engine, open_slug="inc", poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, BodyEditor)
        area = editor.query_one("#editor")
        assert area.cursor_location == (2, 0)  # line 3, where the TODO is
        area.text = STAGE_BODIES["resolve"]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert all(not r.failed for report in screen.reports for r in report.results)
        assert engine.position("inc").stage("resolve").unit("bad").unit.body == STAGE_BODIES["resolve"]


async def test_read_only_refuses_edit_and_shows_it_struck(engine):
    app = CockpitApp(engine, open_slug="inc", poll_seconds=0.2, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen  # no editor opened
        line = screen.query_one("KeyBar").line()
        struck = [line.plain[s.start : s.end] for s in line.spans if "strike" in str(s.style)]
        assert struck == [" Edit unit "]


async def test_esc_returns_to_the_intent(engine):
    from screens.intent_view import IntentView

    app = CockpitApp(engine, open_slug="inc", poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checks(app, pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, IntentView)


def test_render_source_wraps_long_lines_and_keeps_each_lines_first_row():
    from screens.document import render_source

    text = "short\n" + "word " * 40 + "\nlast"
    rendered = render_source(text, 40, {2: "reverse"})
    rows = rendered.heading_rows
    assert rows[1] == 0 and rows[2] == 1 and rows[3] > 2  # line 2 wrapped over several rows
    assert all(strip.cell_length == 40 for strip in rendered.lines)
    assert "▶" in rendered.lines[1].text and "▶" not in rendered.lines[2].text  # marked once, on its first row
    assert rendered.lines[rows[3]].text.split() == ["3", "last"]


async def test_no_color_terminals_can_open_the_checks_view(engine, monkeypatch):
    """Regression: under NO_COLOR, Textual's monochrome filter failed on unstyled blank lines."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = CockpitApp(engine, open_slug="inc", poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(app, pilot)
        await pilot.press("tab", "j", "G")  # scroll the body past its end: blank lines drawn
        await settle(app, pilot)
        assert app.screen is screen and app.return_code is None


async def test_result_lines_are_cut_at_the_lists_width_not_before(seeded):
    """The rows were cut to a width computed when the results came in (seen at 120x40 as `th…`);
    the list now cuts each line at its own edge, whatever the width was before."""
    from cockpit.app import demo

    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(app, pilot)
        await pilot.resize_terminal(200, 50)
        await settle(app, pilot)
        options = screen.query_one("#ck-list")
        lines = [strip.text.rstrip() for strip in options.render_lines(options.region.reset_offset)]
        summaries = [line.strip(" ▊▎") for line in lines if line.strip(" ▊▎").startswith(("line ", "no "))]
        room = options.scrollable_content_region.width
        assert summaries and room > 50
        for line in summaries:  # each drawn to the list's edge, or whole
            assert len(line) >= room - 8 or not line.endswith("…")


async def test_checks_screen_says_which_intent(seeded):
    from cockpit.app import demo
    from screens.widgets.header import IntentHeader

    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(app, pilot)
        assert demo.INCIDENT in screen.query_one(IntentHeader).render().plain
