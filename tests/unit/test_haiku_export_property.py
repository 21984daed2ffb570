"""Property-style test of `cockpit haiku export` over generated intents: random walks of the
resolve stage (units with random dependencies, advances, rejects, findings filed and closed),
exported in a random generation, must give files that say what cockpit says in the engine's
terms (haiku notes §1, §3: A/B status/hat, B/C iterations, a v4 unit done when its last iteration
is an advance on the stage's last hat), a sidecar that decodes, and no write on a second export;
more steps, then export again: only what changed is written, never a conflict."""

from __future__ import annotations

import json
import random

import pytest
from helpers import new_incident, to_execute

from cockpit.domain import commands as c
from cockpit.domain.haiku_sidecar import SIDECAR, decode
from cockpit.errors import CockpitError
from cockpit.sources.haiku_writer import export_intent
from cockpit.text.frontmatter_patch import frontmatter_values

AT = "2026-11-21T00:00:00Z"
SEVERITIES = ["low", "medium", None]


def random_resolve(engine, rng: random.Random) -> str:
    """An incident in resolve/execute with 1–4 units of random names and dependencies."""
    slug = new_incident(engine, upto="resolve")
    units: list[tuple[str, tuple[str, ...]]] = []
    for n in range(rng.randint(1, 4)):
        deps = tuple(name for name, _ in units if rng.random() < 0.4)
        units.append((f"u{n}-{rng.choice(['fix', 'test', 'roll-out'])}", deps))
    to_execute(engine, slug, units)
    return slug


def steps(engine, slug: str, rng: random.Random, n: int) -> None:
    for _ in range(n):
        position = engine.position(slug)
        roll = rng.random()
        try:
            if roll < 0.15:
                unit = rng.choice(position.stage("resolve").units).unit.slug
                engine.run(
                    slug,
                    c.file_feedback,
                    title=f"Finding {rng.randint(1, 999)}: odd!",
                    severity=rng.choice(SEVERITIES),
                    unit=unit,
                )
            elif roll < 0.25 and position.open_findings:
                ref = rng.choice(position.open_findings).feedback.ref
                resolution = rng.choice(["closed", "non_actionable", "rejected"])
                engine.run(slug, c.close_finding, ref=ref, resolution=resolution, text=f"done: {resolution}")
            else:
                movable = position.stage("resolve").movable
                if not movable:
                    continue
                unit = rng.choice(movable)
                if roll < 0.4 and unit.status == "active":
                    engine.run(slug, c.reject_hat, unit=unit.unit.slug, message="not yet")
                else:
                    engine.run(slug, c.advance_hat, unit=unit.unit.slug, message=rng.choice([None, "handed over"]))
        except CockpitError:
            continue  # a move the engine refuses (a hold, a cap): the walk goes on


def check_files(engine, slug: str, folder, generation: str) -> None:
    position = engine.position(slug)
    stage = position.stage("resolve")
    sidecar, problems = decode((folder / SIDECAR).read_text())
    assert problems == ()
    files = {u.slug: u.file for u in sidecar.units}
    assert set(files) == {u.slug for u in position.facts.units}
    last_hat = stage.stage.hats[-1]
    for unit in stage.units:
        meta = frontmatter_values((folder / files[unit.unit.slug]).read_text())
        hats = [(i.hat, i.result) for i in unit.iterations]
        if generation in ("B", "C"):
            assert [(i["hat"], i["result"]) for i in meta["iterations"]] == hats
        if generation in ("A", "B"):
            expected = {"done": "completed", "active": "active", "escalated": "active"}.get(unit.status, "pending")
            assert meta["status"] == expected
            if unit.status == "active":
                assert meta["hat"] == unit.hat and meta["bolt"] == unit.bolt
        if generation == "C" and unit.status == "done":
            assert meta["iterations"][-1]["hat"] == last_hat and meta["iterations"][-1]["result"] == "advance"
        stems = {files[d].rpartition("/")[2].removesuffix(".md") for d in unit.unit.depends_on}
        assert set(meta.get("depends_on", [])) == stems
    found = {f.number: f.file for f in sidecar.findings}
    for f in position.findings:
        meta = frontmatter_values((folder / found[f.feedback.number]).read_text())
        assert bool(meta.get("closed_at")) == (not f.is_open)
        assert meta.get("severity") == f.feedback.severity
    if generation in ("A", "B"):
        state = json.loads((folder / "stages/resolve/state.json").read_text())
        assert state["status"] == "active" and state["phase"] in ("elaborate", "execute", "review", "gate")


@pytest.mark.parametrize("seed", range(24))
def test_generated_walks_export_as_the_engine_reads_them(engine, tmp_path, seed):
    rng = random.Random(seed)
    slug = random_resolve(engine, rng)
    steps(engine, slug, rng, rng.randint(3, 20))
    generation = rng.choice("ABC")
    folder = tmp_path / ".haiku" / "intents" / slug

    def export():
        return export_intent(
            engine.store,
            engine.position(slug),
            tmp_path,
            timeline=engine.timeline(slug),
            at=AT,
            actor="t",
            generation=generation,
        )

    assert not export().conflicts
    check_files(engine, slug, folder, generation)
    assert {o.status for o in export().files} == {"unchanged"}
    steps(engine, slug, rng, rng.randint(1, 10))
    again = export()
    assert not again.conflicts and not again.having("refused")
    check_files(engine, slug, folder, generation)
    assert {o.status for o in export().files} == {"unchanged"}
