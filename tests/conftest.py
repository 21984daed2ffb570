"""Shared fixtures: the bundled catalog, and engines on a fresh in-memory store with a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit import commands as c
from cockpit.clock import stepping_clock
from cockpit.demo import complete_stage
from cockpit.engine import Engine
from cockpit.store import Store
from cockpit.studio_loader import load_catalog

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def catalog():
    loaded = load_catalog()
    assert not loaded.problems, [str(p) for p in loaded.problems]
    return loaded


@pytest.fixture
def engine(catalog) -> Engine:
    return Engine(Store(":memory:"), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="tester")


def new_incident(engine: Engine, upto: str | None = None, slug: str = "inc") -> str:
    """An incident-response intent whose stages before `upto` are complete."""
    engine.create_intent(studio="incident-response", title="Checkout 5xx", slug=slug)
    for stage in engine.catalog.get("incident-response").stage_names:
        if stage == upto:
            break
        complete_stage(engine, slug, stage, [(f"{stage}-work", f"Work of {stage}", "", ())], evidence="https://git.example/pr/1")
    return slug


def to_execute(engine: Engine, slug: str, units: list[tuple[str, tuple[str, ...]]]) -> None:
    """Add units to the active stage, declare them ready and sign off every reviewer."""
    for unit, deps in units:
        engine.run(slug, c.add_unit, title=f"Unit {unit}", unit=unit, depends_on=deps)
    engine.run(slug, c.declare_ready)
    active = engine.position(slug).active
    for unit, role in active.missing_review:
        engine.run(slug, c.signoff, unit=unit, role=role)
