"""The engine's checks as commands: running the active stage's checks on demand, and the
quality-gate commands (confirming what may run, recording what ran). The helpers here also run the
checks alongside other commands (a verifier's advance, a body edit, an approve-phase sign-off)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cockpit.checks.base import Refused
from cockpit.domain import check_runs
from cockpit.domain.change import Change, Ctx, Event, Insert, Update
from cockpit.domain.commands._common import (
    _active,
    _active_unit,
    _redacted,
    _unit,
)
from cockpit.domain.gates import GateRun, unreadable
from cockpit.domain.walk import Position, StageState, UnitState
from cockpit.errors import CockpitError, IllegalTransition
from cockpit.text.terminal import safe


def _checks_data(reconciled: check_runs.Reconciled, reports: list[check_runs.UnitReport]) -> dict[str, Any]:
    failed = sorted({f"{r.slug}:{res.check}" for r in reports for res in r.failed})
    return {
        **reconciled.data(),
        "failed": failed,
        "text": reconciled.describe() or ("all pass" if not failed else "no change"),
        **({"severities": reconciled.severities} if reconciled.severities else {}),
    }


def _verifier_checks(
    pos: Position, state: StageState, target: UnitState, ctx: Ctx, message: str | None
) -> Change | tuple[list[Insert | Update], dict[str, Any]]:
    """The engine's checks at the verifier's advance. A blocking failure holds the baton at the
    verifier (the findings are filed, the iteration stays open); otherwise the findings ride along
    with the advance. The advance that finishes the stage's last unit re-checks every unit: the
    stage is entering its approve phase."""
    context = check_runs.base_context(pos, state, ctx.runbooks)
    report = check_runs.evaluate_unit(state, target, context)
    own = check_runs.reconcile(pos, [report], ctx.now)
    held = check_runs.holding(pos, report, own)
    unit = target.unit.slug
    if held:
        info = {**_checks_data(own, [report]), "held_by": held}
        return Change(
            Event("verify_held", message, state.name, unit, target.hat, {"checks": info}),
            tuple(own.writes),
            f"{unit}: {target.hat} cannot advance: blocking check findings {', '.join(held)}"
            + (f" ({own.describe()})" if own.describe() else "")
            + "; fix the body, then advance again",
        )
    reports = [report]
    others = [u for u in state.units if u.unit.id != target.unit.id]
    if all(u.status == "done" for u in others):  # the last unit finishes: the stage enters approve
        reports += [check_runs.evaluate_unit(state, u, context) for u in others]
    reconciled = check_runs.reconcile(pos, reports, ctx.now) if len(reports) > 1 else own
    return reconciled.writes, {"checks": _checks_data(reconciled, reports)}


def _stage_checks(
    pos: Position, state: StageState, ctx: Ctx, *, unit: UnitState | None = None, body: str | None = None
) -> tuple[list[Insert | Update], dict[str, Any]]:
    """Checks run alongside another command (an edit, an approve-phase sign-off): findings only."""
    context = check_runs.base_context(pos, state, ctx.runbooks)
    units = [unit] if unit is not None else list(state.units)
    reports = [check_runs.evaluate_unit(state, u, context, body if u is unit else None) for u in units]
    reconciled = check_runs.reconcile(pos, reports, ctx.now)
    return reconciled.writes, ({"checks": _checks_data(reconciled, reports)} if reconciled.writes else {})


def run_checks(
    pos: Position,
    ctx: Ctx,
    *,
    unit: str | None = None,
    artifacts: Mapping[str, Mapping[str, str | Refused]] | None = None,
) -> Change:
    """Run the active stage's checks on demand (every unit, or one) and file, update or close
    their findings. Units still before their verifier are drafts: their failures are reported by
    the caller but file nothing. `artifacts` are the files units list, read by the caller."""
    state = _active(pos)
    if not state.stage.checks:
        raise IllegalTransition(f"stage {state.name} declares no checks (`checks:` in its STAGE.md)")
    if unit is not None:
        _active_unit(pos, unit)
    reports = check_runs.evaluate(pos, ctx.runbooks, unit=unit, stage=state.name, artifacts=artifacts)
    reconciled = check_runs.reconcile(pos, reports, ctx.now)
    info = _checks_data(reconciled, reports)
    return Change(
        Event("run_checks", None, state.name, unit, None, {"checks": info}),
        tuple(reconciled.writes),
        f"checks on {unit or state.name}: {info['text']}",
    )


def confirm_quality_gates(pos: Position, ctx: Ctx, *, unit: str, gates: tuple[dict[str, Any], ...]) -> Change:
    """Record that the engineer saw and allowed these gate commands (name, command, dir, expect) for
    this unit. Nothing else runs a command: `cockpit check` asks first, or takes --yes."""
    from cockpit.text import redact

    stage, _target = _unit(pos, unit)
    if not gates:
        raise CockpitError(f"unit {unit}: no quality gates to confirm")
    for gate in gates:  # a confirmation of what cannot be read would cover what was not seen
        reason = unreadable(gate["command"])
        if reason is not None:
            raise CockpitError(f"unit {unit}: quality gate {safe(gate['name'], one_line=True)}: its command {reason}")
    shown = [
        {
            "name": g["name"],
            "command": redact.redact(g["command"]).text,
            "dir": g.get("dir"),
            "expect": g["expect"],
            "digest": g["digest"],
        }
        for g in gates
    ]
    return Change(
        Event("confirm_quality_gates", None, stage.name, unit, None, {"gates": shown}),
        (),
        f"{unit}: confirmed {len(gates)} quality gate command{'s' if len(gates) != 1 else ''}",
    )


def record_quality_gates(pos: Position, ctx: Ctx, *, unit: str, runs: tuple[dict[str, Any], ...]) -> Change:
    """Record gate runs (exit status, redacted output tail) and file, update or close their
    findings: a gate that did not do what it expects is a blocker on the unit."""
    from cockpit.checks.base import FAIL, PASS, Problem, Result

    stage, target = _unit(pos, unit)
    gate_runs = [
        replace(run, command=_redacted(run.command), tail=_redacted(run.tail))  # whoever ran them
        for run in map(GateRun.from_json, runs)
    ]
    results = tuple(
        Result(run.check, PASS, "blocker", (), f"`{run.command}` {run.outcome()}")
        if run.passed
        else Result(
            run.check,
            FAIL,
            "blocker",
            (Problem(f"quality gate {run.name!r}: `{run.command}` {run.verdict()}", "quality_gates", 0),),
            detail=run.tail or "(no output)",
        )
        for run in gate_runs
    )
    active = stage.status == "active"  # findings only where the walk is; elsewhere the run is just recorded
    report = check_runs.UnitReport(stage.name, target, active, results)
    reconciled = check_runs.reconcile(pos, [report], ctx.now) if active else check_runs.Reconciled()
    passed = sum(1 for run in gate_runs if run.passed)
    data = {"gates": [run.to_json() for run in gate_runs], "checks": _checks_data(reconciled, [report])}
    summary = f"{unit}: quality gates {passed}/{len(gate_runs)} passed" + (
        f" ({reconciled.describe()})" if reconciled.describe() else ""
    )
    return Change(Event("quality_gates", summary, stage.name, unit, None, data), tuple(reconciled.writes), summary)
