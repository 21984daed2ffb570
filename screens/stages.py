"""The stages browser: an intent's earlier and current stages, their units and their outputs.

A later stage builds on what earlier ones wrote: resolve must quote investigate's root cause
verbatim (the `resolve.root-cause` check), mitigate picks its action from it. Here the engineer
picks a stage, then one of its units (title, status, body) or one of the outputs its studio
declares (the output and discovery templates: what the stage is to produce), reads it in the
document pane and copies it with `y` (OSC 52, as every copy in the app).

Three panes, keyboard only: the stages, the chosen stage's units and outputs, the document. Tab
moves between them, Enter goes one pane right, j/k/g/G move in the pane that has the keys.

Reading an earlier stage is also where a gap in it shows: `b` sends the chosen stage back to
elaborate with a reason (commands.revisit: its units stay, its reviews and gate start over, and
the stages after it are walked again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cockpit.errors import CockpitError
from cockpit.severity import STAGE_GLYPHS

from .document import DocumentView, render_markdown
from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_in
from .widgets.header import IntentHeader

if TYPE_CHECKING:
    from cockpit.domain.studio import Template
    from cockpit.domain.walk import Position, StageState, UnitState

    from .app import CockpitApp

UNIT_MARKS = {"done": "✓", "active": "▶", "ready": "○", "waiting": "…", "escalated": "!"}
UNIT = "unit:"  # item ids: unit:<slug>, or output:<kind>:<name> for a template
OUTPUT = "output:"


def browsable(position: Position) -> list[StageState]:
    """The stages that have been worked: every complete one and the active one (all, once complete)."""
    return [s for s in position.stages if s.status not in ("pending", "skipped")]


def stage_prompt(state: StageState) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{STAGE_GLYPHS[state.status]} ", style="bold" if state.status == "active" else "")
    text.append(state.name, style="bold")
    units = len(state.units)
    phase = "" if state.status == "complete" else f" · {state.phase}"  # ✓ says complete
    text.append(f"{phase} · {units} unit{'s' if units != 1 else ''}", style="dim")
    return text


def unit_row(state: UnitState) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{UNIT_MARKS.get(state.status, '?')} ", style="bold" if state.status == "escalated" else "")
    text.append(state.unit.slug, style="bold")
    text.append(f"  {state.unit.title}")
    return text


def output_row(template: Template) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"▤ {template.kind} ", style="dim")
    text.append(template.name, style="bold")
    if template.title and template.title != template.name:
        text.append(f"  {template.title}")
    return text


def heading(text: str) -> Option:
    return Option(Text(text, style="bold underline"), disabled=True)


def item_rows(state: StageState) -> list[Option]:
    """The stage's units, then its outputs, each group under a heading row."""
    rows = [heading(f"Units ({len(state.units)})")]
    rows += [Option(unit_row(u), id=UNIT + u.unit.slug) for u in state.units]
    if not state.units:
        rows.append(Option(Text("  none yet", style="dim"), disabled=True))
    templates = state.stage.templates
    rows.append(heading(f"Outputs ({len(templates)})"))
    rows += [Option(output_row(t), id=f"{OUTPUT}{t.kind}:{t.name}") for t in templates]
    if not templates:
        rows.append(Option(Text("  the studio declares none", style="dim"), disabled=True))
    return rows


def unit_status(state: UnitState) -> str:
    if state.status == "waiting":
        return "waiting on " + ", ".join(state.waiting_on)
    if state.status in ("active", "escalated"):
        return f"{state.status} · {state.hat} hat · bolt {state.bolt}"
    return f"{state.status} · bolt {state.bolt}"


