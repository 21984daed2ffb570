"""Feedback and its fix loop: filing and classifying a finding, handing it along its fix
hats, and closing or rejecting it."""

from __future__ import annotations

from typing import Any

from cockpit import severity as sev
from cockpit.domain.change import THIS_EVENT, Change, Ctx, Event, Insert, Update
from cockpit.domain.commands._common import (
    _ai,
    _close_iteration,
    _iteration,
    _open_finding,
    _open_iteration,
    _reached,
    _redacted,
    _required,
    _severity,
    _unit,
)
from cockpit.domain.commands.names import check_title
from cockpit.domain.model import (
    ORIGINS,
    REVIEW_ORIGINS,
    author_type_of,
    default_invalidates,
    finding_ref,
)
from cockpit.domain.walk import FindingState, Position, hat_before, next_hat
from cockpit.errors import CockpitError, IllegalTransition


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
    if back == hat:  # the first fix hat has no hat before it: a send-back would hand it to itself
        raise IllegalTransition(
            f"{fb.ref} is with {hat}, the first fix hat: there is no hat to send it back to; "
            "hand it on, close it or reject it"
        )
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
