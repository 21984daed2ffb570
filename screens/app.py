"""The cockpit Textual app: screens, help, a palette of every action, keymap, read-only mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cockpit.clock import Clock, system_clock
from screens.backend import Backend

if TYPE_CHECKING:
    from cockpit.engine import Engine
    from cockpit.llm_client import Assistant
    from cockpit.redact import Redactor

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

    def __init__(self, engine: Engine | Callable[[], Engine], *, read_only: bool = False, open_slug: str | None = None,
                 clock: Clock = system_clock, poll_seconds: float = 1.0, keymap: dict[str, str] | None = None,
                 runbook_dirs: list[str] | None = None, assistant: Assistant | None = None) -> None:
        """`engine` may be a function that opens it: the screens then appear at once and fill in when
        it is open. If opening fails, the app exits and `startup_error` says why.

        `runbook_dirs`: folders indexed in the background at start (with the bundled samples);
        None indexes nothing (what is already in the database is shown).

        `assistant`: the LLM client; None builds one from the config file and environment on the
        first assist request (a bad config then fails that request only, not the app)."""
        super().__init__()
        self.backend = Backend(engine)
        self.startup_error: Exception | None = None
        self.read_only = read_only
        self.open_slug = open_slug
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._keymap = keymap or {}
        self.runbook_dirs = runbook_dirs
        self._assistant = assistant
        self._redactors: dict[str, Redactor] = {}
        self.previewed: set[str] = set()  # intents whose send preview the engineer accepted this session
        if read_only:
            self.sub_title = "read-only"

    def on_mount(self) -> None:
        from screens.intent_list import IntentList
        from screens.intent_view import IntentView

        if self._keymap:
            self.set_keymap(self._keymap)
        # Opening one intent composes only its screen; the list is built when Esc goes back to it.
        self.push_screen(IntentView(self.open_slug) if self.open_slug else IntentList())
        # After the first frame: the worker's imports would otherwise compete with it for the GIL.
        self.call_after_refresh(self.open_engine)

    @work(thread=True, group="open")
    def open_engine(self) -> None:
        from cockpit.errors import CockpitError

        try:
            self.backend.engine
        except CockpitError as exc:  # a database it must not touch, a bad config: nothing to show
            self.startup_error = exc
            self.call_from_thread(self.exit, return_code=1)
            return
        if self.runbook_dirs is not None and not self.read_only:
            self.index_runbooks()

    @work(thread=True, group="index")
    def index_runbooks(self) -> None:
        """Bring the offline runbook copy up to date; screens keep working meanwhile."""
        from cockpit.errors import CockpitError

        try:
            report = self.backend.index_runbooks(self.runbook_dirs)
        except CockpitError as exc:
            self.call_from_thread(self.notify, f"Runbooks not indexed: {exc}", severity="warning")
            return
        for problem in report.problems:  # `path: reason`; the rest of the library indexed
            self.call_from_thread(self.notify, problem, title="Runbook skipped", severity="warning", timeout=10)
        if report.gone:
            self.call_from_thread(self.notify, f"Runbook files gone (last copies kept): {', '.join(report.gone)}")

    def assistant(self) -> Assistant:
        """The one LLM client of the session (its circuit breaker spans every assist screen).
        Raises CockpitError when the config is unusable; call it off the UI thread the first time."""
        if self._assistant is None:
            from cockpit.config import load_config
            from cockpit.llm_client import Assistant
            from cockpit.llm_settings import load_llm_settings

            self._assistant = Assistant(load_llm_settings(load_config()))
        return self._assistant

    def redactor(self, slug: str) -> Redactor:
        """One redactor per intent: a secret keeps its placeholder across every prompt about it."""
        if slug not in self._redactors:
            from cockpit.redact import Redactor

            self._redactors[slug] = Redactor()
        return self._redactors[slug]

    def back_to_list(self) -> None:
        """Leave an intent for the list, building the list if the app opened straight on the intent."""
        from screens.intent_list import IntentList

        if any(isinstance(screen, IntentList) for screen in self.screen_stack):
            self.pop_screen()
        else:
            self.switch_screen(IntentList())

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
        from screens.dialogs import HelpScreen

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
