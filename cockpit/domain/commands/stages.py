"""A stage sent back: revisiting a stage returns it to elaborate with a reason.

The engine's semantics (haiku-method packages/haiku/src/orchestrator/revisit.ts): the target is a
stage of the intent's walk, at or before the active one (a later stage is reached by advancing,
not by a revisit); it goes back to elaborate, its pre-execute review and its gate start over,
its units are kept as they are (a revisit adds scope or revises specs, it never throws work away),
the fix-loop budget of its open findings restarts, and every stage after it is walked again
(markDownstreamStagesStale). The walk derives all of that from the one `revisited` decision
(walk._revisit_epochs); this command only checks it is legal and records it.
"""

from __future__ import annotations

from cockpit.domain.change import Change, Ctx, Event, Insert
from cockpit.domain.commands._common import _required, _walked
from cockpit.domain.walk import Position
from cockpit.errors import IllegalTransition


def revisit(pos: Position, ctx: Ctx, *, stage: str, reason: str) -> Change:
    """Send `stage` back to elaborate, recording why."""
    reason = _required(reason, "a reason for the revisit")
    state = _walked(pos, stage)
    active = pos.active
    if active is not None and pos.stages.index(state) > pos.stages.index(active):
        raise IllegalTransition(
            f"stage {stage} comes after the active stage {active.name}: a later stage is reached by "
            "passing the gates before it, not by a revisit"
        )
    if state.phase == "elaborate":
        raise IllegalTransition(f"stage {stage} is already in elaborate: there is nothing to send back")
    later = [s.name for s in pos.stages[pos.stages.index(state) + 1 :] if s.status in ("complete", "active")]
    row = {"stage": stage, "kind": "revisited", "at": ctx.now, "reason": reason}
    data = {"from_stage": active.name if active else None, "from_phase": state.phase, "walked_again": later}
    was = "complete" if state.phase == "complete" else f"in {state.phase}"
    summary = f"sent {stage} back to elaborate (it was {was})"
    if later:
        summary += f"; {', '.join(later)} will be walked again after it"
    return Change(Event("revisit_stage", reason, stage, data=data), (Insert("decisions", row),), summary)
