"""The intent screen's panes: each posts its typed Message for what the engineer does in it, and a
refresh updates the lists in place by key (same option objects, the cursor on the same key, no
clear and refill)."""

from __future__ import annotations

import pytest
from helpers import settle
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.domain import commands as c
from screens.app import CockpitApp
from screens.intent_view import IntentView
from screens.widgets.feedback import FeedbackPane
from screens.widgets.keyed import sync_options
from screens.widgets.mandate import MandatePane
from screens.widgets.units import UnitsPane

pytestmark = pytest.mark.anyio


def app_for(engine: Engine) -> CockpitApp:
    # No polling: each test reloads when it means to.
    return CockpitApp(engine, poll_seconds=3600, open_slug=demo.INCIDENT)


def record(screen) -> list[Message]:
    """Every message the screen (or widget) handles, in order. Immediate: a deferred callback would
    be one more message, itself published, without end."""
    seen: list[Message] = []
    screen.message_signal.subscribe(screen, seen.append, immediate=True)
    return seen


def never_cleared(options: OptionList) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError(f"#{options.id} was cleared and refilled")

    options.clear_options = refuse  # type: ignore[method-assign]
    options.set_options = refuse  # type: ignore[method-assign]


async def reload(app, view: IntentView, pilot) -> None:
    view.load()
    await settle(app, pilot)


# ---------------------------------------------------------------- messages


