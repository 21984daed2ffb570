"""The units of the active stage, one line each; the unit under the cursor is the one in hand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList

from .. import render
from .keyed import sync_options

if TYPE_CHECKING:
    from cockpit.domain.walk import UnitState

MAX_ROWS = 6  # the list grows with its units up to this, and leaves the rest to the feedback


class UnitsPane(Vertical):
    """A title and the units list (`#units`).

    | Message | When |
    |---|---|
    | `UnitsPane.Selected` | the engineer moved the cursor to another unit |
    """

    DEFAULT_CSS = "UnitsPane { height: auto; }"

    class Selected(Message):
        """The engineer moved to another unit (not posted when a refresh keeps or sets the cursor)."""

        def __init__(self, unit: str) -> None:
            super().__init__()
            self.unit = unit  # its slug

    def compose(self) -> ComposeResult:
        yield Label("Units", classes="pane-title")
        yield OptionList(id="units")

    @property
    def options(self) -> OptionList:
        return self.query_one("#units", OptionList)

    def show(self, states: Sequence[UnitState], selected: str | None) -> str | None:
        """List `states` in place, the cursor on `selected` (else the first); returns the unit under it."""
        options = self.options
        options.styles.height = max(1, min(len(states), MAX_ROWS))
        return sync_options(options, [(u.unit.slug, render.unit_prompt(u)) for u in states], selected)

    @on(OptionList.OptionHighlighted, "#units")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Selected(event.option.id))
