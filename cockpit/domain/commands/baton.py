"""The per-unit baton: advancing and rejecting the hat a unit wears, ticking its hand-off
checklist, and resuming an escalated unit or finding.

The engine's holds, each refused with what a human can do: the reject that would start a bolt
past MAX_UNIT_BOLTS, the last hat's advance while the unit's body has unchecked completion
criteria (cockpit.domain.criteria), and the advance that ends execute while a required output is
missing from the project (cockpit.domain.required_artifacts; only when a project is at hand,
`ctx.on_disk`)."""

from __future__ import annotations

from typing import Any

from cockpit.domain import required_artifacts
from cockpit.domain.change import Change, Ctx, Event, Insert, Update
from cockpit.domain.commands._common import (
    _active,
    _active_unit,
    _close_iteration,
    _iteration,
    _open_finding,
    _required,
    _unit,
)
from cockpit.domain.commands.checks import _verifier_checks
from cockpit.domain.criteria import held_by_criteria, unchecked_criteria
from cockpit.domain.walk import MAX_UNIT_BOLTS, Position, StageState, UnitState, hat_before, next_hat
from cockpit.errors import IllegalTransition, NotFound


def _movable(unit: UnitState, verb: str) -> str:
    """The hat a unit that can move wears (or starts with); refuse, saying why, to move a unit the
    walk says cannot move (UnitState.can_move)."""
    if unit.can_move and unit.hat is not None:  # only a finished unit has no hat
        return unit.hat
    slug = unit.unit.slug
    if unit.status == "done":
        raise IllegalTransition(f"unit {slug} has finished its baton: nothing to {verb}")
    if unit.status == "escalated":
        raise IllegalTransition(
            f"unit {slug} is escalated after {unit.bolt - 1} rejects: resume it with a reason first"
        )
    if unit.status == "waiting":
        raise IllegalTransition(f"unit {slug} waits on {', '.join(unit.waiting_on)}")
    raise IllegalTransition(f"unit {slug} is {unit.status}: it has no hat to {verb}")


def _in_execute(pos: Position) -> StageState:
    state = _active(pos)
    if state.phase != "execute":
        raise IllegalTransition(f"{state.name} is in {state.phase}, not execute: {pos.next.text}")
    return state


def _completion_holds(pos: Position, state: StageState, target: UnitState, ctx: Ctx) -> None:
    """Refuse the advance that completes `target` while its body has unchecked completion criteria,
    or, when it is the stage's last unit to finish (execute ends), while a required output of the
    stage is missing on disk."""
    unchecked = unchecked_criteria(target.unit.body)
    if unchecked:
        raise IllegalTransition(
            f"{held_by_criteria(target.unit.slug, unchecked)}: the {target.hat} hat cannot complete it; "
            "tick them (- [x]) in its body once they hold, or edit them out if they no longer apply"
        )
    if any(u.status != "done" for u in state.units if u.unit.id != target.unit.id):
        return
    absent = required_artifacts.missing(state.stage, "output", pos.facts.intent.slug, ctx.on_disk)
    if absent:
        raise IllegalTransition(
            required_artifacts.describe(state.name, "output", absent, ctx.project)
            + f": execute cannot end; produce them, then advance {target.unit.slug} again"
        )


def advance_hat(pos: Position, ctx: Ctx, *, unit: str, message: str | None = None) -> Change:
    """Hand the unit's baton to its next hat (or start it). The last hat's advance is held by
    unchecked completion criteria and, when it would end execute, by required outputs missing from
    the project (`ctx.on_disk`)."""
    target = _active_unit(pos, unit)
    state = _in_execute(pos)
    hat = _movable(target, "advance")
    hats = state.stage.hats
    if target.status == "ready":
        return Change(
            Event("start_unit", message, state.name, unit, hats[0]),
            (_iteration("iterations", target.unit.id, hats[0], ctx.now),),
            f"started {unit}: {hats[0]} holds the baton",
        )
    nxt = next_hat(hats, hat)
    if nxt is None:
        _completion_holds(pos, state, target, ctx)
    check_writes: list[Insert | Update] = []
    data: dict[str, Any] = {}
    if nxt is None and state.stage.checks:
        checked = _verifier_checks(pos, state, target, ctx, message)
        if isinstance(checked, Change):
            return checked
        check_writes, data = checked
    writes = _close_iteration("iterations", target.unit.id, target.iterations, hat, "advance", message, ctx.now)
    if nxt is not None:
        writes.append(_iteration("iterations", target.unit.id, nxt, ctx.now))
        summary = f"{unit}: {hat} → {nxt}"
    else:
        summary = f"{unit}: {hat} advanced; the baton is finished"
    if data.get("checks"):
        summary += f" (checks: {data['checks']['text']})"
    return Change(
        Event("advance_hat", message, state.name, unit, hat, {"to": nxt, "bolt": target.bolt, **data}),
        (*writes, *check_writes),
        summary,
    )


