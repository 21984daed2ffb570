"""The two runbook shapes of seed 000, and how a document's headings map onto them.

- **alert**: one runbook per pageable alert — what the alert means, symptoms to verify, initial
  triage, mitigations in order of reversibility, when to escalate, postmortem checklist.
- **scenario**: one entry per failure scenario — symptom, diagnostic steps, remediation,
  escalation criteria, rollback procedure.

Headings match tolerantly: case, numbering, a trailing "(5 minutes)" and common synonyms
("Diagnosis", "Diagnostic steps", "Triage" are all the diagnosing section). A document declares
its shape in frontmatter (`shape: alert | scenario | reference`); otherwise the shape whose
sections it has more of wins, ties going to the alert shape. `reference` opts a document (a
glossary, an index) out of the shape rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cockpit.runbooks.doc import Heading, RunbookDoc

# kind -> pattern over the normalised heading text
KIND_PATTERNS: dict[str, re.Pattern[str]] = {
    "meaning": re.compile(
        r"^(what (this|the) alert means|what (it|this) means|(alert )?meaning|about (this|the) alert|overview|summary)\b"
    ),
    "symptoms": re.compile(
        r"^(symptoms?( description| to (verify|check|confirm))?|what you see|(verify|confirm) (the )?(alert|symptoms?))\b"
    ),
    "diagnosis": re.compile(r"^((initial )?triage|diagnos\w*( steps)?|investigat\w*)\b"),
    "remediation": re.compile(r"^(mitigations?|remediation( steps)?|remediate|fix(es)?|resolution)\b"),
    "escalation": re.compile(r"^(when to escalate|escalat\w*|who to page)\b"),
    "postmortem": re.compile(r"^(post ?mortem|post incident|after the incident|follow ?ups?)\b"),
    "rollback": re.compile(r"^(roll ?back|revert|undo|back ?out)"),
}


@dataclass(frozen=True)
class Shape:
    name: str
    description: str
    sections: tuple[tuple[str, str], ...]  # (kind, the heading to write when it is missing)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind, _ in self.sections)


ALERT = Shape(
    "alert",
    "per-alert runbook",
    (
        ("meaning", "What this alert means"),
        ("symptoms", "Symptoms to verify"),
        ("diagnosis", "Initial triage"),
        ("remediation", "Mitigations (in order of reversibility)"),
        ("escalation", "When to escalate"),
        ("postmortem", "Postmortem checklist"),
    ),
)
SCENARIO = Shape(
    "scenario",
    "failure-scenario entry",
    (
        ("symptoms", "Symptom"),
        ("diagnosis", "Diagnostic steps"),
        ("remediation", "Remediation"),
        ("escalation", "Escalation criteria"),
        ("rollback", "Rollback procedure"),
    ),
)
SHAPES = {shape.name: shape for shape in (ALERT, SCENARIO)}
REFERENCE = "reference"


def normalise(heading: str) -> str:
    text = re.sub(r"`[^`]*`", "", heading.lower())
    text = re.sub(r"\([^)]*\)", "", text)  # "(5 minutes)", "(in order of reversibility)"
    text = re.sub(r"^\s*(step\s*)?\d+[.):]?\s*", "", text)
    text = re.sub(r"[^\w\s]", " ", text)  # "Post-mortem" and "post mortem" alike
    return " ".join(text.split())


def kind_of(heading: Heading | str) -> str | None:
    return _kind_of_text(heading.text if isinstance(heading, Heading) else heading)


@lru_cache(maxsize=4096)
def _kind_of_text(text: str) -> str | None:
    normal = normalise(text)
    return next((kind for kind, pattern in KIND_PATTERNS.items() if pattern.search(normal)), None)


def declared_shape(doc: RunbookDoc) -> str | None:
    value = doc.meta.get("shape")
    return str(value).strip().lower() if value is not None else None


def detect_shape(doc: RunbookDoc) -> str:
    """The declared shape, else the one whose sections the document has more of."""
    declared = declared_shape(doc)
    if declared in SHAPES or declared == REFERENCE:
        return declared
    present = {kind_of(h) for h in doc.headings}
    alert = sum(kind in present for kind in ALERT.kinds)
    scenario = sum(kind in present for kind in SCENARIO.kinds)
    return SCENARIO.name if scenario > alert else ALERT.name


@dataclass(frozen=True)
class Entry:
    """One runbook entry: the heading that holds a set of shape sections (None: the document)."""

    parent: Heading | None
    sections: tuple[tuple[str, Heading], ...]  # (kind, heading) in document order

    def first(self, *kinds: str) -> Heading | None:
        return next((h for kind, h in self.sections if kind in kinds), None)

    @property
    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.sections}


def entries(doc: RunbookDoc) -> list[Entry]:
    """Shape sections grouped by the (non-section) heading they sit under.

    A file may hold several alerts (`## Runbook: X` each) or scenarios; each is checked on its
    own. A section nested in another section (`### Rollback` under `## Mitigations`) belongs to
    the outer one's entry. Groups with a single section are stray headings ("## Summary" of a
    background part), unless the document has nothing better.
    """
    groups: dict[int, list[tuple[str, Heading]]] = {}
    parents: dict[int, Heading | None] = {0: None}
    stack: list[tuple[Heading, str | None]] = []
    for heading in doc.headings:
        while stack and stack[-1][0].level >= heading.level:
            stack.pop()
        kind = kind_of(heading)
        stack.append((heading, kind))
        if kind is None:
            continue
        owner = next((h for h, k in reversed(stack[:-1]) if k is None), None)
        key = owner.line if owner else 0
        parents[key] = owner
        groups.setdefault(key, []).append((kind, heading))
    found = [Entry(parents[key], tuple(sections)) for key, sections in groups.items()]
    real = [e for e in found if len(e.sections) >= 2]
    if real:
        return real
    return found[:1] if found else [Entry(None, ())]


def section_kinds(doc: RunbookDoc) -> Callable[[int], str | None]:
    """A lookup: line -> the shape-section kind whose subtree holds it (nested headings inherit it)."""
    starts: list[int] = []
    kinds: list[str | None] = []
    stack: list[tuple[Heading, str | None]] = []
    for heading in doc.headings:
        while stack and stack[-1][0].level >= heading.level:
            stack.pop()
        stack.append((heading, kind_of(heading)))
        starts.append(heading.line)
        kinds.append(next((kind for _, kind in reversed(stack) if kind is not None), None))

    def kind_at(line: int) -> str | None:
        position = bisect_right(starts, line) - 1
        return kinds[position] if position >= 0 else None

    return kind_at
