"""The cockpit Textual app: screens, help, a palette of every action, keymap, read-only mode."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen

from cockpit.app.backend import Backend

if TYPE_CHECKING:
    from cockpit.app.assistant import Assistant
    from cockpit.app.engine import Done, Engine
    from cockpit.domain.call import Call
    from cockpit.domain.walk import Position
    from cockpit.errors import CockpitError
    from cockpit.text.redact import Redactor

    from .dialogs import _Modal

    Written = Callable[[Done, Position, int], None]  # what a screen does after its write committed

# Key names a person types, where Textual's display differs (it shows ^c, ⏎).
KEY_WORDS = {"enter": "enter", "escape": "esc", "space": "space", "tab": "tab"}


def key_name(app: App, binding: Binding) -> str:
    """`binding`'s key as help and the palette name it: `?`, `[`, `ctrl+c`, `shift+tab`, `enter`
    (never `question_mark` or `left_square_bracket`)."""
    if binding.key_display:
        return binding.key_display
    *modifiers, key = binding.key.split("+")
    shown = KEY_WORDS.get(key) or app.get_key_display(Binding(key, ""))
    return "+".join([*modifiers, shown])


def alive(node: DOMNode) -> bool:
    """`node` is still on the app and not being removed. A worker's answer for a screen that has
    gone (left with esc while the write ran, or torn down as the app ends) is dropped: drawn into a
    screen whose widgets are being removed, it met `NoMatches` and ended the app (issue 13).
    `_pruning` is Textual's own mark for a node being removed (its widgets check it the same way)."""
    return node.is_attached and not node._pruning


