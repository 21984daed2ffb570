"""The finding in full: on its own screen at 80x24, beside the list at 160x48, and under NO_COLOR."""

from __future__ import annotations

import pytest
from snapshot_harness import SIZES, make_app, settle_then

from cockpit.app import demo


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_finding_screen(snap_compare, demo_db, size):
    # FB-006: escalated, with a fix loop of several bolts and their messages
    keys = ["tab", "j", "j", "enter"]
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=size, run_before=settle_then(*keys))


def test_finding_beside_the_list_when_wide(snap_compare, demo_db):
    keys = ["tab", "j", "j"]
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=(160, 48), run_before=settle_then(*keys))


def test_finding_screen_no_color(snap_compare, demo_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    keys = ["tab", "j", "j", "enter"]
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=(80, 24), run_before=settle_then(*keys))
