"""Every screen and state that matters, at 80x24 and 160x48, from fixed data and a fixed clock."""

from __future__ import annotations

import pytest
from helpers import STAGE_BODIES, new_incident
from hostile import plant
from snapshot_harness import NOW, SIZES, make_app, settle_then

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_intent_list(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=settle_then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_intent_screen_execute_with_mandate_and_checklist(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feedback_filter(snap_compare, demo_db, size):
    keys = ["slash"]
    assert snap_compare(
        make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then(*keys, text="probe")
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then("question_mark"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_palette(snap_compare, demo_db, size):
    keys = ["ctrl+p", *"appr"]
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_read_only(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db, demo.INCIDENT, read_only=True), terminal_size=size, run_before=settle_then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_runbook_pane(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then("m"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_runbook_screen(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then("b"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_runbook_search(snap_compare, demo_db, size):
    assert snap_compare(
        make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then("b", "slash", text="truststore")
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checks_view_with_failing_line(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then("c"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("phase", ["elaborate", "review", "approve", "gate"])
def test_intent_screen_in_each_phase(snap_compare, tmp_path, phase, size):
    db = tmp_path / f"{phase}.db"
    engine = Engine(Store(db), load_catalog(), clock=fixed_clock(NOW), actor="oncall")
    build_phase(engine, phase)
    assert snap_compare(make_app(db, "inc"), terminal_size=size, run_before=settle_then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_gate_confirmation_with_override(snap_compare, tmp_path, size):
    db = tmp_path / "gate.db"
    engine = Engine(Store(db), load_catalog(), clock=fixed_clock(NOW), actor="oncall")
    build_phase(engine, "gate")
    engine.run("inc", c.file_feedback, title="Rollback thresholds untested", severity="blocker", unit="fix")
    keys = ["A"]
    assert snap_compare(make_app(db, "inc"), terminal_size=size, run_before=settle_then(*keys, text="customer impact"))


@pytest.fixture
def hostile_db(tmp_path):
    """Every free-text field, and a runbook, full of escape sequences and markup (tests/hostile.py)."""
    db = tmp_path / "hostile.db"
    plant(
        Engine(Store(db), load_catalog(), clock=fixed_clock(NOW), actor="oncall"),
        tmp_path / "runbooks",
        clock=fixed_clock(NOW),
    )
    return db


def open_hostile_runbook():
    async def run(pilot) -> None:
        await settle_then("b")(pilot)
        pilot.app.screen.open("hostile")
        await settle_then()(pilot)

    return run


HOSTILE_VIEWS = {
    "list": (None, settle_then()),
    "intent": ("inc", settle_then()),
    "timeline": ("inc", settle_then("t", "end")),  # the newest events, where the hostile ones are
    "finding-menu": ("inc", settle_then("tab", "tab", "enter")),
    "runbook": ("inc", open_hostile_runbook()),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(HOSTILE_VIEWS))
def test_hostile_text_shown_as_pictures(snap_compare, hostile_db, view, size):
    """Sequences appear as ␛-pictures and markup as typed, never obeyed (the stream itself is checked
    byte by byte in tests/tui/test_hostile_tui.py)."""
    slug, run_before = HOSTILE_VIEWS[view]
    assert snap_compare(make_app(hostile_db, slug), terminal_size=size, run_before=run_before)


def build_phase(engine: Engine, phase: str) -> None:
    slug = new_incident(engine, upto="resolve")
    # Bodies that pass resolve's engine checks, so the verifier hands on and the gate opens.
    body = STAGE_BODIES["resolve"]
    engine.run(slug, c.add_unit, title="Build the truststore at deploy time", unit="fix", body=body)
    engine.run(slug, c.add_unit, title="Lift the CA pin", unit="lift", depends_on=("fix",), body=body)
    if phase == "elaborate":
        return
    engine.run(slug, c.declare_ready)
    if phase == "review":
        engine.run(slug, c.signoff, unit="fix", role="correctness")
        return
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    engine.run(slug, c.signoff, unit="lift", role="correctness")
    for unit in ("fix", "lift"):
        engine.run(slug, c.advance_hat, unit=unit)
        for hat in ("engineer", "reviewer", "verifier"):
            engine.run(slug, c.advance_hat, unit=unit, message=f"{hat}: checklist met")
    if phase == "approve":
        return
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    engine.run(slug, c.signoff, unit="lift", role="correctness")
