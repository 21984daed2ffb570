"""The bottom line of every screen: its keys, drawn by one widget.

Textual's Footer mounts a widget per key; on the intent screen that was ~100 ms of the first
frame. This draws the same facts into one line: shown bindings in the screen's order, help first,
and the ones `check_action` disables (read-only mode) dimmed and struck through, never hidden.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

FIRST = ("Help", "Back", "Next action")  # what a newcomer needs most stands first, then the screen's order
MORE = " …? "  # said when keys were left out for want of room: help (?) lists them all


class KeyBar(Static):
    """At the window's width it shows the keys that fit whole (never a word cut in half), and
    ends with `…?` when some were left out."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        return self.line(self.content_size.width or None)

    def keys(self) -> list[tuple[str, str, bool]]:
        """(key, description, enabled) of each shown binding, most needed first."""
        seen: set[str] = set()
        keys: list[tuple[str, str, bool]] = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((self.app.get_key_display(binding), binding.description, active.enabled))
        rank = {description: i for i, description in enumerate(FIRST)}
        keys.sort(key=lambda k: rank.get(k[1], len(FIRST)))  # stable: the rest keep the screen's order
        return keys

    def line(self, width: int | None = None) -> Text:
        """Every key, or those that fit whole in `width` cells."""
        text = Text(no_wrap=True)
        keys = self.keys()
        for i, (key, description, enabled) in enumerate(keys):
            entry = Text.assemble(
                (f" {key} ", "bold reverse" if enabled else "dim reverse"),
                (f" {description} ", "" if enabled else "dim strike"),
            )
            last = i == len(keys) - 1
            if width is not None and text.cell_len + entry.cell_len + (0 if last else len(MORE)) > width:
                text.append(MORE, style="bold")
                break
            text.append_text(entry)
        return text
