"""Pilot tests of storage faults in the app: a write that fails keeps its dialog and its text and
says why, the app stays up, and saving again works once the fault is gone; a damaged database is
said at start and refuses writes; a bug in a worker ends the app with status 70 and one line.

Another process really holds the write lock (tests/faults.py); the app's store gives up after
0.3 s instead of 15 so the tests stay quick.
"""

from __future__ import annotations

import pytest
from faults import damage_page, write_lock_held
from helpers import NOW, settle
from textual.widgets import Input, Static, TextArea
from textual.worker import WorkerFailed

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.dialogs import BodyEditor, FeedbackForm
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio


@pytest.fixture
def db(catalog, tmp_path):
    """A demo database on a file, its seeding connection closed."""
    path = tmp_path / "tui.db"
    seeding = Engine(Store(path), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(seeding)
    seeding.store.close()
    return path


def engine_on(catalog, db) -> Engine:
    return Engine(Store(db, busy_timeout_s=0.3), catalog, clock=fixed_clock(NOW), actor="oncall")


def app_for(engine: Engine) -> CockpitApp:
    return CockpitApp(engine, poll_seconds=0.2, open_slug=demo.INCIDENT)


def notices(app) -> list[tuple[str, str, str]]:
    return [(n.title, n.severity, n.message) for n in app._notifications]


def status_line(dialog) -> str:
    return str(dialog.query_one("#dialog-status", Static).render())


async def test_a_finding_filed_while_another_process_holds_the_lock_keeps_its_dialog_and_text(catalog, db):
    engine = engine_on(catalog, db)
    app = app_for(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        with write_lock_held(db, seconds=20):
            await pilot.press("f", *"No rollback", "enter", *"At 03:10", "ctrl+s")
            await settle(app, pilot)
            form = app.screen
            assert isinstance(form, FeedbackForm) and app.is_running and app.return_code is None
            assert form.query_one("#title", Input).value == "No rollback"
            assert form.query_one("#body", TextArea).text == "At 03:10"
            assert status_line(form).startswith("Not saved: another process holds the write lock")
            assert "save again, or esc to cancel" in status_line(form)
            [(title, severity, message)] = notices(app)
            assert (title, severity) == ("Not saved", "error") and "try again" in message
            assert engine.position(demo.INCIDENT).finding("FB-008") is None
        await pilot.press("ctrl+s")  # the lock is gone: the same text is saved
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
    filed = engine.position(demo.INCIDENT).finding("FB-008")
    assert (filed.feedback.title, filed.feedback.body) == ("No rollback", "At 03:10")


async def test_a_unit_body_edited_while_busy_stays_in_the_editor(catalog, db):
    engine = engine_on(catalog, db)
    app = app_for(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        unit = app.screen.selected_unit
        with write_lock_held(db, seconds=20):
            await pilot.press("e")
            await settle(app, pilot)
            editor = app.screen
            editor.query_one("#editor", TextArea).load_text("Rewritten during the outage.\n")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert (
                app.screen is editor and editor.query_one("#editor", TextArea).text == "Rewritten during the outage.\n"
            )
            assert "Not saved" in status_line(editor)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
    assert engine.position(demo.INCIDENT).active.unit(unit).unit.body == "Rewritten during the outage.\n"


async def test_a_body_from_the_external_editor_that_cannot_be_saved_opens_in_place(catalog, db, monkeypatch):
    from contextlib import nullcontext

    monkeypatch.setenv("EDITOR", 'sh -c \'printf "Edited in the editor.\\n" > "$0"\'')
    monkeypatch.delenv("VISUAL", raising=False)
    engine = engine_on(catalog, db)
    app = app_for(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        monkeypatch.setattr(app, "suspend", nullcontext)  # headless: nothing to hand the terminal to
        await settle(app, pilot)
        unit = app.screen.selected_unit
        with write_lock_held(db, seconds=20):
            await pilot.press("E")
            await settle(app, pilot)
            assert isinstance(app.screen, BodyEditor)
            assert app.screen.query_one("#editor", TextArea).text == "Edited in the editor.\n"
            assert notices(app)[-1][:2] == ("Not saved", "error")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert engine.position(demo.INCIDENT).active.unit(unit).unit.body == "Edited in the editor.\n"


async def test_a_damaged_database_is_said_at_start_and_refuses_the_write_in_the_dialog(catalog, db):
    damage_page(db, "llm_requests")  # a table the walk never reads: the screens still show
    engine = engine_on(catalog, db)
    app = app_for(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView) and app.screen.position is not None
        [(title, severity, message)] = notices(app)
        assert (title, severity) == ("Database damaged", "error") and "is corrupt" in message and ".recover" in message
        await pilot.press("f", *"Typed", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FeedbackForm) and app.screen.query_one("#title", Input).value == "Typed"
        assert "is corrupt" in status_line(app.screen)
    assert app.return_code is None or app.return_code == 0


async def test_a_read_that_fails_is_said_through_the_same_path_and_the_app_stays_up(catalog, db, monkeypatch):
    from cockpit.errors import StoreIOError

    engine = engine_on(catalog, db)
    app = app_for(engine)

    def failing(slug):
        raise StoreIOError(f"cannot read or write {db} (disk I/O error): check the disk and the folder it is in")

    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.backend, "position", failing)
        app.screen.load()  # what a poll does when another session wrote
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, IntentView)
        assert notices(app)[-1][:2] == ("Not loaded", "error") and "disk I/O error" in notices(app)[-1][2]


async def test_a_bug_in_a_worker_ends_the_app_with_70_one_line_and_the_log(catalog, db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    engine = engine_on(catalog, db)
    app = app_for(engine)

    def broken(slug):
        raise KeyError("unit_id")

    with pytest.raises(WorkerFailed) as failed:  # Pilot re-raises it; the terminal would show only the line
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(app, pilot)
            monkeypatch.setattr(app.backend, "position", broken)
            app.screen.load()
            await settle(app, pilot)
    log = tmp_path / "state" / "cockpit" / "cockpit.log"
    assert isinstance(failed.value.error, KeyError) and app.return_code == 70
    assert app.crash_line == f"cockpit: internal error: KeyError: 'unit_id' — details in {log}"
    assert "Traceback" in log.read_text() and "in broken" in log.read_text()


async def test_a_database_on_a_network_file_system_is_warned_about(catalog, db, monkeypatch):
    monkeypatch.setattr("cockpit.store.database.network_filesystem", lambda path: "nfs4")
    app = app_for(engine_on(catalog, db))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        [(title, severity, message)] = notices(app)
    assert (title, severity) == ("Network file system", "warning") and "network file system (nfs4)" in message
