"""A hand-off in words that cannot be read backwards: who passed the baton (or a finding) to whom.

`→ reviewer: ...` read as "to reviewer" and meant "from reviewer". A hand-off names both hats:
`engineer → reviewer: message` when the engineer handed it on, `reviewer ↩ engineer (sent back):
message` when the reviewer sent it back, `verifier → done: ...` when the last hat finished. One
reading for the timeline (from events) and the baton pane (from a unit's iterations).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cockpit.domain.model import Iteration

# The events that pass something between hats, and whether they send it back.
_PASSING = {"advance_hat": False, "reject_hat": True, "advance_fix": False, "reject_fix": True}


@dataclass(frozen=True)
class Handoff:
    giver: str  # the hat that passed it
    taker: str | None  # the hat it went to; None: the giver was the last hat
    sent_back: bool
    message: str | None
    end: str = "done"  # what the last hat's hand-off leads to: a unit is done, a finding closed

    @property
    def arrow(self) -> str:
        """`engineer → reviewer`, `reviewer ↩ engineer (sent back)`, `verifier → done`."""
        if self.sent_back:
            return f"{self.giver} ↩ {self.taker} (sent back)"
        return f"{self.giver} → {self.taker or self.end}"

    def line(self) -> str:
        return f"{self.arrow}: {self.message or '(no message)'}"


def iteration_handoff(hats: Sequence[str], iteration: Iteration) -> Handoff | None:
    """The hand-off that ended a unit's (or a finding's) iteration; None while the hat still holds it."""
    from cockpit.domain.walk import hat_before, next_hat  # the walk's rule for where the baton goes

    if iteration.result == "advance":
        return Handoff(iteration.hat, next_hat(hats, iteration.hat), False, iteration.message)
    if iteration.result == "reject":
        return Handoff(iteration.hat, hat_before(hats, iteration.hat), True, iteration.message)
    return None


def event_handoff(event: Mapping[str, Any]) -> Handoff | None:
    """The hand-off a timeline event records (its `hat` gave, `data["to"]` took); None for others."""
    command, hat, data = event.get("command"), event.get("hat"), event.get("data") or {}
    if not hat:
        return None
    if command in _PASSING:
        end = "done" if command == "advance_hat" else "closed"
        return Handoff(hat, data.get("to"), _PASSING[command], event.get("message"), end)
    if command == "close_feedback" and "to" in data:  # the fix loop's last hat verified the fix
        return Handoff(hat, None, False, event.get("message"), "closed")
    return None
