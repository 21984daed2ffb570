"""The engine's rules where the responder meets them (issue 14), at 80x24 and 160x48 with a fixed
clock: the header when the studio's files changed under a pinned intent, a gate submitted for
external review and awaiting it, and a unit held on its last hat by unchecked completion criteria."""

from __future__ import annotations

import shutil

import pytest
from helpers import new_incident, to_execute, to_gate
from snapshot_harness import NOW, SIZES, settle_then

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.sources.studios import bundled_studios_dir, load_catalog
from cockpit.store.database import Store
from screens.app import CockpitApp

IDS = lambda s: f"{s[0]}x{s[1]}"  # noqa: E731


def _app(engine: Engine, slug: str) -> CockpitApp:
    return CockpitApp(engine, poll_seconds=3600, open_slug=slug)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_header_when_the_studio_changed_on_disk(snap_compare, demo_db, tmp_path, size):
    """The demo incident is pinned to the bundled studio; a copy with one hat rewritten now answers
    to its name, so the header says the files differ and names the upgrade command."""
    studios = tmp_path / "studios"
    shutil.copytree(bundled_studios_dir() / "incident-response", studios / "incident-response")
    hat = studios / "incident-response" / "stages" / "resolve" / "hats" / "engineer.md"
    hat.write_text(hat.read_text() + "\nAlso confirm the rollback path before handing on.\n")
    engine = Engine(Store(demo_db), load_catalog([studios]), clock=fixed_clock(NOW), actor="oncall")
    assert engine.studio_drift(demo.INCIDENT) is not None
    assert snap_compare(_app(engine, demo.INCIDENT), terminal_size=size, run_before=settle_then())


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_gate_submitted_for_external_review(snap_compare, tmp_path, size):
    engine = Engine(Store(tmp_path / "c.db"), load_catalog(), clock=fixed_clock(NOW), actor="oncall")
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    engine.run(slug, c.submit, url="https://git.example/acme/checkout/pull/42", branch="postmortem/checkout-5xx")
    assert snap_compare(_app(engine, slug), terminal_size=size, run_before=settle_then())


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_unit_held_by_unchecked_completion_criteria(snap_compare, tmp_path, size):
    engine = Engine(Store(tmp_path / "c.db"), load_catalog(), clock=fixed_clock(NOW), actor="oncall")
    slug = new_incident(engine, upto="mitigate")
    to_execute(engine, slug, [("roll", ())])
    body = "Roll back the payments-gateway certificate.\n\n- [x] canary drained\n- [ ] error rate under 1%\n"
    engine.run(slug, c.edit_unit, unit="roll", body=body)
    for _ in range(3):
        engine.run(slug, c.advance_hat, unit="roll", message="on")
    assert engine.position(slug).next.kind == "tick_criteria"
    assert snap_compare(_app(engine, slug), terminal_size=size, run_before=settle_then())
