"""The stored facts of one intent, as plain immutable rows (NamedTuples: cheap to build by
the tens of thousands). Nothing here is derived.

`event_id` is the id of the timeline event written in the same transaction as the fact; it
orders facts exactly (timestamps can tie), which the walk uses to tell whether a gate approval
is newer than what re-opened the gate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

MAX_TITLE = 120  # a title (intent, unit, finding) is one line of at most this many characters
_REF = re.compile(r"(FB-?)?0*(\d+)", re.IGNORECASE)


def clip_title(text: str) -> str:
    """`text` within MAX_TITLE characters, cut with an ellipsis: for titles the engine or a model
    writes (a person's title over the cap is refused instead: commands.check_title)."""
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def finding_ref(number: int) -> str:
    """How finding number 7 is named everywhere: FB-007."""
    return f"FB-{number:03d}"


def ref_number(text: str, *, bare: bool = True) -> int | None:
    """The number a finding reference names, however it is spelt (FB-007, fb7, 007, 7), or None.
    `bare=False` wants the FB prefix: where a bare number could also be a unit slug."""
    match = _REF.fullmatch(text.strip())
    if match is None or (match.group(1) is None and not bare):
        return None
    return int(match.group(2))


class Intent(NamedTuple):
    id: int
    slug: str
    title: str
    studio: str
    created_at: str
    event_id: int
    description: str = ""
    # The intent's own walk (intent.md `stages`, quick mode): None walks every studio stage.
    stages: tuple[str, ...] | None = None
    skip_stages: tuple[str, ...] = ()  # intent.md `skip_stages`: stages this intent never walks


class Unit(NamedTuple):
    id: int
    stage: str
    slug: str
    title: str
    body: str
    depends_on: tuple[str, ...]
    created_at: str
    event_id: int
    meta_json: str = "{}"  # the unit file's frontmatter (quality_gates, ...); read it with unit_meta()


@lru_cache(maxsize=4096)
def _parse_meta(text: str) -> Mapping[str, Any]:
    value = json.loads(text or "{}")
    return MappingProxyType(value if isinstance(value, dict) else {})


def unit_meta(unit: Unit) -> Mapping[str, Any]:
    """The unit's frontmatter as a read-only mapping (parsed once per distinct text)."""
    return _parse_meta(unit.meta_json)


class Iteration(NamedTuple):
    """One hat worn on a unit (or, for a finding, one fix hat). `result` None while worn."""

    id: int
    owner_id: int  # unit id or feedback id
    hat: str
    started_at: str
    completed_at: str | None
    result: str | None  # "advance" | "reject" | None
    message: str | None
    event_id: int


class Feedback(NamedTuple):
    id: int
    number: int
    stage: str
    title: str
    body: str
    origin: str
    author: str
    author_type: str  # human | agent | system
    severity: str | None
    target_unit_id: int | None
    invalidates: tuple[str, ...]
    created_at: str
    event_id: int
    closed_at: str | None = None
    resolution: str | None = None  # closed | non_actionable | rejected
    closure_text: str | None = None
    closed_event_id: int | None = None
    severity_event_id: int | None = None  # the event that last set the severity

    @property
    def ref(self) -> str:
        return finding_ref(self.number)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Signoff(NamedTuple):
    """A review agent's sign-off of a unit, before execute ("review") or after ("approve")."""

    id: int
    unit_id: int
    role: str
    phase: str  # review | approve
    at: str
    actor: str
    note: str | None
    event_id: int


class Decision(NamedTuple):
    """A human decision on a stage (or on one unit / finding)."""

    id: int
    stage: str
    kind: str  # elaborated | approved | changes_requested | resumed | submitted | revisited
    at: str
    actor: str
    event_id: int
    path: str | None = None  # gate path taken when approving: ask | external | await
    reason: str | None = None  # override reason, resume reason, note
    url: str | None = None  # evidence for an external decision (PR, ticket)
    unit_id: int | None = None
    feedback_id: int | None = None
    branch: str | None = None  # a submission's branch, whose merge into the default branch can approve it


class Tick(NamedTuple):
    """A hand-off checklist box ticked (or unticked) on one unit's hat, within one bolt."""

    id: int
    unit_id: int
    hat: str
    bolt: int
    item: str
    ticked: bool
    event_id: int


@dataclass(frozen=True)
class IntentFacts:
    intent: Intent
    units: tuple[Unit, ...] = ()
    iterations: tuple[Iteration, ...] = ()
    feedback: tuple[Feedback, ...] = ()
    fix_iterations: tuple[Iteration, ...] = ()
    signoffs: tuple[Signoff, ...] = ()
    decisions: tuple[Decision, ...] = ()
    ticks: tuple[Tick, ...] = ()


# Origins (haiku-model §2.5). Who files decides who may close and whether the fix loop caps.
ORIGINS: tuple[str, ...] = (
    "user-chat",
    "user-visual",
    "user-question",
    "user-revisit",
    "external-pr",
    "external-mr",
    "adversarial-review",
    "studio-review",
    "engine-review",
    "drift",
    "discovery",
    "agent",
)


def author_type_of(origin: str) -> str:
    if origin.startswith(("user-", "external-")):
        return "human"
    if origin in ("engine-review", "drift"):
        return "system"
    return "agent"


REVIEW_ORIGINS = frozenset({"adversarial-review", "studio-review"})


def default_invalidates(origin: str, reviewer: str | None = None) -> tuple[str, ...]:
    """Which sign-offs a closure clears, by origin (the classifier's rule of thumb): the human's
    for human findings, the filing reviewer's for review findings, none for agents."""
    if origin.startswith(("user-", "external-")) or origin == "drift":
        return ("user",)
    if origin in REVIEW_ORIGINS and reviewer:
        return (reviewer,)
    return ()
