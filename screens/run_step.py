"""Running a runbook step from the screens (issue 16): the dry run first, always; then the
confirmation its tier needs; then its output streamed into the pane as it runs; Esc cancels.

The rules are cockpit.domain.steps' and the path is cockpit.app.steps' (the CLI's too): this
screen only asks. A variable nobody gave is asked here, one at a time, before anything runs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Log, Static

if TYPE_CHECKING:
    from textual.screen import Screen

    from cockpit.app.steps import Plan, Recorded
    from cockpit.domain.steps import Step

    from .app import CockpitApp


def run_a_block(screen: Screen, name: str, slug: str | None) -> None:
    """`x` wherever a runbook is shown (the runbook screen, the intent screen's runbook pane): its
    blocks, numbered as `runbooks show` numbers them and with their tier, to choose one; the chosen
    block's dry run opens in RunStep, always first. On an intent, the run joins its timeline."""
    app: CockpitApp = screen.app  # type: ignore[assignment]  # these screens only run in CockpitApp

    def read() -> None:
        from cockpit.errors import CockpitError

        try:
            steps = app.backend.step_choices(name)
        except CockpitError as exc:
            app.call_from_thread(app.write_failed, exc, title="Not run")
            return
        app.call_from_thread(offer, steps)

    def offer(steps: tuple[Step, ...]) -> None:
        from .dialogs import Choice

        if not steps:
            screen.notify(f"{name} has no code blocks.")
            return
        choices = [
            (str(s.number), f"{s.number} · {block_tier(s)} · {s.heading or 'top'}: {s.first_line()}") for s in steps
        ]

        def chosen(key: str | None) -> None:
            if key is not None:
                screen.run_worker(lambda: plan(int(key)), thread=True, exclusive=True, group="plan")

        app.push_screen(Choice(f"Run a block of {name}", choices), chosen)

    def plan(number: int) -> None:
        from dataclasses import replace

        from cockpit.app.steps import READ_ONLY
        from cockpit.errors import CockpitError

        try:
            planned = app.backend.plan_step(name, number, slug)
        except CockpitError as exc:
            app.call_from_thread(app.write_failed, exc, title="Not run")
            return
        if app.read_only:  # the screen's --read-only (the store may be open to seed): nothing runs
            planned = replace(planned, refusal=READ_ONLY)
        app.call_from_thread(app.push_screen, RunStep(planned))

    screen.run_worker(read, thread=True, exclusive=True, group="plan")


def block_tier(step: Step) -> str:
    """What the block list says of a block: its risk tier, or that it is never run (not a shell block)."""
    return step.risk if step.refusal() is None else "not run"


class RunStep(ModalScreen[None]):
    """`#dry-run` (what would run), `#answer` (a variable's value, or the target typed), `#output`."""

    if TYPE_CHECKING:
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="run_step.cancel"),
        Binding("y", "confirm", "Run", id="run_step.confirm"),
    ]

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan
        self.state = "asking"  # asking (variables) → confirming → running → done
        self.cancel_event = threading.Event()
        self.recorded: Recorded | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="run-step"):
            yield Label(Text(f"Run {self.plan.step.label}? (dry run)", style="bold"), classes="dialog-title")
            yield Static(id="dry-run")
            yield Static("", id="ask")  # wraps: a destructive step's prompt names its target
            yield Input(id="answer")
            yield Log(id="output", max_lines=5000)

    def on_mount(self) -> None:
        self.query_one("#output", Log).display = False
        self._next()

    def _show_plan(self) -> None:
        # The confirmation the tier needs is asked below (#ask): not said twice.
        lines = [line for line in self.plan.dry_run() if line != self.plan.confirmation.prompt]
        self.query_one("#dry-run", Static).update(Text("\n".join(lines)))

    def _next(self) -> None:
        """Ask for the next missing variable, else for the confirmation the tier needs."""
        self._show_plan()
        ask, answer = self.query_one("#ask", Static), self.query_one("#answer", Input)
        if self.plan.refusal:
            self.state = "done"
            ask.update(Text(f"Not run: {self.plan.refusal}", style="bold red"))
            answer.display = False
            answer.disabled = True
            return
        if self.plan.missing:
            ask.update(Text(f"${self.plan.missing[0]} = (enter to give it)"))
            answer.value = ""
            answer.focus()
            return
        self.state = "confirming"
        rule = self.plan.confirmation
        # A read step's prompt already names its keys; a write step's says "confirm": name them.
        keys = {"confirm": "  (y / enter runs, esc cancels)", "key": "  (esc cancels)"}.get(rule.kind, "")
        ask.update(Text(rule.prompt + keys))
        answer.display = rule.kind == "type"
        answer.disabled = rule.kind != "type"  # hidden and unfocusable: y and enter reach the screen
        answer.value = ""
        if rule.kind == "type":
            answer.focus()
        else:  # nothing to type: y or enter reach the screen's bindings
            self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.state == "asking" and self.plan.missing:
            if event.value.strip():
                self.plan = self.plan.given({self.plan.missing[0]: event.value.strip()})
            self._next()
        elif self.state == "confirming":
            if self.plan.confirmation.accepts(event.value):
                self._start()
            else:
                self.query_one("#ask", Static).update(
                    Text(f"Not what was asked: {self.plan.confirmation.prompt}", style="bold red")
                )

    def on_key(self, event) -> None:
        if event.key == "enter" and self.state == "confirming" and self.plan.confirmation.kind != "type":
            event.stop()
            self._start()

    def action_confirm(self) -> None:
        if self.state == "confirming" and self.plan.confirmation.kind != "type":
            self._start()

    def _start(self) -> None:
        self.state = "running"
        answer = self.query_one("#answer", Input)
        answer.display, answer.disabled = False, True
        self.query_one("#ask", Static).update(Text("running… (esc cancels and kills it)"))
        log = self.query_one("#output", Log)
        log.display = True
        self._run(self.plan)

    @work(thread=True, exclusive=True, group="run-step")
    def _run(self, plan: Plan) -> None:
        from cockpit.errors import CockpitError
        from cockpit.text.terminal import safe

        log = self.query_one("#output", Log)

        def line(text: str) -> None:  # already redacted by the runner; made inert for the terminal
            self.app.call_from_thread(log.write_line, safe(text, one_line=True))

        try:
            recorded = self.app.backend.run_planned(plan, line, self.cancel_event)
        except CockpitError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._finished, recorded)

    def _failed(self, reason: str) -> None:
        self.state = "done"
        self.query_one("#ask", Static).update(Text(f"Not run: {reason}", style="bold red"))

    def _finished(self, recorded: Recorded) -> None:
        self.state = "done"
        self.recorded = recorded
        self.query_one("#ask", Static).update(Text(f"{recorded.summary}  (esc closes)", style="bold"))
        self.app.notify(recorded.summary, timeout=4)

    def action_cancel(self) -> None:
        if self.state == "running":
            self.cancel_event.set()  # the worker kills the group and records the run as cancelled
            return
        self.dismiss(None)
