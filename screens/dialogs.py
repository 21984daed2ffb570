"""Modal dialogs. Each returns its answer through `dismiss`; Esc always cancels and writes nothing.

A dialog whose answer is written (`save` set, see CockpitApp.ask) stays open, with what was typed,
until the write has committed: a write that fails (the database busy, the disk full) says why in
the dialog, and the engineer saves again or cancels. Nothing typed is lost to a storage fault."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Selection

from cockpit.severity import GLYPHS, SEVERITIES

from . import render
from .navigation import CURSOR_BINDINGS, move_cursor


def as_text(value: str | Text) -> Text:
    """Data for a widget: a str would be parsed as markup, so it goes in as plain Text."""
    return value if isinstance(value, Text) else Text(value)


UNTYPED = "(still to be typed)"  # a dialog's answer before it opens: CockpitApp.refused tries the command with it
SHORT_BELOW = 32  # rows: below this (80x24) the dialogs drop their blank lines and shorten their lists


class _Modal(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]
    # `-short` on a terminal of fewer rows (cockpit.tcss): every dialog fits 80x24 with its keys shown.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_BELOW, "-tall")]

    # Set by CockpitApp.ask: called with the answer and the dialog, it starts the write, which
    # ends in `dismiss` (committed) or `failed` (not written). None: the answer is dismissed at once.
    save: Callable[[Any, _Modal], None] | None = None
    saving = False
    # Esc with text changed asks first (keep editing / discard): the dialogs that hold work.
    ASK_BEFORE_DISCARDING = False
    _typed_from: tuple[str, ...] = ()  # the text of every field as the dialog opened

    def on_mount(self) -> None:
        self._typed_from = self._texts()

    def _texts(self) -> tuple[str, ...]:
        return tuple(
            field.value if isinstance(field, Input) else field.text
            for field in self.query("Input, TextArea")
            if isinstance(field, Input) or (isinstance(field, TextArea) and not field.read_only)
        )

    def unsaved(self) -> bool:
        """Text typed here that leaving would lose (the answer not yet written)."""
        return self.is_attached and self._texts() != self._typed_from

    def action_cancel(self) -> None:
        if not (self.ASK_BEFORE_DISCARDING and self.unsaved()):
            self.dismiss(None)
            return

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.dismiss(None)

        self.app.push_screen(
            Choice(
                "Discard what you typed?",
                [("keep", "e  Keep editing"), ("discard", "d  Discard the changes")],
                hotkeys={"e": "keep", "d": "discard"},
            ),
            chosen,
        )

    def answer(self, value: Any) -> None:
        if self.save is None:
            self.dismiss(value)
            return
        if self.saving:  # a second ctrl+s while the first write waits must not write twice
            return
        self.saving = True
        self._say("Saving…", error=False)
        self.save(value, self)

    def failed(self, reason: str) -> None:
        """The write did not happen: the dialog keeps its text and says why."""
        self.saving = False
        self._say(f"Not saved: {reason} — save again, or esc to cancel", error=True)

    def _say(self, text: str, *, error: bool) -> None:
        from textual.css.query import NoMatches

        try:
            line = self.query_one("#dialog-status", Static)
        except NoMatches:
            line = Static(id="dialog-status")
            self.query_one(".dialog").mount(line, before=self.query_one(".dialog-keys"))
        line.set_class(error, "dialog-error")
        line.update(Text(text))  # Text: the reason quotes a path, never markup


class TextPrompt(_Modal):
    """One line of text, e.g. a hand-off message or a reason. Empty is refused when required."""

    def __init__(
        self,
        title: str,
        hint: str = "",
        *,
        required: bool = True,
        value: str = "",
        keys: str = "enter: save · esc: cancel",
    ) -> None:
        super().__init__()
        self.title_text, self.hint, self.required, self.value, self.keys = title, hint, required, value, keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(as_text(self.title_text), classes="dialog-title")
            if self.hint:
                yield Static(as_text(self.hint), classes="dialog-hint")
            yield Input(value=self.value, id="answer")
            yield Static(self.keys, classes="dialog-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.required and not text:
            self.notify("This needs some text.", severity="warning")
            return
        self.answer(text)


class Choice(_Modal):
    """Pick one of a few named choices with j/k and enter."""

    BINDINGS = [*CURSOR_BINDINGS]

    def __init__(
        self,
        title: str,
        choices: Iterable[tuple[str, str]],
        hotkeys: dict[str, str] | None = None,
        *,
        start: str | None = None,
    ) -> None:
        """`hotkeys`: a key that picks a choice at once (key → choice id), as shown in its label.
        `start`: the choice the cursor starts on (e.g. the current severity), else the first."""
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.hotkeys = hotkeys or {}
        self.start = start

    def on_key(self, event) -> None:
        choice = self.hotkeys.get(event.character or "")
        if choice is not None:
            event.stop()
            self.dismiss(choice)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(as_text(self.title_text), classes="dialog-title")
            yield OptionList(*[Option(as_text(label), id=key) for key, label in self.choices], id="choices")
            yield Static("enter: choose · esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        keys = [key for key, _ in self.choices]
        if self.start in keys:
            self.query_one(OptionList).highlighted = keys.index(self.start)

    def action_cursor(self, where: str) -> None:
        move_cursor(self.query_one(OptionList), where)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


def severity_choices() -> list[tuple[str, str]]:
    return [(s, f"{GLYPHS[s]} {s}") for s in SEVERITIES]


class FeedbackForm(_Modal):
    """File a finding: title, body, severity (may stay unset: it then blocks until classified), unit."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="dialog.save")]
    ASK_BEFORE_DISCARDING = True

    def __init__(self, units: list[str], unit: str | None, title: str = "File a finding") -> None:
        super().__init__()
        self.units, self.unit, self.title_text = units, unit, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(as_text(self.title_text), classes="dialog-title")
            yield Input(placeholder="Title (one line)", id="title")
            yield Editor(id="body", soft_wrap=True)
            yield Select(
                [(f"{GLYPHS[s]} {s}", s) for s in SEVERITIES],
                prompt="severity: unset (blocks until classified)",
                id="severity",
            )
            yield Select(
                [(u, u) for u in self.units],
                prompt="target: the stage as a whole",
                value=self.unit if self.unit in self.units else Select.NULL,
                id="unit",
            )
            yield Static("tab: next field · ctrl+s: file it · esc: cancel", classes="dialog-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#body", TextArea).focus()

    def action_save(self) -> None:
        title = self.query_one("#title", Input).value.strip()
        if not title:
            self.notify("A finding needs a title.", severity="warning")
            self.query_one("#title", Input).focus()
            return
        severity = self.query_one("#severity", Select)
        unit = self.query_one("#unit", Select)
        self.answer(
            {
                "title": title,
                "body": self.query_one("#body", TextArea).text,
                "severity": None if severity.is_blank() else severity.value,
                "unit": None if unit.is_blank() else unit.value,
            }
        )


