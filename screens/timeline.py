"""The timeline of one intent: every recorded action, newest last."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_cursor

if TYPE_CHECKING:
    from .app import CockpitApp


class TimelineView(Screen):
    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="timeline.back"),
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug

    def compose(self) -> ComposeResult:
        yield Static(f"Timeline of {self.slug}", classes="pane-title")
        yield OptionList(id="events")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        events = self.app.backend.timeline(self.slug)
        self.app.call_from_thread(self.show, events)

    def show(self, events: list[dict]) -> None:
        from cockpit.app.report import ai_note  # with the data: the core loads after the first frame

        options = self.query_one("#events", OptionList)
        prompts = []
        for e in events:
            line = Text()
            line.append(f"{e['at'][11:16]} ", style="dim")
            line.append(f"{e['actor']:<10} ", style="bold")
            what = e["command"].replace("_", " ") + (f" {e['data']['feedback']}" if e["data"].get("feedback") else "")
            line.append(what)
            where = " ".join(x for x in (e["stage"], e["unit"], e["hat"]) if x)
            if where:
                line.append(f"  {where}", style="dim")
            note = ai_note(e)
            if note:
                line.append(f"  ◆ {note}", style="magenta")
            if e["message"]:
                line.append(f"\n      {e['message']}")
            prompts.append(Option(line, id=str(e["id"])))
        options.add_options(prompts)
        if prompts:
            options.highlighted = len(prompts) - 1
        options.focus()

    def action_cursor(self, where: str) -> None:
        move_cursor(self.query_one("#events", OptionList), where)
