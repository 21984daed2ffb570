"""Which of its studio's stages an intent walks: its own list (`stages:`, quick mode) and the
stages it skips (`skip_stages:`), as intent.md declares them.

The engine's rule (haiku-method packages/haiku/src/orchestrator/studio.ts, resolveIntentStages):
start from the studio's stages in the studio's order; a non-empty `stages` list keeps only the
stages it names; then `skip_stages` drops the ones it names. The order is always the studio's.
A stage left out is shown as skipped, never as pending: the walk passes it by.
"""

from __future__ import annotations

from collections.abc import Iterable

from cockpit.domain.model import Intent
from cockpit.domain.studio import Studio
from cockpit.errors import CockpitError


def walked_stages(studio: Studio, intent: Intent) -> tuple[str, ...]:
    """The names of the stages `intent` walks, in the studio's order."""
    allowed = set(intent.stages) if intent.stages else None
    skipped = set(intent.skip_stages)
    return tuple(s for s in studio.stage_names if (allowed is None or s in allowed) and s not in skipped)


def _canonical(studio: Studio, names: Iterable[str], what: str) -> tuple[str, ...]:
    """`names` as the studio spells them (case-insensitive, as the engine's stage picker matches),
    once each; an unknown name is refused with the studio's list."""
    known = {name.lower(): name for name in studio.stage_names}
    out: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        canonical = known.get(name.lower())
        if canonical is None:
            raise CockpitError(
                f"{what}: studio {studio.name} has no stage {name!r} (stages: {', '.join(studio.stage_names)})"
            )
        if canonical not in out:
            out.append(canonical)
    return tuple(sorted(out, key=studio.stage_names.index))  # the studio's order: the walk's


def check_walk(
    studio: Studio, stages: Iterable[str] | None, skip_stages: Iterable[str] = ()
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The (stages, skip_stages) to store for a new intent on `studio`: each name checked and spelt
    as the studio spells it; an empty `stages` list is None (the studio's whole walk, as the
    engine reads it). A walk left with no stage is refused: it would be complete before it began."""
    own = _canonical(studio, stages, "--stages") if stages is not None else ()
    skip = _canonical(studio, skip_stages, "--skip")
    stored = own or None
    probe = Intent(0, "", "", studio.name, "", 0, "", stored, skip)
    if not walked_stages(studio, probe):
        chosen = ", ".join(own) if own else "every stage"
        raise CockpitError(
            f"that walk has no stage left ({chosen} minus {', '.join(skip)}): "
            f"an intent walks at least one of {', '.join(studio.stage_names)}"
        )
    return stored, skip