class CockpitApp(App):
    CSS_PATH = "cockpit.tcss"
    TITLE = "cockpit"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # Ctrl+C quits, as at any shell (Textual's only says which key quits), from every screen and
        # field: priority, so a text field's copy does not take it (y copies). Asks if text is unsaved.
        Binding("ctrl+c", "quit", "Quit", id="app.interrupt", show=False, priority=True),
        Binding("ctrl+p", "command_palette", "Palette", id="app.palette", show=False),
        Binding("colon", "jump", "Jump to intent", id="app.jump", key_display=":", show=False),
    ]

    def __init__(
        self,
        engine: Engine | Callable[[], Engine],
        *,
        read_only: bool = False,
        open_slug: str | None = None,
        poll_seconds: float = 1.0,
        keymap: dict[str, str] | None = None,
        runbook_dirs: list[str] | None = None,
        assistant: Assistant | None = None,
        theme: str | None = None,
        haiku: Sequence[str] = (),
        haiku_poll_seconds: float = 1.0,
    ) -> None:
        """`engine` may be a function that opens it: the screens then appear at once and fill in when
        it is open. If opening fails, the app exits and `startup_error` says why.

        `runbook_dirs`: folders indexed in the background at start (the bundled samples only in the demo database);
        None indexes nothing (what is already in the database is shown).

        The time comes from the engine's clock (`backend.now()`): one clock, injected there.

        `assistant`: the LLM client; None builds one from the config file and environment on the
        first assist request (a bad config then fails that request only, not the app).

        `theme`: a Textual theme by name (the config's `theme`); None keeps today's. Textual picks
        its NO_COLOR filter here, so a theme drawn in the terminal's own palette (ansi-*) is told
        now: set later, NO_COLOR drew it black on black.

        `haiku`: H·AI·K·U projects (or intent folders) to open (`cockpit --haiku PATH`): imported
        once the engine is open, then their files are looked at every `haiku_poll_seconds` and
        what changed there is re-read (Backend.open_projects, watch_projects)."""
        from textual.theme import BUILTIN_THEMES

        super().__init__(ansi_color=True if theme and BUILTIN_THEMES[theme].ansi else None)
        if theme:
            self.theme = theme
        from .terminal_safe import ControlPictures

        self._filters.append(ControlPictures())  # Textual's list of line filters: applied to every rendered line
        self.backend = Backend(engine)
        self.startup_error: Exception | None = None
        self.crash_line: str | None = None  # set when a bug ended the app: the line to print, the log holds the rest
        self.read_only = read_only
        self.open_slug = open_slug
        self.poll_seconds = poll_seconds
        self.haiku_paths = list(haiku)
        self.haiku_poll_seconds = haiku_poll_seconds
        self._keymap = keymap or {}
        self.runbook_dirs = runbook_dirs
        self._assistant = assistant
        self._redactors: dict[str, Redactor] = {}
        self.previewed: set[str] = set()  # intents whose send preview the engineer accepted this session
        self.collect_after_first_frame = False  # run() sets it: see there
        self._quit_question: Screen | None = None  # the "quit and lose what you typed?" question, while asked
        if read_only:
            self.sub_title = "read-only"

    def run(self, **kwargs: Any) -> Any:
        """Run the app on the terminal (tests use run_test). Everything imported by now (Textual,
        Rich, the UI) lives as long as the process: frozen out of the collector's generations, the
        full collection that composing and painting the first screen sets off does not walk it
        (~17 ms of the first frame; bench/tui_bench.py). The CLI turns collection off while it
        imports the UI; it comes back on after the first frame, with what that frame built frozen too."""
        import gc

        gc.freeze()
        self.collect_after_first_frame = True
        return super().run(**kwargs)

    def get_default_screen(self) -> Screen:
        """The first screen is the one the engineer asked for, composed with the app itself: no empty
        default screen is mounted and painted before it (bench/tui_bench.py). Opening one intent
        imports only its module; the list is built when Esc goes back to it."""
        if self.open_slug:
            from .intent_view import IntentView

            screen: Screen = IntentView(self.open_slug)
        else:
            from .intent_list import IntentList

            screen = IntentList()
        # A pushed screen gets a result callback; the default screen does not, and switching away
        # from it (back_to_list) pops one.
        screen._push_result_callback(screen, None)
        return screen

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        # After the first frame: the worker's imports would otherwise compete with it for the GIL.
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        if self.collect_after_first_frame:
            import gc

            gc.freeze()
            gc.enable()
        self.open_engine()

    @work(thread=True, group="open")
    def open_engine(self) -> None:
        from cockpit.errors import CockpitError

        try:
            _ = self.backend.engine  # opening it is the check
        except CockpitError as exc:  # a database it must not touch, a bad config: nothing to show
            self.startup_error = exc
            self.call_from_thread(self.exit, return_code=1)
            return
        if warning := self.backend.network_warning():
            self.call_from_thread(
                self.notify,
                warning,
                title="Network file system",
                severity="warning",
                timeout=15,
            )
        self.check_database()
        if self.haiku_paths and not self.read_only:  # importing writes: read-only shows what is stored
            self.open_projects()
        if self.runbook_dirs is not None and not self.read_only:
            self.index_runbooks(self.runbook_dirs)

    # ------------------------------------------------------------ H·AI·K·U projects, live

    @work(thread=True, group="haiku")
    def open_projects(self) -> None:
        from cockpit.errors import CockpitError

        try:
            said = self.backend.open_projects(self.haiku_paths)
        except CockpitError as exc:
            self.call_from_thread(self.write_failed, exc, title="Project not opened")
            return
        self.call_from_thread(self._projects_opened, said)

    def _projects_opened(self, said: list[str]) -> None:
        self._say_import(said)
        self.data_changed()
        self.set_interval(self.haiku_poll_seconds, self.watch_projects)

    @work(thread=True, exclusive=True, group="haiku-watch")
    def watch_projects(self) -> None:
        """One look at the projects' files (Backend.watch_projects); a change shows at once."""
        from cockpit.errors import CockpitError

        try:
            changed, said = self.backend.watch_projects()
        except CockpitError as exc:  # a busy database: the next look tries again
            self.call_from_thread(self.write_failed, exc, title="Files not re-read")
            return
        if said:
            self.call_from_thread(self._say_import, said)
        if changed:
            self.call_from_thread(self.data_changed)

    def _say_import(self, said: list[str]) -> None:
        if not said:
            return
        more = len(said) - 5
        shown = said[:5] + ([f"… and {more} more (cockpit haiku import PATH lists them)"] if more > 0 else [])
        self.notify("\n".join(shown), title="Not imported from files", severity="warning", timeout=15)

    def data_changed(self) -> None:
        """The data under the screens changed: the screen in front looks now, not at its next poll."""
        poll = getattr(self.screen, "poll", None)
        if callable(poll):
            poll()

    @work(thread=True, group="check")
    def check_database(self) -> None:
        """Read every page once, in the background (too slow for each command at open): damage
        found refuses every later write of the session, and the engineer is told at once."""
        problem = self.backend.check_integrity()
        if problem is not None:
            self.call_from_thread(self.notify, str(problem), title="Database damaged", severity="error", timeout=30)

    @work(thread=True, group="index")
    def index_runbooks(self, runbook_dirs: list[str]) -> None:
        """Bring the offline runbook copy up to date; screens keep working meanwhile."""
        from cockpit.errors import CockpitError

        try:
            report = self.backend.index_runbooks(runbook_dirs)
        except CockpitError as exc:
            self.call_from_thread(self.write_failed, exc, title="Runbooks not indexed")
            return
        for problem in report.problems:  # `path: reason`; the rest of the library indexed
            self.call_from_thread(self.notify, problem, title="Runbook skipped", severity="warning", timeout=10)
        if report.gone:
            self.call_from_thread(self.notify, f"Runbook files gone (last copies kept): {', '.join(report.gone)}")

    def assistant(self) -> Assistant:
        """The one LLM client of the session (its circuit breaker spans every assist screen).
        Raises CockpitError when the config is unusable; call it off the UI thread the first time."""
        if self._assistant is None:
            from cockpit.app.assistant import open_assistant

            self._assistant = open_assistant()
        return self._assistant

    def redactor(self, slug: str) -> Redactor:
        """One redactor per intent: a secret keeps its placeholder across every prompt about it."""
        if slug not in self._redactors:
            from cockpit.text.redact import Redactor

            self._redactors[slug] = Redactor()
        return self._redactors[slug]

    def action_jump(self) -> None:
        from .intent_list import jump  # `:` from any screen

        jump(self)

    def back_to_list(self) -> None:
        """Leave an intent for the list, building the list if the app opened straight on the intent."""
        from .intent_list import IntentList

        if any(isinstance(screen, IntentList) for screen in self.screen_stack):
            self.pop_screen()
        else:
            self.switch_screen(IntentList())

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Textual's, for every worker of every screen: a callback bound to a widget or screen
        that is gone by the time it would run is not run (see `alive`)."""
        target = getattr(callback, "__self__", None)
        if not isinstance(target, DOMNode) or target is self:
            return super().call_from_thread(callback, *args, **kwargs)

        def if_alive() -> Any:
            return callback(*args, **kwargs) if alive(target) else None

        return super().call_from_thread(if_alive)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain text: they quote names, titles and errors from data, so
        markup in them is shown, never interpreted (screens' and widgets' notify land here too)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------------------ writes and errors: one path

    def ask(
        self,
        dialog: _Modal,
        slug: str,
        command: Callable[[Any], Call | None],
        *,
        done: Written | None = None,
    ) -> None:
        """Open `dialog`; its answer is written as the command `command(answer)` returns (a
        cockpit.domain.call.Call; None: nothing to write). The dialog stays, with its text, until
        the write has committed; if it fails the dialog says why and the engineer can save again.
        `done` is for the screen that opened the dialog: it does not run once that screen has gone."""
        owner = self.screen

        def save(answer: Any, dialog: _Modal) -> None:
            call = command(answer)
            if call is None:
                dialog.dismiss(None)
                return
            self.write(slug, call, dialog=dialog, done=done, owner=owner)

        dialog.save = save
        self.push_screen(dialog)

    def refused(self, position: Position | None, command: Call) -> bool:
        """Before a dialog opens: try `command` on the position the screen shows, writing nothing.
        If the walk refuses it whatever the engineer would type, say why now, as a refused write is
        said, and return True: no message is typed only to be lost to a refusal known in advance.
        The command itself is the rule (nothing here copies it); pass `dialogs.UNTYPED` for the
        text still to be typed. The write checks again on what is stored then."""
        from cockpit.clock import iso
        from cockpit.domain.change import Ctx
        from cockpit.errors import CockpitError

        if position is None:
            return False
        try:
            command(position, Ctx(iso(self.backend.now()), ""))
        except CockpitError as exc:
            self.write_failed(exc)
            return True
        return False

    def write(
        self,
        slug: str,
        command: Call,
        *,
        dialog: _Modal | None = None,
        done: Written | None = None,
        failed: Callable[[], None] | None = None,
        quiet: bool = False,
        title: str | None = None,
        owner: Screen | None = None,
    ) -> None:
        """Run `command` (a command bound to its arguments: cockpit.domain.call.call) off the UI
        thread: every screen's writes go through here. On success `dialog` (if any) closes, `done`
        runs and the summary is shown (unless `quiet`); on a CockpitError `write_failed` says why
        and `failed` runs. `done` and `failed` belong to `owner` (default: the screen in front
        now) and are skipped if it has gone by then; the summary or the refusal is said anyway."""
        from functools import partial

        owner = owner or self.screen
        self.run_worker(
            partial(self._write, slug, command, dialog, done, failed, quiet, title, owner), thread=True, group="write"
        )

    def _write(
        self,
        slug: str,
        command: Call,
        dialog: _Modal | None,
        done: Written | None,
        failed: Callable[[], None] | None,
        quiet: bool,
        title: str | None,
        owner: Screen,
    ) -> None:
        from cockpit.errors import CockpitError

        try:
            result, position = self.backend.run(slug, command)
            version = self.backend.data_version()
        except CockpitError as exc:
            self.call_from_thread(self.write_failed, exc, dialog=dialog, failed=failed, title=title, owner=owner)
            return
        self.call_from_thread(self._written, result, position, version, dialog, done, quiet, owner)

    def _written(
        self,
        result: Done,
        position: Position,
        version: int,
        dialog: _Modal | None,
        done: Written | None,
        quiet: bool,
        owner: Screen,
    ) -> None:
        if dialog is not None and dialog.is_current:  # esc may have closed it meanwhile: pop nothing else
            dialog.dismiss(None)
        if done is not None and alive(owner):
            done(result, position, version)
        if not quiet:
            self.notify(result.summary, timeout=4)
        problem = result.written.problem if result.written else None
        if problem:  # saved in the database, but its project's files could not follow
            self.notify(problem, title="Not written to files", severity="error", timeout=15)

    def write_failed(
        self,
        exc: CockpitError,
        *,
        dialog: _Modal | None = None,
        failed: Callable[[], None] | None = None,
        title: str | None = None,
        owner: DOMNode | None = None,
    ) -> None:
        """The one error path of every worker, writes and reads alike: a refused command or a
        storage fault is said in a notification titled `title` (default: "Not saved" for a storage
        fault, "Refused" for the command) and in its dialog, which keeps the text; the app stays up.
        `failed` runs unless its `owner` screen has gone."""
        from cockpit.errors import StoreError

        self.notify(
            str(exc),
            title=title or ("Not saved" if isinstance(exc, StoreError) else "Refused"),
            severity="error",
            timeout=10,
        )
        if dialog is not None and dialog.is_attached:
            dialog.failed(str(exc))
        if failed is not None and (owner is None or alive(owner)):
            failed()

    def _handle_exception(self, error: Exception) -> None:
        """Textual's end for an exception nothing caught. A CockpitError from a worker (a read that
        met a busy or damaged database) is said and the app stays up; anything else is a bug:
        the traceback goes to the log, the app ends with status 70 and `crash_line` to print.

        Nothing here may fail in turn: an error while recording the first one (or a second bug
        while the app is ending) still ends the app with 70 and a line to print."""
        from textual.worker import WorkerFailed

        from cockpit.errors import EX_SOFTWARE, CockpitError

        cause = error.error if isinstance(error, WorkerFailed) else error
        if isinstance(error, WorkerFailed) and isinstance(cause, CockpitError) and self.crash_line is None:
            try:
                self.write_failed(cause, title="Failed")
                return
            except Exception:  # saying it failed: the app cannot go on either
                pass
        self._return_code = EX_SOFTWARE
        if self.crash_line is None:
            try:
                from cockpit.app import crashlog

                self.crash_line = crashlog.record(cause, where="app")
            except Exception:
                self.crash_line = f"cockpit: internal error: {type(cause).__name__} (the log could not be written)"
        if self._exception is None:  # Pilot's run_test re-raises it, so tests still see the bug
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()  # exit without Textual's traceback on the screen

    def writable(self, action: str | None = None) -> bool:
        """False in read-only mode, saying so (naming `action`, e.g. "Advance hat", when known)."""
        if self.read_only:
            what = f"{action}: not possible, " if action else ""
            self.notify(
                f"Read-only: {what}this cockpit was started with --read-only; nothing can be changed.",
                title="Read-only",
                severity="warning",
            )
        return not self.read_only

    def on_key(self, event: events.Key) -> None:
        """A key whose action is disabled now (dimmed in the key bar) did nothing at all; it says
        why instead: the screen's own reason (`why_disabled(action)`, e.g. an assist answer that
        was cancelled), else "read-only" naming the action. Runs before the bindings, and only for
        a key bound to a disabled action, which the bindings then skip."""
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.enabled or not active.binding.description:
            return
        why_disabled = getattr(active.node, "why_disabled", None)
        reason = why_disabled(active.binding.action) if why_disabled is not None else None
        if reason:
            self.notify(reason, title=active.binding.description, severity="warning")
        elif self.read_only:
            self.writable(active.binding.description)

    async def action_quit(self) -> None:
        """q, ctrl+q and ctrl+c: quit, asking first while a dialog holds text not yet saved
        (pressed again on the question, it quits)."""
        from .dialogs import Choice, _Modal

        question = self._quit_question
        held = [s for s in self.screen_stack if isinstance(s, _Modal) and s.unsaved()]
        if not held or (question is not None and self.screen is question):
            self.exit()
            return

        def chosen(choice: str | None) -> None:
            self._quit_question = None
            if choice == "quit":
                self.exit()

        self._quit_question = Choice(
            "Quit? What you typed in the open dialog is not saved.",
            [("stay", "c  Continue (keep what you typed)"), ("quit", "q  Quit and lose it")],
            hotkeys={"c": "stay", "q": "quit"},
        )
        self.push_screen(self._quit_question, chosen)

    def copy_text(self, text: str) -> None:
        """OSC 52: reaches the local clipboard over SSH and tmux (with set-clipboard on).

        Escape sequences and control characters are left out of the copy: pasted into a shell they
        could end bracketed paste and run what follows unseen. The notice says when that happened."""
        from cockpit.text.terminal import strip

        clean = strip(text)
        self.copy_to_clipboard(clean)
        first = clean.splitlines()[0] if clean else ""
        if clean != text:
            self.notify(f"Copied without its control characters: {first[:40]}", severity="warning")
        else:
            self.notify(f"Copied: {first[:60]}")

    def _described_bindings(self, screen: Screen) -> list[tuple[str, Binding]]:
        """What the screen offers, one row per action (bindings that share a description do the
        same, e.g. j and ↓ both "Down"), with every key for it by name, the shown key first:
        (`q, ctrl+c, ctrl+q`, the binding the palette runs). Cockpit's own (they have ids) first."""
        rows: dict[str, tuple[list[Binding], Binding, int]] = {}
        for seen, active in enumerate(screen.active_bindings.values()):
            binding = active.binding
            if not binding.description:
                continue
            keys, runs, at = rows.get(binding.description, ([], binding, seen))
            keys.append(binding)
            if runs.id is None and binding.id is not None:  # the palette runs cockpit's own binding
                runs, at = binding, seen
            rows[binding.description] = (keys, runs, at)

        def place(row: tuple[list[Binding], Binding, int]) -> tuple[int, int]:
            """The screen's own actions in its order, then moving, then the app's, then the widgets'."""
            ident = row[1].id
            group = 3 if ident is None else 2 if ident.startswith("app.") else 1 if ident.startswith("cursor.") else 0
            return group, row[2]

        named = []
        for keys, runs, _ in sorted(rows.values(), key=place):
            names = dict.fromkeys(key_name(self, b) for b in sorted(keys, key=lambda b: (not b.show, b.id is None)))
            named.append((", ".join(names), runs))
        return named

    def action_help(self) -> None:
        screen = self.screen
        from .dialogs import HelpScreen

        if isinstance(screen, HelpScreen):
            return
        rows = [(key, b.description) for key, b in self._described_bindings(screen)]
        self.push_screen(HelpScreen(rows))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every hotkey of the screen is also a palette command, by name."""
        for key, binding in self._described_bindings(screen):
            if binding.action in ("command_palette",):
                continue
            yield SystemCommand(
                binding.description,
                f"key: {key}",
                lambda action=binding.action, name=binding.description: self._run_from_palette(screen, action, name),
            )
        ours = {binding.description for _, binding in self._described_bindings(screen)}
        # Textual's own (theme, keys, screenshot…), less what is listed already (its Quit was a second one).
        yield from (command for command in super().get_system_commands(screen) if command.title not in ours)

    def _run_from_palette(self, screen: Screen, action: str, name: str) -> None:
        target = self if action in ("help", "quit", "jump") else screen
        if hasattr(target, "check_action") and target.check_action(action.split("(")[0], ()) is None:
            self.writable(name)
            return
        self.call_later(self.run_action, action, target)
