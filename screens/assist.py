"""The assist pane: one request to the model about the intent in hand, streamed, then the
engineer decides what becomes of it.

The model proposes; nothing is written until a key says so (accept a draft, file a proposal,
accept a classification), and then through the same engine commands as any other change, marked
with the request that proposed it (the commands redact what they store of it). The model itself
never approves, closes or advances anything.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_cursor
from .render import SEVERITY_STYLE

if TYPE_CHECKING:
    from cockpit.app.assistant import Classification, Prompt, Proposal, Reply
    from cockpit.domain.call import Call

    from .app import CockpitApp

TITLES = {"draft": "AI draft", "review": "AI review", "classify": "AI classification", "ask": "Ask AI"}
ADVISORY = {
    "draft": "advisory: the unit body changes only if you accept (a), edited or not",
    "review": "advisory: each proposal becomes a finding only if you file it (f)",
    "classify": "advisory: the finding changes only if you accept (a)",
    "ask": "advisory: facts cite their source; hypotheses are unconfirmed",
}
FLUSH_SECONDS = 1 / 30  # the pane repaints streamed text at most this often: one repaint covers many deltas
# What each key may act on: (action, the tasks it applies to, whether it needs a finished answer).
ACTIONS = {
    "accept": ({"draft", "classify"}, True),
    "accept_edited": ({"draft"}, True),
    "edit": ({"draft"}, True),
    "change": ({"classify"}, True),
    "file": ({"review"}, True),
    "drop": ({"review"}, True),
    "retry": ({"draft", "review", "classify", "ask"}, False),
    "copy": ({"draft", "ask"}, False),
}
WRITES = frozenset({"accept", "accept_edited", "file", "change"})


def usage_line(totals: dict[str, dict[str, Any]] | None) -> Text:
    """`intent $0.041 · 3 req · 12.1k in · 2.3k out │ today …`: the cost first, so it survives 80 columns."""
    text = Text(style="dim")
    if not totals:
        return text
    for i, (label, key) in enumerate((("intent", "intent"), ("today", "day"))):
        t = totals.get(key) or {}
        if i:
            text.append(" │ ")
        cached = t.get("cache_read", 0)
        n = t.get("requests", 0)
        text.append(
            f"{label} ${t.get('cost_usd', 0.0):.3f} · {n} req · {_k(t.get('input', 0) + cached)} in"
            f"{f' ({_k(cached)} cached)' if cached else ''} · {_k(t.get('output', 0))} out"
        )
    return text


def _k(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def reply_line(reply: Reply) -> Text:
    """What happened to the request, in one line: done, truncated, cancelled or failed (and why)."""
    u = reply.usage
    cost = f"{_k(u.input_tokens + u.cache_read_tokens + u.cache_write_tokens)} in / {_k(u.output_tokens)} out · ${reply.cost_usd:.3f}"
    rid = f" · {reply.request_id}" if reply.request_id else ""
    if reply.cancelled:
        return Text(
            f"■ cancelled after {reply.latency_ms / 1000:.1f}s: the partial answer is kept · r retry", style="yellow"
        )
    if reply.error is not None:
        message = reply.error.message
        kept = " · partial answer kept" if reply.text and "kept" not in message else ""
        hint = " · r retry" if reply.error.retryable or reply.error.kind in ("connection", "timeout") else ""
        return Text(f"✗ {message}{kept}{hint}", style="bold red")
    if reply.stop_reason == "max_tokens":
        return Text(
            f"! truncated at the token limit after {reply.latency_ms / 1000:.1f}s · {cost}{rid}", style="yellow"
        )
    return Text(f"✓ done in {reply.latency_ms / 1000:.1f}s · {cost}{rid}", style="green")


class AssistScreen(Screen):
    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "back", "Cancel/back", id="assist.back"),
        Binding("a", "accept", "Accept", id="assist.accept"),
        Binding("ctrl+s", "accept_edited", "Accept edited", id="assist.accept_edited"),
        Binding("e", "edit", "Edit first", id="assist.edit"),
        Binding("c", "change", "Change", id="assist.change"),
        Binding("f", "file", "File proposal", id="assist.file"),
        Binding("d", "drop", "Drop proposal", id="assist.drop"),
        Binding("r", "retry", "Retry", id="assist.retry"),
        Binding("p", "preview", "What was sent", id="assist.preview"),
        Binding("y", "copy", "Copy", id="assist.copy", show=False),
        *CURSOR_BINDINGS,
    ]

    def __init__(
        self,
        slug: str,
        task: str,
        *,
        unit: str | None = None,
        ref: str | None = None,
        reviewer: str | None = None,
        question: str | None = None,
        stage: str | None = None,
    ) -> None:
        super().__init__()
        self.slug, self.job, self.unit, self.ref = slug, task, unit, ref
        self.reviewer, self.question, self.stage = reviewer, question, stage
        self.prompt: Prompt | None = None
        self.reply: Reply | None = None
        self.streaming = False
        self.editing = False
        self.proposals: list[Proposal] = []
        self.classification: Classification | None = None
        self.current: tuple[str | None, str | None] = (None, None)  # the finding's severity and target now
        self.changed = False  # the engineer changed the proposed classification before accepting
        self.base_body: str | None = None  # the unit body the draft was asked for: accept refuses if it moved
        self._fresh = False  # a new request is under way: its first text replaces the pane's
        self._pending: list[str] = []
        self._pending_since: float | None = None  # when the oldest not-yet-shown delta arrived
        self.flush_lags: list[float] = []  # seconds from a delta's arrival to its repaint (bench/assist_bench.py)

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="as-head")
        yield Static(Text("Preparing the request…", style="dim"), id="as-status")
        yield TextArea("", id="as-text", read_only=True, soft_wrap=True, show_line_numbers=False)
        yield OptionList(id="as-proposals")
        yield Static(id="as-result")
        yield Static(id="as-usage")
        yield KeyBar()

    def _head(self) -> Text:
        text = Text.assemble((f" {TITLES[self.job]} ", "bold reverse"), " ")
        about = {
            "draft": self.unit,
            "review": self.reviewer and f"{self.reviewer} on {self.unit or 'the stage'}",
            "classify": self.ref,
            "ask": self.question,
        }[self.job]
        text.append(about or "", style="bold")
        text.append("\n" + ADVISORY[self.job], style="dim")
        return text

    def on_mount(self) -> None:
        self.query_one("#as-proposals").display = self.job == "review"
        self.query_one("#as-result").display = self.job == "classify"
        self.set_interval(FLUSH_SECONDS, self._flush)
        self._show_totals()
        self.send()

    @work(thread=True, group="totals")
    def _show_totals(self) -> None:
        totals = self.app.backend.assist_totals(self.slug)
        self.app.call_from_thread(self._opening_totals, totals)

    def _opening_totals(self, totals: dict) -> None:
        if self.reply is None:  # a finished request has shown fresher totals already
            self.query_one("#as-usage", Static).update(usage_line(totals))

    # ------------------------------------------------------------ the request

    @work(exclusive=True, group="assist")
    async def send(self) -> None:
        """Build the prompt (off the UI thread), show the preview on an intent's first request,
        stream the answer, record the request."""
        import asyncio

        from cockpit.errors import CockpitError

        self.reply, self.proposals, self.classification, self.changed = None, [], None, False
        self._fresh = True  # the previous answer stays on screen until new text arrives
        self.refresh_bindings()
        try:
            assistant = await asyncio.to_thread(self.app.assistant)
        except CockpitError as exc:  # e.g. a config file holding a key readable by others
            self._status(Text(f"✗ {exc}", style="bold red"))
            return
        reason = assistant.settings.disabled_reason()
        if reason:
            self._status(Text(f"✗ {reason}", style="bold red"))
            return
        from cockpit.app.assistant import load_sdk

        # The SDK's import takes seconds on a small box: start it now, in a thread, so it overlaps
        # building the prompt and the engineer reading the preview.
        sdk_loading = asyncio.ensure_future(load_sdk())
        try:
            self.prompt = await asyncio.to_thread(
                self.app.backend.assist_prompt,
                self.slug,
                self.job,
                unit=self.unit,
                ref=self.ref,
                reviewer=self.reviewer,
                question=self.question,
                redactor=self.app.redactor(self.slug),
            )
        except CockpitError as exc:
            self._status(Text(f"✗ {exc}", style="bold red"))
            return
        if self.job == "draft":
            position = await asyncio.to_thread(self.app.backend.position, self.slug)
            found = next((u for st in position.stages for u in st.units if u.unit.slug == self.unit), None)
            self.base_body = found.unit.body if found else None
        self.reviewer = self.prompt.reviewer or self.reviewer
        self.ref = self.prompt.ref or self.ref
        self.query_one("#as-head", Static).update(self._head())
        if not await self._previewed(self.prompt):
            self._status(Text("Not sent: nothing left the machine. r sends it after another preview.", style="yellow"))
            return
        self.streaming = True
        self.refresh_bindings()
        sent = False
        try:
            if not sdk_loading.done():
                self._status(Text("Loading the Anthropic SDK (first request only)… esc cancels", style="dim"))
                await sdk_loading
            self._status(
                Text(f"Streaming from {assistant.settings.model}… esc cancels and keeps what arrived", style="dim")
            )
            sent = True
            reply = await assistant.stream(self.prompt, self._arrived, on_cancel=self._cancelled)
        except asyncio.CancelledError:
            if not sent:
                self._status(Text("Cancelled before anything was sent. r sends it.", style="yellow"))
            raise
        finally:
            self.streaming = False
            self.refresh_bindings()
        self._flush()
        await self._finish(reply)

    async def _previewed(self, prompt: Prompt) -> bool:
        """Before an intent's first request, and before any request the second scan has doubts
        about (its suspects), show exactly what will be sent and ask."""
        import asyncio

        from .dialogs import SendPreview

        if not prompt.suspects and (
            self.slug in self.app.previewed or await asyncio.to_thread(self.app.backend.assist_sent_before, self.slug)
        ):
            return True
        send = await self.app.push_screen_wait(SendPreview(prompt))
        if send:
            self.app.previewed.add(self.slug)
        return bool(send)

    def _arrived(self, delta: str) -> None:
        if self._pending_since is None:
            self._pending_since = time.perf_counter()
        self._pending.append(delta)

    def _flush(self) -> None:
        """Show what arrived since the last repaint (deltas come far faster than frames)."""
        if not self._pending:
            return
        area = self.query_one("#as-text", TextArea)
        if self._fresh:
            self._set_text("")
            self._fresh = False
        area.insert("".join(self._pending), area.document.end, maintain_selection_offset=False)
        area.scroll_end(animate=False)
        self._pending.clear()
        if self._pending_since is not None:
            self.flush_lags.append(time.perf_counter() - self._pending_since)
            self._pending_since = None

    def _cancelled(self, reply: Reply) -> None:
        """Esc mid-stream: the socket is closed; keep what arrived and record the request."""
        self._flush()
        self.call_later(self._finish, reply)

    async def _finish(self, reply: Reply) -> None:
        import asyncio

        from cockpit.errors import CockpitError

        self.reply = reply
        self._status(reply_line(reply))
        if (self.job == "review" and reply.tool_calls) or (self.job == "classify" and reply.ok):
            position = await asyncio.to_thread(self.app.backend.position, self.slug)
            if self.job == "review":
                self._show_proposals(reply, position)
            else:
                self._show_classification(reply, position)
        notice = getattr(self.app.assistant(), "notice", None)
        if notice:
            self.notify(notice, severity="warning", timeout=10)
        try:
            assert self.prompt is not None  # a reply answers the prompt this screen sent
            totals = await asyncio.to_thread(self.app.backend.record_assist, self.prompt, reply)
        except CockpitError as exc:
            self.notify(f"Usage not recorded: {exc}", severity="warning")
            totals = None
        self.query_one("#as-usage", Static).update(usage_line(totals))
        self.refresh_bindings()

    def _status(self, text: Text) -> None:
        self.query_one("#as-status", Static).update(text)
        self.refresh_bindings()

    def _set_text(self, text: str) -> None:
        area = self.query_one("#as-text", TextArea)
        area.load_text(text)
        area.read_only = True
        self.editing = False

    # ------------------------------------------------------------ review and classify results

    def _show_proposals(self, reply: Reply, position) -> None:
        from cockpit.app.assistant import parse_proposals

        self.proposals, notes = parse_proposals(reply, position, self.stage or position.active.name)
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
        else:
            options.add_option(Option(Text("No proposals left.", style="dim"), disabled=True))

    def _show_classification(self, reply: Reply, position) -> None:
        from cockpit.app.assistant import parse_classification
        from cockpit.errors import CockpitError

        assert self.ref is not None  # the classify task is opened on a finding
        try:
            self.classification = parse_classification(reply, position, self.ref)
        except CockpitError as exc:
            self._status(Text(f"✗ {exc}", style="bold red"))
            return
        found = position.finding(self.ref)
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

    # ------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "preview":
            return True if self.prompt is not None else None
        if action not in ACTIONS:
            return True
        tasks, needs_answer = ACTIONS[action]
        if self.job not in tasks:
            return False  # not this task's key: hidden
        if (
            self.job == "draft"
            and action in ("accept", "accept_edited", "edit")
            and (action == "accept_edited") != self.editing
        ):
            return False  # while editing only ctrl+s accepts; otherwise a accepts and e edits first
        if self.streaming or (needs_answer and not self._answered()):
            return None  # shown dimmed until there is something to act on
        if action == "accept" and self.job == "draft" and self.reply is not None and not self.reply.ok:
            return None  # a cut-off draft would replace the whole body: edit it first (e), then ctrl+s
        if action in WRITES and self.app.read_only:
            return None
        return True

    def _answered(self) -> bool:
        if self.reply is None:
            return False
        if self.job == "review":
            return bool(self.proposals)
        if self.job == "classify":
            return self.classification is not None
        return bool(self.reply.text.strip())

    def action_back(self) -> None:
        if self.streaming:
            self.workers.cancel_group(self, "assist")
            return
        if self.editing:
            self.editing = False
            self.query_one("#as-text", TextArea).read_only = True
            self.refresh_bindings()
            self.notify("Your edits stay in the pane; e to go on editing, esc again to discard the draft.")
            return
        self.app.pop_screen()

    def action_retry(self) -> None:
        self.send()

    def action_preview(self) -> None:
        from .dialogs import SendPreview

        if self.prompt is not None:
            sent = self.reply is not None and self.reply.sent
            self.app.push_screen(SendPreview(self.prompt, mode="sent" if sent else "unsent"))

    def action_copy(self) -> None:
        self.app.copy_text(self.query_one("#as-text", TextArea).text)

    def action_edit(self) -> None:
        area = self.query_one("#as-text", TextArea)
        area.read_only = False
        self.editing = True
        area.focus()
        self.notify("Editing: ctrl+s accepts this text as the unit body; esc stops editing.")
        self.refresh_bindings()

    def action_cursor(self, where: str) -> None:
        if self.job == "review":
            move_cursor(self.query_one("#as-proposals", OptionList), where)

    def _provenance(self, edited: bool = False) -> dict[str, Any]:
        reply = self.reply
        assert reply is not None  # only an answer is accepted
        return {
            "task": self.job,
            "model": reply.model,
            "request_id": reply.request_id,
            **({"partial": True} if not reply.ok else {}),
            **({"edited": True} if edited else {}),
        }

    def action_accept_edited(self) -> None:
        self.action_accept(edited=True)

    def action_accept(self, edited: bool = False) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        if self.check_action("accept_edited" if edited else "accept", ()) is not True:
            if self.job == "draft" and self.reply is not None and not self.reply.ok:
                self.notify("This draft was cut off: e to edit it, then ctrl+s to accept.", severity="warning")
            return
        if self.job == "draft" and self.unit is not None and self.reply is not None:  # a draft of a unit, answered
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
        elif self.classification is not None and self.ref is not None:
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

        from .dialogs import Choice, severity_choices

        proposed = self.classification
        if proposed is None:
            return

        def chosen(severity: str | None) -> None:
            if severity:
                self.classification = replace(proposed, severity=severity)
                self.changed = True
                self._show_result("Changed")

        self.app.push_screen(Choice(f"Severity of {self.ref}", severity_choices()), chosen)

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

    def _write(self, command: Call, *, close: bool = False, failed=None) -> None:
        """Through the app's one write path; `failed` puts back what the engineer accepted."""
        self.app.write(
            self.slug,
            command,
            failed=failed,
            done=self._close if close else None,
        )

    def _close(self, *_: object) -> None:
        """After an accepted answer is written: back to the screen that asked, unless already gone."""
        if self.is_current:
            self.app.pop_screen()
