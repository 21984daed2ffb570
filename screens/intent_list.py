"""The first screen: every intent, most urgent first (open blockers, then age). Enter opens one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from . import render
from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_cursor

if TYPE_CHECKING:
    from datetime import datetime

    from cockpit.domain.walk import Position

    from .app import CockpitApp
    from .dialogs import _Modal


# What an empty database says: one command per line, so a narrow terminal wraps none of them.
EMPTY = """No intents yet. Start one from a shell:
  cockpit new --studio incident-response --title "Checkout 5xx"
or open the sample incidents:
  cockpit demo"""


class IntentList(Screen):
    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("enter", "open", "Open", id="list.open"),
        Binding("n", "new", "New intent", id="list.new"),
        Binding("colon", "jump", "Jump to", id="list.jump", key_display=":"),
        *CURSOR_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.positions: list[Position] = []
        self._version: int | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(id="list-title", classes="pane-title")
        yield OptionList(id="intents")
        yield Static(id="list-problems")
        yield KeyBar()

    def on_mount(self) -> None:
        self.call_after_refresh(self.load)  # after the first frame (see CockpitApp.on_mount)
        self.set_interval(self.app.poll_seconds, self.poll)

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        from cockpit.app.report import urgency_key
        from cockpit.domain.walk import Position
        from cockpit.errors import CockpitError

        try:
            results = self.app.backend.positions()
            version = self.app.backend.data_version()
            now = self.app.backend.now()  # the engine's clock: the one the intents were stamped by
        except CockpitError as exc:  # the database could not be opened: the app exits saying why
            self.app.call_from_thread(self.app.write_failed, exc, title="Not loaded")
            return
        positions = sorted((p for p in results if isinstance(p, Position)), key=urgency_key)
        problems = [str(p) for p in results if not isinstance(p, Position)]
        self.app.call_from_thread(self.show, positions, problems, version, now)

    @work(thread=True, exclusive=True, group="poll")
    def poll(self) -> None:
        if self._version is not None and self.app.backend.data_version() != self._version:
            self.load()

    def _prompt(self, pos: Position, now: datetime) -> Text:
        active = pos.active
        blocking = sum(1 for f in pos.open_findings if f.blocking)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(
            f"{'■ ' + str(blocking) if blocking else '  -'}", style=render.SEVERITY_STYLE["blocker"] if blocking else ""
        )
        text.append(" ")
        text.append(pos.facts.intent.title, style="bold")
        text.append(f"\n    {active.name} ({active.phase})" if active else "\n    complete")
        text.append(
            f" · {len(pos.open_findings)} open · {render.age(pos.facts.intent.created_at, now)} · "
            f"{pos.studio.name} · {pos.facts.intent.slug}",
            style="dim",
        )
        return text

    def show(self, positions: list[Position], problems: list[str], version: int, now: datetime) -> None:
        self._version = version
        options = self.query_one("#intents", OptionList)
        previous = options.highlighted_option.id if options.highlighted_option else None
        self.positions = positions
        self.query_one("#list-problems", Static).update(Text("\n".join(problems), style=render.alarm()))
        title = self.query_one("#list-title", Static)
        title.styles.height = 1 if self.positions else "auto"  # the empty screen's commands are never cut
        title.update(f"Intents ({len(self.positions)}), most urgent first" if self.positions else EMPTY)
        options.clear_options()
        options.add_options([Option(self._prompt(p, now), id=p.facts.intent.slug) for p in self.positions])
        slugs = [p.facts.intent.slug for p in self.positions]
        if slugs:
            options.highlighted = slugs.index(previous) if previous in slugs else 0
        options.focus()

    @on(OptionList.OptionSelected, "#intents")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:  # every row has its intent's slug as id
            self.open(event.option.id)

    def action_open(self) -> None:
        option = self.query_one("#intents", OptionList).highlighted_option
        if option is not None and option.id is not None:
            self.open(option.id)

    def open(self, slug: str) -> None:
        from .intent_view import IntentView

        self.app.push_screen(IntentView(slug))

    def action_cursor(self, where: str) -> None:
        move_cursor(self.query_one("#intents", OptionList), where)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new" and self.app.read_only:
            return None  # shown dimmed in the key bar, refused if invoked
        return True

    def action_jump(self) -> None:
        jump(self.app)

    def action_new(self) -> None:
        """Ask for a studio and a title; the dialog stays, with its text, until the intent is created."""
        from .open_intent import NewIntent

        if not self.app.writable():
            return

        def save(answer: dict[str, str], dialog: _Modal) -> None:
            self.create_intent(answer["studio"], answer["title"], dialog)

        dialog = NewIntent()
        dialog.save = save
        self.app.push_screen(dialog)

    @work(thread=True, group="create")
    def create_intent(self, studio: str, title: str, dialog: _Modal) -> None:
        from cockpit.errors import CockpitError

        try:
            slug = self.app.backend.create_intent(studio, title)
        except CockpitError as exc:  # a title the domain refuses, a busy database: said in the dialog
            self.app.call_from_thread(self.app.write_failed, exc, dialog=dialog)
            return
        self.app.call_from_thread(self._created, slug, dialog)

    def _created(self, slug: str, dialog: _Modal) -> None:
        if dialog.is_current:
            dialog.dismiss(None)
        self.app.notify(f"Created {slug}", timeout=4)
        self.open(slug)


def open_intent(app: CockpitApp, slug: str) -> None:
    """Show intent `slug` with the list under it, whatever was open: Esc then leads to the list."""
    from .intent_view import IntentView

    while len(app.screen_stack) > 1 and not isinstance(app.screen, IntentList):
        app.pop_screen()
    if not isinstance(app.screen, IntentList):  # opened straight on an intent: the list goes under
        app.switch_screen(IntentList())
    app.push_screen(IntentView(slug))


def jump(app: CockpitApp) -> None:
    """`:` — ask which intent, then open it. Not over a dialog: its keys are the dialog's."""
    from .open_intent import JumpTo

    if isinstance(app.screen, ModalScreen):
        return
    app.push_screen(JumpTo(), lambda slug: open_intent(app, slug) if slug else None)
