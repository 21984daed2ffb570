"""The bottom lines of the intent screen above the keys: what the gate waits on, and the next action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from .. import render

if TYPE_CHECKING:
    from cockpit.domain.walk import Position


class StatusLine(Static):
    def show(self, position: Position) -> None:
        self.update(render.status_line(position))
