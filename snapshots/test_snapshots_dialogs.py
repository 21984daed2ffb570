"""The dialogs of issue 13 at 80x24 and 160x48: what each asks, its fields and the keys that answer
it, all in sight (tests/tui/test_tui_dialogs.py holds the same for every dialog by geometry)."""

from __future__ import annotations

import pytest
from helpers import gate_with_blockers
from snapshot_harness import NOW, SIZES, make_app, settle_then

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store

IDS = {"ids": lambda s: f"{s[0]}x{s[1]}"}


@pytest.mark.parametrize("size", SIZES, **IDS)
def test_file_finding_dialog(snap_compare, demo_db, size):
    keys = ["f"]
    assert snap_compare(
        make_app(demo_db, demo.INCIDENT),
        terminal_size=size,
        run_before=settle_then(*keys, text="No rollback step for the truststore change"),
    )


@pytest.mark.parametrize("size", SIZES, **IDS)
def test_approve_dialog_past_five_blocking_findings(snap_compare, tmp_path, size):
    db = tmp_path / "gate.db"
    gate_with_blockers(Engine(Store(db), load_catalog(), clock=fixed_clock(NOW), actor="oncall"), 5)
    keys = ["A"]
    assert snap_compare(
        make_app(db, "inc"),
        terminal_size=size,
        run_before=settle_then(*keys, text="customer impact outweighs the open findings"),
    )


@pytest.mark.parametrize("size", SIZES, **IDS)
def test_hand_off_dialog(snap_compare, demo_db, size):
    keys = ["a"]
    assert snap_compare(
        make_app(demo_db, demo.INCIDENT),
        terminal_size=size,
        run_before=settle_then(*keys, text="handshake verified in staging"),
    )