def reject_hat(pos: Position, ctx: Ctx, *, unit: str, message: str) -> Change:
    message = _required(message, "a reason (--message)")
    target = _active_unit(pos, unit)
    state = _in_execute(pos)
    hat = _movable(target, "reject")
    if target.status == "ready":
        raise IllegalTransition(f"unit {unit} has not started: nothing to reject")
    if target.on_last_bolt:
        raise IllegalTransition(
            f"unit {unit} is on bolt {target.bolt}, the last of {MAX_UNIT_BOLTS}: "
            "this reject is refused. A human decides: resume it with a reason (cockpit resume) to allow "
            f"{MAX_UNIT_BOLTS - 1} more rejects, rescope it (edit its body, or split it into units), or advance it"
        )
    hats = state.stage.hats
    back = hat_before(hats, hat)
    writes = _close_iteration("iterations", target.unit.id, target.iterations, hat, "reject", message, ctx.now)
    writes.append(_iteration("iterations", target.unit.id, back, ctx.now))
    summary = f"{unit}: {hat} rejected back to {back}, bolt {target.bolt + 1}"
    return Change(
        Event("reject_hat", message, state.name, unit, hat, {"to": back, "bolt": target.bolt + 1}),
        tuple(writes),
        summary,
    )


def tick(pos: Position, ctx: Ctx, *, unit: str, item: str, ticked: bool) -> Change:
    """Tick (or untick) one hand-off checklist item of the hat the unit is wearing."""
    target = _active_unit(pos, unit)
    if target.status not in ("active", "escalated") or target.hat is None:
        raise IllegalTransition(f"unit {unit} is {target.status}: no hat is being worn")
    hat = _active(pos).stage.hat(target.hat)
    if hat is None or item not in hat.checklist:
        raise NotFound(f"the {target.hat} hat has no checklist item {item!r}")
    if (item in target.ticked) == ticked:
        raise IllegalTransition(f"{item!r} is already {'ticked' if ticked else 'unticked'}")
    row = {"owner_id": target.unit.id, "hat": target.hat, "bolt": target.bolt, "item": item, "ticked": int(ticked)}
    verb = "ticked" if ticked else "unticked"
    return Change(
        Event("tick", item, _active(pos).name, unit, target.hat, {"ticked": ticked, "bolt": target.bolt}),
        (Insert("ticks", row),),
        f'{unit}: {verb} "{item}"',
    )


def resume(pos: Position, ctx: Ctx, *, reason: str, unit: str | None = None, ref: str | None = None) -> Change:
    reason = _required(reason, "a reason")
    if unit:
        stage, target = _unit(pos, unit)
        if target.status != "escalated" and not target.on_last_bolt:
            raise IllegalTransition(f"unit {unit} is not escalated nor on its last bolt ({target.status})")
        row = {"stage": stage.name, "kind": "resumed", "at": ctx.now, "reason": reason, "unit_id": target.unit.id}
        return Change(
            Event("resume", reason, stage.name, unit, target.hat),
            (Insert("decisions", row),),
            f"{unit} resumed at bolt {target.bolt}: {MAX_UNIT_BOLTS - 1} more rejects before a human decides again",
        )
    found = _open_finding(pos, ref or "")
    if found.status != "escalated":
        raise IllegalTransition(f"{found.feedback.ref} is not escalated ({found.status})")
    row = {
        "stage": found.feedback.stage,
        "kind": "resumed",
        "at": ctx.now,
        "reason": reason,
        "feedback_id": found.feedback.id,
    }
    return Change(
        Event("resume", reason, found.feedback.stage, found.target, found.hat, {"feedback": found.feedback.ref}),
        (Insert("decisions", row),),
        f"{found.feedback.ref} resumed at bolt {found.bolt}",
    )
