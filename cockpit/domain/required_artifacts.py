"""Required discovery and output artifacts of a stage, as the H·AI·K·U engine requires them.

A stage's templates (cockpit.domain.studio.Template) name where their artifact lives (`location`,
relative to the project root, `{intent-slug}` standing for the intent). The engine refuses to
leave elaborate while a required discovery artifact is missing, and to leave execute (for the
review of the work, our approve phase) while a required output is missing. `required` is true
unless the template says `required: false`; a template with no location, or one in parentheses
(`(project source tree)`: nothing one path can prove), is never checked. A location ending in
`/` names a folder that must hold something besides `.gitkeep`.

Pure: what exists on disk is found by the caller (cockpit.sources.artifacts.on_disk) and passed
in as location → present. No look at the disk (None) means the rule is not applied: an intent
walked outside a H·AI·K·U checkout has no files to find.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cockpit.domain.studio import Stage

KINDS = ("discovery", "output")
SLUG_PLACEHOLDER = "{intent-slug}"


@dataclass(frozen=True)
class RequiredArtifact:
    name: str
    kind: str  # "discovery" | "output"
    location: str  # relative to the project root, the intent's slug filled in
    template: str  # the template file that declares it


def required_artifacts(stage: Stage, kind: str, intent_slug: str) -> tuple[RequiredArtifact, ...]:
    """The artifacts of `kind` the stage requires, in name order (the engine's)."""
    found = []
    for template in stage.templates:
        if template.kind != kind or template.meta.get("required") is False:
            continue
        location = template.meta.get("location")
        if not isinstance(location, str) or not location.strip() or location.startswith("("):
            continue
        found.append(
            RequiredArtifact(template.name, kind, location.replace(SLUG_PLACEHOLDER, intent_slug), template.path)
        )
    return tuple(sorted(found, key=lambda a: a.name))


def locations(stages: Iterable[Stage], intent_slug: str) -> tuple[str, ...]:
    """Every location the stages require, discovery and outputs: what the caller looks for on disk."""
    return tuple(
        dict.fromkeys(a.location for s in stages for kind in KINDS for a in required_artifacts(s, kind, intent_slug))
    )


def missing(
    stage: Stage, kind: str, intent_slug: str, on_disk: Mapping[str, bool] | None
) -> tuple[RequiredArtifact, ...]:
    """The required artifacts of `kind` not found on disk; none when nobody looked (`on_disk` None).
    A location the caller did not look for counts as missing."""
    if on_disk is None:
        return ()
    return tuple(a for a in required_artifacts(stage, kind, intent_slug) if not on_disk.get(a.location, False))


def describe(stage: str, kind: str, absent: tuple[RequiredArtifact, ...], root: str | None = None) -> str:
    """`2 required discovery artifacts of triage missing: incident-brief (expected at ...), ...`;
    with the project's `root`, the full path (the responder may stand anywhere below it)."""
    noun = "output" if kind == "output" else "discovery artifact"
    plural = "s" if len(absent) > 1 else ""
    listed = ", ".join(
        f"{a.name} (expected at {posixpath.join(root, a.location) if root else a.location})" for a in absent
    )
    return f"{len(absent)} required {noun}{plural} of {stage} missing: {listed}"


def status_lines(
    stage: Stage, phase: str, intent_slug: str, on_disk: Mapping[str, bool] | None, root: str | None = None
) -> list[str]:
    """What `status` says of the active stage's required artifacts still missing, with the move
    each one holds: discovery before elaborate ends, outputs before execute ends."""
    lines = []
    if phase == "elaborate":
        absent = missing(stage, "discovery", intent_slug, on_disk)
        if absent:
            lines.append(describe(stage.name, "discovery", absent, root) + " (elaborate cannot end)")
    if phase in ("elaborate", "review", "execute"):
        absent = missing(stage, "output", intent_slug, on_disk)
        if absent:
            lines.append(describe(stage.name, "output", absent, root) + " (execute cannot end)")
    return lines
