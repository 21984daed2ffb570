"""Ask the model a question about the intent (or one unit of it): the answer is read, copied (y)
or asked again; nothing is written."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import TextArea

from ..navigation import CURSOR_BINDINGS
from .base import COPY, PREVIEW, RETRY, AssistScreen


class AskScreen(AssistScreen):
    TASK = "ask"
    TITLE = "Ask AI"
    ADVISORY = "advisory: facts cite their source; hypotheses are unconfirmed"
    ACTIONS: ClassVar[dict[str, bool]] = {**AssistScreen.ACTIONS, "copy": False}
    BINDINGS: ClassVar[list[BindingType]] = [RETRY, PREVIEW, COPY, *CURSOR_BINDINGS]

    def __init__(self, slug: str, question: str, *, unit: str | None = None) -> None:
        """`unit`: the unit the question is about, if any."""
        super().__init__(slug, unit=unit)
        self.question = question

    def about(self) -> str | None:
        return self.question

    def action_copy(self) -> None:
        self.app.copy_text(self.query_one("#as-text", TextArea).text)

    def asked(self) -> dict[str, str | None]:
        return {"unit": self.unit, "question": self.question}
