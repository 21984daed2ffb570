"""One H·AI·K·U intent folder as read from disk (`.haiku/intents/<slug>/`), and which on-disk
generation it is: the input of the import mapping (cockpit.domain.haiku_import).

Pure data: cockpit.sources.haiku_intents reads the files into these. Every file keeps the digest
of its bytes, so a re-import tells the files that changed, and its path relative to the intent
folder, the key a fact is matched by (cockpit.store.haiku's `haiku_files`).

Generations (the engine's own sentinels; /tmp notes "H·AI·K·U intents on disk" §0):
A  intent.md status/active_stage, stages/*/state.json, unit status/hat/bolt;
B  A plus feedback files, state.json `iterations[]`/`visits`, unit `closes`/`iterations`;
C  intent.md `plugin_version: 4…`: facts only (unit iterations/reviews/approvals, feedback
   closed_at/targets), no state.json. A C folder may keep A/B leftovers (unit `status`, a
   state.json): "legacy" says so, and the mapping prefers the v4 facts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cockpit.text.frontmatter import Document

# Unit keys the A/B engine owns; in a C folder any of them is a leftover of an older engine.
LEGACY_UNIT_KEYS = frozenset(
    {"status", "hat", "bolt", "hat_started_at", "completed_at", "iteration", "visit", "scope_reject_attempts"}
)
LEGACY_INTENT_KEYS = frozenset(
    {
        "status",
        "active_stage",
        "phase",
        "intent_reviewed",
        "completed_at",
        "iteration",
        "composite",
        "completion_review_dispatched",
        "completion_review_skipped",
        "gate_review_session_id",
        "gate_review_url",
    }
)
_NUMBERED = re.compile(r"^(?:FB-)?(\d+)-")


@dataclass(frozen=True)
class SourceFile:
    """One file of the folder: `rel` is its path under the intent folder ('/'-separated), `path`
    how problems name it. Markdown files carry their parsed `doc`; state.json its `data`."""

    rel: str
    path: str
    sha256: str
    doc: Document | None = None
    data: Mapping[str, Any] | None = None
    text: str = field(default="", repr=False)

    @property
    def meta(self) -> Mapping[str, Any]:
        if self.doc is not None:
            return self.doc.meta
        return self.data or {}

    @property
    def stem(self) -> str:
        name = self.rel.rsplit("/", 1)[-1]
        return name[:-3] if name.endswith(".md") else name

    def line(self, key: str) -> int:
        """The line of a top-level key (1 when unknown): the frontmatter's, or for JSON the first
        line naming `"key":`."""
        if self.doc is not None:
            return self.doc.line_of(key)
        needle = f'"{key}"'
        for number, line in enumerate(self.text.splitlines(), start=1):
            if needle in line:
                return number
        return 1


@dataclass(frozen=True)
class StageFolder:
    name: str
    state: SourceFile | None = None  # state.json (A/B)
    elaboration: SourceFile | None = None  # elaboration.md (C)
    units: tuple[SourceFile, ...] = ()  # units/*.md, in file-name order
    feedback: tuple[SourceFile, ...] = ()  # feedback/NN-*.md, in file-name order


@dataclass(frozen=True)
class IntentFolder:
    slug: str  # the folder's name: the engine's intent slug
    path: str  # the folder, as problems name it
    intent: SourceFile  # intent.md
    stages: tuple[StageFolder, ...] = ()  # in file-name order (the studio gives the walk's order)
    feedback: tuple[SourceFile, ...] = ()  # intent-scope findings
    sidecar: SourceFile | None = None  # cockpit/facts.jsonl, the facts a cockpit export keeps (`text` only)

    def stage(self, name: str) -> StageFolder | None:
        return next((s for s in self.stages if s.name == name), None)


def feedback_number(path: str) -> int | None:
    """The number of a findings file (`…/07-slug.md` → 7), None for another name."""
    match = _NUMBERED.match(path.rpartition("/")[2])
    return int(match.group(1)) if match else None


def closes(meta: Mapping[str, Any]) -> tuple[int, ...]:
    """The findings a B unit says it closes (`closes: [FB-02]`), by number: the files numbered so
    in the unit's stage's feedback folder (the engine looks a finding up by that prefix)."""
    raw = meta.get("closes")
    items = [raw] if isinstance(raw, str | int) else raw if isinstance(raw, list) else []
    out = []
    for item in items:
        match = re.fullmatch(r"(?:FB-?)?0*(\d+)", str(item).strip(), re.IGNORECASE)
        if match:
            out.append(int(match.group(1)))
    return tuple(out)


def is_feedback_name(name: str) -> bool:
    """A findings file name: digits and a dash first (`07-slug.md`; the website's `FB-07-…` too)."""
    return bool(_NUMBERED.match(name)) and name.endswith(".md")


def generation(folder: IntentFolder) -> tuple[str, bool]:
    """('A' | 'B' | 'C', legacy leftovers in a C folder), by the engine's sentinels."""
    meta = folder.intent.meta
    units = [u for s in folder.stages for u in s.units]
    states = [s.state for s in folder.stages if s.state is not None]
    if str(meta.get("plugin_version", "")).startswith("4"):
        legacy = (
            any(k in meta for k in LEGACY_INTENT_KEYS)
            or any(LEGACY_UNIT_KEYS & set(u.meta) for u in units)
            or any(s.meta.get("status") in ("active", "completed", "pending") for s in states)
        )
        return "C", legacy
    b_signs = (
        folder.feedback
        or any(s.feedback for s in folder.stages)
        or any(isinstance(s.meta.get("iterations"), list) or "visits" in s.meta for s in states)
        or any("closes" in u.meta or "iterations" in u.meta for u in units)
    )
    return ("B" if b_signs else "A"), False
