"""Every dialog fits 80x24: the dialog inside the screen, each field whole, and the line of keys
that answer it in sight (issue 13: the file-a-finding dialog hid its keys, the approve dialog with
five blocking findings clipped its input and hid `enter: approve`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from helpers import NOW, gate_with_blockers, settle

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.dialogs import _Modal, refs

pytestmark = pytest.mark.anyio

FIELDS = "Input, TextArea, Select, OptionList, .dialog-list"


def assert_fits(app: CockpitApp) -> None:
    dialog_screen = app.screen
    assert isinstance(dialog_screen, _Modal), dialog_screen
    box = dialog_screen.query_one(".dialog")
    inside = box.content_region
    assert dialog_screen.region.contains_region(box.region), (box.region, dialog_screen.region)
    keys = box.query_one(".dialog-keys")
    assert inside.contains_region(keys.region), ("keys cut", keys.region, inside)
    for field in box.query(FIELDS):
        if not field.display or (field.parent is not None and field.parent.has_class("dialog-list")):
            continue
        where = field.region
        assert inside.contains_region(where), (f"{field} cut", where, inside)
        assert not where.overlaps(keys.region), (f"{field} under the keys", where, keys.region)


async def finding_menu(app: CockpitApp, pilot: Any) -> None:
    app.screen.action_finding_menu()
    await settle(app, pilot)


async def classify(app: CockpitApp, pilot: Any) -> None:
    await finding_menu(app, pilot)
    await pilot.press("enter")  # the menu's first choice: classify


async def send_preview(app: CockpitApp, pilot: Any) -> None:
    from cockpit.assist.types import Prompt
    from cockpit.text.redact import Suspect
    from screens.dialogs import SendPreview

    text = "\n".join(f"line {n} of what is sent, token{n} = Zq8v{n}Lr2Xw9Tk4Jm7Bn3Hc6Yf1Pd5Ge0" for n in range(60))
    suspects = tuple(Suspect(line=n + 1, column=20, start=0, end=28, shown=f"Zq8v…{n}", entropy=4.5) for n in range(8))
    prompt = Prompt(task="ask", slug="x", system=(), messages=(), preview=text, suspects=suspects)
    app.push_screen(SendPreview(prompt))
    await settle(app, pilot)


async def discard_question(app: CockpitApp, pilot: Any) -> None:
    await pilot.press("e", *"typed", "escape")


Opener = tuple[str | None, tuple[str, ...] | Callable[[CockpitApp, Any], Awaitable[None]]]

# name -> (the intent it opens on: None for the demo incident, or a set-up below; how it is opened)
DIALOGS: dict[str, Opener] = {
    "file-finding": (None, ("f",)),
    "request-changes": ("gate-5", ("X",)),
    "hand-off": (None, ("a",)),
    "send-back": (None, ("r",)),
    "edit-body": (None, ("e",)),
    "add-unit": (None, ("u",)),
    "help": (None, ("question_mark",)),
    "assist-menu": (None, ("i",)),
    "ask": (None, ("Q",)),
    "finding-menu": (None, finding_menu),
    "classify": (None, classify),
    "send-preview": (None, send_preview),
    "discard-changes": (None, discard_question),
    "approve": ("gate-0", ("A",)),
    "approve-past-5-blockers": ("gate-5", ("A",)),
    "approve-past-20-blockers": ("gate-20", ("A",)),
}


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_every_dialog_fits_80x24_with_its_keys_in_sight(catalog, tmp_path, name):
    engine = Engine(Store(tmp_path / "tui.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    where, how = DIALOGS[name]
    if where is None:
        demo.seed(engine)
        slug = demo.INCIDENT
    else:
        slug = gate_with_blockers(engine, int(where.removeprefix("gate-")))
        assert engine.position(slug).active.phase == "gate"
    app = CockpitApp(engine, poll_seconds=3600, open_slug=slug)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        if callable(how):
            await how(app, pilot)
        else:
            await pilot.press(*how)
        await settle(app, pilot)
        assert_fits(app)
        if name.startswith("approve-past"):  # the reason is typed where it can be seen
            assert app.focused is not None and app.focused.id == "override"


async def test_a_failed_save_keeps_the_form_within_80x24(seeded):
    """The "Not saved: …" line joins the dialog; the fields and the keys stay in sight."""
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f", *"No rollback")
        app.screen.failed("another process holds the write lock on /var/lib/cockpit/cockpit.db; try again")
        await settle(app, pilot)
        assert_fits(app)


def test_blocking_refs_stay_on_one_line_however_many():
    assert refs(["FB-001"]) == "FB-001"
    assert refs(["FB-001", "FB-002"]) == "FB-001 and FB-002"
    assert refs(["FB-001", "FB-002", "FB-003"]) == "FB-001, FB-002 and FB-003"
    assert refs([f"FB-{n:03}" for n in range(1, 21)]) == "20 findings: FB-001, FB-002, FB-003 and 17 more"


async def test_the_empty_database_shows_whole_commands_at_80x24(catalog, tmp_path):
    engine = Engine(Store(tmp_path / "empty.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    app = CockpitApp(engine, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lines = [strip.text.strip() for strip in app.screen._compositor.render_strips()]
        assert 'cockpit new --studio incident-response --title "Checkout 5xx"' in lines
        assert "cockpit demo" in lines
