"""Time comes from an injected clock so tests and snapshots never depend on the wall."""

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
