"""j/k/g/G over any option list, one way for every screen."""

from __future__ import annotations

from textual.widgets import OptionList


def move_cursor(options: OptionList, where: str) -> None:
    {"down": options.action_cursor_down, "up": options.action_cursor_up,
     "first": options.action_first, "last": options.action_last}[where]()
