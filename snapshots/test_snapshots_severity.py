"""Severity under NO_COLOR: the intent screen's feedback list at 80x24, the blocker the loudest mark."""

from __future__ import annotations

from snapshot_harness import make_app, settle_then

from cockpit.app import demo


def test_feedback_list_no_color(snap_compare, demo_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # before the app is built: Textual reads it then
    keys = ["tab"]  # the feedback list has the keys
    assert snap_compare(make_app(demo_db, demo.INCIDENT), terminal_size=(80, 24), run_before=settle_then(*keys))
