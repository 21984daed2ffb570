"""Shared fixtures: the bundled catalog, and engines on a fresh in-memory store with a fixed clock.

Walk helpers live in helpers.py (imported by the snapshot tests too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import NOW, T0

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock, stepping_clock
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store


@pytest.fixture(scope="session")
def catalog():
    loaded = load_catalog(cache=False)  # session-scoped: made before the autouse fixture moves XDG_CACHE_HOME
    assert not loaded.problems, [str(p) for p in loaded.problems]
    return loaded


@pytest.fixture
def engine(catalog) -> Engine:
    return Engine(Store(":memory:"), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="tester")


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    """Run `cockpit ARGS --db <fresh file>` in-process: (exit code, stdout, stderr)."""
    from cockpit.cli.main import main

    db = str(tmp_path / "c.db")
    monkeypatch.setenv("COCKPIT_ACTOR", "oncall")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", db])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the app and the SDK run on asyncio


@pytest.fixture
def seeded(catalog, tmp_path) -> Engine:
    """The demo incidents on a file database, at the fixed moment the screens are drawn."""
    engine = Engine(Store(tmp_path / "tui.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    return engine
