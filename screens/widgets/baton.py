"""The hat baton of the unit in hand: its hats in order, its bolt, the hand-off messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from .. import render

if TYPE_CHECKING:
    from cockpit.domain.walk import StageState, UnitState


class BatonPane(Static):
    def show(self, stage: StageState | None, unit: UnitState | None) -> None:
        if stage is None or unit is None:
            self.update(Text("No units yet: press u to add one.", style="dim"))
        else:
            self.update(render.baton(stage, unit) + hold_lines(stage, unit) + handoff_lines(stage, unit))


def hold_lines(stage: StageState, unit: UnitState) -> Text:
    """What holds the unit as the engine would: unchecked completion criteria on its last hat, or
    its last bolt before a human decides (a reject is then refused)."""
    from cockpit.domain.walk import MAX_UNIT_BOLTS, criteria_hold

    text = Text()
    held = criteria_hold(stage, unit)
    if held:
        text.append(f"{held}: tick them (- [x]) in its body before {unit.hat} completes it\n", style=render.alarm())
    if unit.on_last_bolt:
        text.append(
            f"bolt {unit.bolt} is its last of {MAX_UNIT_BOLTS}: a reject is refused, a human decides\n",
            style=render.alarm(),
        )
    return text


def handoff_lines(stage: StageState, unit: UnitState) -> Text:
    """The unit's hand-offs, newest first (the message the current hat was handed on top), each
    naming who passed it to whom: `engineer → reviewer: ...`, `reviewer ↩ engineer (sent back): ...`."""
    from cockpit.domain.handoff import iteration_handoff

    text = Text()
    for iteration in reversed(unit.handoffs):
        handoff = iteration_handoff(stage.stage.hats, iteration)
        if handoff is None:
            continue
        text.append(f"{handoff.arrow}: ", style=render.alarm() if handoff.sent_back else "bold")
        text.append(f"{handoff.message or '(no message)'}\n")
    return text
