"""The right-hand detail pane: the current hat's hand-off checklist and mandate, or (m) the
intent's runbooks and the stage's output templates.

One scrolling view whose two pages are shown in turn: fewer widgets than a switcher of two
scrolling views, with each page's scroll position kept the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.visual import VisualType
from textual.widgets import Label, OptionList, Static

from .. import render
from .keyed import sync_options

if TYPE_CHECKING:
    from cockpit.domain.walk import StageState, UnitState

Page = Literal["mandate", "outputs"]


class MarkdownText(Static):
    """A Static showing markdown. Until rich's Markdown is imported (markdown-it and pygments,
    ~25 ms, then the parse), the first text waits for the next refresh: the frame that shows the
    intent's data does not wait for the mandate's formatting. Only the latest text asked for is shown."""

    _wanted: str | None = None

    def show_markdown(self, text: str) -> None:
        self._wanted = text
        if render.markdown_loaded():
            self.update(render.markdown(text))
            return

        def later() -> None:
            if self._wanted is text:
                self.update(render.markdown(text))

        self.call_after_refresh(later)

    def show_text(self, text: VisualType) -> None:
        self._wanted = None  # a markdown text still waiting for its refresh is no longer wanted
        self.update(text)


@lru_cache(maxsize=512)  # the same object for the same row: an unchanged row is not redrawn (sync_options)
def checklist_row(item: str, ticked: bool) -> Table:
    """One item: its box, then its text wrapped under itself (a hanging indent), so the box marks
    exactly where an item starts at every width. `[✓]` or `[ ]`: the tick reads without colour."""
    row = Table.grid(padding=(0, 1, 0, 0))
    row.add_column(width=3, no_wrap=True)
    row.add_column(ratio=1, overflow="fold")
    box = Text("[✓]", style="bold") if ticked else Text("[ ]", style="dim")
    row.add_row(box, Text(item))  # Text, not str: checklist items come from studio files, never markup
    return row


class Checklist(OptionList):
    """The current hat's hand-off checklist: one option per item, the cursor on one; the screen's
    `space` (or Enter here) ticks the item under the cursor (`MandatePane.tick`)."""

    items: dict[str, str]  # option id -> item
    ticked: set[str]  # the items ticked, as stored


class MandatePane(VerticalScroll):
    """`#checklist`, `#mandate-text` (the mandate page) and `#outputs-text` (the runbook page).

    | Message | When |
    |---|---|
    | `MandatePane.Ticked` | the engineer ticked or unticked a checklist item |
    """

    class Ticked(Message):
        """A checklist item was ticked (or unticked) on screen; the write is the screen's to make."""

        def __init__(self, item: str, ticked: bool) -> None:
            super().__init__()
            self.item = item
            self.ticked = ticked

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.page: Page = "mandate"
        self._scroll: dict[Page, float] = {"mandate": 0, "outputs": 0}
        self._checklist_of: tuple[str | None, str | None] | None = None  # (unit, hat) the checklist shows

    def compose(self) -> ComposeResult:
        # The checklist first: it is what the engineer acts on; the mandate is reference.
        yield Label("Hand-off checklist (space ticks) · mandate below", classes="pane-title mandate-page")

    def _content(self) -> None:
        """The pages' widgets, mounted with the first data they show: until then the pane is its
        title, and the first frame does not pay for three widgets with nothing in them."""
        if self.query("#checklist"):
            return
        checklist = Checklist(id="checklist", classes="mandate-page")
        checklist.items, checklist.ticked = {}, set()
        mandate = MarkdownText(id="mandate-text", classes="mandate-page")
        outputs = MarkdownText(id="outputs-text")
        checklist.display = mandate.display = self.page == "mandate"
        outputs.display = self.page == "outputs"
        self.mount(checklist, mandate, outputs)

    @property
    def checklist(self) -> Checklist:
        self._content()
        return self.query_one("#checklist", Checklist)

    def tick(self) -> None:
        """Tick (or untick) the item under the checklist's cursor: posts Ticked; the screen writes
        it and the next show() draws what was stored."""
        checklist = self.checklist
        option = checklist.highlighted_option
        if option is None or option.id is None or not checklist.display:
            return
        item = checklist.items[option.id]
        self.post_message(self.Ticked(item, item not in checklist.ticked))

    def toggle(self) -> None:
        """Show the other page, where its scroll position was left."""
        self._scroll[self.page] = self.scroll_y
        self.page = "outputs" if self.page == "mandate" else "mandate"
        self._content()
        for widget in self.query(".mandate-page"):
            widget.display = self.page == "mandate"
        self.query_one("#outputs-text").display = self.page == "outputs"
        y = self._scroll[self.page]
        self.call_after_refresh(lambda: self.scroll_to(y=y, animate=False))

    def show_hat(self, stage: StageState | None, unit: UnitState | None) -> None:
        """The mandate of `unit`'s current hat (then the stage's guidance for its current phase) and
        its checklist, ticks as stored."""
        self._content()
        mandate = self.query_one("#mandate-text", MarkdownText)
        hat = stage.stage.hat(unit.hat) if stage is not None and unit is not None and unit.hat else None
        shown = (unit.unit.slug if unit else None, unit.hat if unit else None)
        same = self._checklist_of == shown
        self._checklist_of = shown
        items: Sequence[str] = hat.checklist if hat is not None else ()
        ticked = unit.ticked if unit is not None else set()
        self._sync_checklist(items, ticked, same)
        if stage is None or unit is None:
            mandate.show_text("")
        elif hat is None:
            mandate.show_text(Text("The baton is finished.", style="dim"))
        else:  # the stage's guidance for the phase it is in follows the mandate, as the engine gives it
            guidance = stage.stage.guidance(stage.phase)
            mandate.show_markdown(f"{hat.body.rstrip()}\n\n{guidance}" if guidance else hat.body)

    def _sync_checklist(self, items: Sequence[str], ticked: Any, same_hat: bool) -> None:
        checklist = self.checklist
        keep = checklist.highlighted_option.id if same_hat and checklist.highlighted_option else None
        keys = _keys(items)
        checklist.items = dict(zip(keys, items, strict=True))
        checklist.ticked = {item for item in items if item in ticked}
        rows: list[tuple[str, VisualType]] = [
            (key, checklist_row(item, item in ticked)) for key, item in zip(keys, items, strict=True)
        ]
        sync_options(checklist, rows, keep)  # the cursor stays put after each tick reloads the list

    def show_outputs(self, stage: StageState, runbooks: Sequence[Any]) -> None:
        """The runbook page: this intent's runbooks (offline copies), then the stage's output templates."""
        parts = ["## Runbooks for this intent (b opens them, x runs a block)\n"]
        parts += [
            f"- {'★ ' if r.starred else ''}**{r.title}** `{r.name}` ({r.reason}: {r.detail})" for r in runbooks
        ] or ["- none linked or matching yet"]
        parts += [f"\n## {stage.name}: outputs and discovery\n"] + [f"{t.body}\n" for t in stage.stage.templates]
        self._content()
        self.query_one("#outputs-text", MarkdownText).show_markdown("\n".join(parts))

    @on(OptionList.OptionSelected, "#checklist")
    def _entered(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.tick()


def _keys(items: Sequence[str]) -> list[str]:
    """One key per item: the item itself, numbered when a studio file repeats it."""
    seen: dict[str, int] = {}
    keys = []
    for item in items:
        seen[item] = seen.get(item, 0) + 1
        keys.append(item if seen[item] == 1 else f"{item}\x00{seen[item]}")
    return keys
