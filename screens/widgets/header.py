"""The top line of every intent screen: which intent is open, where it stands, and read-only.

At 3 AM with two incidents open in two terminals, the first question is "which one is this?": the
title, slug and studio say it, the stage and phase say where the walk is, and a reverse READ-ONLY
badge says that write keys will be refused. When the studio's files no longer match the definition
the intent walks by, a second line says so and names the command that moves it. An intent in a
H·AI·K·U project (or any intent, while projects are open) gets a line saying where it lives: the
project and its branch, how far ahead of or behind the remote, the last sync, and conflicts or files
not written, first; or "database only".
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.widgets import Static

from cockpit.errors import CockpitError

from ..render import alarm

if TYPE_CHECKING:
    from typing import Protocol

    from cockpit.app.backend import Backend, Location
    from cockpit.domain.studio_upgrade import Drift
    from cockpit.domain.walk import Position

    class _WithBackend(Protocol):
        """What the header asks of its app (CockpitApp, not imported: the widgets sit below it)."""

        backend: Backend


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


def _home(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home) :] if home not in ("", "/", "~") and (path + "/").startswith(home + "/") else path


def location_line(where: Location, width: int) -> Text:
    """Where the intent lives, one line cut to `width`: what needs the engineer first (files not
    written, conflicts), then the branch and its distance to the remote, the last sync, the project."""
    line = Text(no_wrap=True, overflow="ellipsis")
    parts: list[tuple[str, str]] = []
    if where.problem:
        parts.append(("⚠ files not written (see the notification)", alarm()))
    if where.conflicts:
        n = len(where.conflicts)
        parts.append((f"⚠ {n} file{'s' if n > 1 else ''} in conflict", alarm()))
    if where.project is None:
        parts.append(("database only: in no H·AI·K·U project", "dim"))
    else:
        if where.branch is None:
            parts.append(("not in git", "dim"))
        elif where.ahead is None or where.behind is None:
            parts.append((f"⎇ {where.branch} (no upstream)", ""))
        else:
            parts.append((f"⎇ {where.branch} ↑{where.ahead} ↓{where.behind}", ""))
        if where.last_sync:
            parts.append((f"synced {where.last_sync[:16].replace('T', ' ')}", "dim"))
        parts.append((_home(where.project), "dim"))
    for i, (text, style) in enumerate(parts):
        if i:
            line.append(" · ", style="dim")
        line.append(text, style=style)
    line.truncate(max(width, 1), overflow="ellipsis")
    return line


def drift_line(drift: Drift, width: int) -> Text:
    """The studio-drift warning, one line cut to `width`."""
    line = Text(f"⚠ {drift.warning}", style=alarm(), no_wrap=True, overflow="ellipsis")
    line.truncate(max(width, 1), overflow="ellipsis")
    return line


class IntentHeader(Static):
    """`show(position)` draws the line; until then it shows the slug, so the first frame already
    says which intent this is. Read-only comes from the app (`CockpitApp.read_only`); whether the
    studio drifted, from the backend, asked off the UI thread at each `show`."""

    DEFAULT_CSS = """
    IntentHeader { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(self, slug: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.slug = slug
        self.position: Position | None = None
        self.drift: Drift | None = None
        self.location: Location | None = None  # None: nothing to say (database only, no project open)

    def show(self, position: Position) -> None:
        self.position = position
        self.refresh()
        self._check_drift()

    @work(thread=True, exclusive=True, group="studio-drift")
    def _check_drift(self) -> None:
        backend = cast("_WithBackend", self.app).backend
        try:
            drift = backend.studio_drift(self.slug)
            where = backend.location(self.slug)
        except CockpitError:  # the screen's own read reports what is wrong with the database
            return
        if (drift, where) != (self.drift, self.location):
            self.app.call_from_thread(self._set_drift, drift, where)

    def _set_drift(self, drift: Drift | None, where: Location | None = None) -> None:
        self.drift = drift
        self.location = where
        self.refresh(layout=True)  # one line more or less

    def render(self) -> Text:
        read_only = bool(getattr(self.app, "read_only", False))
        width = self.content_size.width
        line = header_line(self.position, self.slug, read_only=read_only, width=width)
        if self.location is not None:
            line.append("\n")
            line.append_text(location_line(self.location, width))
        if self.drift is not None:
            line.append("\n")
            line.append_text(drift_line(self.drift, width))
        return line
