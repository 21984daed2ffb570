"""Property-style round trip of issue 15 over random cockpit walks: cockpit A walks the resolve
stage at random (units with random dependencies, advances, rejects, ticks, findings filed,
classified and closed three ways, sign-offs, the gate approved — over open blockers with an
override reason), exports in generation B or C (A's files keep no iterations, so no second
cockpit can read A's history back from them), and a second cockpit with an empty database
imports the folder: its status JSON is A's, its timeline is A's but for the haiku_* events, and
its own export changes no file. The walk is test_haiku_export_property's, plus the gate."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from helpers import T0
from test_haiku_export_property import random_resolve, steps
from test_haiku_two_cockpits import files_of, status_json, story

from cockpit.app.demo import sign_all
from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.errors import CockpitError
from cockpit.sources.haiku_writer import export_intent
from cockpit.store.database import Store

AT = "2026-11-21T00:00:00Z"


def extra_steps(engine: Engine, slug: str, rng: random.Random) -> None:
    """What the export walk does not do: ticks, classifying, signing, the gate."""
    position = engine.position(slug)
    stage = position.stage("resolve")
    for unit in stage.units:
        if unit.status == "active" and unit.hat and rng.random() < 0.5:
            items = stage.stage.hat(unit.hat).checklist
            if items:
                try:
                    engine.run(slug, c.tick, unit=unit.unit.slug, item=items[0], ticked=True)
                except CockpitError:
                    pass
    for f in position.open_findings:
        if rng.random() < 0.4:
            engine.run(slug, c.classify, ref=f.feedback.ref, severity=rng.choice(["blocker", "low"]), reason="seen")
    if rng.random() < 0.6:
        sign_all(engine, slug)
    active = engine.position(slug).active
    if active is not None and active.name == "resolve" and active.phase == "gate" and rng.random() < 0.7:
        engine.run(slug, c.approve, override="tracked elsewhere" if active.gate.blockers else None)


@pytest.mark.parametrize("seed", range(20))
def test_random_walks_come_back_the_same_in_a_second_cockpit(engine, catalog, tmp_path, seed):
    rng = random.Random(seed)
    slug = random_resolve(engine, rng)
    for _ in range(rng.randint(1, 3)):
        steps(engine, slug, rng, rng.randint(3, 15))
        extra_steps(engine, slug, rng)
    generation = rng.choice("BC")
    export_intent(
        engine.store,
        engine.position(slug),
        tmp_path,
        timeline=engine.timeline(slug),
        at=AT,
        actor="t",
        generation=generation,
    )
    other = Engine(Store(":memory:"), catalog, clock=stepping_clock(T0, timedelta(hours=7)), actor="bea")
    (result,) = other.import_haiku(tmp_path)
    assert result.status == "imported" and result.problems == [], (seed, [str(p) for p in result.problems])
    assert status_json(other, slug) == status_json(engine, slug), (seed, generation)
    assert story(other, slug) == story(engine, slug), seed
    folder = tmp_path / ".haiku" / "intents" / slug
    before = files_of(folder)
    again = export_intent(other.store, other.position(slug), tmp_path, timeline=other.timeline(slug), at=AT, actor="t")
    assert {o.path: o.status for o in again.files if o.status != "unchanged"} == {}, (seed, generation)
    assert files_of(folder) == before
