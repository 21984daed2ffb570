"""Severity ranking and the blocking rule (H·AI·K·U v4, haiku-model §3.6), and the glyphs that
show severity and progress without colour."""

from __future__ import annotations

SEVERITIES: tuple[str, ...] = ("blocker", "high", "medium", "low")
RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}
# An unclassified finding ranks with medium findings but always blocks until classified (and so
# sorts among the blocking ones: sort_key).
UNSET_RANK = RANK["medium"]
DEFAULT_THRESHOLD = "high"

# Glyph + label, never colour alone (the screens and the CLI share these).
GLYPHS: dict[str | None, str] = {"blocker": "■", "high": "▲", "medium": "●", "low": "·", None: "?"}
# The same for progress: a stage's status (the walk's complete | active | pending | skipped), also
# used for a phase or a hat before, at and after the current one.
STAGE_GLYPHS: dict[str, str] = {"complete": "✓", "active": "▶", "pending": "·", "skipped": "–"}


def rank(severity: str | None) -> int:
    return UNSET_RANK if severity is None else RANK[severity]


def is_blocking(severity: str | None, threshold: str = DEFAULT_THRESHOLD) -> bool:
    """A finding blocks when unclassified or at least as severe as the threshold."""
    return severity is None or RANK[severity] <= RANK[threshold]


def sort_key(severity: str | None, threshold: str = DEFAULT_THRESHOLD) -> tuple[int, int]:
    """Where a severity sorts: every blocking one before every other (unclassified blocks though it
    ranks with medium), then by rank."""
    return (0 if is_blocking(severity, threshold) else 1, rank(severity))


def check_severity(value: str | None) -> str | None:
    if value is None or value in RANK:
        return value
    raise ValueError(f"unknown severity {value!r}: use one of {', '.join(SEVERITIES)}")
