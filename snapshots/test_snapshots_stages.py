"""The stages browser on investigate's root cause (what resolve must quote): 80x24, 160x48, NO_COLOR."""

from __future__ import annotations

import pytest
from snapshot_harness import SIZES, make_app, settle_then

from cockpit.app import demo

KEYS = ["o", "k", "enter"]  # from resolve: the earlier stages, up to investigate, into its units


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stages_browser(snap_compare, demo_db, size):
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then(*KEYS))


def test_stages_browser_no_color(snap_compare, demo_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=(80, 24), run_before=settle_then(*KEYS))
