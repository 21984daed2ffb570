"""The top line of every intent screen: which intent is open, where it stands, and read-only.

At 3 AM with two incidents open in two terminals, the first question is "which one is this?": the
title, slug and studio say it, the stage and phase say where the walk is, and a reverse READ-ONLY
badge says that write keys will be refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from cockpit.domain.walk import Position


def header_line(position: Position | None, slug: str, *, read_only: bool, width: int) -> Text:
    """`slug  title` on the left, cut to fit; `studio · stage/phase` on the right, kept whole; the
    READ-ONLY badge first, so no width hides it. Before the position is loaded, the slug alone."""
    left = Text(no_wrap=True, overflow="ellipsis")
    if read_only:
        left.append(" READ-ONLY ", style="bold reverse")
        left.append(" ")
    left.append(slug, style="bold")
    rights: list[Text] = [Text()]  # what may stand on the right, widest first; the last always fits
    if position is not None:
        intent = position.facts.intent
        left.append("  " + intent.title)
        active = position.active
        stage = Text("complete" if active is None else f"{active.name}/{active.phase}", style="bold")
        rights = [Text.assemble((f"{intent.studio} · ", "dim"), stage), stage, Text()]
    wanted = min(left.cell_len, 48)  # the slug and the start of the title, before anything on the right
    right = next((r for r in rights if width - r.cell_len - 2 >= wanted), rights[-1])
    room = width - right.cell_len - 2 if right else width
    left.truncate(max(room, 1), overflow="ellipsis", pad=True)
    if right:
        left.append("  ")
        left.append_text(right)
    return left


class IntentHeader(Static):
    """`show(position)` draws the line; until then it shows the slug, so the first frame already
    says which intent this is. Read-only comes from the app (`CockpitApp.read_only`)."""

    DEFAULT_CSS = """
    IntentHeader { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, slug: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.slug = slug
        self.position: Position | None = None

    def show(self, position: Position) -> None:
        self.position = position
        self.refresh()

    def render(self) -> Text:
        read_only = bool(getattr(self.app, "read_only", False))
        return header_line(self.position, self.slug, read_only=read_only, width=self.content_size.width)
