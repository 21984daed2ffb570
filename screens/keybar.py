"""The bottom line of every screen: its keys, drawn by one widget.

Textual's Footer mounts a widget per key; on the intent screen that was ~100 ms of the first
frame. This draws the same facts into one line: shown bindings in the screen's order, help first,
and the ones `check_action` disables (read-only mode) dimmed and struck through, never hidden.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.update(self.line())

    def line(self) -> Text:
        seen: set[str] = set()
        keys: list[tuple[str, str, bool]] = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((self.app.get_key_display(binding), binding.description, active.enabled))
        keys.sort(key=lambda k: k[1] != "Help")  # stable: `?` first, then the screen's own order
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, description, enabled in keys:
            style = "" if enabled else "dim strike"
            text.append(f" {key} ", style="bold reverse" if enabled else "dim reverse")
            text.append(f" {description} ", style=style)
        return text
