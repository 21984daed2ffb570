"""The new-intent and jump dialogs over the intent list at 80x24: every row one line, keys in sight."""

from __future__ import annotations

import pytest
from snapshot_harness import make_app, settle_then


@pytest.mark.parametrize("keys", [["n"], ["colon", "o", "r", "d"]], ids=["new-intent", "jump"])
def test_open_intent_dialogs(snap_compare, demo_db, keys):
    assert snap_compare(make_app(demo_db), terminal_size=(80, 24), run_before=settle_then(*keys))
