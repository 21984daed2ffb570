"""Reviews and the stage gate: review agents' sign-offs, approving a gate, and requesting
changes at it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cockpit.domain.change import Change, Ctx, Event, Insert, Update
from cockpit.domain.commands._common import (
    _active,
    _active_unit,
)
from cockpit.domain.commands.checks import _stage_checks
from cockpit.domain.commands.feedback import file_feedback
from cockpit.domain.studio import EXTERNAL_GATE_KINDS
from cockpit.domain.walk import Position, StageState
from cockpit.errors import CockpitError, IllegalTransition, NotFound


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


def _at_gate(pos: Position) -> StageState:
    state = _active(pos)
    if state.phase != "gate":
        raise IllegalTransition(f"the gate of {state.name} is not open: it is in {state.phase} ({pos.next.text})")
    if state.gate.is_auto:
        raise IllegalTransition(f"{state.name} has an auto gate: it advances by itself once nothing blocks")
    return state


def decision_url(url: str) -> str:
    """The URL of an external decision (a PR, a ticket), checked: it is the gate's evidence, and a
    typo or a sentence typed in its place would pass the gate on nothing anyone can open."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in url):
        raise CockpitError(f"{url!r} is not the URL of a decision: give the http(s):// address of the PR or ticket")
    return url


def _gate_path(state: StageState, external_url: str | None) -> str:
    kinds = state.gate.kinds
    if external_url:
        decision_url(external_url)
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
    external_url = decision_url(external_url) if external_url else None
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
    # The timeline's line: the decision's URL and the override's reason, whichever there are.
    note = "; ".join(x for x in (external_url, f"override: {override}" if blockers else None) if x) or None
    summary = f"approved the {state.name} gate ({path})" + (
        f", overriding {', '.join(fb.ref for fb in blockers)}" if blockers else ""
    )
    return Change(Event("approve_gate", note, state.name, data=data), (Insert("decisions", row),), summary)


def request_changes(
    pos: Position,
    ctx: Ctx,
    *,
    title: str,
    body: str = "",
    unit: str | None = None,
    external_url: str | None = None,
    severity: str | None = None,
) -> Change:
    """Request changes at the gate: files a finding in the gate's stage (unclassified unless
    `severity` is given: blocker | high | medium | low) and re-opens the gate."""
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
        severity=severity,
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
