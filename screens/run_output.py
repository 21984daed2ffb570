"""One run of a runbook step, read from the timeline (Enter on a `runbook_run` event): what ran,
its tier, where and as whom, how it ended, and its redacted output as kept (the head and the tail,
and the line saying what was left out between them), in a scrolling view.

The facts are cockpit.app.steps.run_facts' (`cockpit runbooks output` prints the same); the run
comes through the backend (cockpit.app.steps.run_of_event), already redacted when it was stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from cockpit.errors import CockpitError
from cockpit.text.terminal import safe

from .document import DocumentView, render_source, render_text
from .keybar import KeyBar

if TYPE_CHECKING:
    from datetime import datetime

    from cockpit.app.backend import RunRecord

    from .app import CockpitApp


def facts_text(record: RunRecord, now: datetime) -> Text:
    """The run's facts, a label then its value (a command of several lines indented under it)."""
    from cockpit.app.steps import run_facts

    text = Text()
    for label, value in run_facts(record, now):
        if text:
            text.append("\n")
        text.append(f"{label:>9} ", style="bold")
        lines = safe(value).splitlines() or [""]
        text.append(lines[0], style="bold" if label == "command" else "")
        for line in lines[1:]:
            text.append(f"\n{'':>9} {line}", style="bold" if label == "command" else "")
    return text


class RunOutputScreen(Screen):
    """`#run-title`, then `#run-doc`: the facts above the numbered output lines."""

    if TYPE_CHECKING:
        app: CockpitApp

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="run_output.back")]

    def __init__(self, slug: str, event_id: int) -> None:
        super().__init__()
        self.slug = slug
        self.event_id = event_id
        self.record: RunRecord | None = None
        self._now: datetime | None = None  # the session's clock when the run was read: "3 min ago"
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Run of event #{self.event_id} on {safe(self.slug, one_line=True)}"), classes="pane-title")
        yield DocumentView(id="run-doc")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DocumentView).focus()
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        backend = self.app.backend
        try:
            record = backend.run_of_event(self.slug, self.event_id)
            now = backend.now()
        except CockpitError as exc:
            self.app.call_from_thread(self.app.write_failed, exc, title="Not loaded")
            return
        if record is None:
            self.app.call_from_thread(self._missing)
            return
        self.record, self._now = record, now
        self.app.call_from_thread(self.draw)

    def _missing(self) -> None:
        self.notify(f"Event #{self.event_id} records no run of {self.slug}.", severity="warning")
        self.app.pop_screen()

    def draw(self) -> None:
        """Render at the view's width, off the UI thread: the output may be a few thousand lines."""
        if self.record is not None and self._now is not None:
            self._width = self.query_one(DocumentView).content_width()
            self._render_run(self.record, self._now, self._width)

    @work(thread=True, exclusive=True, group="render")
    def _render_run(self, record: RunRecord, now: datetime, width: int) -> None:
        output = record.output or "(it printed nothing)"
        rendered = render_text(facts_text(record, now), width).then(render_source(output, width, {}))
        self.app.call_from_thread(self.query_one(DocumentView).show, rendered)

    def on_resize(self) -> None:
        if self.record is not None and self.query_one(DocumentView).content_width() != self._width:
            self.draw()
