"""Snapshot fixtures: fixed clock, fixed data (a seeded template database copied per test)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # the same fixed clock as test_snapshots.NOW


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    from cockpit.app import demo
    from cockpit.app.engine import Engine
    from cockpit.clock import fixed_clock
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store

    path = tmp_path_factory.mktemp("template") / "demo.db"
    store = Store(path)
    demo.seed(Engine(store, load_catalog(), clock=fixed_clock(NOW), actor="oncall"))
    demo.sample_library(store, fixed_clock(NOW))  # the demo database's library: the bundled samples
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def demo_db(template_db, tmp_path) -> Path:
    copy = tmp_path / "demo.db"
    shutil.copy(template_db, copy)
    return copy
