"""Everything known about one finding, for the engineer who opens it: what it says, who filed it,
its severity over time, every pass of its fix loop, why it escalated, and how it was closed.

Pure: derived from the position (the finding's row, its fix iterations, resume decisions) and the
intent's timeline events (who did what when: the store's event rows, as mappings with `id`, `at`,
`actor`, `command`, `message` and `data`). Events only add names and times; without them the
detail still holds everything the facts say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cockpit.domain.model import Iteration
from cockpit.domain.walk import FindingState, Position, clears_signoffs, hat_before, next_hat
from cockpit.errors import NotFound

FixOutcome = Literal["handed_on", "sent_back", "closed_it", "stopped", "holding"]


@dataclass(frozen=True)
class SeverityChange:
    """One setting of a finding's severity: when it was filed, or changed since."""

    severity: str | None  # None: unclassified
    how: Literal["filed", "classified", "checks"]  # filed with it; a classifier's call; an engine check's update
    at: str | None
    actor: str | None
    event_id: int
    note: str | None = None  # the classifier's reason, if it gave one
    ai: bool = False  # an accepted AI proposal


@dataclass(frozen=True)
class FixStep:
    """One fix hat's pass over the finding, in one bolt."""

    hat: str
    bolt: int
    started_at: str
    completed_at: str | None
    result: str | None  # advance | reject | None (still held, or stopped by a closure)
    outcome: FixOutcome  # what the pass did, in the walk's terms
    to: str | None  # the hat it went to (handed on or sent back), None otherwise
    message: str | None  # the hand-off message, or the reason it was sent back

    @property
    def description(self) -> str:
        """The pass in a few words: "handed on to engineer", "sent back to engineer", ..."""
        return {
            "handed_on": f"handed on to {self.to}",
            "sent_back": f"sent back to {self.to}",
            "closed_it": "verified the fix and closed it",
            "stopped": "stopped: the finding was closed",
            "holding": "holds it now",
        }[self.outcome]


@dataclass(frozen=True)
class Resume:
    """A human resumed the escalated finding's fix loop."""

    at: str
    actor: str
    reason: str | None


@dataclass(frozen=True)
class Closure:
    resolution: str  # closed | non_actionable | rejected
    text: str | None
    at: str
    actor: str | None  # who closed it (from the closing event), None when unknown
    clears: tuple[str, ...]  # the sign-offs the closure cleared (only a real fix clears any)


@dataclass(frozen=True)
class FindingDetail:
    ref: str
    title: str
    body: str
    origin: str
    author: str
    author_type: str  # human | agent | system
    stage: str
    target: str | None  # target unit slug
    created_at: str
    severity: str | None
    severity_history: tuple[SeverityChange, ...]  # oldest first; the last is the severity now
    blocking: bool
    status: str  # pending | fixing | escalated | closed | non_actionable | rejected
    hat: str | None  # the fix hat holding it; None when closed or with no fix chain
    bolt: int
    invalidates: tuple[str, ...]  # the sign-offs a fix clears
    fix_loop: tuple[FixStep, ...]  # oldest first
    resumes: tuple[Resume, ...]
    escalated_because: str | None  # the escalation rule in words, when escalated
    closure: Closure | None
    overridden: bool = False  # open, but its stage's gate was approved past it: it blocks nothing now

    @property
    def is_open(self) -> bool:
        return self.closure is None


def finding_detail(pos: Position, ref: str, events: Iterable[Mapping[str, Any]] = ()) -> FindingDetail:
    """The detail of finding `ref` (however spelt: FB-007, fb7, 7); NotFound when the intent has none."""
    state = pos.finding(ref)
    if state is None:
        raise NotFound(f"intent {pos.facts.intent.slug} has no finding {ref!r}")
    fb = state.feedback
    ids = {i for i in (fb.event_id, fb.severity_event_id, fb.closed_event_id) if i is not None}
    mine = _events_of(fb.ref, ids, events)
    closure = None
    if fb.closed_at is not None:
        closing = mine.get(fb.closed_event_id or -1)
        closure = Closure(
            fb.resolution or "closed",
            fb.closure_text,
            fb.closed_at,
            closing["actor"] if closing else None,
            fb.invalidates if clears_signoffs(fb) else (),
        )
    resumes = tuple(
        Resume(d.at, d.actor, d.reason) for d in pos.facts.decisions if d.kind == "resumed" and d.feedback_id == fb.id
    )
    return FindingDetail(
        fb.ref,
        fb.title,
        fb.body,
        fb.origin,
        fb.author,
        fb.author_type,
        fb.stage,
        state.target,
        fb.created_at,
        fb.severity,
        _severity_history(state, mine),
        state.blocking,
        state.status,
        state.hat,
        state.bolt,
        fb.invalidates,
        fix_loop(pos, state),
        resumes,
        state.escalated_because,
        closure,
        state.overridden,
    )


