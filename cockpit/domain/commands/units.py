"""Elaborating a stage's unit list: adding and importing units, declaring the list ready,
and editing a unit's body."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cockpit.domain import check_runs, required_artifacts
from cockpit.domain.change import Change, Ctx, Event, Insert, Update
from cockpit.domain.commands._common import (
    _active,
    _ai,
    _reached,
    _redacted,
    _unit,
)
from cockpit.domain.commands.checks import _stage_checks
from cockpit.domain.commands.names import check_slug, check_title, slugify
from cockpit.domain.dag import dependency_problems
from cockpit.domain.units import UnitFile, check_unit_files, dependency_order
from cockpit.domain.walk import Position
from cockpit.errors import CockpitError, IllegalTransition


def add_unit(
    pos: Position,
    ctx: Ctx,
    *,
    title: str,
    stage: str | None = None,
    unit: str | None = None,
    body: str = "",
    depends_on: tuple[str, ...] = (),
) -> Change:
    state = _reached(pos, stage) if stage else _active(pos)
    title = check_title(title)
    slug = check_slug(unit) if unit else slugify(title)
    taken = {u.unit.slug for s in pos.stages for u in s.units}
    if slug in taken:
        raise CockpitError(f"intent {pos.facts.intent.slug} already has a unit {slug!r}: pass another --slug")
    graph = {u.unit.slug: list(u.unit.depends_on) for u in state.units}
    graph[slug] = list(dict.fromkeys(depends_on))
    problems = dependency_problems(graph)
    if problems:
        hint = (
            ""
            if all(d in graph for d in depends_on)
            else f" (units of {state.name}: {', '.join(u.unit.slug for u in state.units) or 'none'})"
        )
        raise CockpitError(problems[0] + hint)
    row = {
        "stage": state.name,
        "slug": slug,
        "title": title,
        "body": body,
        "depends_on": list(graph[slug]),
        "created_at": ctx.now,
    }
    return Change(
        Event("add_unit", title, state.name, slug), (Insert("units", row),), f"added unit {slug} to {state.name}"
    )


def import_units(pos: Position, ctx: Ctx, *, files: tuple[UnitFile, ...], stage: str | None = None) -> Change:
    """Add a checked set of H·AI·K·U unit files (cockpit.domain.units.UnitFile, read by
    cockpit.sources.unit_files) as one command."""
    state = _reached(pos, stage) if stage else _active(pos)
    problems = check_unit_files(
        list(files),
        siblings=[u.unit.slug for u in state.units],
        taken=[u.unit.slug for s in pos.stages for u in s.units],
    )
    if problems:
        raise CockpitError("\n".join(map(str, problems)) + "\nnothing imported")
    rows = tuple(
        Insert(
            "units",
            {
                "stage": state.name,
                "slug": f.slug,
                "title": check_title(f.title),
                "body": f.body,
                "depends_on": list(f.depends_on),
                "created_at": ctx.now,
                "meta": json.dumps(f.meta, sort_keys=True, default=str),
            },
        )  # YAML dates become text
        for f in dependency_order(list(files))
    )
    slugs = [r.row["slug"] for r in rows]
    return Change(
        Event("import_units", None, state.name, data={"units": slugs, "files": [f.path for f in files]}),
        rows,
        f"imported {len(rows)} units into {state.name}: {', '.join(slugs)}",
    )


def declare_ready(pos: Position, ctx: Ctx) -> Change:
    """End elaborate. Refused while a required discovery artifact of the stage is missing, as the
    engine refuses to leave elaborate without them (cockpit.domain.required_artifacts; what exists
    is `ctx.on_disk`, None when no project is at hand)."""
    state = _active(pos)
    if state.elaborated:
        raise IllegalTransition(f"the unit list of {state.name} is already declared ready (phase {state.phase})")
    if not state.units:
        raise IllegalTransition(f"{state.name} has no units yet: add at least one before declaring the list ready")
    absent = required_artifacts.missing(state.stage, "discovery", pos.facts.intent.slug, ctx.on_disk)
    if absent:
        raise IllegalTransition(
            required_artifacts.describe(state.name, "discovery", absent, ctx.project)
            + ": elaborate cannot end; write them, then declare the list ready again"
        )
    row = {"stage": state.name, "kind": "elaborated", "at": ctx.now}
    units = [u.unit.slug for u in state.units]
    return Change(
        Event("declare_ready", None, state.name, data={"units": units}),
        (Insert("decisions", row),),
        f"{state.name}: unit list ready ({len(units)} units), phase {'review' if state.stage.reviewers else 'execute'}",
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def edit_unit(
    pos: Position, ctx: Ctx, *, unit: str, body: str, ai: dict[str, Any] | None = None, was: str | None = None
) -> Change:
    """Save a unit body. `ai` marks an accepted AI draft (the body is what the engineer accepted);
    its event keeps the body it replaced, so a wrong accept can be undone from the timeline.

    `was`: the body the edit started from. If the unit changed since (another screen, session or
    the CLI saved it), the edit is refused rather than silently overwriting that change."""
    stage, target = _unit(pos, unit)
    body = _redacted(body) if ai else body
    if was is not None and was != target.unit.body:
        raise IllegalTransition(f"unit {unit} was changed since you opened it: reopen it and edit the current body")
    if body == target.unit.body:
        raise CockpitError(f"unit {unit}: the body is unchanged")
    data: dict[str, Any] = {"before": _digest(target.unit.body), "after": _digest(body), "chars": len(body), **_ai(ai)}
    if ai:
        data["replaced"] = target.unit.body
    writes: list[Insert | Update] = [Update("units", target.unit.id, {"body": body})]
    summary = f"{unit}: {'AI-drafted body saved' if ai else 'body saved'}"
    if stage.stage.checks and stage.status == "active" and check_runs.is_engaged(stage, target):
        # Past its verifier, a body edit re-runs the checks: a fix closes its finding at once.
        check_writes, info = _stage_checks(pos, stage, ctx, unit=target, body=body)
        writes += check_writes
        data.update(info)
        summary += f" (checks: {info['checks']['text']})" if info else ""
    return Change(Event("edit_unit", None, stage.name, unit, target.hat, data), tuple(writes), summary)