async def test_moving_in_the_units_list_posts_units_selected(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        seen = record(view)
        view.units.options.focus()
        await pilot.press("j")
        await settle(app, pilot)
        moved = [m for m in seen if isinstance(m, UnitsPane.Selected)]
        assert [m.unit for m in moved] == ["chain-expiry-alerts"]
        assert view.selected_unit == "chain-expiry-alerts"
        assert "Alert on certificate chain" in str(view.baton.render())  # the baton follows the unit in hand


async def test_a_refresh_posts_no_selection_message(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        seen = record(view)
        await reload(app, view, pilot)
        assert not [m for m in seen if isinstance(m, (UnitsPane.Selected, FeedbackPane.Selected))]


async def test_moving_and_enter_in_the_feedback_list_post_selected_and_opened(seeded):
    from screens.dialogs import Choice
    from screens.finding import FindingScreen

    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        seen = record(view)
        first = view.selected_finding
        view.feedback.options.focus()
        await pilot.press("j")
        await settle(app, pilot)
        second = view.feedback.options.highlighted_option.id
        assert second != first and view.selected_finding == second
        assert [m.ref for m in seen if isinstance(m, FeedbackPane.Selected)] == [second]
        await pilot.press("enter")
        await settle(app, pilot)
        assert [m.ref for m in seen if isinstance(m, FeedbackPane.Opened)] == [second]
        assert isinstance(app.screen, FindingScreen) and app.screen.ref == second
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice) and app.screen.title_text.startswith(f"{second}:")


async def test_the_filter_moving_the_cursor_posts_feedback_selected(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        seen = record(view)
        await pilot.press("slash", *"probe")
        await settle(app, pilot)
        assert [f.feedback.ref for f in view.visible_findings()] == ["FB-006"]
        assert view.selected_finding == "FB-006"
        assert [m.ref for m in seen if isinstance(m, FeedbackPane.Selected)] == ["FB-006"]


async def test_ticking_the_checklist_posts_ticked_and_the_screen_writes_it(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        seen = record(view)
        checklist = view.detail.checklist
        first = checklist.items[checklist.get_option_at_index(0).id]
        checklist.focus()
        await pilot.press("space")
        await settle(app, pilot)
        ticked = [m for m in seen if isinstance(m, MandatePane.Ticked)]
        assert [(m.item, m.ticked) for m in ticked] == [(first, True)]
    assert seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy").ticked == {first}


async def test_m_shows_the_runbook_page_and_back_where_it_was(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        detail = view.detail
        assert detail.checklist.display and not detail.query_one("#outputs-text").display
        await pilot.press("m")
        await pilot.pause()
        assert detail.page == "outputs" and not detail.checklist.display
        assert detail.query_one("#outputs-text").display
        await pilot.press("m")
        await pilot.pause()
        assert detail.page == "mandate" and detail.checklist.display


# ---------------------------------------------------------------- in place, by key


async def test_a_refresh_updates_the_lists_in_place(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        units, feedback, checklist = view.units.options, view.feedback.options, view.detail.checklist
        feedback.focus()
        await pilot.press("G")  # the last finding: a new blocker sorts above it
        await settle(app, pilot)
        cursor = feedback.highlighted_option.id
        before = {o.id: o for o in feedback.options}
        unit_options, check_options = list(units.options), list(checklist.options)
        for options in (units, feedback, checklist):
            never_cleared(options)
        # Another session files a blocker: it sorts first, above the finding under the cursor.
        seeded.run(demo.INCIDENT, c.file_feedback, title="Pager storm", severity="blocker")
        await reload(app, view, pilot)
        after = {o.id: o for o in feedback.options}
        assert set(after) == set(before) | {"FB-008"}
        assert feedback.get_option_index("FB-008") < feedback.get_option_index(cursor)
        assert all(after[ref] is option for ref, option in before.items())  # the same objects
        assert feedback.highlighted_option.id == cursor == view.selected_finding  # by key, not index
        assert list(units.options) == unit_options and list(checklist.options) == check_options
        assert f"({len(before) + 1}, * blocks)" in str(view.feedback.query_one("#feedback-title").render())


async def test_a_closed_finding_is_removed_and_a_changed_one_redrawn_in_place(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        feedback = view.feedback.options
        refs = [o.id for o in feedback.options]
        gone, changed = refs[0], refs[-1]
        kept = feedback.get_option(changed)
        never_cleared(feedback)
        seeded.run(demo.INCIDENT, c.close_finding, ref=gone, resolution="rejected", text="not a fault")
        seeded.run(demo.INCIDENT, c.classify, ref=changed, severity="low")
        await reload(app, view, pilot)
        now = [o.id for o in feedback.options]
        assert gone not in now and changed in now
        assert feedback.get_option(changed) is kept and "low" in str(kept.prompt)


async def test_ticking_keeps_the_checklist_options_and_the_cursor(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        checklist = view.detail.checklist
        options = list(checklist.options)
        never_cleared(checklist)
        checklist.focus()
        await pilot.press("j", "space")
        await settle(app, pilot)
        assert list(checklist.options) == options and checklist.highlighted == 1
        second = checklist.items[options[1].id]
        assert checklist.ticked == {second}


async def test_space_ticks_from_any_pane_and_enter_on_the_checklist(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen
        checklist = view.detail.checklist
        view.query_one("#feedback").focus()  # not the checklist: its cursor still says which item
        await pilot.press("space")
        await settle(app, pilot)
        first, second = (checklist.items[checklist.get_option_at_index(i).id] for i in (0, 1))
        assert checklist.ticked == {first}
        checklist.focus()
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert checklist.ticked == {first, second}
        await pilot.press("space")  # and again: unticked
        await settle(app, pilot)
    assert seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy").ticked == {first}


@pytest.mark.parametrize("width", [80, 100, 160])
async def test_each_checklist_item_has_one_box_on_its_first_line(seeded, width):
    """Items wrap under their own text; a box marks where each starts, ticked or not, at any width."""
    app = app_for(seeded)
    async with app.run_test(size=(width, 48)) as pilot:
        await settle(app, pilot)
        view = app.screen
        view.query_one("#units").focus()
        await pilot.press("space")  # the first item ticked, the rest not
        await settle(app, pilot)
        checklist = view.detail.checklist
        lines = [strip.text for strip in checklist.render_lines(checklist.region.reset_offset)]
        drawn = [line.strip() for line in lines if line.strip()]
        boxes = [line[:3] for line in drawn if line.startswith("[")]
        assert boxes == ["[✓]"] + ["[ ]"] * (len(checklist.items) - 1)
        assert any(not line.startswith("[") for line in drawn)  # some item wrapped: no box on its later lines


# ---------------------------------------------------------------- the keyed sync on its own


class OneList(App):
    def compose(self) -> ComposeResult:
        yield OptionList(id="list")


async def test_sync_options_reorders_adds_and_removes_by_key_without_highlight_messages():
    app = OneList()
    async with app.run_test() as pilot:
        options = app.query_one(OptionList)
        seen = record(options)
        assert sync_options(options, [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")], "c") == "c"
        objects = {o.id: o for o in options.options}
        # d goes, b moves last and is renamed, e arrives in the middle; the cursor stays on c.
        assert sync_options(options, [("a", "A"), ("c", "C"), ("e", "E"), ("b", "B2")], "c") == "c"
        await pilot.pause()
        assert [o.id for o in options.options] == ["a", "c", "e", "b"]
        assert all(options.get_option(k) is objects[k] for k in "acb")
        assert options.get_option("b").prompt == "B2" and options.highlighted == 1
        # The cursor's key gone: the first row.
        assert sync_options(options, [("e", "E"), ("a", "A")], "c") == "e" and options.highlighted == 0
        assert sync_options(options, [], "e") is None and options.highlighted is None
        await pilot.pause()
        assert not [m for m in seen if isinstance(m, OptionList.OptionHighlighted)]


async def test_sync_options_appends_with_no_removal_when_only_the_tail_grows():
    app = OneList()
    async with app.run_test():
        options = app.query_one(OptionList)
        sync_options(options, [("a", "A"), ("b", "B")], None)
        removed: list[str | None] = []
        original = options._remove_option

        def spy(option: Option):
            removed.append(option.id)
            return original(option)

        options._remove_option = spy  # type: ignore[method-assign]
        sync_options(options, [("a", "A"), ("b", "B"), ("c", "C")], "a")
        assert removed == [] and [o.id for o in options.options] == ["a", "b", "c"]


@pytest.mark.parametrize("read_only", [False, True])
async def test_header_says_which_intent_where_and_read_only(seeded, read_only):
    from screens.widgets.header import IntentHeader

    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT, read_only=read_only)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        line = app.screen.query_one(IntentHeader).render().plain
        position = app.screen.position
        assert demo.INCIDENT in line and position.facts.intent.title in line
        assert f"incident-response · {position.active.name}/{position.active.phase}" in line
        assert line.lstrip().startswith("READ-ONLY") is read_only


def test_header_keeps_the_badge_and_the_slug_when_narrow(seeded):
    from cockpit.app.backend import Backend
    from screens.widgets.header import header_line

    position = Backend(seeded).position(demo.INCIDENT)
    for width in (40, 60, 78, 120, 200):
        line = header_line(position, demo.INCIDENT, read_only=True, width=width)
        assert line.cell_len <= width
        assert line.plain.startswith(" READ-ONLY  " + demo.INCIDENT[: width - 14])
    assert "resolve/" in header_line(position, demo.INCIDENT, read_only=False, width=78).plain
    assert (
        header_line(position, demo.INCIDENT, read_only=False, width=200)
        .plain.rstrip()
        .endswith("incident-response · " + f"{position.active.name}/{position.active.phase}")
    )


async def test_the_pane_with_the_keys_is_marked_at_every_tab_stop(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        panes = {"units": view.units, "feedback": view.feedback, "detail": view.detail}
        for _ in range(len(view.focus_chain) + 1):  # once round, back to the start
            marked = [name for name, pane in panes.items() if pane.has_class("has-keys")]
            holder = [name for name, pane in panes.items() if app.focused is pane or pane in app.focused.ancestors]
            assert marked == holder and len(marked) == 1
            title = panes[marked[0]].query_one(".pane-title")
            assert title.styles.text_style.reverse  # readable without colour
            await pilot.press("tab")
            await settle(app, pilot)


async def test_n_opens_the_next_action_on_what_it_names(seeded):
    from screens.dialogs import Choice

    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        step = view.position.next
        assert step.kind == "fix" and step.feedback == "FB-001"
        view.query_one("#units").focus()
        await pilot.press("j", "j")  # the cursors elsewhere: n moves them
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice) and "FB-001" in app.screen.title_text
        assert view.selected_finding == "FB-001"


async def test_n_on_a_stage_step_opens_that_units_hand_off(engine):
    from helpers import new_incident, to_execute

    from screens.dialogs import TextPrompt

    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("first", ()), ("second", ())])
    app = CockpitApp(engine, poll_seconds=3600, open_slug=slug)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert view.position.next.kind == "advance_hat"
        wanted = view.position.next.unit
        other = "second" if wanted == "first" else "first"
        view.selected_unit = other
        await pilot.press("n")
        await settle(app, pilot)
        assert view.selected_unit == wanted
        if isinstance(app.screen, TextPrompt):  # an active unit asks for its hand-off message
            assert wanted in app.screen.title_text
        else:  # a ready unit starts at once
            assert engine.position(slug).active.unit(wanted).status == "active"


async def test_the_next_line_wraps_instead_of_cutting(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        status = view.query_one("#status")
        drawn = " ".join(strip.text.strip() for strip in status.render_lines(status.region.reset_offset))
        assert " ".join(view.position.next.text.split()) in " ".join(drawn.split())


async def test_the_status_line_says_why_the_phase_moved_back(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert "moved back" not in str(view.status.render())
        seeded.run(demo.INCIDENT, c.close_finding, ref="FB-003", resolution="closed", text="Staging filtered out.")
        view.load()
        await settle(app, pilot)
        active = view.position.active
        assert active.phase == "review" and active.reopened and "FB-003" in active.reopened
        shown = str(view.status.render())
        assert f"moved back: {active.reopened}" in shown
        assert shown.index("next (n): ") < shown.index("moved back")  # a short window cuts the why, not the next step
        status = view.status
        drawn = " ".join(strip.text.strip() for strip in status.render_lines(status.region.reset_offset))
        assert " ".join(view.position.next.text.split()) in " ".join(drawn.split())


async def test_the_runbook_page_stars_what_to_open_first(tmp_path):
    from cockpit.app.engine import Engine
    from cockpit.runbooks.relevance import relevant_runbooks
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store

    engine = Engine(Store(tmp_path / "demo.db"), load_catalog(), actor="oncall")
    demo.seed(engine)
    demo.sample_library(engine.store, engine.clock)
    wanted = relevant_runbooks(engine.store, engine.store.facts(demo.INCIDENT))
    assert any(r.starred for r in wanted) and any(not r.starred for r in wanted)
    app = app_for(engine)
    async with app.run_test(size=(120, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        page = app.screen.query_one("#outputs-text")
        drawn = "\n".join(strip.text for strip in page.render_lines(page.region.reset_offset))
        for r in wanted:
            line = next(line for line in drawn.splitlines() if r.title[:20] in line)
            assert ("★" in line) is r.starred


@pytest.mark.parametrize("width", [80, 120, 240])
async def test_the_key_bar_shows_whole_keys_and_says_when_some_are_left_out(seeded, width):
    from screens.keybar import MORE, KeyBar

    app = app_for(seeded)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(KeyBar)
        every = bar.line().plain
        drawn = "".join(strip.text for strip in bar.render_lines(bar.region.reset_offset)).rstrip()
        assert drawn.lstrip().startswith("?  Help") and "n  Next action" in drawn
        if len(every) <= width - 2:
            assert drawn.strip() == every.strip()
        else:
            assert drawn.endswith(MORE.rstrip()) and "…" not in drawn[:-3]  # no word cut in half
            assert every.startswith(drawn[: -len(MORE)].rstrip())
