"""The crash of issue 13 and what any crash must leave behind.

The reported crash: on the operations intent, a unit advanced to done, then `A`, shift+Tab, `g`,
`s` ended the app with `OptionDoesNotExist: … index of 0` (the checklist's cursor message was
handled after a reload had emptied the list: the old SelectionList looked the option up again by
index), then `NoMatches: '#checklist'` (a worker's answer drawn into the screen being torn down).
The tests force each ordering instead of hoping for the timing; a real process on a pty shows
that a bug ends the app with status 70 and one line, never 0.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
import threading

import pytest
from helpers import GOOD_OPS, NOW, settle
from pty_run import run_on_pty
from textual.widgets import Static

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.domain.call import call
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.intent_list import IntentList
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio

OPS = demo.OPERATIONS


@pytest.fixture
def ops_at_verifier(catalog, tmp_path) -> Engine:
    """The demo with `deploy-pool-limits` done and `pool-slo-alerts` held by its verifier hat."""
    engine = Engine(Store(tmp_path / "tui.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    for unit in ("deploy-pool-limits", "pool-slo-alerts"):
        was = engine.position(OPS).active.unit(unit).unit.body
        engine.run(OPS, c.edit_unit, unit=unit, body=GOOD_OPS, was=was)  # bodies that pass the checks
    while engine.position(OPS).active.unit("deploy-pool-limits").status != "done":
        engine.run(OPS, c.advance_hat, unit="deploy-pool-limits", message="ok")
    while engine.position(OPS).active.unit("pool-slo-alerts").hat != "verifier":
        engine.run(OPS, c.advance_hat, unit="pool-slo-alerts", message="ok")
    return engine


async def test_a_cursor_message_handled_after_a_reload_emptied_the_checklist_is_harmless(ops_at_verifier):
    app = CockpitApp(ops_at_verifier, poll_seconds=3600, open_slug=OPS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, IntentView)
        view.selected_unit = "pool-slo-alerts"
        view.show(view.position)
        checklist = view.query_one("#checklist")
        checklist.focus()
        await pilot.press("j")  # the cursor off the first item, so `g` moves it and says so
        await settle(app, pilot)
        _, done = await asyncio.to_thread(
            app.backend.run, OPS, call(c.advance_hat, unit="pool-slo-alerts", message="verified")
        )
        # The order of the report, forced: `g` queues the checklist's cursor message, then the
        # write's reload (the unit is done: no checklist) lands before that message is handled.
        view.action_cursor("first")
        view.show(done)
        await pilot.press("s")
        await settle(app, pilot)
        assert app.is_running and app.return_code is None
        assert view.current_unit().status == "done" and view.query_one("#checklist").option_count == 0


async def test_a_write_that_commits_after_its_screen_has_gone_is_said_and_the_app_stays_up(seeded):
    """The dialog closed with esc and the intent left for the list while the write ran: its
    answer must not be drawn into the removed screen (that was `NoMatches` and the end of the app)."""
    app = CockpitApp(seeded, poll_seconds=3600)
    release = threading.Event()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # open the incident from the list
        await settle(app, pilot)
        assert isinstance(app.screen, IntentView)
        run = app.backend.run

        def held(*args, **kwargs):
            release.wait(10)
            return run(*args, **kwargs)

        app.backend.run = held  # type: ignore[method-assign]
        await pilot.press("a", *"handing on", "enter")  # the write waits on `release`
        await pilot.pause()
        await pilot.press("escape")  # the dialog: esc closes it, the write goes on
        await pilot.pause()
        await pilot.press("escape")  # the intent screen: back to the list, the screen removed
        await pilot.pause()
        assert isinstance(app.screen, IntentList)
        release.set()
        await settle(app, pilot)
        assert app.is_running and app.return_code is None and isinstance(app.screen, IntentList)
        assert any("truststore-at-deploy" in n.message for n in app._notifications)  # the write is said
    assert seeded.position(demo.INCIDENT).active.unit("truststore-at-deploy").handoffs[-1].message == "handing on"


async def test_a_worker_callback_for_a_removed_widget_is_not_run(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    calls: list[str] = []

    class Probe(Static):
        def answer(self, text: str) -> None:
            calls.append(text)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        probe = Probe()
        await app.screen.mount(probe)
        await asyncio.to_thread(app.call_from_thread, probe.answer, "while mounted")
        await probe.remove()
        await asyncio.to_thread(app.call_from_thread, probe.answer, "after removal")
        assert calls == ["while mounted"]


async def test_a_crash_whose_log_cannot_be_written_still_ends_with_70_and_a_line(seeded, monkeypatch):
    from cockpit.app import crashlog

    def unwritable(exc, *, where="cli"):
        raise RuntimeError("no log today")

    monkeypatch.setattr(crashlog, "record", unwritable)
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            app.call_later(lambda: 1 / 0)
            await settle(app, pilot)
    assert app.return_code == 70
    assert app.crash_line == "cockpit: internal error: ZeroDivisionError (the log could not be written)"


# A real cockpit on a pty whose `t` key has a bug: what the shell sees.
BUGGY_COCKPIT = textwrap.dedent(
    """
    import sys
    from cockpit.cli.ui import ui_module

    def broken(self):
        raise KeyError("unit_id")

    ui_module("intent_view").IntentView.action_timeline = broken
    from cockpit.cli.main import main
    raise SystemExit(main())
    """
)


def test_a_bug_in_the_running_app_ends_the_process_with_70_and_one_line(tmp_path):
    state = tmp_path / "state"
    out = run_on_pty(
        ["demo", "--db", str(tmp_path / "demo.db")],
        {"XDG_STATE_HOME": str(state), "XDG_CONFIG_HOME": str(tmp_path / "config")},
        typed=b"t",
        timeout=60,
        size=(24, 80),
        program=(sys.executable, "-c", BUGGY_COCKPIT),
    )
    log = state / "cockpit" / "cockpit.log"
    assert out.code == 70
    assert f"cockpit: internal error: KeyError: 'unit_id' — details in {log}" in out
    assert "Traceback" not in out and "in broken" in log.read_text()
