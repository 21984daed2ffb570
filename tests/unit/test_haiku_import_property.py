"""Property-style: generated v4 (generation C) intents with random unit counts, iteration
histories and sign-offs import to the position the files' own reading gives (notes "H·AI·K·U
intents on disk" §3.2, after packages/shared/src/derived-stage-state.ts and
orchestrator/workflow/cursor.ts of gigsmart/haiku-method): a unit is done when its last
iteration advances off the last hat; a stage is in elaborate without units, in execute while a
unit is not done, in review while one misses a review role, at its gate while one misses an
approval role, at the user's gate while one misses the `user` approval (the engine's last
approval role outside autopilot), and complete after; the active stage is the first one not complete. Cockpit's names
for those phases: cockpit.domain.haiku_import.COCKPIT_PHASE["C"]."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from cockpit.domain.haiku_import import COCKPIT_PHASE


def _history(rng: random.Random, hats: tuple[str, ...]) -> list[dict]:
    """An engine-like baton: advance or reject the hat held, stop anywhere (the last one open, or not)."""
    out: list[dict] = []
    index, minute = 0, 0
    for _ in range(rng.randint(0, 9)):
        if index >= len(hats):
            break
        result = "advance" if rng.random() < 0.7 else "reject"
        out.append(
            {
                "hat": hats[index],
                "started_at": f"2026-05-05T10:{minute:02d}:00Z",
                "completed_at": f"2026-05-05T10:{minute + 1:02d}:00Z",
                "result": result,
            }
        )
        index = index + 1 if result == "advance" else max(index - 1, 0)
        minute += 2
    if index < len(hats) and out and rng.random() < 0.5:
        out.append(
            {
                "hat": hats[index],
                "started_at": f"2026-05-05T11:{minute % 60:02d}:00Z",
                "completed_at": None,
                "result": None,
            }
        )
    return out


def _done(hats: tuple[str, ...], history: list[dict]) -> bool:
    index = 0
    for entry in history:
        at = hats.index(entry["hat"])
        index = at + 1 if entry["result"] == "advance" else max(at - 1, 0) if entry["result"] == "reject" else at
    return bool(history) and index >= len(hats)


def _write(path: Path, meta: dict, body: str = "Work.") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n\n" + body + "\n")


def _generate(rng: random.Random, folder: Path, studio) -> tuple[str | None, str]:
    """Write one intent; return the files' own reading: (active stage or None, its phase)."""
    _write(
        folder / "intent.md",
        {
            "title": "Generated",
            "studio": "software",
            "plugin_version": "4.0.0",
            "approvals": {},
            "sealed_at": None,
            "created_at": "2026-05-04",
        },
    )
    reading: list[tuple[str, str]] = []
    settle = rng.randint(0, len(studio.stages) - 1)  # stages before it are finished whole
    for n, stage in enumerate(studio.stages):
        if n > settle:
            break
        roles = stage.reviewer_names
        units = []
        for u in range(rng.randint(0 if n == settle else 1, 4)):
            finished = n < settle
            history = (
                [
                    {
                        "hat": h,
                        "started_at": "2026-05-05T09:00:00Z",
                        "completed_at": "2026-05-05T09:01:00Z",
                        "result": "advance",
                    }
                    for h in stage.hats
                ]
                if finished
                else _history(rng, stage.hats)
            )
            reviews = {r: {"at": "2026-05-05T08:00:00Z"} for r in roles if finished or rng.random() < 0.8}
            approvals = {
                r: {"at": "2026-05-05T12:00:00Z"}
                for r in (*roles, "user")
                if finished or (_done(stage.hats, history) and rng.random() < 0.7)
            }
            meta = {"title": f"Unit {u}", "iterations": history, "reviews": reviews, "approvals": approvals}
            _write(folder / "stages" / stage.name / "units" / f"unit-{u + 1:02d}-work-{u}.md", meta)
            units.append((history, reviews, approvals))
        if not units:
            phase = "elaborate"
        elif not all(_done(stage.hats, h) for h, _, _ in units):
            phase = "execute"
        elif any(set(roles) - set(r) for _, r, _ in units):
            phase = "review"
        elif any(set(roles) - set(a) for _, _, a in units):
            phase = "gate"
        elif not stage.is_auto and any("user" not in a for _, _, a in units):
            phase = "user_gate"
        else:
            phase = "complete"
        reading.append((stage.name, phase))
    active = next(((name, phase) for name, phase in reading if phase != "complete"), None)
    if active is None:  # every written stage done: the next one (unwritten) is active, in elaborate
        following = studio.stage_names[len(reading)] if len(reading) < len(studio.stages) else None
        return following, "elaborate" if following else "complete"
    return active


def test_generated_v4_intents_stand_where_their_files_say(engine, tmp_path):
    studio = engine.catalog.get("software")
    for seed in range(40):
        rng = random.Random(seed)
        slug = f"gen-{seed}"
        folder = tmp_path / ".haiku" / "intents" / slug
        stage, phase = _generate(rng, folder, studio)
        (result,) = engine.import_haiku(folder)
        assert result.status == "imported", (seed, [str(p) for p in result.problems])
        assert result.generation == "C"
        pos = engine.position(slug)
        got = (pos.active.name, pos.active.phase) if pos.active else (None, "complete")
        assert got == (stage, COCKPIT_PHASE["C"][phase]), (seed, got, stage, phase)
        # and a second import of the same files writes nothing
        (again,) = engine.import_haiku(folder)
        assert again.status == "unchanged", seed
