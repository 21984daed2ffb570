"""Pilot tests of the runbook library screen: search, open, outline, links with back, copy a block."""

from __future__ import annotations

import pytest
from helpers import NOW, settle, until
from textual.widgets import OptionList

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.runbooks.index import index_library, library_roots
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.document import DocumentView
from screens.runbooks import RunbookScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    engine = Engine(Store(tmp_path / "rb.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    demo.sample_library(engine.store, fixed_clock(NOW))  # the demo database's library: the samples
    return engine


def open_library(engine, **kwargs) -> CockpitApp:
    return CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=0.2, **kwargs)


async def press_b(app, pilot) -> RunbookScreen:
    """From the demo incident's screen, open its runbook library and wait for the first runbook."""
    await settle(app, pilot)
    await pilot.press("b")
    await settle(app, pilot)
    assert isinstance(app.screen, RunbookScreen)
    return app.screen


async def test_b_opens_the_library_with_the_intents_runbook_first(engine):
    app = open_library(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_b(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        first = screen.query_one("#rb-list").get_option_at_index(0)
        assert first.id == "certificate-rotation" and screen.runbook.name == "certificate-rotation"
        assert screen.query_one(DocumentView).rendered.lines  # rendered, not empty


async def test_a_star_only_for_the_runbooks_that_fit_the_intent(engine):
    app = open_library(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_b(app, pilot)
        options = app.screen.query_one("#rb-list")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        starred = [p.split("\n")[0] for p in prompts if p.startswith("★")]
        assert starred == ["★ Certificate rotation: TLS handshake failures to the payments gateway"]
        assert prompts[1].startswith("· Upstream dependency failure")  # a weak match: listed, no star
        assert prompts[1].split("\n")[1].strip().startswith("weak: names payments, gateway")
        assert all(p.startswith("  ") for p in prompts[2:])  # the rest of the library, unranked


async def test_the_links_dialog_offers_each_destination_once(engine):
    app = open_library(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_b(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        choices = app.screen.query_one(OptionList)
        targets = [str(choices.get_option_at_index(i).prompt).split("→ ")[-1] for i in range(choices.option_count)]
        assert len(targets) == len(set(targets)) >= 4
        assert targets.count("service-restart.md#graceful-restart") == 1  # linked twice in the runbook


async def test_search_as_you_type_narrows_and_enter_opens(engine):
    app = open_library(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_b(app, pilot)
        await pilot.press("slash", *"failov")  # a prefix of the word, as typed
        await settle(app, pilot)
        options = app.screen.query_one("#rb-list")
        assert options.get_option_at_index(0).id == "database-failover"
        await pilot.press("enter", "enter")  # leave the search box, open the highlighted runbook
        await settle(app, pilot)
        assert app.screen.runbook.name == "database-failover"


async def test_outline_jumps_to_a_heading(engine):
    app = open_library(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_b(app, pilot)
        screen = app.screen
        await pilot.press("o", "G", "enter")
        last = screen.runbook.doc.headings[-1]
        view = screen.query_one(DocumentView)
        assert view.rendered.heading_rows[last.line] > 0
        # The jump lands after a refresh: wait for it rather than for one pause (which was flaky).
        await until(pilot, lambda: view.scroll_y == min(view.rendered.heading_rows[last.line], view.max_scroll_y))
        assert screen.focused is view


async def test_follow_a_link_and_come_back(engine):
    app = open_library(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_b(app, pilot)
        screen = app.screen
        links = screen.runbook.doc.distinct_links
        target = next(i for i, link in enumerate(links) if "service-restart" in link.target)
        await pilot.press("l", *["down"] * target, "enter")
        await settle(app, pilot)
        assert screen.runbook.name == "service-restart"
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.runbook.name == "certificate-rotation"
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert screen.runbook.name == "service-restart"


async def test_copy_a_block_fills_the_clipboard_and_the_timeline(engine):
    app = open_library(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_b(app, pilot)
        block = app.screen.runbook.doc.code_blocks[1]
        await pilot.press("y", "down", "enter")
        await settle(app, pilot)
        assert app.clipboard == block.text
    last = engine.timeline(demo.INCIDENT)[-1]
    assert last["command"] == "runbook_copy"
    assert last["data"] == {"runbook": "certificate-rotation", "line": block.line}
    assert last["message"].startswith(f"certificate-rotation:{block.line}: ")


async def test_read_only_copies_but_records_nothing(engine):
    before = engine.store.last_event_id()
    app = open_library(engine, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_b(app, pilot)
        await pilot.press("y", "enter")
        await settle(app, pilot)
        assert app.clipboard == app.screen.runbook.doc.code_blocks[0].text
    assert engine.store.last_event_id() == before


async def test_a_2000_line_runbook_renders_off_the_ui_thread_and_scrolls(engine, tmp_path):
    from cockpit.runbooks.generate import long_runbook

    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "huge.md").write_text(long_runbook(2000), encoding="utf-8")
    index_library(engine.store, library_roots([folder]), clock=fixed_clock(NOW))
    app = CockpitApp(engine, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(RunbookScreen(None, open_name="huge"))
        await settle(app, pilot)
        view = app.screen.query_one(DocumentView)
        assert app.screen.runbook.name == "huge" and len(view.rendered.lines) > 2000
        view.focus()
        await pilot.press("end")
        await until(pilot, lambda: view.scroll_y == view.max_scroll_y)
        assert view.max_scroll_y > 2000


async def test_lint_view_lists_findings_and_jumps_to_the_section(engine):
    from pathlib import Path

    from screens.dialogs import Choice

    broken = Path(__file__).parents[1] / "fixtures" / "runbooks" / "broken"
    index_library(engine.store, library_roots([broken]), clock=fixed_clock(NOW))
    app = CockpitApp(engine, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(RunbookScreen(None, open_name="placeholders"))
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("L")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, Choice) and dialog.title_text.startswith("Lint of placeholders: ")
        labels = [label for _, label in dialog.choices]
        assert any("[placeholder]" in label and label.startswith("✗ error") for label in labels)
        line = int(dialog.choices[0][0])
        await pilot.press("enter")
        heading = max((h for h in screen.runbook.doc.headings if h.line <= line), key=lambda h: h.line)
        view = screen.query_one(DocumentView)
        await until(pilot, lambda: view.scroll_y == min(view.rendered.heading_rows[heading.line], view.max_scroll_y))
        await pilot.press("escape")  # back to the screen it came from
        app.push_screen(RunbookScreen(None, open_name="certificate-rotation"))
        await settle(app, pilot)
        await pilot.press("L")
        await settle(app, pilot)
        assert not isinstance(app.screen, Choice)  # a clean runbook says so instead


async def test_the_start_up_index_reaches_the_engines_checks(catalog, tmp_path):
    """Regression: on a fresh database the engine opened with no library, so the alert-runbook
    check skipped for the whole session even after the background index filled it."""
    from cockpit.runbooks.lookup import LibraryRunbooks

    team = tmp_path / "team"
    team.mkdir()
    (team / "service-restart.md").write_text("# Service restart\n\nRoll the pods.\n")
    engine = Engine(Store(tmp_path / "fresh.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    assert engine.runbooks is None
    app = CockpitApp(engine, poll_seconds=0.2, runbook_dirs=[str(team)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
    assert isinstance(engine.runbooks, LibraryRunbooks) and engine.runbooks.exists("service-restart")
    assert not engine.runbooks.exists("certificate-rotation")  # a sample: the demo database's alone


async def test_no_color_terminals_can_read_a_runbook(engine, monkeypatch):
    """Regression: under NO_COLOR, Textual's monochrome filter failed on unstyled blank lines."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_library(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await press_b(app, pilot)
        await pilot.press("enter", "G")
        await settle(app, pilot)
        assert app.screen is screen and screen.query_one(DocumentView).rendered.lines