class Editor(TextArea):
    """A TextArea whose ctrl+home and ctrl+end reach the start and the end of the whole text
    (Textual's home and end stop at the wrapped line, and it binds nothing to ctrl+end: a paste
    meant for the end of a body landed at its top)."""

    BINDINGS = [
        Binding("ctrl+home", "document_edge('start')", "Start of text", id="editor.start", show=False),
        Binding("ctrl+end", "document_edge('end')", "End of text", id="editor.end", show=False),
        Binding(
            "ctrl+shift+home", "document_edge('start', True)", "Select to start", id="editor.select_start", show=False
        ),
        Binding("ctrl+shift+end", "document_edge('end', True)", "Select to end", id="editor.select_end", show=False),
    ]

    def action_document_edge(self, edge: str, select: bool = False) -> None:
        self.move_cursor((0, 0) if edge == "start" else self.document.end, select=select)


class BodyEditor(_Modal):
    """Edit a unit's markdown body in place; ctrl+s saves, esc leaves (asking first if changed)."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="dialog.save")]
    ASK_BEFORE_DISCARDING = True

    def __init__(self, unit: str, body: str, line: int = 0) -> None:
        """`line` (1-based): where the cursor starts, e.g. the line a check failed on."""
        super().__init__()
        self.unit, self.body, self.line = unit, body, line

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog full"):
            yield Label(Text(f"Edit {self.unit}"), classes="dialog-title")
            yield Editor(self.body, id="editor", language="markdown", soft_wrap=True, show_line_numbers=False)
            yield Static("ctrl+s: save · ctrl+end: end of text · esc: leave", classes="dialog-keys")

    def on_mount(self) -> None:
        if self.line > 0:
            editor = self.query_one("#editor", TextArea)
            editor.cursor_location = (min(self.line, editor.document.line_count) - 1, 0)
            editor.scroll_cursor_visible(center=True)

    def action_save(self) -> None:
        self.answer(self.query_one("#editor", TextArea).text)


MIN_OVERRIDE = 8


def refs(names: list[str], shown: int = 3) -> str:
    """`FB-001, FB-002 and FB-003`, or `5 findings: FB-001, FB-002, FB-003 and 2 more`: one line
    however many block (the list above the line shows each of them)."""
    if len(names) <= shown:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return f"{len(names)} findings: {', '.join(names[:shown])} and {len(names) - shown} more"


class ConfirmGate(_Modal):
    """Approval always shows what is open; past blocking feedback it needs a typed override reason."""

    BINDINGS = [Binding("y", "approve", "Approve", id="dialog.approve")]

    def __init__(self, stage: str, path: str, open_lines: list[Text], blocking: list[str]) -> None:
        super().__init__()
        self.stage, self.path, self.open_lines, self.blocking = stage, path, open_lines, blocking

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(f"Approve the {self.stage} gate ({self.path})?"), classes="dialog-title")
            with VerticalScroll(classes="dialog-list"):
                if not self.open_lines:
                    yield Static("No open feedback.")
                for line in self.open_lines:
                    yield Static(as_text(line))
            if self.blocking:
                yield Static(
                    Text(
                        f"Blocked by {refs(self.blocking)}. Type why you approve anyway (recorded):",
                        style=render.alarm(),
                    ),
                    classes="dialog-hint",
                )
                yield Input(placeholder="override reason", id="override")
                yield Static("enter: approve with this reason · esc: cancel", classes="dialog-keys")
            else:
                yield Static("y: approve · esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        if self.blocking:
            self.query_one("#override", Input).focus()

    def action_approve(self) -> None:
        if not self.blocking:
            self.answer({"override": None})

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if len(reason) < MIN_OVERRIDE:  # a stray "y" + enter must not approve past a blocker
            self.notify(
                "Say in a few words why you approve past blocking feedback (it is recorded).", severity="warning"
            )
            return
        self.answer({"override": reason})


class HelpScreen(_Modal):
    """Every binding of the screen underneath, with its key."""

    BINDINGS = [Binding("question_mark,q", "cancel", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        text = Text()
        width = max((len(k) for k, _ in self.rows), default=4)
        for key, description in self.rows:
            text.append(f"{key:>{width}}  ", style="bold")
            text.append(f"{description}\n")
        with Vertical(classes="dialog wide"):
            yield Label("Keys on this screen", classes="dialog-title")
            with VerticalScroll(classes="dialog-list tall"):
                yield Static(text)
            yield Static("? or esc: close · ctrl+p: every action by name", classes="dialog-keys")


CONFIRM_WORD = "send"  # typed to send a request the second scan has doubts about: no single key does


class SendPreview(_Modal):
    """Exactly what an assist request sends, after redaction, with the redaction counts.

    Shown before an intent's first request (mode "ask": y sends, esc sends nothing), and on
    demand, read only: "sent" for the request made, "unsent" for one not sent (yet).

    When the second scan (cockpit.text.redact.suspect_tokens) found tokens that look like secrets no
    pattern knew, they are listed and the first is selected in the text; sending then takes typing
    `send`: a reflex `y` or enter sends nothing."""

    BINDINGS = [
        Binding("y", "send", "Send", id="dialog.send"),
        Binding("enter", "send", "Send", id="dialog.send_enter", show=False, priority=True),
    ]

    TITLES = {
        "ask": "Send this to the model? (first request about this intent)",
        "sent": "What was sent",
        "unsent": "What would be sent (nothing was sent)",
    }

    def __init__(self, prompt, *, mode: str = "ask") -> None:
        super().__init__()
        self.prompt, self.mode = prompt, mode
        self.suspects = tuple(prompt.suspects)

    @property
    def needs_typing(self) -> bool:
        return self.mode == "ask" and bool(self.suspects)

    def compose(self) -> ComposeResult:
        counts = self.prompt.redactions
        masked = (
            ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            if counts
            else "nothing matched a secret pattern"
        )
        title = (
            "Possible secret left in this request: check it before sending"
            if self.needs_typing
            else self.TITLES[self.mode]
        )
        with Vertical(classes="dialog full"):
            yield Label(Text(title), classes="dialog-title")
            yield Static(
                Text(f"Redacted before sending: {masked} · {len(self.prompt.preview):,} characters"),
                classes="dialog-hint",
            )
            if self.suspects:
                yield Static(self._suspect_lines(), id="suspects", classes="dialog-error")
            yield TextArea(self.prompt.preview, id="editor", read_only=True, soft_wrap=True, show_line_numbers=False)
            if self.needs_typing:
                yield Input(placeholder=f"type {CONFIRM_WORD} to send it anyway", id="confirm")
                yield Static(f"type {CONFIRM_WORD} + enter: send as shown · esc: send nothing", classes="dialog-keys")
            else:
                yield Static(
                    "y / enter: send · esc: send nothing" if self.mode == "ask" else "esc: close", classes="dialog-keys"
                )

    def _suspect_lines(self) -> Text:
        n = len(self.suspects)
        text = Text(
            f"{n} token{'s' if n != 1 else ''} no secret pattern explained, but random enough to be a key "
            "(the first is selected below):"
        )
        for s in self.suspects[:5]:
            text.append(f"\n  line {s.line}, column {s.column + 1}: {s.shown}")
        if n > 5:
            text.append(f"\n  … and {n - 5} more")
        return text

    def on_mount(self) -> None:
        if self.suspects:  # mark the first one where it sits in the text
            first = self.suspects[0]
            editor = self.query_one("#editor", TextArea)
            editor.selection = Selection((first.line - 1, first.column), (first.line - 1, first.column + first.length))
            editor.scroll_cursor_visible(center=True)
        if self.needs_typing:
            self.query_one("#confirm", Input).focus()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return action != "send" or self.mode == "ask"

    def action_send(self) -> None:
        if self.needs_typing and self.query_one("#confirm", Input).value.strip().lower() != CONFIRM_WORD:
            self.notify(
                f"A token here may be a secret: type {CONFIRM_WORD} to send it anyway, or esc to send nothing.",
                severity="warning",
            )
            return
        self.dismiss(True)
