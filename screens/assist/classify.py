"""Classify a finding: the model proposes a severity and a unit with its reason; a accepts it,
c changes the severity first. Accepting writes through `classify`, marked as the model's."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from .. import render
from ..navigation import CURSOR_BINDINGS
from ..render import SEVERITY_STYLE
from .base import PREVIEW, RETRY, AssistScreen

if TYPE_CHECKING:
    from cockpit.app.assistant import Classification, Prompt, Reply


class ClassifyScreen(AssistScreen):
    TASK = "classify"
    TITLE = "AI classification"
    ADVISORY = "advisory: the finding changes only if you accept (a)"
    ACTIONS: ClassVar[dict[str, bool]] = {**AssistScreen.ACTIONS, "accept": True, "change": True}
    WRITES = frozenset({"accept", "change"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept", id="assist.accept"),
        Binding("c", "change", "Change", id="assist.change"),
        RETRY,
        PREVIEW,
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str, ref: str) -> None:
        super().__init__(slug)
        self.ref = ref
        self.classification: Classification | None = None
        self.current: tuple[str | None, str | None] = (None, None)  # the finding's severity and target now
        self.changed = False  # the engineer changed the proposed classification before accepting

    def about(self) -> str | None:
        return self.ref

    def asked(self) -> dict[str, str | None]:
        return {"ref": self.ref}

    def compose_answer(self) -> ComposeResult:
        yield Static(id="as-result")

    def reset(self) -> None:
        self.classification, self.changed = None, False

    async def prepared(self, prompt: Prompt) -> None:
        self.ref = prompt.ref or self.ref

    def has_answer(self) -> bool:
        return self.reply is not None and self.classification is not None

    async def answered(self, reply: Reply) -> None:
        if not reply.ok:
            return
        from cockpit.app.assistant import parse_classification
        from cockpit.errors import CockpitError

        position = await self._position()
        try:
            self.classification = parse_classification(reply, position, self.ref)
        except CockpitError as exc:
            self._status(Text(f"✗ {exc}", style=render.alarm()))
            return
        found = position.finding(self.ref)
        assert found is not None  # parse_classification found it, or raised
        self.current = (found.feedback.severity, found.target)
        self._show_result("Proposed")

    def _show_result(self, label: str) -> None:
        """The finding as it is, and as it would be if accepted (a target of None keeps its unit)."""
        from cockpit.severity import GLYPHS

        c, (severity, target) = self.classification, self.current
        assert c is not None  # shown once a classification was parsed
        text = Text.assemble(
            ("Now:      ", "bold"),
            (f"{GLYPHS.get(severity, '?')} {severity or 'unclassified'}", SEVERITY_STYLE.get(severity, "")),
            f" → {target or 'the stage as a whole'}\n",
            (f"{label + ':':<10}", "bold"),
            (f"{GLYPHS[c.severity]} {c.severity}", SEVERITY_STYLE[c.severity]),
            (f" → {c.unit or (target or 'the stage as a whole') + ' (unchanged)'}\n", "bold"),
            (c.reason, ""),
        )
        self.query_one("#as-result", Static).update(text)

    def action_accept(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        if self.check_action("accept", ()) is not True or self.classification is None:
            return
        c = self.classification
        self._write(
            call(
                commands.classify,
                ref=self.ref,
                severity=c.severity,
                unit=c.unit,
                reason=c.reason,
                ai=self._provenance(edited=self.changed),
            ),
            close=True,
        )

    def action_change(self) -> None:
        """Change the proposed severity before accepting (the unit stays as proposed)."""
        from dataclasses import replace

        from ..dialogs import Choice, severity_choices

        proposed = self.classification
        if proposed is None:
            return

        def chosen(severity: str | None) -> None:
            if severity:
                self.classification = replace(proposed, severity=severity)
                self.changed = True
                self._show_result("Changed")

        self.app.push_screen(Choice(f"Severity of {self.ref}", severity_choices()), chosen)
