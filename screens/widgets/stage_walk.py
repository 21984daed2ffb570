"""The top lines of the intent screen: every stage with its state, then the active stage's phases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from .. import render

if TYPE_CHECKING:
    from cockpit.domain.walk import Position


class StageWalk(Static):
    def show(self, position: Position) -> None:
        self.update(render.stage_walk(position))
