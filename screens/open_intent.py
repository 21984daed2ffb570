"""Two ways to an intent from the keyboard: start a new one (`n` on the list) or jump to one by
slug or title (`:` anywhere, as in k9s).

`NewIntent` asks for the studio (a pick of the loaded ones) and the title, and is written by
Backend.create_intent, the path `cockpit new` takes, so the domain's title rules apply; a refusal
is said in the dialog, which keeps what was typed. `JumpTo` matches what is typed against every
intent's slug and title; Enter answers the one under the cursor (intent_list.jump opens it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cockpit.errors import CockpitError

from .dialogs import _Modal

if TYPE_CHECKING:
    from cockpit.domain.walk import Overview

    from .app import CockpitApp


class NewIntent(_Modal):
    """Studio and title; answers {"studio": name, "title": text}. Tab moves between the two."""

    if TYPE_CHECKING:
        app: CockpitApp

    BINDINGS = [Binding("ctrl+s", "save", "Create", id="new_intent.save")]
    DEFAULT_CSS = "NewIntent #studios { text-wrap: nowrap; text-overflow: ellipsis; }"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("New intent", classes="dialog-title")
            yield Static("Studio (the workflow it follows):", classes="dialog-hint")
            yield OptionList(id="studios", classes="dialog-list")
            yield Input(placeholder="Title: one line, e.g. Checkout 5xx after the gateway deploy", id="title")
            yield Static("tab: studio/title · enter: create · esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, group="studios")
    def load(self) -> None:
        try:
            studios = self.app.backend.studios()
        except CockpitError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        rows = [(s.name, s.description) for s in studios]
        self.app.call_from_thread(self._show_studios, rows)

    def _show_studios(self, rows: Sequence[tuple[str, str]]) -> None:
        options = self.query_one("#studios", OptionList)
        for name, description in rows:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append(name, style="bold")
            if description:
                prompt.append(f"  {description}", style="dim")
            options.add_option(Option(prompt, id=name))
        if rows:
            options.highlighted = 0
        # one studio: nothing to choose, start on the title
        (self.query_one("#title") if len(rows) == 1 else options).focus()

    @on(OptionList.OptionSelected, "#studios")
    def _studio_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#title", Input).focus()

    @on(Input.Submitted, "#title")
    def _title_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        studio = self.query_one("#studios", OptionList).highlighted_option
        if studio is None or studio.id is None:
            self._say("Pick a studio first (none is loaded yet, or none is highlighted).", error=True)
            return
        self.answer({"studio": studio.id, "title": self.query_one("#title", Input).value.strip()})


def matches(intents: Sequence[Overview], typed: str) -> list[Overview]:
    """The intents whose slug or title holds every word typed (any case): a slug typed whole
    first, then those whose slug starts with it, then the rest, each group in the given order."""
    words = typed.lower().split()
    found = [o for o in intents if all(w in f"{o.intent.slug} {o.intent.title}".lower() for w in words)]
    wanted = typed.strip().lower()

    def rank(o: Overview) -> int:
        slug = o.intent.slug.lower()
        return 0 if slug == wanted else (1 if wanted and slug.startswith(wanted) else 2)

    return sorted(found, key=rank)


def jump_row(o: Overview) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(o.intent.slug, style="bold")
    text.append(f"  {o.intent.title}")
    where = "complete" if o.complete else f"{o.stage}/{o.phase}"
    text.append(f"  {o.studio} · {where}", style="dim")
    return text


class JumpTo(_Modal):
    """Type part of a slug or title; ↑/↓ move among the matches, Enter opens one (its slug is the answer)."""

    if TYPE_CHECKING:
        app: CockpitApp

    BINDINGS = [
        Binding("down", "move(1)", "Next match", id="jump.down", show=False),
        Binding("up", "move(-1)", "Previous match", id="jump.up", show=False),
    ]
    DEFAULT_CSS = "JumpTo #matches { text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self) -> None:
        super().__init__()
        self.intents: list[Overview] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Jump to an intent", classes="dialog-title")
            yield Input(placeholder="slug or words of the title", id="jump")
            yield OptionList(id="matches", classes="dialog-list")
            yield Static("↑/↓: choose · enter: open · esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#matches", OptionList).can_focus = False  # the keys stay in the box
        self.load()

    @work(thread=True, group="jump")
    def load(self) -> None:
        try:
            intents = self.app.backend.overviews()
        except CockpitError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, intents)

    def _loaded(self, intents: list[Overview]) -> None:
        self.intents = intents
        self._show(self.query_one("#jump", Input).value)

    def _show(self, typed: str) -> None:
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        found = matches(self.intents, typed)
        options.add_options([Option(jump_row(o), id=o.intent.slug) for o in found])
        if found:
            options.highlighted = 0
        elif self.intents:
            options.add_option(Option(Text("no intent matches", style="dim"), disabled=True))

    @on(Input.Changed, "#jump")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#matches", OptionList)
        (options.action_cursor_down if step > 0 else options.action_cursor_up)()

    @on(Input.Submitted, "#jump")
    def _open(self, event: Input.Submitted) -> None:
        event.stop()
        chosen = self.query_one("#matches", OptionList).highlighted_option
        if chosen is None or chosen.id is None:
            self.notify("No intent matches: type part of a slug or title.", severity="warning")
            return
        self.dismiss(chosen.id)
