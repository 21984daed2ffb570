"""Open feedback, sorted by severity, a page at a time, with a `/` filter.

Thousands of open findings are normal in a long incident: building every prompt would stall the
screen, so the list holds a page and a "… N more" row that loads the next page when reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.visual import VisualType
from textual.widgets import Input, Label, OptionList

from .. import render
from .keyed import sync_options

if TYPE_CHECKING:
    from cockpit.domain.walk import FindingState

PAGE = 200  # findings per page of the feedback list
MORE = "more"  # id of the "… N more" row


class FeedbackPane(Vertical):
    """The title with the counts, the filter box (mounted on first use) and the list (`#feedback`).

    | Message | When |
    |---|---|
    | `FeedbackPane.Selected` | the engineer moved to another finding, or the filter or a new page moved the cursor |
    | `FeedbackPane.Opened` | enter on a finding: its menu is wanted |
    """

    DEFAULT_CSS = "FeedbackPane { height: 1fr; }"

    class Selected(Message):
        """Another finding is under the cursor."""

        def __init__(self, ref: str) -> None:
            super().__init__()
            self.ref = ref

    class Opened(Message):
        """Enter on a finding."""

        def __init__(self, ref: str) -> None:
            super().__init__()
            self.ref = ref

    def __init__(self) -> None:
        super().__init__()
        self.findings: Sequence[FindingState] = ()  # every open finding, sorted
        self.filter_text = ""
        self.shown = PAGE  # findings listed so far; grows a page at a time
        self.selected: str | None = None

    def compose(self) -> ComposeResult:
        yield Label("Open feedback", id="feedback-title", classes="pane-title")
        yield OptionList(id="feedback")

    @property
    def options(self) -> OptionList:
        return self.query_one("#feedback", OptionList)

    def show(self, findings: Sequence[FindingState], selected: str | None) -> str | None:
        """List `findings` in place, the cursor on `selected` if shown; returns the finding under it."""
        self.findings = findings
        self.selected = selected
        return self._fill()

    def visible_findings(self) -> list[FindingState]:
        """The open findings the filter lets through."""
        needle = self.filter_text.lower()
        if not needle:
            return list(self.findings)
        return [
            f
            for f in self.findings
            if needle
            in f" {f.feedback.ref} {f.feedback.title} {f.feedback.severity or 'unset'} {f.target or ''} {f.hat or ''}".lower()
        ]

    def _fill(self, highlight: str | None = None) -> str | None:
        findings = self.visible_findings()
        title = f"Open feedback ({len(self.findings)}, * blocks)"
        if self.filter_text:
            title += f" · filter “{self.filter_text}”: {len(findings)}"
        self.query_one("#feedback-title", Label).update(title)
        refs = [f.feedback.ref for f in findings]
        wanted = highlight or (self.selected if self.selected in refs else (refs[0] if refs else None))
        if wanted is not None and refs.index(wanted) >= self.shown:
            self.shown = (refs.index(wanted) // PAGE + 1) * PAGE
        rows: list[tuple[str, VisualType]] = [
            (f.feedback.ref, render.finding_prompt(f)) for f in findings[: self.shown]
        ]
        if len(findings) > self.shown:
            rows.append((MORE, self._more_prompt(len(findings) - self.shown)))
        shown = sync_options(self.options, rows, wanted)
        if shown is not None and shown != MORE:
            self.selected = shown
        return self.selected

    @staticmethod
    def _more_prompt(remaining: int) -> Text:
        return Text(f"… {remaining:,} more: move here to load {PAGE} more, or / to filter", style="dim italic")

    def _reselect(self, highlight: str | None = None) -> None:
        """Fill again after the filter or the page changed; tell the screen if the cursor moved."""
        before = self.selected
        after = self._fill(highlight)
        if after is not None and after != before:
            self.post_message(self.Selected(after))

    # ------------------------------------------------------------ the filter

    async def open_filter(self) -> None:
        try:
            box = self.query_one("#filter", Input)
        except NoMatches:  # not mounted yet: the first frame does without it
            box = Input(placeholder="filter findings…", id="filter")
            await self.mount(box, before=self.options)
        box.display = True
        box.focus()

    def close_filter(self) -> bool:
        """Hide the filter box (its text stays applied); False if it was not shown."""
        boxes = self.query("#filter")
        if not boxes or not boxes.first().display:
            return False
        boxes.first().display = False
        self.options.focus()
        return True

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        self.shown = PAGE
        self._reselect()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.options.focus()

    # ------------------------------------------------------------ the list

    @on(OptionList.OptionHighlighted, "#feedback")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id == MORE:  # the cursor reached the end of the page: append the next one
            findings = self.visible_findings()
            if len(findings) > self.shown:
                first = findings[self.shown].feedback.ref
                self.shown += PAGE
                self._reselect(first)
            return
        if event.option.id is not None:
            self.selected = event.option.id
            self.post_message(self.Selected(event.option.id))

    @on(OptionList.OptionSelected, "#feedback")
    def _opened(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None and event.option.id != MORE:
            self.post_message(self.Opened(event.option.id))
