"""The timeline of one intent: every recorded action, newest last, with its date, time and UTC offset
(and the local time beside it when the local zone is not UTC). The record of the incident: `*` stars
the highlighted event for the postmortem, `N` adds a note, `f` shows one kind of event (or the starred);
Enter on a runbook run opens what it ran and its redacted output (screens.run_output)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cockpit.errors import CockpitError
from cockpit.text.terminal import safe

from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_cursor

if TYPE_CHECKING:
    from cockpit.app.timeline import Entry

    from .app import CockpitApp


class TimelineView(Screen):
    """Each entry: date, time and UTC offset, how long ago (when the screen is wide enough), who,
    what and where; then its message, a hand-off reading giver → taker (cockpit.app.timeline)."""

    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="timeline.back"),
        Binding("asterisk", "star", "Star", id="timeline.star"),
        Binding("N", "note", "Note", id="timeline.note"),
        Binding("f", "filter", "Kind", id="timeline.filter"),
        # Enter on the list selects (OptionSelected, below); the id lets [keys] give it another key too.
        Binding("enter", "open_run", "Run output", id="timeline.open_run", show=False),
        *CURSOR_BINDINGS,
    ]
    WRITE_ACTIONS = frozenset({"star", "note"})
    AGO_MIN_WIDTH = 100  # columns below which "12 min ago" is left out: the date and time stay

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self._entries: list[Entry] = []
        self._with_ago: bool | None = None
        self.kind = "all"  # the filter: all, starred, or one kind of cockpit.domain.record.KINDS

    def compose(self) -> ComposeResult:
        yield Static(f"Timeline of {self.slug}", classes="pane-title")
        yield OptionList(id="events")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        from cockpit.app.timeline import entries  # with the data: the core loads after the first frame

        backend = self.app.backend
        events = backend.timeline(self.slug)
        found = entries(events, backend.now())  # "ago" by the session's clock, never the wall's
        self.app.call_from_thread(self.show, found)

    def _reload(self) -> None:
        self.load()

    def show(self, found: list[Entry], keep: int | None = None) -> None:
        """`keep`: the event to stay on (after a star), else the newest shown."""
        self._entries = found
        self._draw(last=keep is None, on=keep)
        self.query_one("#events", OptionList).focus()

    @property
    def shown(self) -> list[Entry]:
        if self.kind == "all":
            return self._entries
        if self.kind == "starred":
            return [e for e in self._entries if e.starred]
        return [e for e in self._entries if e.kind == self.kind]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE_ACTIONS and self.app.read_only:
            return None  # shown dimmed in the key bar, refused if invoked
        return True

    def highlighted(self) -> Entry | None:
        options = self.query_one("#events", OptionList)
        shown = self.shown
        index = options.highlighted
        return shown[index] if index is not None and 0 <= index < len(shown) else None

    def action_star(self) -> None:
        entry = self.highlighted()
        if entry is None or not self.app.writable():
            return
        if entry.kind == "star":
            self.notify("This event records a star: star the event it names.", severity="warning")
            return
        self._star(entry.id, not entry.starred)

    @work(thread=True, exclusive=True, group="write")
    def _star(self, event_id: int, on: bool) -> None:
        from cockpit.app.timeline import entries

        backend = self.app.backend
        try:
            done = backend.star(self.slug, event_id, on)
            found = entries(backend.timeline(self.slug), backend.now())
        except CockpitError as exc:
            self.app.call_from_thread(self.app.write_failed, exc)
            return
        self.app.call_from_thread(self.show, found, event_id)
        self.app.call_from_thread(self.notify, done.summary, timeout=4)

    @on(OptionList.OptionSelected, "#events")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        entry = self.highlighted()
        if entry is None:
            return
        if entry.command != "runbook_run":
            self.notify("Enter opens a runbook run's output: this event is not a run.", timeout=3)
            return
        from .run_output import RunOutputScreen

        self.app.push_screen(RunOutputScreen(self.slug, entry.id))

    def action_note(self) -> None:
        if not self.app.writable():
            return
        from cockpit.domain.call import call
        from cockpit.domain.commands.record import add_note

        from .dialogs import TextPrompt

        self.app.ask(
            TextPrompt(
                "Note for the timeline",
                "What happened, as you would say it on the bridge; start with a time (02:14, UTC) to date it.",
            ),
            self.slug,
            lambda text: call(add_note, text=text),
            done=lambda done, position, version: self._reload(),
        )

    def action_filter(self) -> None:
        from cockpit.app.timeline import kinds

        from .dialogs import Choice

        choices = [("all", "all events"), ("starred", "starred"), *((k, k) for k in kinds(self._entries))]

        def chosen(kind: str | None) -> None:
            if kind is not None:
                self.kind = kind
                self._draw(last=True)

        self.app.push_screen(Choice("Show which events", choices, start=self.kind), chosen)

    def on_resize(self) -> None:
        if self._entries and (self.size.width >= self.AGO_MIN_WIDTH) != self._with_ago:
            self._draw(last=False)

    def _draw(self, *, last: bool, on: int | None = None) -> None:
        options = self.query_one("#events", OptionList)
        keep = options.highlighted
        self._with_ago = self.size.width >= self.AGO_MIN_WIDTH
        shown = self.shown
        title = f"Timeline of {self.slug}" + ("" if self.kind == "all" else f" · {self.kind} ({len(shown)})")
        self.query_one(".pane-title", Static).update(Text(title))
        options.clear_options()
        options.add_options([Option(entry_prompt(e, self._with_ago), id=str(e.id)) for e in shown])
        ids = [e.id for e in shown]
        if on in ids:
            options.highlighted = ids.index(on)
        elif shown:
            options.highlighted = len(shown) - 1 if last or keep is None else min(keep, len(shown) - 1)

    def action_cursor(self, where: str) -> None:
        move_cursor(self.query_one("#events", OptionList), where)


def entry_prompt(entry: Entry, with_ago: bool) -> Text:
    """Two lines: when, who, what, where (and the AI note); then the message, a hand-off's giver
    and taker in bold. Text objects throughout: what came from data is shown, never obeyed."""
    line = Text()
    line.append(entry.when, style="dim")
    if entry.local:
        line.append(f" ({entry.local})", style="dim")
    if with_ago:
        line.append(f" {entry.ago:>10}", style="dim")
    line.append(f"  {entry.actor:<10} ", style="bold")
    line.append(entry.what)
    if entry.where:
        line.append(f"  {entry.where}", style="dim")
    if entry.note:
        line.append(f"  ◆ {entry.note}", style="magenta")
    if entry.starred:
        line.append("  * starred", style="bold yellow")
    if entry.handoff is not None:
        line.append("\n      ")
        line.append(safe(entry.handoff.arrow, one_line=True), style="bold")
        line.append(f": {safe(entry.handoff.message or '(no message)', one_line=True)}")
    elif entry.message:
        at = f"[{entry.happened}] " if entry.happened else ""  # a note's own time, when it was written later
        line.append(f"\n      {at}{safe(entry.message, one_line=True)}")
    return line
