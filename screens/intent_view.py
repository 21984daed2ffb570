"""The cockpit screen of one intent: stage walk, units, hat baton, feedback, mandate, status line.

Each of those is a pane widget of screens/widgets that renders what it is given and posts typed
Messages for what the engineer does in it (moved to a unit, opened a finding, ticked an item); this
screen composes them, holds the selection and the actions that span panes, and does the writes.

Every write is a command of cockpit.domain.commands bound to its arguments (cockpit.domain.call),
run by the engine in a worker thread; the screen shows the
result only after the command has committed. A change made elsewhere (a second cockpit, the CLI)
is picked up by polling SQLite's data_version.

The core (engine, commands, walk) and the dialogs are imported where first used: the screen's
first frame is drawn before they load (see bench/tui_bench.py).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList

from cockpit.errors import CockpitError

from . import render
from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_cursor
from .widgets.baton import BatonPane
from .widgets.feedback import FeedbackPane
from .widgets.header import IntentHeader
from .widgets.mandate import MandatePane
from .widgets.stage_walk import StageWalk
from .widgets.status_line import StatusLine
from .widgets.units import UnitsPane

if TYPE_CHECKING:
    from cockpit.domain.call import Call
    from cockpit.domain.walk import FindingState, Position, UnitState

    from .app import CockpitApp

WRITE_ACTIONS = frozenset(
    {
        "note",
        "advance",
        "reject",
        "edit_body",
        "edit_external",
        "add_unit",
        "declare_ready",
        "signoff",
        "file_finding",
        "finding_menu",
        "approve",
        "request_changes",
        "tick",
    }
)


class IntentView(Screen):
    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="intent.back"),
        Binding("a", "advance", "Advance hat", id="intent.advance"),
        Binding("r", "reject", "Reject hat", id="intent.reject"),
        Binding("s", "signoff", "Sign off", id="intent.signoff"),
        Binding("f", "file_finding", "File finding", id="intent.file_finding"),
        Binding("i", "assist", "Assist", id="intent.assist"),
        Binding("c", "checks", "Checks", id="intent.checks"),
        Binding("o", "stages", "Earlier stages", id="intent.stages"),
        Binding("enter", "finding_menu", "Finding…", id="intent.finding_menu", show=False),
        Binding("A", "approve", "Approve gate", id="intent.approve"),
        Binding("X", "request_changes", "Request changes", id="intent.request_changes"),
        Binding("slash", "filter", "Filter", id="intent.filter"),
        Binding("e", "edit_body", "Edit unit", id="intent.edit_body"),
        Binding("E", "edit_external", "Edit in $EDITOR", id="intent.edit_external", show=False),
        Binding("u", "add_unit", "Add unit", id="intent.add_unit", show=False),
        Binding("d", "declare_ready", "Units ready", id="intent.declare_ready", show=False),
        Binding("m", "toggle_pane", "Mandate/runbooks", id="intent.toggle_pane", show=False),
        Binding("b", "runbooks", "Runbooks", id="intent.runbooks"),
        Binding("x", "run_block", "Run block", id="intent.run_block", show=False),
        Binding("w", "ai('draft')", "AI draft for the hat", id="intent.ai_draft", show=False),
        Binding("R", "ai('review')", "AI review", id="intent.ai_review", show=False),
        Binding("C", "ai('classify')", "AI classify finding", id="intent.ai_classify", show=False),
        Binding("Q", "ai('ask')", "Ask AI", id="intent.ai_ask", show=False),
        Binding("t", "timeline", "Timeline", id="intent.timeline", show=False),
        Binding("N", "note", "Note", id="intent.note", show=False),
        Binding("y", "copy", "Copy", id="intent.copy", show=False),
        Binding("space", "tick", "Tick item", id="intent.tick", show=False),
        Binding("n", "next", "Next action", id="intent.next"),
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.position: Position | None = None
        self.runbooks: list = []  # RelevantRunbook rows for the runbook pane
        self.selected_unit: str | None = None
        self.selected_finding: str | None = None
        self._version: int | None = None
        self._digest_looked = False  # "since you left" is said once, when the intent first shows
        self.header = IntentHeader(slug, id="header")
        self.walk = StageWalk(id="walk")
        self.units = UnitsPane()
        self.feedback = FeedbackPane()
        self.baton = BatonPane(id="baton")
        self.detail = MandatePane(id="detail")
        self.status = StatusLine(id="status")

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.walk
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield self.units
                yield self.feedback
            with Vertical(id="right"):
                yield self.baton
                yield self.detail
        yield self.status
        yield KeyBar()

    def on_mount(self) -> None:
        self.call_after_refresh(self.load)  # after the first frame (see CockpitApp.on_mount)
        self.set_interval(self.app.poll_seconds, self.poll)

    def on_descendant_focus(self) -> None:
        self._mark_focus()

    def on_descendant_blur(self) -> None:
        self._mark_focus()

    def _mark_focus(self) -> None:
        """The pane holding the keys gets `has-keys` (its title in reverse, with or without colour).
        A class, not :focus-within: Textual restyles the focused widget's ancestors, not their titles."""
        focused = self.focused
        for pane in (self.units, self.feedback, self.detail):
            pane.set_class(focused is not None and (focused is pane or pane in focused.ancestors), "has-keys")
        self._show_right()

    def on_screen_resume(self) -> None:
        """Back from a screen on top (checks, assist, runbooks) that may have written: reload now,
        not at the next poll."""
        if self.position is not None:
            self.load()

    # ------------------------------------------------------------ data

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        try:
            position = self.app.backend.position(self.slug)
            version = self.app.backend.data_version()
            runbooks = self.app.backend.relevant_runbooks(self.slug)
        except CockpitError as exc:
            self.app.call_from_thread(self.app.write_failed, exc, title="Not loaded")
            return
        self.app.call_from_thread(self.show, position, version, runbooks)

    @work(thread=True, exclusive=True, group="poll")
    def poll(self) -> None:
        version = self.app.backend.data_version()
        if self._version is not None and version != self._version:
            self.load()

    def run_command(self, command: Call, after: Callable[[], None] | None = None) -> None:
        """Run `command` (a command bound to its arguments: cockpit.domain.call.call), then show
        the position it left."""

        def written(done: Any, position: Position, version: int) -> None:
            self.show(position, version)
            if after is not None:
                after()

        self.app.write(self.slug, command, done=written)

    def ask(self, dialog: Any, command: Callable[[Any], Call | None]) -> None:
        """Open `dialog` and write its answer as the command `command(answer)` returns; the dialog
        keeps what was typed until the write has committed (CockpitApp.ask)."""
        self.app.ask(dialog, self.slug, command, done=lambda done, position, version: self.show(position, version))

    # ------------------------------------------------------------ rendering

    def show(self, position: Position, version: int | None = None, runbooks: list | None = None) -> None:
        """Hand each pane its part of `position`; the lists update in place, keeping the selection."""
        self.position = position
        if runbooks is not None:
            self.runbooks = runbooks
        if version is not None:
            self._version = version
        self.header.show(position)
        self.walk.show(position)
        self.status.show(position)
        self.sub_title = position.facts.intent.title
        stage = self.stage
        states = list(stage.units) if stage else []
        slugs = [u.unit.slug for u in states]
        wanted = self.selected_unit if self.selected_unit in slugs else self._default_unit(states)
        self.selected_unit = self.units.show(states, wanted)
        self.selected_finding = self.feedback.show(position.open_findings, self.selected_finding)
        self._show_unit()
        if stage is not None:
            self.detail.show_outputs(stage, self.runbooks)
        self._show_right()
        if not self._digest_looked:
            self._digest_looked = True
            self.since_you_left()

    @work(thread=True, exclusive=True, group="digest")
    def since_you_left(self) -> None:
        """What others did here since this engineer's last action, said once on opening the intent."""
        try:
            digest = self.app.backend.since_you_left(self.slug)
        except CockpitError:
            return  # the digest is a courtesy: a failed read is said by the screen's own load
        if digest is not None:
            self.app.call_from_thread(self.notify, digest.line(), title="Since you left", timeout=15)

    @property
    def stage(self):
        pos = self.position
        if pos is None:
            return None
        return pos.active or pos.stages[-1]

    def _default_unit(self, states: list[UnitState]) -> str | None:
        if not states:
            return None
        nxt = self.position.next.unit if self.position else None
        slugs = [u.unit.slug for u in states]
        if nxt in slugs:
            return nxt
        active = [u.unit.slug for u in states if u.status in ("active", "ready", "escalated")]
        return (active or slugs)[0]

    def visible_findings(self) -> list[FindingState]:
        """The open findings the feedback filter lets through."""
        return self.feedback.visible_findings()

    def current_unit(self) -> UnitState | None:
        stage = self.stage
        return stage.unit(self.selected_unit) if stage and self.selected_unit else None

    def current_finding(self) -> FindingState | None:
        if self.position is None or self.selected_finding is None:
            return None
        return self.position.finding(self.selected_finding)

    def _show_unit(self) -> None:
        """The baton and the mandate of the selected unit."""
        stage, unit = self.stage, self.current_unit()
        self.baton.show(stage, unit)
        self.detail.show_hat(stage, unit)

    # ------------------------------------------------------------ what the panes report

    @on(UnitsPane.Selected)
    def _unit_selected(self, event: UnitsPane.Selected) -> None:
        if event.unit != self.selected_unit:
            self.selected_unit = event.unit
            self._show_unit()

    @on(FeedbackPane.Selected)
    def _finding_selected(self, event: FeedbackPane.Selected) -> None:
        self.selected_finding = event.ref
        self._show_right()

    @on(FeedbackPane.Opened)
    def _finding_opened(self, event: FeedbackPane.Opened) -> None:
        """Enter on a finding: the finding on its own screen, its actions one Enter further."""
        from .finding import FindingScreen

        ref = self.selected_finding
        if ref is not None:
            self.app.push_screen(FindingScreen(self.slug, ref, lambda: self._finding_menu_of(ref)))

    def _finding_menu_of(self, ref: str) -> None:
        """The finding menu of `ref` (asked from its own screen, whatever the list did since)."""
        self.selected_finding = ref
        self.action_finding_menu()

    # ------------------------------------------------------------ the finding beside the list

    WIDE = 140  # columns from which the finding under the cursor is shown beside the list

    def on_resize(self) -> None:
        self._show_right()

    def _show_right(self) -> None:
        """While the feedback list holds the keys on a wide window, the right column shows the
        finding under its cursor in place of the unit's baton and mandate."""
        wanted = (
            self.size.width >= self.WIDE and self.feedback.has_class("has-keys") and self.selected_finding is not None
        )
        preview = self.query("#finding-preview")
        if not wanted and not preview:
            return  # never needed yet: not mounted (the first frame does not pay for it)
        if wanted and not preview:
            from .finding import FindingView

            self.query_one("#right").mount(FindingView(id="finding-preview"))
        self.baton.display = self.detail.display = not wanted
        self.query_one("#finding-preview").display = wanted
        if wanted and self.selected_finding is not None:
            self.load_finding(self.selected_finding)

    @work(thread=True, exclusive=True, group="finding")
    def load_finding(self, ref: str) -> None:
        try:
            detail = self.app.backend.finding_detail(self.slug, ref)
        except CockpitError:
            return  # closed and gone meanwhile: the next move shows another
        self.app.call_from_thread(self._show_finding, detail)

    def _show_finding(self, detail: Any) -> None:
        from .finding import FindingView

        if detail.ref == self.selected_finding and (preview := self.query("#finding-preview")):
            preview.first(FindingView).show(detail, self.app.backend.now())

    @on(MandatePane.Ticked)
    def _ticked(self, event: MandatePane.Ticked) -> None:
        unit = self.current_unit()
        if unit is None or not self.app.writable():
            self._show_unit()  # the tick on screen is undone: nothing was written
            return
        from cockpit.domain import commands
        from cockpit.domain.call import call

        self.run_command(call(commands.tick, unit=unit.unit.slug, item=event.item, ticked=event.ticked))

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.app.read_only:
            return None  # shown dimmed in the key bar, refused if invoked
        return True

    def _guard(self) -> Position | None:
        """The position to write against, when writes are allowed and the intent is loaded."""
        return self.position if self.app.writable() else None

    def _need_unit(self) -> UnitState | None:
        unit = self.current_unit()
        if unit is None:
            self.notify("Select a unit first (tab to the units list).", severity="warning")
        return unit

    # What `n` does for each kind of next action (walk.NextAction.kind): select what it names, then
    # open the same dialog its own key opens. Kinds not listed are said, not acted on.
    NEXT_ACTIONS = {
        "decide_finding": "finding_menu",
        "classify": "finding_menu",
        "fix": "finding_menu",
        "add_units": "add_unit",
        "declare_ready": "declare_ready",
        "signoff": "signoff",
        "advance_hat": "advance",
        "tick_criteria": "edit_body",  # the unit's body holds its - [ ] completion criteria
        "approve": "approve",
    }

    def action_next(self) -> None:
        """Start the next action the status line names: the unit or finding it names is selected
        first, so the dialog that opens is about the right one."""
        position = self.position
        if position is None:
            return
        step = position.next
        action = self.NEXT_ACTIONS.get(step.kind)
        if step.kind == "fix" and step.feedback is None:  # an auto gate held by findings: nothing to open
            action = None
        if action is None:
            self.notify(step.text or "Nothing to do.", title="Next")
            return
        if step.unit is not None:
            self.selected_unit = step.unit
        if step.feedback is not None:
            self.selected_finding = step.feedback
        self.show(position)
        if step.feedback is not None and self.selected_finding != step.feedback:
            self.notify(f"{step.feedback} is hidden by the feedback filter (/ changes it).", severity="warning")
            return
        if not self.check_action(action, ()):
            self.notify(f"{step.text} (read-only: nothing can be written)", title="Next", severity="warning")
            return
        getattr(self, f"action_{action}")()

    def action_tick(self) -> None:
        """Tick the checklist item under its cursor, whichever pane has focus (the cursor shows it)."""
        if not self.detail.display:  # a finding is shown in its place: a tick now would be blind
            self.notify("The checklist is hidden while a finding is shown: Tab to the units first.", severity="warning")
            return
        self.detail.tick()

    def action_back(self) -> None:
        if self.feedback.close_filter():
            return
        self.app.back_to_list()

    def action_cursor(self, where: str) -> None:
        focused = self.focused
        if not isinstance(focused, OptionList):  # a SelectionList is one too
            focused = self.units.options
            focused.focus()
        move_cursor(focused, where)

    def action_advance(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call
        from cockpit.domain.walk import next_hat

        from .dialogs import TextPrompt

        if not self._guard() or (unit := self._need_unit()) is None:
            return
        slug = unit.unit.slug
        if unit.status == "ready":
            self.run_command(call(commands.advance_hat, unit=slug))
            return
        if self.app.refused(self.position, call(commands.advance_hat, unit=slug)):
            return  # waiting, escalated, not in execute…: said now, before a message is typed
        nxt = next_hat(self.stage.stage.hats, unit.hat) or "done"
        self.ask(
            TextPrompt(
                f"Hand {slug} from {unit.hat} to {nxt}", "Hand-off message for the next hat (optional):", required=False
            ),
            lambda message: call(commands.advance_hat, unit=slug, message=message or None),
        )

    def action_reject(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import UNTYPED, TextPrompt

        if not self._guard() or (unit := self._need_unit()) is None:
            return
        slug = unit.unit.slug
        if self.app.refused(self.position, call(commands.reject_hat, unit=slug, message=UNTYPED)):
            return
        self.ask(
            TextPrompt(f"Send {slug} back from {unit.hat}", "Why? (recorded; starts a new bolt)"),
            lambda reason: call(commands.reject_hat, unit=slug, message=reason),
        )

    def action_signoff(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import Choice

        if not self._guard() or (unit := self._need_unit()) is None:
            return
        stage = self.stage
        roles = [role for u, role in stage.missing_signoffs if u == unit.unit.slug]
        if not roles:
            self.notify(f"No review waits on {unit.unit.slug} ({stage.name} is in {stage.phase}).", severity="warning")
            return
        slug = unit.unit.slug
        self.app.push_screen(
            Choice(f"Sign off {slug} as…", [(r, r) for r in roles]),
            lambda role: self.run_command(call(commands.signoff, unit=slug, role=role)) if role else None,
        )

    def action_add_unit(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import UNTYPED, TextPrompt

        if not self._guard() or self.app.refused(self.position, call(commands.add_unit, title=UNTYPED)):
            return
        self.ask(
            TextPrompt(f"Add a unit to {self.stage.name}", "Title:"), lambda title: call(commands.add_unit, title=title)
        )

    def action_declare_ready(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        if self._guard():
            self.run_command(call(commands.declare_ready))

    def action_file_finding(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import UNTYPED, FeedbackForm

        if not self._guard():
            return
        units = [u.unit.slug for u in self.stage.units]
        stage = self.stage.name
        if self.app.refused(self.position, call(commands.file_feedback, stage=stage, title=UNTYPED)):
            return
        self.ask(
            FeedbackForm(units, self.selected_unit),
            lambda form: call(
                commands.file_feedback,
                stage=stage,
                title=form["title"],
                body=form["body"],
                severity=form["severity"],
                unit=form["unit"],
            ),
        )

    def action_finding_menu(self) -> None:
        from .dialogs import Choice

        if not self._guard():
            return
        finding = self.current_finding()
        if finding is None:
            self.notify("No finding selected.", severity="warning")
            return
        ref = finding.feedback.ref
        choices = [("classify", "Classify: set severity")]
        if finding.hat and finding.status != "escalated":
            choices += [("advance", f"Hand on from {finding.hat}"), ("send_back", f"Send back from {finding.hat}")]
        if finding.status == "escalated":
            choices.append(("resume", "Resume the fix loop"))
        choices += [
            ("close", "Close as fixed (reply)"),
            ("non_actionable", "Close as non-actionable"),
            ("reject", "Reject as invalid"),
            ("copy", "Copy to clipboard"),
        ]

        def chosen(key: str | None) -> None:
            if key:
                self._finding_action(finding, key)

        # The cursor starts on the finding's own next step, so Enter by reflex moves the loop on
        # (it started on Classify, and re-classified instead).
        if finding.feedback.severity is None:
            start = "classify"
        elif finding.status == "escalated":
            start = "resume"
        else:
            start = "advance" if finding.hat else "close"
        self.app.push_screen(Choice(f"{ref}: {finding.feedback.title}", choices, start=start), chosen)

    def _finding_action(self, finding: FindingState, key: str) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import UNTYPED, Choice, TextPrompt, severity_choices

        ref = finding.feedback.ref
        prompts: dict[str, tuple[str, str, Callable[[str], Call]]] = {
            "advance": (
                f"Hand {ref} on from {finding.hat}",
                "Message for the next fix hat (on the last hat: the closure reply):",
                lambda text: call(commands.advance_fix, ref=ref, message=text or None),
            ),
            "send_back": (
                f"Send {ref} back from {finding.hat}",
                "What is still open?",
                lambda text: call(commands.reject_fix, ref=ref, reason=text),
            ),
            "resume": (
                f"Resume {ref}",
                "Why continue the fix loop?",
                lambda text: call(commands.resume, ref=ref, reason=text),
            ),
        }
        closures = {
            "close": ("closed", "Reply: what was done"),
            "non_actionable": ("non_actionable", "Why no fix applies"),
            "reject": ("rejected", "Why the finding is invalid"),
        }
        if key == "copy":
            self.app.copy_text(
                f"{ref} [{finding.feedback.severity or 'unset'}] {finding.feedback.title}\n{finding.feedback.body}"
            )
        elif key == "classify":
            self.app.push_screen(
                Choice(f"Severity of {ref}", severity_choices(), start=finding.feedback.severity),
                lambda s: self.run_command(call(commands.classify, ref=ref, severity=s)) if s else None,
            )
        elif key in prompts:
            title, hint, command = prompts[key]
            if not self.app.refused(self.position, command(UNTYPED)):  # e.g. send back from the first fix hat
                self.ask(TextPrompt(title, hint, required=key != "advance"), command)
        elif key in closures:
            resolution, hint = closures[key]
            if self.app.refused(
                self.position, call(commands.close_finding, ref=ref, resolution=resolution, text=UNTYPED)
            ):
                return
            self.ask(
                TextPrompt(f"{ref}: {resolution.replace('_', '-')}", hint),
                lambda text: call(commands.close_finding, ref=ref, resolution=resolution, text=text),
            )

    def action_approve(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import UNTYPED, ConfirmGate, TextPrompt

        position = self._guard()
        if position is None:
            return
        stage = self.stage
        external = "ask" not in stage.gate.kinds
        # Not at the gate, an auto gate…: the approve command's own refusal, before a reason is typed.
        if self.app.refused(
            position, call(commands.approve, override=UNTYPED, external_url=UNTYPED if external else None)
        ):
            return
        open_lines = [render.finding_prompt(f) for f in position.open_findings]
        blocking = [f.feedback.ref for f in stage.gate.blockers]

        confirm = ConfirmGate(stage.name, "/".join(stage.gate.kinds), open_lines, blocking)
        if not external:  # the override reason typed here is kept if the write fails
            self.ask(confirm, lambda answer: call(commands.approve, override=answer["override"]))
            return

        def ask_url(answer: dict | None) -> None:
            if answer is not None:
                self.ask(
                    TextPrompt("External decision", "URL of the approving review (PR, ticket):"),
                    lambda url: call(commands.approve, override=answer["override"], external_url=url),
                )

        self.app.push_screen(confirm, ask_url)

    def action_request_changes(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import UNTYPED, FeedbackForm

        if not self._guard():
            return
        units = [u.unit.slug for u in self.stage.units]
        if self.app.refused(self.position, call(commands.request_changes, title=UNTYPED)):
            return  # requested at an open gate only
        self.ask(
            FeedbackForm(units, None, title=f"Request changes on {self.stage.name}"),
            lambda form: call(
                commands.request_changes,
                title=form["title"],
                body=form["body"],
                unit=form["unit"],
                severity=form["severity"],  # the severity picked is the one filed (it was dropped)
            ),
        )

    async def action_filter(self) -> None:
        await self.feedback.open_filter()

    def action_edit_body(self) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import BodyEditor

        if not self._guard() or (unit := self._need_unit()) is None:
            return
        slug, was = unit.unit.slug, unit.unit.body
        self.ask(
            BodyEditor(slug, was),
            lambda body: None if body == was else call(commands.edit_unit, unit=slug, body=body, was=was),
        )

    def action_edit_external(self) -> None:
        if not self._guard() or (unit := self._need_unit()) is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify("Set $EDITOR to edit outside the app; e edits in place.", severity="warning")
            return
        with tempfile.NamedTemporaryFile("w+", suffix=".md", delete=False, encoding="utf-8") as handle:
            handle.write(unit.unit.body)
            path = handle.name
        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), path], check=False)
            with open(path, encoding="utf-8") as edited:
                body = edited.read()
        except (SuspendNotSupported, OSError) as exc:
            self.notify(f"Could not run $EDITOR ({editor}): {exc}; e edits in place.", severity="error")
            return
        finally:
            os.unlink(path)
        if body == unit.unit.body:
            return
        slug, was = unit.unit.slug, unit.unit.body
        from cockpit.domain import commands
        from cockpit.domain.call import call

        from .dialogs import BodyEditor

        def keep() -> None:  # not written (busy, disk full…): the edited text opens in place, to save again
            self.ask(
                BodyEditor(slug, body),
                lambda text: None if text == was else call(commands.edit_unit, unit=slug, body=text, was=was),
            )

        self.app.write(
            self.slug,
            call(commands.edit_unit, unit=slug, body=body, was=was),
            done=lambda done, position, version: self.show(position, version),
            failed=keep,
        )

    def action_toggle_pane(self) -> None:
        self.detail.toggle()

    def action_runbooks(self) -> None:
        from .runbooks import RunbookScreen

        self.app.push_screen(RunbookScreen(self.slug))

    def action_run_block(self) -> None:
        """`x`: run a code block of a runbook the runbook pane (m) lists: the runbook first when it
        lists several, then its blocks and the dry run, as `x` on the runbook screen."""
        from .run_step import run_a_block

        runbooks = list(self.runbooks)
        if not runbooks:
            self.notify("No runbook is linked from or matches this intent: b opens the library.", severity="warning")
            return
        if len(runbooks) == 1:
            run_a_block(self, runbooks[0].name, self.slug)
            return
        from .dialogs import Choice

        def chosen(name: str | None) -> None:
            if name is not None:
                run_a_block(self, name, self.slug)

        choices = [(r.name, f"{'★ ' if r.starred else ''}{r.title} ({r.name})") for r in runbooks]
        self.app.push_screen(Choice("Run a block of which runbook", choices), chosen)

    def action_assist(self) -> None:
        """The assist menu: what the model can be asked about the intent in hand."""
        from .dialogs import Choice

        if self.position is None:
            return
        unit, finding = self.current_unit(), self.current_finding()
        hat = (
            f"the {unit.hat} hat on {unit.unit.slug}"
            if unit and unit.hat
            else (unit.unit.slug if unit else "select a unit first")
        )
        choices = [
            ("draft", f"w  Draft for {hat}"),
            ("review", "R  Review with a stage review agent"),
            ("classify", f"C  Classify {finding.feedback.ref if finding else '(select a finding first)'}"),
            ("ask", "Q  Ask a question about this incident"),
        ]
        self.app.push_screen(
            Choice(
                "Assist (the model proposes; you decide)",
                choices,
                hotkeys={"w": "draft", "R": "review", "C": "classify", "Q": "ask"},
            ),
            self._ai_chosen,
        )

    def _ai_chosen(self, task: str | None) -> None:
        if task is not None:
            self.action_ai(task)

    def action_ai(self, task: str) -> None:
        from .assist import AskScreen, ClassifyScreen, DraftScreen

        if self.position is None:
            return
        unit = self.current_unit()
        if task == "draft":
            if (unit := self._need_unit()) is not None:
                self.app.push_screen(DraftScreen(self.slug, unit.unit.slug))
        elif task == "classify":
            finding = self.current_finding()
            if finding is None:
                self.notify("Select a finding first (tab to the feedback list).", severity="warning")
                return
            self.app.push_screen(ClassifyScreen(self.slug, finding.feedback.ref))
        elif task == "review":
            self._pick_reviewer(unit.unit.slug if unit else None)
        else:
            from .dialogs import TextPrompt

            slug = unit.unit.slug if unit else None
            self.app.push_screen(
                TextPrompt(
                    "Ask about this incident",
                    "The answer keeps facts (with their source) apart from hypotheses.",
                    keys="enter: ask (a preview comes first on the first request) · esc: cancel",
                ),
                lambda q: q and self.app.push_screen(AskScreen(self.slug, q, unit=slug)),
            )

    def _pick_reviewer(self, unit: str | None) -> None:
        from .assist import ReviewScreen
        from .dialogs import Choice

        position = self.position
        if position is None:  # not loaded yet: nothing to review
            return
        active = position.active
        if active is None:
            self.notify("Every stage has passed its gate: nothing left to review.", severity="warning")
            return
        agents = [*active.stage.reviewers, *position.studio.reviewers]
        if not agents:
            self.notify(f"The {active.name} stage has no review agents.", severity="warning")
            return

        def chosen(name: str | None) -> None:
            if name:
                self.app.push_screen(ReviewScreen(self.slug, name, stage=active.name, unit=unit))

        if len(agents) == 1:
            chosen(agents[0].name)
        else:
            self.app.push_screen(
                Choice(f"Review {unit or active.name} with", [(a.name, f"{a.name}: {a.title}") for a in agents]), chosen
            )

    def action_checks(self) -> None:
        from .checks import ChecksScreen

        self.app.push_screen(ChecksScreen(self.slug))

    def action_stages(self) -> None:
        from .stages import StagesScreen

        self.app.push_screen(StagesScreen(self.slug))

    def action_timeline(self) -> None:
        from .timeline import TimelineView

        self.app.push_screen(TimelineView(self.slug))

    def action_note(self) -> None:
        """A free note in the timeline ("02:14 paged the database on-call"), redacted by the command."""
        if self._guard() is None:
            return
        from cockpit.domain.call import call
        from cockpit.domain.commands.record import add_note

        from .dialogs import TextPrompt

        self.ask(
            TextPrompt(
                "Note for the timeline",
                "What happened, as you would say it on the bridge; start with a time (02:14, UTC) to date it.",
            ),
            lambda text: call(add_note, text=text),
        )

    def action_copy(self) -> None:
        focused = self.focused
        if focused is self.feedback.options and (finding := self.current_finding()) is not None:
            self.app.copy_text(f"{finding.feedback.ref} {finding.feedback.title}\n{finding.feedback.body}")
        elif (unit := self.current_unit()) is not None:
            self.app.copy_text(unit.unit.body or unit.unit.title)
