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
            self.update(render.baton(stage, unit))
