"""The cockpit Textual app: screens, help, a palette of every action, keymap, read-only mode."""

from __future__ import annotations

from typing import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cockpit.clock import Clock, system_clock
from cockpit.engine import Engine
from screens.backend import Backend
from screens.dialogs import HelpScreen

KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "space": "space"}


class CockpitApp(App):
    CSS_PATH = "cockpit.tcss"
    TITLE = "cockpit"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+p", "command_palette", "Palette", id="app.palette", show=False),
    ]

    def __init__(self, engine: Engine, *, read_only: bool = False, open_slug: str | None = None,
                 clock: Clock = system_clock, poll_seconds: float = 1.0, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.backend = Backend(engine)
        self.read_only = read_only
        self.open_slug = open_slug
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._keymap = keymap or {}
        if read_only:
            self.sub_title = "read-only"

    def on_mount(self) -> None:
        from screens.intent_list import IntentList
        from screens.intent_view import IntentView

        if self._keymap:
            self.set_keymap(self._keymap)
        self.push_screen(IntentList())
        if self.open_slug:
            self.push_screen(IntentView(self.open_slug))

    def writable(self) -> bool:
        if self.read_only:
            self.notify("Read-only: started with --read-only, nothing can be changed.", severity="warning")
        return not self.read_only

    def copy_text(self, text: str) -> None:
        """OSC 52: reaches the local clipboard over SSH and tmux (with set-clipboard on)."""
        self.copy_to_clipboard(text)
        first = text.splitlines()[0] if text else ""
        self.notify(f"Copied: {first[:60]}")

    def _described_bindings(self, screen: Screen) -> list[tuple[str, Binding]]:
        """Described bindings of the screen: cockpit's own (they have ids) first, then the widgets'."""
        seen: dict[str, tuple[str, Binding]] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.description and binding.action not in seen:
                seen[binding.action] = (KEY_NAMES.get(key, key), binding)
        return sorted(seen.values(), key=lambda pair: pair[1].id is None)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        rows = [(key, b.description) for key, b in self._described_bindings(screen)]
        self.push_screen(HelpScreen(rows))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every hotkey of the screen is also a palette command, by name."""
        for key, binding in self._described_bindings(screen):
            if binding.action in ("command_palette",):
                continue
            yield SystemCommand(binding.description, f"key: {key}", lambda action=binding.action: self._run_from_palette(screen, action))
        yield from super().get_system_commands(screen)

    def _run_from_palette(self, screen: Screen, action: str) -> None:
        target = self if action in ("help", "quit") else screen
        if hasattr(target, "check_action") and target.check_action(action.split("(")[0], ()) is None:
            self.writable()
            return
        self.call_later(self.run_action, action, target)
