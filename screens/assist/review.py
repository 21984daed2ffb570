"""An adversarial review by one of the stage's review agents: the model proposes findings through
a tool, and each becomes a finding only if the engineer files it (f); d drops it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..navigation import CURSOR_BINDINGS, move_cursor
from ..render import SEVERITY_STYLE
from .base import PREVIEW, RETRY, AssistScreen

if TYPE_CHECKING:
    from cockpit.app.assistant import Prompt, Proposal, Reply


class ReviewScreen(AssistScreen):
    TASK = "review"
    TITLE = "AI review"
    ADVISORY = "advisory: each proposal becomes a finding only if you file it (f)"
    ACTIONS: ClassVar[dict[str, bool]] = {**AssistScreen.ACTIONS, "file": True, "drop": True}
    WRITES = frozenset({"file"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "file", "File proposal", id="assist.file"),
        Binding("d", "drop", "Drop proposal", id="assist.drop"),
        RETRY,
        PREVIEW,
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str, reviewer: str, *, stage: str, unit: str | None = None) -> None:
        """`stage`: the stage under review, where proposals are filed; `unit`: the unit under
        review (None: the stage as a whole)."""
        super().__init__(slug, unit=unit)
        self.reviewer, self.stage = reviewer, stage
        self.proposals: list[Proposal] = []
        self.offered = 0  # how many the answer proposed (filed and dropped ones included)

    def about(self) -> str | None:
        return self.reviewer and f"{self.reviewer} on {self.unit or 'the stage'}"

    def asked(self) -> dict[str, str | None]:
        return {"unit": self.unit, "reviewer": self.reviewer}

    def compose_answer(self) -> ComposeResult:
        yield OptionList(id="as-proposals")

    def reset(self) -> None:
        self.proposals, self.offered = [], 0

    async def prepared(self, prompt: Prompt) -> None:
        self.reviewer = prompt.reviewer or self.reviewer

    def has_answer(self) -> bool:
        return self.reply is not None and bool(self.proposals)

    def nothing_to_act_on(self) -> str | None:
        return f"No proposals: {self.about()} found nothing to file. r asks again."

    async def answered(self, reply: Reply) -> None:
        if not reply.tool_calls:
            if reply.ok:  # a finished review that proposed nothing says so, not an empty list
                self._list_proposals()
            return
        from cockpit.app.assistant import parse_proposals

        position = await self._position()
        self.proposals, notes = parse_proposals(reply, position, self.stage)
        self.offered = len(self.proposals)
        self._list_proposals()
        for note in notes:
            self.notify(note, severity="warning", timeout=8)
        self.query_one("#as-proposals").focus()

    def _list_proposals(self) -> None:
        from cockpit.severity import GLYPHS

        options = self.query_one("#as-proposals", OptionList)
        options.clear_options()
        for i, p in enumerate(self.proposals):
            prompt = Text.assemble(
                (f"{GLYPHS.get(p.severity, '?')} {p.severity or 'unset':<7} ", SEVERITY_STYLE.get(p.severity, "")),
                (p.title, "bold"),
                (f"  → {p.unit or 'the stage'}", "dim"),
            )
            if p.body:
                prompt.append("\n   " + " ".join(p.body.split())[:200], style="dim")
            options.add_option(Option(prompt, id=str(i)))
        if self.proposals:
            options.highlighted = 0
        elif self.offered:
            options.add_option(Option(Text("No proposals left.", style="dim"), disabled=True))
        else:
            options.add_option(Option(Text(self.nothing_to_act_on() or "", style="bold"), disabled=True))

    def action_cursor(self, where: str) -> None:
        move_cursor(self.query_one("#as-proposals", OptionList), where)

    def action_file(self) -> None:
        proposal = self._highlighted_proposal()
        if proposal is None or self.check_action("file", ()) is not True:
            return
        index, p = proposal
        if p.severity is None:
            self.notify(
                "The model gave no valid severity: d drops it, or file it by hand with f on the intent.",
                severity="warning",
            )
            return
        from cockpit.domain import commands
        from cockpit.domain.call import call

        self._remove_proposal(index)  # at once: a second f acts on the next proposal, never this one again
        self._write(
            call(
                commands.file_feedback,
                title=p.title,
                body=p.body,
                severity=p.severity,
                unit=p.unit,
                stage=self.stage,
                origin="adversarial-review",
                role=self.reviewer,
                ai=self._provenance(),
            ),
            failed=lambda: self._restore_proposal(index, p),
        )

    def action_drop(self) -> None:
        proposal = self._highlighted_proposal()
        if proposal is not None:
            self._remove_proposal(proposal[0])

    def _highlighted_proposal(self) -> tuple[int, Proposal] | None:
        options = self.query_one("#as-proposals", OptionList)
        option = options.highlighted_option
        if option is None or option.id is None:
            return None
        index = int(option.id)
        return index, self.proposals[index]

    def _remove_proposal(self, index: int) -> None:
        del self.proposals[index]
        self._list_proposals()
        self.refresh_bindings()

    def _restore_proposal(self, index: int, proposal: Proposal) -> None:
        self.proposals.insert(index, proposal)
        self._list_proposals()
        self.query_one("#as-proposals", OptionList).highlighted = index
        self.refresh_bindings()
