"""Named commands: the only way state changes.

Each command is a pure function of the derived position: it checks the transition is legal and
returns a Change — the rows to write and the one timeline event that records it. The store
commits a Change in a single transaction. The CLI, the TUI, the demo seeder and (later) the LLM
tools all call these; none of them writes tables.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cockpit import severity as sev
from cockpit.checks.base import Refused
from cockpit.domain import check_runs
from cockpit.domain.change import THIS_EVENT, Change, Ctx, Event, Insert, Update
from cockpit.domain.dag import dependency_problems
from cockpit.domain.gates import GateRun, unreadable
from cockpit.domain.model import (
    MAX_TITLE,
    ORIGINS,
    REVIEW_ORIGINS,
    Iteration,
    author_type_of,
    default_invalidates,
    finding_ref,
)
from cockpit.domain.studio import EXTERNAL_GATE_KINDS
from cockpit.domain.units import UnitFile, check_unit_files, dependency_order
from cockpit.domain.walk import FindingState, Position, StageState, UnitState, hat_before, next_hat
from cockpit.errors import CockpitError, IllegalTransition, NotFound
from cockpit.text.terminal import control_chars, safe


def slugify(text: str, limit: int = 48) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "item"


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


def check_title(value: str | None) -> str:
    """A title is one line of plain text: it heads lists, prompts and commit-like summaries."""
    title = _required(value, "a title")
    if "\n" in title or len(title) > MAX_TITLE:
        raise CockpitError(f"a title is one line of at most {MAX_TITLE} characters")
    bad = control_chars(title, allow="")
    if bad:
        where = ", ".join(f"{picture} at {offset + 1}" for offset, picture in bad[:3])
        raise CockpitError(f"a title is plain text: it holds control characters ({where})")
    return title


def check_slug(value: str, limit: int = 48) -> str:
    """An explicit slug is used as given or refused: silently rewriting `../../etc/passwd` into
    `etc-passwd` would hide what was asked for."""
    wanted = slugify(value, limit)
    if wanted != value:
        raise CockpitError(
            f"invalid slug {safe(value, one_line=True)!r}: use lowercase letters, digits and dashes (e.g. {wanted!r})"
        )
    return value


# ---------------------------------------------------------------- lookups


def _active(pos: Position) -> StageState:
    if pos.active is None:
        raise IllegalTransition(f"intent {pos.facts.intent.slug} is complete: every stage has passed its gate")
    return pos.active


def _reached(pos: Position, stage: str) -> StageState:
    try:
        state = pos.stage(stage)
    except KeyError:
        raise NotFound(
            f"studio {pos.studio.name} has no stage {stage!r} (stages: {', '.join(pos.studio.stage_names)})"
        ) from None
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


# ---------------------------------------------------------------- elaborate and review


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
    state = _active(pos)
    if state.elaborated:
        raise IllegalTransition(f"the unit list of {state.name} is already declared ready (phase {state.phase})")
    if not state.units:
        raise IllegalTransition(f"{state.name} has no units yet: add at least one before declaring the list ready")
    row = {"stage": state.name, "kind": "elaborated", "at": ctx.now}
    units = [u.unit.slug for u in state.units]
    return Change(
        Event("declare_ready", None, state.name, data={"units": units}),
        (Insert("decisions", row),),
        f"{state.name}: unit list ready ({len(units)} units), phase {'review' if state.stage.reviewers else 'execute'}",
    )


def signoff(pos: Position, ctx: Ctx, *, unit: str, role: str, note: str | None = None) -> Change:
    target = _active_unit(pos, unit)
    state = _active(pos)
    if state.phase not in ("review", "approve"):
        raise IllegalTransition(f"no review is open in {state.name}: it is in {state.phase}")
    if role not in state.stage.reviewer_names:
        raise NotFound(
            f"{state.name} has no review agent {role!r} (reviewers: {', '.join(state.stage.reviewer_names) or 'none'})"
        )
    if (unit, role) not in state.missing_signoffs:
        raise IllegalTransition(f"{unit} is already signed off by {role} in {state.phase}")
    row = {"unit_id": target.unit.id, "role": role, "phase": state.phase, "at": ctx.now, "note": note}
    writes: list[Insert | Update] = [Insert("signoffs", row)]
    data: dict[str, Any] = {"phase": state.phase, "role": role}
    summary = f"{role} signed off {unit} ({state.phase})"
    if state.phase == "approve" and state.stage.checks:
        # The approve pass audits the work that landed: the engine's checks run alongside it.
        check_writes, info = _stage_checks(pos, state, ctx)
        writes += check_writes
        data.update(info)
        summary += f" (checks: {info['checks']['text']})" if info else ""
    return Change(Event("signoff", note, state.name, unit, None, data), tuple(writes), summary)


# ---------------------------------------------------------------- the per-unit baton


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


def advance_hat(pos: Position, ctx: Ctx, *, unit: str, message: str | None = None) -> Change:
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


def _checks_data(reconciled: check_runs.Reconciled, reports: list[check_runs.UnitReport]) -> dict[str, Any]:
    failed = sorted({f"{r.slug}:{res.check}" for r in reports for res in r.failed})
    return {
        **reconciled.data(),
        "failed": failed,
        "text": reconciled.describe() or ("all pass" if not failed else "no change"),
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


# ---------------------------------------------------------------- quality-gate commands


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


def reject_hat(pos: Position, ctx: Ctx, *, unit: str, message: str) -> Change:
    message = _required(message, "a reason (--message)")
    target = _active_unit(pos, unit)
    state = _in_execute(pos)
    hat = _movable(target, "reject")
    if target.status == "ready":
        raise IllegalTransition(f"unit {unit} has not started: nothing to reject")
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
        if target.status != "escalated":
            raise IllegalTransition(f"unit {unit} is not escalated ({target.status})")
        row = {"stage": stage.name, "kind": "resumed", "at": ctx.now, "reason": reason, "unit_id": target.unit.id}
        return Change(
            Event("resume", reason, stage.name, unit, target.hat),
            (Insert("decisions", row),),
            f"{unit} resumed at bolt {target.bolt}",
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


# ---------------------------------------------------------------- feedback and its fix loop


def file_feedback(
    pos: Position,
    ctx: Ctx,
    *,
    title: str,
    body: str = "",
    severity: str | None = None,
    unit: str | None = None,
    origin: str = "user-chat",
    stage: str | None = None,
    role: str | None = None,
    ai: dict[str, Any] | None = None,
) -> Change:
    """File a finding. A review finding names its reviewer (`role`): fixing it re-runs that review.
    `ai` marks a finding the model proposed and the engineer filed (stored redacted)."""
    if ai:
        title, body = _redacted(title or ""), _redacted(body)
    title = check_title(title)
    if origin not in ORIGINS:
        raise CockpitError(f"unknown origin {origin!r}: use one of {', '.join(ORIGINS)}")
    severity = _severity(severity)
    author_type = author_type_of(origin)
    if severity is None and author_type != "human":
        raise CockpitError(f"findings from {origin} must carry a severity ({', '.join(sev.SEVERITIES)})")
    target_id = None
    if unit:
        unit_stage, target = _unit(pos, unit)
        if stage and stage != unit_stage.name:
            raise CockpitError(f"unit {unit} belongs to {unit_stage.name}, not {stage}")
        stage, target_id = unit_stage.name, target.unit.id
    if stage is None:
        stage = pos.active.name if pos.active else pos.studio.stages[-1].name
    _reached(pos, stage)
    if origin in REVIEW_ORIGINS:
        reviewers = (*pos.studio.stage(stage).reviewer_names, *(r.name for r in pos.studio.reviewers))
        role = role or (ctx.actor if ctx.actor in reviewers else None)
        if role not in reviewers:
            raise CockpitError(
                f"name the reviewer that filed this {origin} finding (role): one of {', '.join(reviewers) or 'none'}"
            )
    number = 1 + max((f.feedback.number for f in pos.findings), default=0)
    ref = finding_ref(number)
    row = {
        "number": number,
        "stage": stage,
        "title": title,
        "body": body,
        "origin": origin,
        "author": ctx.actor,
        "author_type": author_type,
        "severity": severity,
        "target_unit_id": target_id,
        "invalidates": list(default_invalidates(origin, role)),
        "created_at": ctx.now,
    }
    label = severity or "unclassified"
    data = {"feedback": ref, "severity": severity, "origin": origin, **({"role": role} if role else {}), **_ai(ai)}
    return Change(
        Event("file_feedback", title, stage, unit, None, data),
        (Insert("feedback", row),),
        f"filed {ref} ({label}) in {stage}" + (" (proposed by AI)" if ai else ""),
    )


def classify(
    pos: Position,
    ctx: Ctx,
    *,
    ref: str,
    severity: str | None = None,
    unit: str | None = None,
    invalidates: tuple[str, ...] | None = None,
    ai: dict[str, Any] | None = None,
    reason: str | None = None,
) -> Change:
    """Set a finding's severity, target unit or invalidated roles. `ai` marks an accepted AI proposal;
    `reason` (the classifier's paragraph) becomes the event message."""
    provenance = _ai(ai)
    reason = reason.strip() if reason and reason.strip() else None
    reason = _redacted(reason) if reason and ai else reason
    found = _open_finding(pos, ref)
    fb = found.feedback
    values: dict[str, Any] = {}
    if severity is not None:
        values["severity"] = _severity(severity)
        if values["severity"] != fb.severity:
            values["severity_event_id"] = THIS_EVENT
    if unit is not None:
        unit_stage, target = _unit(pos, unit)
        if unit_stage.name != fb.stage:
            raise CockpitError(f"unit {unit} belongs to {unit_stage.name}; {fb.ref} is in {fb.stage}")
        values["target_unit_id"] = target.unit.id
    if invalidates is not None:
        values["invalidates"] = list(invalidates)
    if not values:
        raise CockpitError("classify needs --severity, --unit or --invalidates")
    before = {"severity": fb.severity, "unit": found.target, "invalidates": list(fb.invalidates)}
    after = {
        "severity": values.get("severity", fb.severity),
        "unit": unit or found.target,
        "invalidates": values.get("invalidates", list(fb.invalidates)),
    }
    summary = (
        f"{fb.ref}: " + ", ".join(f"{k} {after[k]}" for k in after if after[k] != before[k])
        if after != before
        else f"{fb.ref}: unchanged"
    )
    data = {
        "feedback": fb.ref,
        "before": before,
        "after": after,
        **provenance,
        **({"reason": reason} if reason else {}),
    }
    return Change(
        Event("classify", reason, fb.stage, after["unit"], found.hat, data),
        (Update("feedback", fb.id, values),),
        summary,
    )


def _in_loop(found: FindingState) -> str:
    """The fix hat holding an open finding that can move."""
    ref = found.feedback.ref
    if found.status == "escalated":
        raise IllegalTransition(f"{ref} is escalated after {found.bolt - 1} rejects: close, reject, or resume it")
    if found.hat is None:
        raise IllegalTransition(f"{ref} has no fix chain in {found.feedback.stage}: close or reject it")
    return found.hat


def _closure(fb_id: int, resolution: str, text: str, now: str) -> Update:
    return Update(
        "feedback",
        fb_id,
        {"closed_at": now, "resolution": resolution, "closure_text": text, "closed_event_id": THIS_EVENT},
    )


def advance_fix(pos: Position, ctx: Ctx, *, ref: str, message: str | None = None) -> Change:
    """Hand a finding to its next fix hat; on the terminal hat this closes it, and the message is the reply."""
    found = _open_finding(pos, ref)
    hat = _in_loop(found)
    fb = found.feedback
    chain = pos.studio.stage(fb.stage).fix_hats
    nxt = next_hat(chain, hat)
    if hat == chain[0] and fb.severity is None:
        raise IllegalTransition(f"classify {fb.ref} before handing it on: set its severity")
    then: Insert | Update
    if nxt is None:  # the terminal hat: this closes the finding
        message = _required(message, f"a closure reply saying what was done (--message) for {fb.ref}")
        then = _closure(fb.id, "closed", message, ctx.now)
        summary = f"{fb.ref}: {hat} verified the fix; closed"
    else:
        then = _iteration("fix_iterations", fb.id, nxt, ctx.now)
        summary = f"{fb.ref}: {hat} → {nxt}"
    writes = _close_iteration("fix_iterations", fb.id, found.iterations, hat, "advance", message, ctx.now)
    writes.append(then)
    data = {"feedback": fb.ref, "to": nxt, "bolt": found.bolt}
    return Change(
        Event("close_feedback" if nxt is None else "advance_fix", message, fb.stage, found.target, hat, data),
        tuple(writes),
        summary,
    )


def reject_fix(pos: Position, ctx: Ctx, *, ref: str, reason: str) -> Change:
    reason = _required(reason, "a reason naming what is still open")
    found = _open_finding(pos, ref)
    hat = _in_loop(found)
    fb = found.feedback
    chain = pos.studio.stage(fb.stage).fix_hats
    back = hat_before(chain, hat)
    writes = _close_iteration("fix_iterations", fb.id, found.iterations, hat, "reject", reason, ctx.now)
    writes.append(_iteration("fix_iterations", fb.id, back, ctx.now))
    data = {"feedback": fb.ref, "to": back, "bolt": found.bolt + 1}
    return Change(
        Event("reject_fix", reason, fb.stage, found.target, hat, data),
        tuple(writes),
        f"{fb.ref}: {hat} sent it back to {back}, bolt {found.bolt + 1}",
    )


CLOSURES = {
    "closed": "a reply saying what was done",
    "non_actionable": "a message saying why no fix applies",
    "rejected": "a reason the finding is invalid",
}


def close_finding(pos: Position, ctx: Ctx, *, ref: str, resolution: str, text: str) -> Change:
    """A human closes a finding outright: fixed (closed), non_actionable, or rejected as invalid."""
    if resolution not in CLOSURES:
        raise CockpitError(f"unknown closure {resolution!r}")
    text = _required(text, CLOSURES[resolution])
    found = _open_finding(pos, ref)
    fb = found.feedback
    writes: list[Insert | Update] = []
    current = _open_iteration(found.iterations)
    if current is not None:
        writes.append(Update("fix_iterations", current.id, {"completed_at": ctx.now}))
    writes.append(_closure(fb.id, resolution, text, ctx.now))
    command = {"closed": "close_feedback", "non_actionable": "close_feedback", "rejected": "reject_feedback"}[
        resolution
    ]
    data = {"feedback": fb.ref, "resolution": resolution}
    return Change(
        Event(command, text, fb.stage, found.target, found.hat, data),
        tuple(writes),
        f"{fb.ref}: {resolution.replace('_', '-')}",
    )


# ---------------------------------------------------------------- gates


def _at_gate(pos: Position) -> StageState:
    state = _active(pos)
    if state.phase != "gate":
        raise IllegalTransition(f"the gate of {state.name} is not open: it is in {state.phase} ({pos.next.text})")
    if state.gate.is_auto:
        raise IllegalTransition(f"{state.name} has an auto gate: it advances by itself once nothing blocks")
    return state


def _gate_path(state: StageState, external_url: str | None) -> str:
    kinds = state.gate.kinds
    if external_url:
        path = next((k for k in kinds if k in EXTERNAL_GATE_KINDS), None)
        if path is None:
            raise IllegalTransition(f"the gate of {state.name} is {'/'.join(kinds)}: it takes no external decision")
        return path
    if "ask" not in kinds:
        raise IllegalTransition(
            f"the gate of {state.name} is {'/'.join(kinds)}: record the external decision with its URL"
        )
    return "ask"


def approve(pos: Position, ctx: Ctx, *, override: str | None = None, external_url: str | None = None) -> Change:
    state = _at_gate(pos)
    path = _gate_path(state, external_url)
    blockers = [f.feedback for f in state.gate.blockers]
    if blockers and not (override and override.strip()):
        listed = ", ".join(f"{fb.ref} ({fb.severity or 'unclassified'})" for fb in blockers)
        raise IllegalTransition(f"{state.name} has blocking feedback {listed}: approving needs an override reason")
    row = {
        "stage": state.name,
        "kind": "approved",
        "at": ctx.now,
        "path": path,
        "reason": override if blockers else None,
        "url": external_url,
    }
    data = {"path": path, "overridden": [fb.ref for fb in blockers], "url": external_url}
    note = f"override: {override}" if blockers else None
    summary = f"approved the {state.name} gate ({path})" + (
        f", overriding {', '.join(fb.ref for fb in blockers)}" if blockers else ""
    )
    return Change(Event("approve_gate", note, state.name, data=data), (Insert("decisions", row),), summary)


def request_changes(
    pos: Position, ctx: Ctx, *, title: str, body: str = "", unit: str | None = None, external_url: str | None = None
) -> Change:
    state = _at_gate(pos)
    _gate_path(state, external_url)
    filed = file_feedback(
        pos,
        title=title,
        body=body,
        unit=unit,
        ctx=ctx,
        stage=state.name,
        origin="external-pr" if external_url else "user-chat",
    )
    decision = Insert(
        "decisions", {"stage": state.name, "kind": "changes_requested", "at": ctx.now, "url": external_url}
    )
    data = {**filed.event.data, "url": external_url}
    return Change(
        Event("request_changes", title, state.name, unit, None, data),
        (*filed.writes, decision),
        f"changes requested on {state.name}: {filed.summary}",
    )


def record_runbook_copy(pos: Position, ctx: Ctx, *, runbook: str, line: int, text: str) -> Change:
    """Record in the timeline that a runbook's code block was copied (to be run by hand).

    Only the block's first line is kept, shortened: the timeline says which step was taken,
    it is not a second copy of the runbook (nor a place where a pasted secret would linger).
    """
    first = next(
        (line.strip() for line in _redacted(text).splitlines() if line.strip()), ""
    )  # the whole block: a key may span lines
    shown = first if len(first) <= 120 else first[:119] + "…"
    stage = pos.active.name if pos.active else None
    return Change(
        Event("runbook_copy", f"{runbook}:{line}: {shown}", stage, data={"runbook": runbook, "line": line}),
        (),
        f"copied {runbook}:{line} (recorded in the timeline)",
    )