def fix_loop(pos: Position, state: FindingState) -> tuple[FixStep, ...]:
    """Each fix hat's pass over the finding, with its bolt (1 + the send-backs before it) and
    where it sent the finding: the walk's own moves (walk.next_hat, walk.hat_before)."""
    try:
        chain = pos.studio.stage(state.feedback.stage).fix_hats
    except KeyError:
        chain = ()
    steps: list[FixStep] = []
    bolt = 1
    for it in state.iterations:
        steps.append(_step(chain, it, bolt))
        bolt += it.result == "reject"
    return tuple(steps)


def _step(chain: tuple[str, ...], it: Iteration, bolt: int) -> FixStep:
    to: str | None = None
    outcome: FixOutcome
    if it.result == "advance":
        to = next_hat(chain, it.hat) if chain else None
        outcome = "handed_on" if to is not None else "closed_it"
    elif it.result == "reject":
        to = hat_before(chain, it.hat) if chain else None
        outcome = "sent_back"
    else:
        outcome = "holding" if it.completed_at is None else "stopped"
    return FixStep(it.hat, bolt, it.started_at, it.completed_at, it.result, outcome, to, it.message)


def _events_of(ref: str, ids: set[int], events: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """The events about finding `ref`, by id: those naming it, a check run that filed, updated or
    closed it, and the events its row points at (filed, severity set, closed)."""
    mine: dict[int, Mapping[str, Any]] = {}
    for event in events:
        data = event.get("data") or {}
        checks = data.get("checks") or {}
        named = data.get("feedback") == ref or any(ref in (checks.get(k) or ()) for k in ("filed", "updated", "closed"))
        if named or event["id"] in ids:
            mine[event["id"]] = event
    return mine


def _checks_severity(event: Mapping[str, Any] | None, ref: str) -> tuple[bool, str | None]:
    """(known, severity) an event recorded for `ref`: a finding filed with a severity, or the
    severities a check run set (`checks.severities`)."""
    if event is None:
        return False, None
    data = event.get("data") or {}
    if "severity" in data and data.get("feedback") == ref:
        return True, data["severity"]
    severities = (data.get("checks") or {}).get("severities") or {}
    return (True, severities[ref]) if ref in severities else (False, None)


def _severity_history(state: FindingState, mine: Mapping[int, Mapping[str, Any]]) -> tuple[SeverityChange, ...]:
    fb = state.feedback
    changes: list[SeverityChange] = []
    first_before: tuple[bool, str | None] = (False, None)
    for event_id in sorted(mine):
        event = mine[event_id]
        if event_id == fb.event_id:
            continue
        data = event.get("data") or {}
        at, actor = event.get("at"), event.get("actor")
        if event.get("command") == "classify" and data.get("feedback") == fb.ref:
            before, after = data.get("before") or {}, data.get("after") or {}
            if before.get("severity") != after.get("severity"):
                if not changes:
                    first_before = (True, before.get("severity"))
                note = event.get("message")
                changes.append(
                    SeverityChange(after.get("severity"), "classified", at, actor, event_id, note, bool(data.get("ai")))
                )
            continue
        known, severity = _checks_severity(event, fb.ref)
        if known and fb.ref in ((data.get("checks") or {}).get("updated") or ()):
            changes.append(SeverityChange(severity, "checks", at, actor, event_id))
    if fb.severity_event_id is not None and all(c.event_id != fb.severity_event_id for c in changes):
        # The row says which event set the severity now; the facts win where the events are silent.
        setting = mine.get(fb.severity_event_id)
        how: Literal["classified", "checks"] = (
            "checks" if setting and setting.get("command") != "classify" else "classified"
        )
        changes.append(
            SeverityChange(
                fb.severity,
                how,
                setting.get("at") if setting else None,
                setting.get("actor") if setting else None,
                fb.severity_event_id,
            )
        )
        changes.sort(key=lambda c: c.event_id)
    known, initial = _checks_severity(mine.get(fb.event_id), fb.ref)
    if not known and first_before[0]:
        known, initial = first_before
    if not known and not changes:  # never changed since filing: filed as it is now
        known, initial = True, fb.severity
    note = None if known else "the severity it was filed with is not recorded"
    filed = SeverityChange(initial, "filed", fb.created_at, fb.author, fb.event_id, note)
    return (filed, *changes)
