"""The timeline of one intent: every recorded action, newest last, with its date, time and UTC offset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

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
        *CURSOR_BINDINGS,
    ]
    AGO_MIN_WIDTH = 100  # columns below which "12 min ago" is left out: the date and time stay

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self._entries: list[Entry] = []
        self._with_ago: bool | None = None

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

    def show(self, found: list[Entry]) -> None:
        self._entries = found
        self._draw(last=True)
        self.query_one("#events", OptionList).focus()

    def on_resize(self) -> None:
        if self._entries and (self.size.width >= self.AGO_MIN_WIDTH) != self._with_ago:
            self._draw(last=False)

    def _draw(self, *, last: bool) -> None:
        options = self.query_one("#events", OptionList)
        keep = options.highlighted
        self._with_ago = self.size.width >= self.AGO_MIN_WIDTH
        options.clear_options()
        options.add_options([Option(entry_prompt(e, self._with_ago), id=str(e.id)) for e in self._entries])
        if self._entries:
            options.highlighted = len(self._entries) - 1 if last or keep is None else keep

    def action_cursor(self, where: str) -> None:
        move_cursor(self.query_one("#events", OptionList), where)


def entry_prompt(entry: Entry, with_ago: bool) -> Text:
    """Two lines: when, who, what, where (and the AI note); then the message, a hand-off's giver
    and taker in bold. Text objects throughout: what came from data is shown, never obeyed."""
    line = Text()
    line.append(entry.when, style="dim")
    if with_ago:
        line.append(f" {entry.ago:>10}", style="dim")
    line.append(f"  {entry.actor:<10} ", style="bold")
    line.append(entry.what)
    if entry.where:
        line.append(f"  {entry.where}", style="dim")
    if entry.note:
        line.append(f"  ◆ {entry.note}", style="magenta")
    if entry.handoff is not None:
        line.append("\n      ")
        line.append(safe(entry.handoff.arrow, one_line=True), style="bold")
        line.append(f": {safe(entry.handoff.message or '(no message)', one_line=True)}")
    elif entry.message:
        line.append(f"\n      {safe(entry.message, one_line=True)}")
    return line
