"""j/k/g/G over any option list or scrolling view, one way for every screen."""

from __future__ import annotations

from textual.binding import Binding
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.widgets import OptionList

# Vim-style movement: hidden from the key bar (arrows, Home and End do the same). One id per
# movement on every screen, so `[keys] "cursor.down" = "n"` moves the cursor with n everywhere.
CURSOR_BINDINGS = [
    Binding("j", "cursor('down')", "Down", id="cursor.down", show=False),
    Binding("k", "cursor('up')", "Up", id="cursor.up", show=False),
    Binding("g", "cursor('first')", "First", id="cursor.first", show=False),
    Binding("G", "cursor('last')", "Last", id="cursor.last", show=False),
]


def move_cursor(options: OptionList, where: str) -> None:
    {
        "down": options.action_cursor_down,
        "up": options.action_cursor_up,
        "first": options.action_first,
        "last": options.action_last,
    }[where]()


def move_in(widget: Widget | None, where: str) -> None:
    """Move the cursor of a list, or scroll a document view, whichever has focus."""
    if isinstance(widget, OptionList):
        move_cursor(widget, where)
    elif isinstance(widget, ScrollView):
        {"down": widget.scroll_down, "up": widget.scroll_up, "first": widget.scroll_home, "last": widget.scroll_end}[
            where
        ](animate=False)
