"""Runbooks in the timeline: recording that a runbook's code block was copied."""

from __future__ import annotations

from cockpit.domain.change import Change, Ctx, Event
from cockpit.domain.commands._common import (
    _redacted,
)
from cockpit.domain.walk import Position


def record_runbook_copy(pos: Position, ctx: Ctx, *, runbook: str, line: int, text: str) -> Change:
    """Record in the timeline that a runbook's code block was copied (to be run by hand).

    Only the block's first line is kept, shortened: the timeline says which step was taken,
    it is not a second copy of the runbook (nor a place where a pasted secret would linger).
    """
    first = next(
        (line.strip() for line in _redacted(text).splitlines() if line.strip()), ""
    )  # the whole block: a key may span lines
    shown = first if len(first) <= 120 else first[:119] + "…"
    stage = pos.active.name if pos.active else None
    return Change(
        Event("runbook_copy", f"{runbook}:{line}: {shown}", stage, data={"runbook": runbook, "line": line}),
        (),
        f"copied {runbook}:{line} (recorded in the timeline)",
    )
