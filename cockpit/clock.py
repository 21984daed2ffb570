"""Time comes from an injected clock so tests and snapshots never depend on the wall; and how a
stored moment reads to a person (`stamp`, `ago`), measured against that clock, never the wall."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    return lambda: at


def stepping_clock(start: datetime, step: timedelta) -> Clock:
    """Each call returns a moment `step` later than the previous one (for seeding a story)."""
    moments = iter(start + step * n for n in range(10**9))
    return lambda: next(moments)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def stamp(moment: str, now: datetime) -> str:
    """'2026-12-06 05:04 +00:00': a stored moment with its date and UTC offset, in the zone of the
    clock's `now` (UTC from the system clock: the zone incident notes are written in)."""
    local = parse_iso(moment).astimezone(now.tzinfo or UTC)
    offset = local.strftime("%z")  # +0000
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def ago(moment: str | None, now: datetime) -> str:
    """'3 min ago', '5 h ago', '2 d ago' ('just now' under a minute or ahead of `now`); 'never' for None."""
    if not moment:
        return "never"
    seconds = max(0, int((now - parse_iso(moment)).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"
