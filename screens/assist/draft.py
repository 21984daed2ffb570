"""Draft a unit's body: the model writes it, the engineer accepts it (a), edits it first (e, then
ctrl+s) or leaves it. Accepting replaces the body through `edit_unit`, refused if the body moved
since the draft was asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import TextArea

from ..navigation import CURSOR_BINDINGS
from .base import COPY, PREVIEW, RETRY, AssistScreen

if TYPE_CHECKING:
    from cockpit.app.assistant import Prompt


class DraftScreen(AssistScreen):
    TASK = "draft"
    TITLE = "AI draft"
    ADVISORY = "advisory: the unit body changes only if you accept (a), edited or not"
    ACTIONS: ClassVar[dict[str, bool]] = {
        **AssistScreen.ACTIONS,
        "accept": True,
        "accept_edited": True,
        "edit": True,
        "copy": False,
    }
    WRITES = frozenset({"accept", "accept_edited"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept", id="assist.accept"),
        Binding("ctrl+s", "accept_edited", "Accept edited", id="assist.accept_edited"),
        Binding("e", "edit", "Edit first", id="assist.edit"),
        RETRY,
        PREVIEW,
        COPY,
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str, unit: str) -> None:
        super().__init__(slug, unit=unit)
        self.editing = False
        self.base_body: str | None = None  # the unit body the draft was asked for: accept refuses if it moved

    async def prepared(self, prompt: Prompt) -> None:
        position = await self._position()
        found = next((u for st in position.stages for u in st.units if u.unit.slug == self.unit), None)
        self.base_body = found.unit.body if found else None

    def _set_text(self, text: str) -> None:
        super()._set_text(text)
        self.editing = False

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("accept", "accept_edited", "edit") and (action == "accept_edited") != self.editing:
            return False  # while editing only ctrl+s accepts; otherwise a accepts and e edits first
        state = super().check_action(action, parameters)
        if state and action == "accept" and self.reply is not None and not self.reply.ok:
            return None  # a cut-off draft would replace the whole body: edit it first (e), then ctrl+s
        return state

    def why_disabled(self, action: str) -> str | None:
        reply = self.reply
        if action == "accept" and not self.streaming and reply is not None and reply.text and not reply.ok:
            how = "was cancelled" if reply.cancelled else "was cut off"
            return f"This draft {how}: accepting it would replace the whole body. e to edit it, then ctrl+s."
        return super().why_disabled(action)

    def action_back(self) -> None:
        if self.editing and not self.streaming:
            self.editing = False
            self.query_one("#as-text", TextArea).read_only = True
            self.refresh_bindings()
            self.notify("Your edits stay in the pane; e to go on editing, esc again to discard the draft.")
            return
        super().action_back()

    def action_copy(self) -> None:
        self.app.copy_text(self.query_one("#as-text", TextArea).text)

    def action_edit(self) -> None:
        area = self.query_one("#as-text", TextArea)
        area.read_only = False
        self.editing = True
        area.focus()
        self.notify("Editing: ctrl+s accepts this text as the unit body; esc stops editing.")
        self.refresh_bindings()

    def action_accept_edited(self) -> None:
        self.action_accept(edited=True)

    def action_accept(self, edited: bool = False) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        if self.check_action("accept_edited" if edited else "accept", ()) is not True:
            if self.reply is not None and not self.reply.ok:
                self.notify("This draft was cut off: e to edit it, then ctrl+s to accept.", severity="warning")
            return
        if self.unit is None or self.reply is None:
            return
        text = self.query_one("#as-text", TextArea).text
        self._write(
            call(
                commands.edit_unit,
                unit=self.unit,
                body=text,
                was=self.base_body,
                ai=self._provenance(edited=text != self.reply.text),
            ),
            close=True,
        )
