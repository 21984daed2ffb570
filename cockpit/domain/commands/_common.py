"""What the commands share: argument rules (a required text, a severity, AI provenance,
redaction of what is stored), lookups in the derived position that refuse with the reason
(the active stage, a reached stage, a unit, a finding), and the rows that open and close a hat's
iteration. Private to the commands package: the concern modules import it, it imports none of them."""

from __future__ import annotations

import json
from typing import Any

from cockpit import severity as sev
from cockpit.domain.change import Insert, Update
from cockpit.domain.model import (
    Iteration,
)
from cockpit.domain.walk import FindingState, Position, StageState, UnitState
from cockpit.errors import CockpitError, IllegalTransition, NotFound


def _required(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise CockpitError(f"{what} is required")
    return value.strip()


def _severity(value: str | None) -> str | None:
    try:
        return sev.check_severity(value)
    except ValueError as exc:
        raise CockpitError(str(exc)) from None


def _ai(ai: object) -> dict[str, Any]:
    """AI provenance for the event data (model, request id, task), checked here whatever the caller
    passed: the timeline marks the action as AI-assisted. What is stored is still what the engineer
    accepted; the model never calls commands."""
    if ai is None:
        return {}
    if not isinstance(ai, dict) or not ai:
        raise CockpitError("AI provenance must be a non-empty mapping (model, request_id, task)")
    try:
        return {"ai": json.loads(json.dumps(ai))}  # a plain JSON copy: the event data is stored as JSON
    except (TypeError, ValueError):
        raise CockpitError("AI provenance must be JSON data") from None


def _redacted(text: str) -> str:
    """What is stored of a model's answer, a gate's output or a copied runbook line: the same
    redaction as what leaves the machine. Here, in the command, so no caller can skip it."""
    from cockpit.text.redact import redact  # on use: it compiles many patterns

    return redact(text).text


def _active(pos: Position) -> StageState:
    if pos.active is None:
        raise IllegalTransition(f"intent {pos.facts.intent.slug} is complete: every stage has passed its gate")
    return pos.active


def _walked(pos: Position, stage: str) -> StageState:
    """The stage named `stage`, refused when the studio has none or the intent skips it."""
    try:
        state = pos.stage(stage)
    except KeyError:
        raise NotFound(
            f"studio {pos.studio.name} has no stage {stage!r} (stages: {', '.join(pos.studio.stage_names)})"
        ) from None
    if state.status == "skipped":
        raise IllegalTransition(f"stage {stage} is skipped: intent {pos.facts.intent.slug} does not walk it")
    return state


def _reached(pos: Position, stage: str) -> StageState:
    state = _walked(pos, stage)
    if state.status == "pending" and pos.active is not None and pos.stages.index(state) > pos.stages.index(pos.active):
        if state.elaborated or state.units:
            raise IllegalTransition(
                f"stage {stage} is paused: the earlier stage {pos.active.name} re-opened and comes first"
            )
        raise IllegalTransition(f"stage {stage} is not reached yet: the active stage is {pos.active.name}")
    return state


def _unit(pos: Position, slug: str) -> tuple[StageState, UnitState]:
    for state in pos.stages:
        found = state.unit(slug)
        if found is not None:
            return state, found
    known = ", ".join(u.unit.slug for s in pos.stages for u in s.units) or "none"
    raise NotFound(f"intent {pos.facts.intent.slug} has no unit {slug!r} (units: {known})")


def _active_unit(pos: Position, slug: str) -> UnitState:
    stage, unit = _unit(pos, slug)
    active = _active(pos)
    if stage.name != active.name:
        raise IllegalTransition(f"unit {slug} belongs to stage {stage.name}, not the active stage {active.name}")
    return unit


def _finding(pos: Position, ref: str) -> FindingState:
    found = pos.finding(ref)
    if found is None:
        raise NotFound(f"intent {pos.facts.intent.slug} has no finding {ref!r}")
    return found


def _open_finding(pos: Position, ref: str) -> FindingState:
    found = _finding(pos, ref)
    if not found.is_open:
        raise IllegalTransition(f"{found.feedback.ref} is already {found.status}")
    return found


def _open_iteration(iterations: tuple[Iteration, ...]) -> Iteration | None:
    return iterations[-1] if iterations and iterations[-1].result is None else None


def _iteration(owner: str, owner_id: int, hat: str, now: str) -> Insert:
    return Insert(
        owner,
        {"owner_id": owner_id, "hat": hat, "started_at": now, "completed_at": None, "result": None, "message": None},
    )


def _close_iteration(
    owner: str,
    owner_id: int,
    iterations: tuple[Iteration, ...],
    hat: str,
    result: str | None,
    message: str | None,
    now: str,
) -> list[Insert | Update]:
    """Close the open iteration, or record a closed one if the hat was never opened (imported data)."""
    values = {"completed_at": now, "result": result, "message": message}
    current = _open_iteration(iterations)
    if current is not None:
        return [Update(owner, current.id, values)]
    return [Insert(owner, {"owner_id": owner_id, "hat": hat, "started_at": now, **values})]