class StagesScreen(Screen):
    """Intent `slug`'s worked stages; opens on the stage before the active one (what it builds on)."""

    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="stages.back"),
        Binding("enter", "open", "Open", id="stages.open", show=False),
        Binding("y", "copy", "Copy", id="stages.copy"),
        Binding("b", "revisit", "Send back", id="stages.revisit"),
        *CURSOR_BINDINGS,
    ]

    DEFAULT_CSS = """
    StagesScreen #st-main { height: 1fr; }
    StagesScreen #st-left { width: 40%; min-width: 30; max-width: 60; }
    StagesScreen #st-stages-pane { height: auto; max-height: 9; }
    StagesScreen #st-stages { height: auto; max-height: 8; border: none; }
    StagesScreen #st-items-pane { height: 1fr; }
    StagesScreen #st-items { height: 1fr; border: none; }
    StagesScreen #st-stages, StagesScreen #st-items { text-wrap: nowrap; text-overflow: ellipsis; }
    StagesScreen #st-right { width: 1fr; border-left: vkey $primary-background; }
    StagesScreen #st-title { height: auto; max-height: 5; padding: 0 1; border-bottom: hkey $primary-background; }
    """

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.position: Position | None = None
        self.stage_name: str | None = None  # the stage whose items are listed
        self.item: str | None = None  # the item (UNIT… / OUTPUT… id) in the document pane

    def compose(self) -> ComposeResult:
        yield IntentHeader(self.slug)
        with Horizontal(id="st-main"):
            with Vertical(id="st-left"):
                with Vertical(id="st-stages-pane", classes="st-pane"):
                    yield Static("Stages", classes="pane-title")
                    yield OptionList(id="st-stages")
                with Vertical(id="st-items-pane", classes="st-pane"):
                    yield Static("Units and outputs", id="st-items-title", classes="pane-title")
                    yield OptionList(id="st-items")
            with Vertical(id="st-right", classes="st-pane"):
                yield Static("Text (y copies it)", classes="pane-title")
                yield Static(id="st-title")
                yield DocumentView(id="st-doc")
        yield KeyBar()

    def on_descendant_focus(self) -> None:
        """The pane holding the keys shows its title in reverse (cockpit.tcss `.has-keys`)."""
        focused = self.focused
        for pane in self.query(".st-pane"):
            pane.set_class(focused is not None and pane in focused.ancestors, "has-keys")

    def on_mount(self) -> None:
        self.query_one("#st-stages").focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="stages")
    def load(self) -> None:
        try:
            position = self.app.backend.position(self.slug)
        except CockpitError as exc:
            self.app.call_from_thread(self.app.write_failed, exc, title="Not loaded")
            return
        self.app.call_from_thread(self.show, position)

    # ------------------------------------------------------------ showing

    def show(self, position: Position) -> None:
        self.position = position
        self.query_one(IntentHeader).show(position)
        stages = browsable(position)
        names = [s.name for s in stages]
        if self.stage_name not in names:
            # what the current stage builds on: the one before it (the active one when it is the first)
            active = [i for i, s in enumerate(stages) if s.status == "active"]
            self.stage_name = names[max(active[0] - 1, 0)] if active else (names[-1] if names else None)
        options = self.query_one("#st-stages", OptionList)
        with options.prevent(OptionList.OptionHighlighted):
            options.clear_options()
            options.add_options([Option(stage_prompt(s), id=s.name) for s in stages])
            if self.stage_name is not None:
                options.highlighted = names.index(self.stage_name)
        self._show_stage()

    @property
    def stage(self) -> StageState | None:
        if self.position is None or self.stage_name is None:
            return None
        return self.position.stage(self.stage_name)

    def _show_stage(self) -> None:
        """List the chosen stage's units and outputs, keeping the item shown if it is still there."""
        stage = self.stage
        items = self.query_one("#st-items", OptionList)
        rows = item_rows(stage) if stage is not None else []
        ids = [row.id for row in rows if not row.disabled and row.id is not None]
        if self.item not in ids:
            self.item = ids[0] if ids else None
        with items.prevent(OptionList.OptionHighlighted):
            items.clear_options()
            items.add_options(rows)
            if self.item is not None:
                items.highlighted = items.get_option_index(self.item)
        title = f"{stage.name}: units and outputs" if stage is not None else "Units and outputs"
        self.query_one("#st-items-title", Static).update(Text(title))
        self._show_item()

    def selected(self) -> tuple[str, str, Text] | None:
        """(what to copy, markdown to show, its title) for the item in the document pane."""
        stage = self.stage
        if stage is None or self.item is None:
            return None
        if self.item.startswith(UNIT):
            unit = stage.unit(self.item.removeprefix(UNIT))
            if unit is None:
                return None
            title = Text.assemble((unit.unit.title, "bold"), f"\n{stage.name} / {unit.unit.slug}  ")
            title.append(f"{UNIT_MARKS[unit.status]} {unit_status(unit)}", style="dim")
            return unit.unit.body or unit.unit.title, unit.unit.body or "*(no body yet)*", title
        kind, _, name = self.item.removeprefix(OUTPUT).partition(":")
        template = next((t for t in stage.stage.templates if t.kind == kind and t.name == name), None)
        if template is None:
            return None
        title = Text.assemble((template.title or template.name, "bold"), f"\n{stage.name} / {template.name}  ")
        title.append(f"{kind} template (from the studio)", style="dim")
        return template.body, template.body, title

    def _show_item(self) -> None:
        picked = self.selected()
        view = self.query_one(DocumentView)
        if picked is None:
            self.query_one("#st-title", Static).update("")
            view.show(render_markdown("", [], view.content_width()))
            return
        _, markdown, title = picked
        self.query_one("#st-title", Static).update(title)
        view.show(render_markdown(markdown, [], view.content_width()))

    def on_resize(self) -> None:
        """The document is wrapped to its pane's width: redo it at the new size."""
        if self.position is not None:
            self._show_item()

    # ------------------------------------------------------------ moves

    @on(OptionList.OptionHighlighted, "#st-stages")
    def _stage_moved(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.stage_name:
            self.stage_name = event.option.id
            self.item = None
            self._show_stage()

    @on(OptionList.OptionHighlighted, "#st-items")
    def _item_moved(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.item:
            self.item = event.option.id
            self._show_item()

    @on(OptionList.OptionSelected)
    def _entered(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """One pane right: from the stages to their items, from an item to its document."""
        focused = self.focused
        if focused is self.query_one("#st-stages"):
            self.query_one("#st-items").focus()
        elif focused is self.query_one("#st-items") and self.item is not None:
            self.query_one(DocumentView).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy(self) -> None:
        picked = self.selected()
        if picked is None:
            self.notify("Nothing to copy: pick a unit or an output.", severity="warning")
            return
        self.app.copy_text(picked[0])

    def action_revisit(self) -> None:
        """Send the chosen stage back to elaborate: the reason is asked, then written (CockpitApp.ask)."""
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import UNTYPED, TextPrompt

        stage = self.stage
        if stage is None:
            self.notify("No stage to send back: pick one.", severity="warning")
            return
        name = stage.name
        # Not reached, already in elaborate…: the command's own refusal, before a reason is typed.
        if self.app.refused(self.position, call(commands.revisit, stage=name, reason=UNTYPED)):
            return
        self.app.ask(
            TextPrompt(
                f"Send {name} back to elaborate",
                "Why? (recorded; its units stay, its reviews and gate start over, later stages are walked again)",
            ),
            self.slug,
            lambda reason: call(commands.revisit, stage=name, reason=reason),
            done=lambda done, position, version: self.show(position),
        )

    def action_cursor(self, where: str) -> None:
        move_in(self.focused, where)
