"""What every assist pane shares: the request (built off the UI thread, previewed on an intent's
first request), the streamed answer, the usage line, cancel, retry and "what was sent".

A task (screens/assist/draft.py, review.py, classify.py, ask.py) is a subclass: it says what it is
about, which of the task's keys it binds, what it shows once answered and what accepting writes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static, TextArea

from .. import render
from ..keybar import KeyBar

if TYPE_CHECKING:
    from cockpit.app.assistant import Prompt, Reply
    from cockpit.domain.call import Call
    from cockpit.domain.walk import Position

    from ..app import CockpitApp

FLUSH_SECONDS = 1 / 30  # the pane repaints streamed text at most this often: one repaint covers many deltas

# The keys every task has. A task's BINDINGS list its own keys between BACK and these, in the order
# the key bar shows them (Textual puts a base class's bindings first).
BACK = Binding("escape", "back", "Cancel/back", id="assist.back")
RETRY = Binding("r", "retry", "Retry", id="assist.retry")
PREVIEW = Binding("p", "preview", "What was sent", id="assist.preview")
COPY = Binding("y", "copy", "Copy", id="assist.copy", show=False)


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
        return Text(f"✗ {message}{kept}{hint}", style=render.alarm())
    if reply.stop_reason == "max_tokens":
        return Text(
            f"! truncated at the token limit after {reply.latency_ms / 1000:.1f}s · {cost}{rid}", style="yellow"
        )
    return Text(f"✓ done in {reply.latency_ms / 1000:.1f}s · {cost}{rid}", style="green")


class AssistScreen(Screen):
    """One request to the model about the intent in hand, streamed; a subclass per task.

    | Class attribute | What the task sets |
    |---|---|
    | `TASK` | the task's name, as the prompt builder and the provenance know it |
    | `TITLE` | the head's label |
    | `ADVISORY` | the head's second line: what the model's answer can and cannot change |
    | `ACTIONS` | the task's keys that act on the answer: action → whether it needs a finished answer |
    """

    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    TASK: ClassVar[str]
    TITLE: ClassVar[str]
    ADVISORY: ClassVar[str]
    ACTIONS: ClassVar[dict[str, bool]] = {"retry": False}
    WRITES: ClassVar[frozenset[str]] = frozenset()  # the actions that write: dimmed in read-only mode
    BINDINGS: ClassVar[list[BindingType]] = [BACK]

    def __init__(self, slug: str, *, unit: str | None = None) -> None:
        super().__init__()
        self.slug, self.unit = slug, unit
        self.prompt: Prompt | None = None
        self.reply: Reply | None = None
        self.streaming = False
        self._fresh = False  # a new request is under way: its first text replaces the pane's
        self._pending: list[str] = []
        self._pending_since: float | None = None  # when the oldest not-yet-shown delta arrived
        self.flush_lags: list[float] = []  # seconds from a delta's arrival to its repaint (bench/assist_pane_bench.py)

    # ------------------------------------------------------------ what a task says

    def about(self) -> str | None:
        """What the request is about, in the head after the title."""
        return self.unit

    def asked(self) -> dict[str, str | None]:
        """The task's arguments to the prompt builder (cockpit.app.backend.Backend.assist_prompt)."""
        return {"unit": self.unit}

    def compose_answer(self) -> ComposeResult:
        """Widgets the task shows under the streamed text (proposals, a classification)."""
        yield from ()

    def reset(self) -> None:
        """Forget the previous answer's results: a new request is under way."""

    async def prepared(self, prompt: Prompt) -> None:
        """The prompt is built (off the UI thread), before the preview: read what accepting needs."""

    async def answered(self, reply: Reply) -> None:
        """The answer is complete (or cut off): show what the task makes of it."""

    def has_answer(self) -> bool:
        """Whether there is something for the task's keys to act on."""
        return self.reply is not None and bool(self.reply.text.strip())

    # ------------------------------------------------------------ the pane

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="as-head")
        yield Static(Text("Preparing the request…", style="dim"), id="as-status")
        yield TextArea("", id="as-text", read_only=True, soft_wrap=True, show_line_numbers=False)
        yield from self.compose_answer()
        yield Static(id="as-usage")
        yield KeyBar()

    def _head(self) -> Text:
        text = Text.assemble((f" {self.TITLE} ", "bold reverse"), " ")
        text.append(self.about() or "", style="bold")
        text.append("\n" + self.ADVISORY, style="dim")
        return text

    def on_mount(self) -> None:
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

        self.reply = None
        self.reset()
        self._fresh = True  # the previous answer stays on screen until new text arrives
        self.refresh_bindings()
        try:
            assistant = await asyncio.to_thread(self.app.assistant)
        except CockpitError as exc:  # e.g. a config file holding a key readable by others
            self._status(Text(f"✗ {exc}", style=render.alarm()))
            return
        reason = assistant.settings.disabled_reason()
        if reason:
            self._status(Text(f"✗ {reason}", style=render.alarm()))
            return
        from cockpit.app.assistant import load_sdk

        # The SDK's import takes seconds on a small box: start it now, in a thread, so it overlaps
        # building the prompt and the engineer reading the preview.
        sdk_loading = asyncio.ensure_future(load_sdk())
        try:
            self.prompt = await asyncio.to_thread(
                self.app.backend.assist_prompt,
                self.slug,
                self.TASK,
                redactor=self.app.redactor(self.slug),
                **self.asked(),
            )
        except CockpitError as exc:
            self._status(Text(f"✗ {exc}", style=render.alarm()))
            return
        await self.prepared(self.prompt)
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

        from ..dialogs import SendPreview

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
        await self.answered(reply)
        notice = getattr(self.app.assistant(), "notice", None)
        if notice:
            self.notify(notice, severity="warning", timeout=10)
        try:
            assert self.prompt is not None  # a reply answers the prompt this screen sent
            totals = await asyncio.to_thread(self.app.backend.record_assist, self.prompt, reply)
        except CockpitError as exc:  # the answer stays on screen; only its ledger row is missing
            self.app.write_failed(exc, title="Usage not recorded")
            totals = None
        self.query_one("#as-usage", Static).update(usage_line(totals))
        self.refresh_bindings()

    async def _position(self) -> Position:
        """The intent as it is now, read off the UI thread."""
        import asyncio

        return await asyncio.to_thread(self.app.backend.position, self.slug)

    def _status(self, text: Text) -> None:
        self.query_one("#as-status", Static).update(text)
        self.refresh_bindings()

    def _set_text(self, text: str) -> None:
        area = self.query_one("#as-text", TextArea)
        area.load_text(text)
        area.read_only = True

    # ------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "preview":
            return True if self.prompt is not None else None
        if not hasattr(self, f"action_{action}"):
            return False  # another task's key (accept on an answer to a question): this task has none
        if action not in self.ACTIONS:
            return True
        if self.streaming or (self.ACTIONS[action] and not self.has_answer()):
            return None  # shown dimmed until there is something to act on
        if action in self.WRITES and self.app.read_only:
            return None
        return True

    def why_disabled(self, action: str) -> str | None:
        """Why a task's key does nothing now, said when it is pressed (CockpitApp.on_key); None
        leaves it to the app (read-only mode)."""
        if action not in self.ACTIONS or (action in self.WRITES and self.app.read_only):
            return None
        if self.streaming:
            return "The answer is still arriving: wait for it, or esc to cancel and keep what came."
        reply = self.reply
        if reply is None:
            return "No answer yet: the request has not been sent (r sends it)."
        if reply.cancelled:
            return "The request was cancelled: there is no whole answer to act on. r sends it again."
        if reply.error is not None:
            return "The request failed: there is no answer to act on. r retries."
        return self.nothing_to_act_on()

    def nothing_to_act_on(self) -> str | None:
        """A finished answer that gives the task's keys nothing to act on, in the task's words."""
        return "The answer gives nothing to act on. r asks again."

    def action_back(self) -> None:
        if self.streaming:
            self.workers.cancel_group(self, "assist")
            return
        self.app.pop_screen()

    def action_retry(self) -> None:
        self.send()

    def action_preview(self) -> None:
        from ..dialogs import SendPreview

        if self.prompt is not None:
            sent = self.reply is not None and self.reply.sent
            self.app.push_screen(SendPreview(self.prompt, mode="sent" if sent else "unsent"))

    def action_cursor(self, where: str) -> None:
        """j/k/g/G: nothing to move in a pane of text (a task with a list moves its cursor)."""

    def _provenance(self, edited: bool = False) -> dict[str, Any]:
        reply = self.reply
        assert reply is not None  # only an answer is accepted
        return {
            "task": self.TASK,
            "model": reply.model,
            "request_id": reply.request_id,
            **({"partial": True} if not reply.ok else {}),
            **({"edited": True} if edited else {}),
        }

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
