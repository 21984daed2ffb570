"""One finding in full: what it says, who filed it, its severity over time, every pass of its fix
loop, why it escalated and how it closed.

`finding_text` draws cockpit.domain.finding_detail.FindingDetail; the intent screen shows it beside
the feedback list when the window is wide, and `FindingScreen` shows it on its own (Enter on a
finding) with the finding's actions one key away.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from cockpit.errors import CockpitError

from . import render
from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS
from .widgets.header import IntentHeader

if TYPE_CHECKING:
    from collections.abc import Callable

    from cockpit.domain.finding_detail import FindingDetail

    from .app import CockpitApp


def finding_text(detail: FindingDetail, now: datetime) -> Text:
    """The whole finding as text: every part from data is a plain Text span (never markup)."""
    text = Text()
    sev = detail.severity
    text.append(f"{render.GLYPHS[sev]} {sev or 'unset'}", style=render.SEVERITY_STYLE[sev])
    text.append(f"  {detail.ref}", style="bold")
    text.append("  blocks the gate" if detail.blocking and detail.is_open else "", style="bold")
    text.append("\n")
    text.append(detail.title + "\n", style="bold")
    state = _state(detail)
    text.append(state + "\n", style=render.alarm() if detail.status == "escalated" else "")
    text.append("\n")
    _field(text, "filed", f"by {detail.author} ({detail.author_type}), {render.when(detail.created_at, now)}")
    _field(text, "origin", f"{detail.origin} · " + (f"stage {detail.stage}" if detail.stage else "the whole intent"))
    _field(text, "against", detail.target or ("the whole stage" if detail.stage else "the whole intent"))
    if detail.invalidates:
        _field(text, "a fix clears", ", ".join(detail.invalidates))
    text.append("\n")
    text.append(detail.body.strip() or "(no body)", style="" if detail.body.strip() else "dim")
    text.append("\n")
    _section(text, "Severity")
    for change in detail.severity_history:
        how = {"filed": "filed", "classified": "classified", "checks": "set by the checks"}[change.how]
        who = f" by {change.actor}" if change.actor else ""
        ai = " (AI proposal accepted)" if change.ai else ""
        at = f", {render.when(change.at, now)}" if change.at else ""
        text.append(f"  {how} {change.severity or 'unset'}{who}{ai}{at}\n")
        if change.note:
            text.append(f"    “{change.note}”\n", style="italic")
    _section(text, "Fix loop")
    if not detail.fix_loop:
        held = f": the {detail.hat} hat holds it, no pass recorded yet" if detail.hat and detail.is_open else ""
        text.append(f"  not started{held}\n", style="dim")
    for step in detail.fix_loop:
        text.append(f"  bolt {step.bolt} ", style="dim")
        text.append(step.hat, style="bold")
        text.append(f" {step.description}")
        text.append(f", {render.when(step.completed_at or step.started_at, now)}\n", style="dim")
        if step.message:
            text.append(f"    “{step.message}”\n", style="italic")
    for resume in detail.resumes:
        text.append(f"  resumed by {resume.actor}, {render.when(resume.at, now)}", style="bold")
        text.append(f": “{resume.reason}”\n" if resume.reason else "\n")
    if detail.escalated_because:
        _section(text, "Escalated")
        text.append(f"  {detail.escalated_because}\n", style=render.alarm())
    if detail.closure is not None:
        closure = detail.closure
        _section(text, "Closed")
        who = f" by {closure.actor}" if closure.actor else ""
        text.append(f"  {closure.resolution.replace('_', '-')}{who}, {render.when(closure.at, now)}\n")
        if closure.text:
            text.append(f"    “{closure.text}”\n", style="italic")
        if closure.clears:
            text.append(f"  cleared the sign-offs: {', '.join(closure.clears)}\n", style="dim")
    return text


def _state(detail: FindingDetail) -> str:
    if detail.closure is not None:
        return f"closed ({detail.closure.resolution.replace('_', '-')})"
    if detail.status == "escalated":
        return f"escalated in bolt {detail.bolt}: a human decides"
    if detail.hat is None:
        where = "in its stage" if detail.stage else "for the whole intent"
        return f"open · no fix chain {where}: close or reject it"
    return f"open · the {detail.hat} hat holds it (bolt {detail.bolt})"


def _field(text: Text, name: str, value: str) -> None:
    text.append(f"{name:>12}  ", style="dim")
    text.append(value + "\n")


def _section(text: Text, name: str) -> None:
    text.append(f"\n{name}\n", style="bold underline")


class FindingView(VerticalScroll):
    """The scrolling text of one finding (`show(detail, now)`)."""

    DEFAULT_CSS = "FindingView { height: 1fr; padding: 0 1; } FindingView > Static { width: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Static(id="finding-text")

    def show(self, detail: FindingDetail, now: datetime) -> None:
        self.query_one("#finding-text", Static).update(finding_text(detail, now))


class FindingScreen(Screen):
    """Finding `ref` of intent `slug` on its own. Enter opens the finding's actions (the intent
    screen's finding menu); the text reloads after each write."""

    if TYPE_CHECKING:
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="finding.back"),
        Binding("enter", "actions", "Actions…", id="finding.actions"),
        Binding("y", "copy", "Copy body", id="finding.copy"),
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str, ref: str, open_actions: Callable[[], None]) -> None:
        super().__init__()
        self.slug, self.ref = slug, ref
        self.open_actions = open_actions
        self.detail: FindingDetail | None = None

    def compose(self) -> ComposeResult:
        yield IntentHeader(self.slug)
        yield FindingView(id="finding")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(FindingView).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()  # back from the actions dialog: show what it wrote

    @work(thread=True, exclusive=True, group="finding")
    def load(self) -> None:
        try:
            position = self.app.backend.position(self.slug)
            detail = self.app.backend.finding_detail(self.slug, self.ref)
        except CockpitError as exc:
            self.app.call_from_thread(self.app.write_failed, exc, title="Not loaded")
            return
        self.app.call_from_thread(self.show, position, detail)

    def show(self, position, detail: FindingDetail) -> None:
        self.detail = detail
        self.query_one(IntentHeader).show(position)
        self.query_one(FindingView).show(detail, self.app.backend.now())

    def action_actions(self) -> None:
        if self.detail is not None and not self.detail.is_open:
            self.notify(f"{self.ref} is closed: nothing to do.", severity="warning")
            return
        self.open_actions()

    def action_cursor(self, where: str) -> None:
        view = self.query_one(FindingView)
        {"down": view.scroll_down, "up": view.scroll_up, "first": view.scroll_home, "last": view.scroll_end}[where](
            animate=False
        )

    def action_copy(self) -> None:
        if self.detail is not None:
            self.app.copy_text(f"{self.detail.ref} {self.detail.title}\n{self.detail.body}")
