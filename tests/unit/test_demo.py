"""The demo seed: a realistic incident mid-resolve and an operations change mid-execute."""

from __future__ import annotations

import pytest

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.store.database import Store


def test_demo_tells_the_promised_story(engine):
    assert demo.seed(engine) == [(demo.INCIDENT, True), (demo.OPERATIONS, True)]
    incident = engine.position(demo.INCIDENT)
    assert (incident.active.name, incident.active.phase) == ("resolve", "execute")
    assert [s.status for s in incident.stages] == ["complete", "complete", "complete", "active", "pending"]
    hats = {u.hat for u in incident.active.units if u.status == "active"}
    assert len(hats) >= 2  # units at different hats
    assert any(u.bolt > 1 for u in incident.active.units)
    assert any(u.status == "waiting" for u in incident.active.units)
    severities = {f.feedback.severity for f in incident.open_findings}
    assert {"blocker", "high", "medium", "low", None} <= severities
    assert [f.feedback.ref for f in incident.open_findings if f.status == "escalated"] == ["FB-006"]
    assert any(not f.is_open for f in incident.findings)
    ops = engine.position(demo.OPERATIONS)
    assert (ops.studio.name, ops.active.name, ops.active.phase) == ("software", "operations", "execute")


def test_demo_is_idempotent(engine):
    demo.seed(engine)
    events = engine.store.last_event_id()
    assert demo.seed(engine) == [(demo.INCIDENT, False), (demo.OPERATIONS, False)]
    assert engine.store.last_event_id() == events


def test_a_failed_seed_leaves_nothing_half_written(catalog, tmp_path, monkeypatch):
    engine = Engine(Store(tmp_path / "d.db"), catalog, actor="t")

    def explode(*args, **kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(demo, "_seed_operations", explode)
    with pytest.raises(RuntimeError):
        demo.seed(engine)
    assert engine.store.slugs() == {demo.INCIDENT}  # the first intent committed whole, the second not at all
    monkeypatch.undo()
    assert demo.seed(engine) == [(demo.INCIDENT, False), (demo.OPERATIONS, True)]
