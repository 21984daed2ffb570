"""Studio definitions as loaded from disk: studios → stages → hats, review agents, templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GATE_KINDS: tuple[str, ...] = ("auto", "ask", "external", "await")
# A walk phase → the stem of its guidance file (phases/ELABORATION.md is read as "elaboration").
PHASE_GUIDANCE: dict[str, str] = {
    "elaborate": "elaboration",
    "review": "review",
    "execute": "execution",
    "approve": "approval",
    "gate": "gate",
}
HUMAN_GATE_KINDS = frozenset({"ask"})
EXTERNAL_GATE_KINDS = frozenset({"external", "await"})


@dataclass(frozen=True)
class Hat:
    name: str
    title: str
    body: str  # the mandate, as markdown
    checklist: tuple[str, ...]  # the hand-off checklist, one tickable item each
    path: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ReviewAgent:
    name: str
    title: str
    body: str
    checks: tuple[str, ...]
    failure_modes: tuple[str, ...]
    path: str
    scope: str = "stage"  # "intent" for studio-level reviewers
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Template:
    """An output (deliverable) or discovery (knowledge) template of a stage."""

    name: str
    kind: str  # "output" | "discovery"
    title: str
    body: str
    path: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Stage:
    name: str
    description: str
    hats: tuple[str, ...]
    fix_hats: tuple[str, ...]
    gate: tuple[str, ...]  # one or more of GATE_KINDS; any one path approves
    elaboration: str
    reviewers: tuple[ReviewAgent, ...]  # own review agents, then borrowed ones
    hat_defs: dict[str, Hat] = field(compare=False, repr=False)
    templates: tuple[Template, ...] = ()
    inputs: tuple[dict[str, Any], ...] = ()
    checks: tuple[str, ...] = ()  # engine-run quality checks (cockpit.checks ids), run at the verifier and approve
    # Phase guidance (phases/ELABORATION.md, EXECUTION.md, ...): phase name in lower case → markdown.
    # The engine feeds it to the hats of that phase; cockpit shows it with the mandate.
    phases: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    body: str = field(default="", repr=False)
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def reviewer_names(self) -> tuple[str, ...]:
        return tuple(agent.name for agent in self.reviewers)

    @property
    def is_auto(self) -> bool:
        return self.gate == ("auto",)

    def hat(self, name: str) -> Hat | None:
        return self.hat_defs.get(name)

    def guidance(self, phase: str) -> str:
        """The stage's guidance for walk phase `phase` (e.g. execute → phases/EXECUTION.md) as a
        markdown section to follow the hat's mandate, or "" when the stage has none for it.
        The engine feeds it to the hats of that phase; the mandate pane and the model get it too."""
        key = PHASE_GUIDANCE.get(phase, phase)
        text = self.phases.get(key, "").strip()
        return f"## Phase guidance: {key}\n\n{text}" if text else ""


@dataclass(frozen=True)
class Studio:
    name: str
    aliases: tuple[str, ...]
    description: str
    category: str
    stages: tuple[Stage, ...]
    reviewers: tuple[ReviewAgent, ...] = ()  # studio-level (intent scope)
    slug: str | None = None
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # sha256 of the files the definition was read from (relative path and bytes, overlays
    # applied): an intent pins the digest it walks by (cockpit.domain.studio_codec).
    digest: str = ""
    source: str = ""  # where the definition came from: "bundled", or the studios folder it was found in
    overlay: str = ""  # the project folder (.haiku/studios/<studio>) overlaid on it, file by file, if any
    overlaid: tuple[str, ...] = ()  # the relative paths read from that overlay

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def ids(self) -> tuple[str, ...]:
        """Every id the studio answers to, as the H·AI·K·U engine resolves one: name, slug, aliases
        and its folder's name (compared case-insensitively by the catalog)."""
        folder = self.path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        ids = (self.name, *((self.slug,) if self.slug else ()), *self.aliases, *((folder,) if folder else ()))
        return tuple(dict.fromkeys(ids))
