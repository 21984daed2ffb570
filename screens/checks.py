"""The engine's quality checks on an intent: pass / fail / skip per unit, the failing line shown
highlighted in the unit's body.

The results are computed afresh (in a worker) each time the screen shows, from the same code the
verifier's advance runs, so what is seen here is what will hold the gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from .document import DocumentView, render_source
from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_in
from .render import SEVERITY_STYLE, alarm
from .widgets.header import IntentHeader

if TYPE_CHECKING:
    from cockpit.checks.base import Result
    from cockpit.domain.check_runs import UnitReport

    from .app import CockpitApp

STATUS_MARK = {"fail": ("✗", "bold"), "skip": ("–", "dim"), "pass": ("✓", "green")}
STATUS_ORDER = {"fail": 0, "skip": 1, "pass": 2}
LINE_STYLE = "reverse"  # the selected failure's lines; reverse reads on any palette and under NO_COLOR


def result_prompt(result: Result) -> Text:
    """One result as a two-line row: mark, check id, severity on failure; then what it found. The
    list cuts each line at its own width (the whole message is in the body pane's title)."""
    mark, style = STATUS_MARK[result.status]
    text = Text.assemble((f"  {mark} ", style))
    text.append(result.check, style="bold" if result.failed else "")
    if result.failed:
        text.append(f" {result.severity}", style=SEVERITY_STYLE.get(result.severity, ""))
    summary = result.summary()
    if summary:
        text.append(f"\n    {summary}", style="dim" if not result.failed else "")
    return text


def unit_heading(report: UnitReport) -> Text:
    failed = len(report.failed)
    text = Text.assemble((f"{report.stage} / {report.slug}", "bold"))
    text.append(f"  {failed} failing" if failed else "  all pass", style=alarm() if failed else "green")
    if not report.engaged:
        text.append("\n  draft: binds at its verifier", style="dim")
    return text


class ChecksScreen(Screen):
    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="checks.back"),
        Binding("enter", "show_line", "Go to line", id="checks.show_line"),
        Binding("tab", "switch_pane", "Body/list", id="checks.switch_pane"),
        Binding("e", "edit_body", "Edit unit", id="checks.edit_body"),
        Binding("f", "only_failures", "Failures only", id="checks.only_failures"),
        Binding("r", "refresh", "Re-run", id="checks.refresh"),
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.reports: list[UnitReport] = []
        self.only_failures = False
        self._shown: tuple[str, str] | None = None  # (unit, check) whose body is on the right

    def compose(self) -> ComposeResult:
        yield IntentHeader(self.slug)
        yield Static(Text("Running checks…", style="dim"), id="ck-summary")
        with Horizontal(id="ck-main"):
            with Vertical(id="ck-left"):
                yield OptionList(id="ck-list")
            with Vertical(id="ck-right"):
                yield Static(id="ck-title")
                yield DocumentView(id="ck-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#ck-list").focus()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Read-only: editing shows dimmed and struck in the key bar (and says why if pressed)."""
        if action == "edit_body" and self.app.read_only:
            return None
        return True

    def on_screen_resume(self) -> None:
        self.run_checks()

    @work(thread=True, exclusive=True, group="checks")
    def run_checks(self) -> None:
        from cockpit.errors import CockpitError

        try:
            reports = self.app.backend.check_reports(self.slug)
            position = self.app.backend.position(self.slug)
        except CockpitError as exc:
            self.app.call_from_thread(self.app.write_failed, exc, title="Not loaded")
            return
        self.app.call_from_thread(self.query_one(IntentHeader).show, position)
        self.app.call_from_thread(self._show_reports, reports)

    # ------------------------------------------------------------ list

    def _show_reports(self, reports: list[UnitReport]) -> None:
        self.reports = reports
        self.query_one("#ck-summary", Static).update(self._summary())
        options = self.query_one("#ck-list", OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        rows: list[Option] = []
        for u, report in enumerate(reports):
            results = sorted(report.results, key=lambda r: STATUS_ORDER[r.status])
            if self.only_failures:
                results = [r for r in results if r.failed]
                if not results:
                    continue
            rows.append(Option(unit_heading(report), id=f"u{u}", disabled=True))
            rows += [Option(result_prompt(r), id=f"{u}:{r.check}") for r in results]
        if not rows:
            none = "No check fails." if self.only_failures and reports else "No stage of this intent declares checks."
            rows.append(Option(Text(none, style="dim"), id="none", disabled=True))
        options.add_options(rows)
        ids = [row.id for row in rows if not row.disabled and row.id is not None]
        if ids:
            first_failure = next((i for i in ids if (found := self._result(i)) and found[1].failed), ids[0])
            options.highlighted = options.get_option_index(keep if keep in ids else first_failure)
        else:
            self._show_body(None)

    def _summary(self) -> Text:
        results = [r for report in self.reports for r in report.results]
        failed = sum(r.failed for r in results)
        skipped = sum(r.status == "skip" for r in results)
        text = Text.assemble((" Checks ", "bold reverse"))
        text.append(f"  {len(self.reports)} units · {len(results)} results · ")
        text.append(f"{failed} failing", style=alarm() if failed else "green")
        if skipped:
            text.append(f" · {skipped} skipped", style="dim")
        return text

    def _result(self, option_id: str | None) -> tuple[UnitReport, Result] | None:
        if not option_id or ":" not in option_id:
            return None
        index, check = option_id.split(":", 1)
        report = self.reports[int(index)]
        result = next(r for r in report.results if r.check == check)
        return report, result

    @on(OptionList.OptionHighlighted, "#ck-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_body(self._result(event.option.id))

    @on(OptionList.OptionSelected, "#ck-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_show_line()

    # ------------------------------------------------------------ body

    def _show_body(self, picked: tuple[UnitReport, Result] | None) -> None:
        title = self.query_one("#ck-title", Static)
        view = self.query_one(DocumentView)
        if picked is None:
            title.update("")
            self._shown = None
            return
        report, result = picked
        self._shown = (report.slug, result.check)
        from cockpit.checks.registry import CHECKS

        check = CHECKS.get(result.check)
        heading = Text.assemble((report.slug, "bold"))
        heading.append(f"  {check.title if check else result.check}", style="dim")
        if result.failed:
            for problem in result.problems:
                heading.append(
                    f"\n✗ {problem.located()}", style=SEVERITY_STYLE.get(problem.severity or result.severity, "")
                )
        elif result.status == "skip":
            heading.append(f"\nskipped: {result.note}", style="dim")
        elif result.note:
            heading.append(f"\n✓ {result.note}", style="green")
        title.update(heading)
        marked = {p.line: LINE_STYLE for p in result.problems if p.line > 0} if result.failed else {}
        rendered = render_source(report.unit.unit.body, view.content_width(), marked)
        first = min(marked, default=0)
        top = max(0, rendered.heading_rows.get(first, 0) - 2) if first else 0
        view.show(rendered, top)

    def on_resize(self) -> None:
        """The body is wrapped to its pane's width: redo it at the new size (the list cuts its own rows)."""
        if self.reports:
            self._show_reports(self.reports)

    # ------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_show_line(self) -> None:
        """Move to the body, at the selected failure's first line."""
        if self._shown is not None:
            self.query_one(DocumentView).focus()

    def action_switch_pane(self) -> None:
        body = self.query_one(DocumentView)
        (self.query_one("#ck-list") if self.focused is body else body).focus()

    def action_only_failures(self) -> None:
        self.only_failures = not self.only_failures
        self._show_reports(self.reports)
        self.notify("Showing failures only." if self.only_failures else "Showing every result.")

    def action_edit_body(self) -> None:
        """Edit the shown unit with the cursor on the failing line; saving re-runs the checks."""
        from .dialogs import BodyEditor

        options = self.query_one("#ck-list", OptionList)
        picked = self._result(options.highlighted_option.id) if options.highlighted_option else None
        if picked is None or not self.app.writable():
            return
        from cockpit.domain import commands
        from cockpit.domain.call import call

        report, result = picked
        slug, body = report.slug, report.unit.unit.body
        self.app.ask(
            BodyEditor(slug, body, result.line or 0 if result.failed else 0),
            self.slug,
            lambda new: None if new == body else call(commands.edit_unit, unit=slug, body=new, was=body),
            done=self._rerun,
        )

    def _rerun(self, *_: object) -> None:
        """After a saved edit (whatever it wrote): run the checks again."""
        self.run_checks()

    def action_refresh(self) -> None:
        self.run_checks()

    def action_cursor(self, where: str) -> None:
        move_in(self.focused, where)
