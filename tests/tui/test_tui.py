"""Pilot tests: drive the cockpit by key presses against a temporary database, assert stored state."""

from __future__ import annotations

import pytest
from helpers import NOW, fill, new_incident, settle, to_execute

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.dialogs import ConfirmGate, HelpScreen
from screens.intent_list import IntentList
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio  # anyio's pytest plugin ships with httpx's dependencies


@pytest.fixture
def db(tmp_path):
    return tmp_path / "tui.db"


@pytest.fixture
def seeded(catalog, db) -> Engine:
    engine = Engine(Store(db), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    return engine


def app_for(engine: Engine, **kwargs) -> CockpitApp:
    return CockpitApp(engine, poll_seconds=0.2, **kwargs)


async def open_incident(app, pilot) -> IntentView:
    await settle(app, pilot)
    assert isinstance(app.screen, IntentList)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, IntentView)
    return app.screen


async def test_list_is_most_urgent_first_and_enter_opens(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert [p.facts.intent.slug for p in app.screen.positions] == [demo.INCIDENT, demo.OPERATIONS]
        view = await open_incident(app, pilot)
        assert view.slug == demo.INCIDENT and view.position.active.name == "resolve"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentList)


async def test_advance_with_handoff_message_is_stored(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_incident(app, pilot)
        assert view.selected_unit == "truststore-at-deploy"
        await pilot.press("a")
        await fill(pilot, "test drives the handshake")
        await pilot.press("enter")
        await settle(app, pilot)
    unit = seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy")
    assert unit.hat == "verifier"
    assert unit.handoffs[-1].message == "test drives the handshake"
    assert view.position.active.unit("truststore-at-deploy").hat == "verifier"  # shown after it was stored


async def test_reject_needs_a_reason_and_is_stored(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("r", "enter")  # empty reason: refused, the prompt stays
        await settle(app, pilot)
        assert seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy").bolt == 2
        await fill(pilot, "no canary owner")
        await pilot.press("enter")
        await settle(app, pilot)
    unit = seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy")
    assert (unit.hat, unit.bolt, unit.handoffs[-1].message) == ("engineer", 3, "no canary owner")


async def test_escape_in_a_prompt_writes_nothing(seeded):
    app = app_for(seeded)
    before = seeded.store.last_event_id()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("r", *"oops", "escape")
        await settle(app, pilot)
    assert seeded.store.last_event_id() == before


async def test_file_classify_and_close_a_finding(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        view = await open_incident(app, pilot)
        await pilot.press("f")
        await fill(pilot, "Rollback step missing")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        filed = seeded.position(demo.INCIDENT).finding("FB-008")
        assert (filed.feedback.title, filed.feedback.severity, filed.target) == (
            "Rollback step missing",
            None,
            "truststore-at-deploy",
        )
        view.selected_finding = "FB-008"
        view.query_one("#feedback").focus()
        await pilot.press("enter")  # the finding on its own screen
        await settle(app, pilot)
        await pilot.press("enter")  # its menu: first choice is classify
        await pilot.press("enter")
        await pilot.press("j", "enter")  # second severity: high
        await settle(app, pilot)
        assert seeded.position(demo.INCIDENT).finding("FB-008").feedback.severity == "high"
        await pilot.press("enter")  # the menu again, from the finding's screen, on its next step
        await settle(app, pilot)
        menu = app.screen
        steps = [key for key, _ in menu.choices].index("close") - menu.query_one("#choices").highlighted
        await pilot.press(*["j"] * steps)
        await pilot.press("enter")
        await fill(pilot, "rollback added to the plan")
        await pilot.press("enter")
        await settle(app, pilot)
    f = seeded.position(demo.INCIDENT).finding("FB-008")
    assert (f.status, f.feedback.closure_text) == ("closed", "rollback added to the plan")


async def test_filter_narrows_the_feedback_list(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_incident(app, pilot)
        await pilot.press("slash", *"probe")
        await pilot.pause()
        assert [f.feedback.ref for f in view.visible_findings()] == ["FB-006"]
        assert view.query_one("#feedback").option_count == 1
        await pilot.press("escape")


async def test_tick_persists(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        view = await open_incident(app, pilot)
        checklist = view.query_one("#checklist")
        checklist.focus()
        await pilot.press("space")
        await settle(app, pilot)
    unit = seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy")
    reviewer = seeded.catalog.get("incident-response").stage("resolve").hat("reviewer")
    assert unit.ticked == {reviewer.checklist[0]}


def gate_engine(catalog, db, blockers: bool) -> Engine:
    engine = Engine(Store(db), catalog, clock=fixed_clock(NOW), actor="oncall")
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    for _ in range(4):
        engine.run(slug, c.advance_hat, unit="fix", message="ok")
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    if blockers:
        engine.run(slug, c.file_feedback, title="Rollback untested", severity="blocker", unit="fix")
    return engine


async def test_approve_with_blocking_feedback_needs_an_override_reason(catalog, db):
    engine = gate_engine(catalog, db, blockers=True)
    app = app_for(engine, open_slug="inc")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmGate)
        await pilot.press("y", "enter")  # "y" lands in the reason field: too short to be a reason
        await settle(app, pilot)
        assert engine.position("inc").active.name == "resolve"
        await fill(pilot, "customer impact; FB-001 tracked in postmortem")  # replaces the stray "y"
        await pilot.press("enter")
        await settle(app, pilot)
    pos = engine.position("inc")
    approval = pos.stage("resolve").gate.approval
    assert (pos.active.name, approval.reason) == ("postmortem", "customer impact; FB-001 tracked in postmortem")


async def test_approve_without_blockers_confirms_with_y(catalog, db):
    engine = gate_engine(catalog, db, blockers=False)
    app = app_for(engine, open_slug="inc")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("A", "y")
        await settle(app, pilot)
    assert engine.position("inc").stage("resolve").gate.approval.reason is None


async def test_request_changes_files_user_feedback(catalog, db):
    engine = gate_engine(catalog, db, blockers=False)
    app = app_for(engine, open_slug="inc")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("X")
        await fill(pilot, "Rollback thresholds missing")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    f = engine.position("inc").finding("FB-001")
    assert (f.feedback.origin, f.blocking) == ("user-chat", True)
    assert engine.timeline("inc")[-1]["command"] == "request_changes"


async def test_read_only_refuses_every_write_visibly(seeded):
    app = app_for(seeded, read_only=True)
    before = seeded.store.last_event_id()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_incident(app, pilot)
        assert view.check_action("advance", ()) is None  # dimmed in the key bar
        await pilot.press("a", "r", "f", "A", "X")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmGate)
    assert seeded.store.last_event_id() == before


async def test_a_change_from_another_session_shows_within_two_seconds(catalog, seeded, db):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_incident(app, pilot)
        other = Engine(Store(db), catalog, actor="cli")
        other.run(demo.INCIDENT, c.file_feedback, title="Filed from the CLI", severity="blocker")
        for _ in range(20):
            await pilot.pause(0.1)
            if view.position.finding("FB-008") is not None:
                break
        assert view.position.finding("FB-008").feedback.title == "Filed from the CLI"
        assert view.position.open_findings[0].feedback.severity == "blocker"


async def test_help_lists_every_binding_and_palette_has_them(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_incident(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = {d for _, d in app.screen.rows}
        assert {"Advance hat", "Reject hat", "Approve gate", "Request changes", "File finding", "Filter"} <= described
        await pilot.press("escape")
        commands = {cmd.title for cmd in app.get_system_commands(view)}
        assert {"Advance hat", "Approve gate", "Timeline", "Add unit"} <= commands


async def test_keymap_remaps_a_binding_by_id(seeded):
    app = app_for(seeded, keymap={"intent.advance": "n"})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("n", "enter")
        await settle(app, pilot)
    assert seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy").hat == "verifier"


async def test_resize_keeps_the_selection(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_incident(app, pilot)
        view.query_one("#units").focus()
        await pilot.press("j")
        await pilot.pause()
        assert view.selected_unit == "chain-expiry-alerts"
        await pilot.resize_terminal(160, 48)
        await settle(app, pilot)
        assert view.selected_unit == "chain-expiry-alerts"


async def test_the_list_ages_intents_by_the_engines_clock(catalog, db):
    """One clock: the app has none of its own. The ages in the list are the engine's, the clock
    the commands stamp by, so a test (or a replay) injects time in one place."""
    from datetime import timedelta

    from textual.widgets import OptionList

    slug = new_incident(Engine(Store(db), catalog, clock=fixed_clock(NOW), actor="oncall"), upto="triage")
    later = Engine(Store(db), catalog, clock=fixed_clock(NOW + timedelta(days=3, hours=1)), actor="oncall")
    app = app_for(later)
    assert not hasattr(app, "clock")
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(app, pilot)
        row = app.screen.query_one("#intents", OptionList).get_option(slug)
        assert " · 3d · " in str(row.prompt)


async def test_long_feedback_lists_load_a_page_at_a_time(catalog, db):
    from screens.widgets.feedback import MORE, PAGE

    engine = Engine(Store(db), catalog, clock=fixed_clock(NOW), actor="oncall")
    slug = new_incident(engine, upto="triage")
    with engine.store.writing():
        for i in range(PAGE + 30):
            engine.run(slug, c.file_feedback, title=f"finding {i}", severity="low")
    app = app_for(engine, open_slug=slug)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        feedback = app.screen.query_one("#feedback")
        assert feedback.option_count == PAGE + 1 and feedback.get_option_at_index(PAGE).id == MORE
        feedback.focus()
        await pilot.press("G")  # to the "… more" row: the next page is appended
        await settle(app, pilot)
        assert feedback.option_count == PAGE + 30
        assert app.screen.selected_finding == f"FB-{PAGE + 1:03d}"


async def test_the_screen_draws_before_the_engine_opens(seeded):
    """The first frame must not wait for the core: the engine opens in a worker, after it."""
    import threading

    release = threading.Event()
    drawn_before_open = []

    def open_engine():
        release.wait(5)
        return seeded

    app = CockpitApp(open_engine, poll_seconds=0.2, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen
        assert isinstance(view, IntentView) and view.position is None
        drawn_before_open.append(any("Hand-off checklist" in str(w.render()) for w in view.query(".pane-title")))
        release.set()
        await settle(app, pilot)
        assert view.position is not None and view.position.facts.intent.slug == demo.INCIDENT
    assert drawn_before_open == [True]


async def test_an_engine_that_cannot_open_ends_the_app_with_its_reason(seeded):
    from cockpit.errors import SchemaTooNew

    def open_engine():
        raise SchemaTooNew("x.db: written by a newer cockpit (migration m999); upgrade cockpit")

    app = CockpitApp(open_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
    assert isinstance(app.startup_error, SchemaTooNew) and app.return_code == 1


async def test_opened_on_an_intent_escape_builds_the_list(seeded):
    app = app_for(seeded, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert (
            isinstance(app.screen, IntentView) and len(app.screen_stack) == 1
        )  # the default screen: no empty one below
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentList)
        assert [p.facts.intent.slug for p in app.screen.positions] == [demo.INCIDENT, demo.OPERATIONS]
        await pilot.press("enter", "escape")  # and back again: the list is reused, not stacked
        await settle(app, pilot)
        assert isinstance(app.screen, IntentList) and len(app.screen_stack) == 1


async def test_collection_is_back_on_after_the_first_frame(seeded):
    """The CLI turns the garbage collector off while the UI imports and the first screen composes
    (start-up speed); a session that left it off would grow without bound on reference cycles."""
    import gc

    app = app_for(seeded, open_slug=demo.INCIDENT)
    app.collect_after_first_frame = True  # what run() sets; tests drive the app through run_test
    gc.disable()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert gc.isenabled()
    finally:
        gc.unfreeze()  # the app froze what was alive: hand it back to this test process's collector
        gc.enable()


async def test_key_bar_puts_help_first_and_dims_writes_when_read_only(seeded):
    from screens.keybar import KeyBar

    app = app_for(seeded, read_only=True, open_slug=demo.INCIDENT)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        line = app.screen.query_one(KeyBar).line()
        assert line.plain.lstrip().startswith("? ") and "Help" in line.plain.split("Advance hat")[0]
        struck = {line.plain[span.start : span.end].strip() for span in line.spans if "strike" in str(span.style)}
        assert {"Advance hat", "Reject hat", "File finding", "Approve gate"} <= struck
        assert "Filter" not in struck and "Help" not in struck


async def test_timeline_view_lists_what_was_done_last_selected(seeded):
    app = app_for(seeded, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", "enter")  # advance the selected unit, no message
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        events = app.screen.query_one("#events")
        stored = seeded.timeline(demo.INCIDENT)
        assert events.option_count == len(stored)
        assert events.highlighted == len(stored) - 1
        assert "advance hat" in str(events.get_option_at_index(events.highlighted).prompt)
        await pilot.press("escape")
        assert isinstance(app.screen, IntentView)


async def test_copy_puts_the_selected_finding_on_the_clipboard(seeded):
    app = app_for(seeded, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen
        await settle(app, pilot)
        view.query_one("#feedback").focus()
        await pilot.press("y")
        finding = view.current_finding()
        assert app.clipboard.startswith(f"{finding.feedback.ref} {finding.feedback.title}")


async def test_external_editor_replaces_the_unit_body(seeded, monkeypatch):
    from contextlib import nullcontext

    monkeypatch.setenv("EDITOR", 'sh -c \'printf "Edited in the editor.\\n" > "$0"\'')
    monkeypatch.delenv("VISUAL", raising=False)
    app = app_for(seeded, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(app, "suspend", nullcontext)  # headless: nothing to hand the terminal to
        await settle(app, pilot)
        unit = app.screen.selected_unit
        await pilot.press("E")
        await settle(app, pilot)
    assert seeded.position(demo.INCIDENT).active.unit(unit).unit.body == "Edited in the editor.\n"
    assert seeded.timeline(demo.INCIDENT)[-1]["command"] == "edit_unit"
