"""Reviews and the stage gate: review agents' sign-offs, approving a gate, and requesting
changes at it."""

from __future__ import annotations

import re
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


# ------------------------------------------------------------ external review: submitted, then decided

_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+-]*")


def check_branch(branch: str) -> str:
    """A git branch name as a submission may name it: the common subset of git's ref-name rules
    (no spaces, no leading dash, no `..`, `@{`, `//`, trailing `/`, `.` or `.lock`), so it can
    be handed to git as one argument and never read as an option."""
    name = branch.strip()
    bad = (
        not _BRANCH.fullmatch(name)
        or ".." in name
        or "//" in name
        or name.endswith(("/", ".", ".lock"))
        or len(name) > 200
    )
    if bad:
        raise CockpitError(f"{branch!r} is not a branch name git would take (e.g. haiku/checkout-5xx/postmortem)")
    return name


def submit(pos: Position, ctx: Ctx, *, url: str, branch: str | None = None) -> Change:
    """Record that the gate's stage went out for external review (a PR, a ticket) at `url`: the
    gate then waits on that reviewer (GateState.submission) until an approval with the external
    path, a request for changes, or the merge of `branch` (approve_merged) decides it. The engine's
    External Review choice at a gate whose kinds include external or await (haiku_await_gate's
    `external_review_requested`, then `awaiting_external_review`)."""
    state = _at_gate(pos)
    url = decision_url(url)
    path = next((k for k in state.gate.kinds if k in EXTERNAL_GATE_KINDS), None)
    if path is None:
        raise IllegalTransition(
            f"the gate of {state.name} is {'/'.join(state.gate.kinds)}: it takes no external review to submit to"
        )
    blockers = [f.feedback.ref for f in state.gate.blockers]
    if blockers:
        raise IllegalTransition(
            f"{state.name} has blocking feedback {', '.join(blockers)}: close it before submitting for external review"
        )
    name = check_branch(branch) if branch else None
    again = state.gate.submission is not None
    row = {"stage": state.name, "kind": "submitted", "at": ctx.now, "path": path, "url": url, "branch": name}
    summary = f"{'re' if again else ''}submitted the {state.name} gate for external review ({path}): {url}"
    if name:
        summary += f" (branch {name})"
    data = {"path": path, "url": url, "branch": name}
    return Change(Event("submit_gate", url, state.name, data=data), (Insert("decisions", row),), summary)


def approve_merged(pos: Position, ctx: Ctx, *, branch: str, into: str, commit: str) -> Change:
    """Approve a submitted gate because its branch is merged into `into` at `commit` (found by git
        outside the domain: cockpit.sources.git_merge). The engine's structural signal: the stage's
        branch merged, which an agent cannot fake (plugin/providers/git.md, External Gate Signal
        Detection). The submission's URL stays the decision's evidence; the merge commit is its event's note (the
    timeline's line) and data."""
    state = _at_gate(pos)
    sub = state.gate.submission
    if sub is None:
        raise IllegalTransition(
            f"the gate of {state.name} was not submitted for external review: nothing waits on a merge"
        )
    if sub.branch != branch:
        raise IllegalTransition(
            f"the {state.name} submission names {'branch ' + sub.branch if sub.branch else 'no branch'}, not {branch}"
        )
    if state.gate.blockers:
        listed = ", ".join(f.feedback.ref for f in state.gate.blockers)
        raise IllegalTransition(
            f"{state.name} has blocking feedback {listed}: a merge does not override it; approve with --override"
        )
    if not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        raise CockpitError(f"{commit!r} is not a commit id")
    evidence = f"merged {branch} into {check_branch(into)} at {commit}"
    row = {
        "stage": state.name,
        "kind": "approved",
        "at": ctx.now,
        "path": sub.path,
        "reason": None,  # an approval's reason is an override's (report.py): the merge is in its event
        "url": sub.url,
    }
    data: dict[str, Any] = {
        "path": sub.path,
        "overridden": [],
        "url": sub.url,
        "merged": {"branch": branch, "into": into, "commit": commit},
    }
    summary = f"approved the {state.name} gate ({sub.path}): {evidence}"
    return Change(
        Event("approve_gate", f"{sub.url}; {evidence}", state.name, data=data), (Insert("decisions", row),), summary
    )
