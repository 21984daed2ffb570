"""The runbook library: search as you type, read with an outline, follow links, copy code blocks.

Everything is read from the local SQLite copy, so it works with the network down. Opened from an
intent, the runbooks relevant to it come first and a copied block is recorded in its timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from .document import DocumentView, render_markdown
from .keybar import KeyBar
from .navigation import CURSOR_BINDINGS, move_in

if TYPE_CHECKING:
    from cockpit.app.backend import Runbook, RunbookRow

    from .app import CockpitApp


def row_prompt(row: RunbookRow) -> Text:
    """A search hit: its title over its snippet, the matches reversed. Else the title, with why
    it is relevant to the intent (starred when linked or a strong match) or its name."""
    if row.kind == "hit":
        prompt = Text(row.title, style="bold", no_wrap=True, overflow="ellipsis")
        prompt.append("\n")
        for part, matched in row.snippet:
            prompt.append(part.replace("\n", " "), style="reverse" if matched else "dim")
        return prompt
    if row.kind == "relevant" and row.starred:
        return Text.assemble(("★ ", "yellow"), (row.title, "bold"), (f"\n  {row.reason}", "dim"))
    if row.kind == "relevant":  # a weak match: listed, but neither starred nor bold
        return Text.assemble(("· ", "dim"), row.title, (f"\n  {row.reason}", "dim"))
    return Text.assemble(("  ", ""), row.title, (f"\n  {row.name}", "dim"))


class RunbookScreen(Screen):
    if TYPE_CHECKING:  # Textual types `self.app` as App[object]; this screen only runs in CockpitApp
        app: CockpitApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="runbooks.back"),
        Binding("slash", "search", "Search", id="runbooks.search"),
        Binding("o", "outline", "Outline", id="runbooks.outline"),
        Binding("y", "copy_block", "Copy block", id="runbooks.copy_block"),
        Binding("x", "run_block", "Run block", id="runbooks.run_block"),
        Binding("l", "links", "Links", id="runbooks.links"),
        Binding("L", "lint", "Lint", id="runbooks.lint"),
        Binding("left_square_bracket", "history(-1)", "Back link", id="runbooks.history_back"),
        Binding("right_square_bracket", "history(1)", "Forward", id="runbooks.history_forward", show=False),
        *CURSOR_BINDINGS,
    ]

    def __init__(self, slug: str | None = None, open_name: str | None = None) -> None:
        """`slug`: the intent it was opened from (ranks its runbooks first, gets copy events)."""
        super().__init__()
        self.slug = slug
        self.open_name = open_name
        self.runbook: Runbook | None = None
        self.history: list[tuple[str, int]] = []  # (runbook name, top row) visited, for [ and ]
        self.history_at = -1
        self._pending_anchor: str | None = None
        self._query = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="rb-main"):
            with Vertical(id="rb-left"):
                yield Input(placeholder="/ search runbooks…", id="rb-search")
                yield OptionList(id="rb-list")
                yield Label("Outline (o)", classes="pane-title")
                yield OptionList(id="rb-outline")
            with Vertical(id="rb-right"):
                yield Static(id="rb-title")
                yield DocumentView(id="rb-doc")
        yield Static(id="rb-fresh")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#rb-list").focus()
        self.search("")

    # ------------------------------------------------------------ list and search

    @on(Input.Changed, "#rb-search")
    def _typed(self, event: Input.Changed) -> None:
        if event.value != self._query:  # Input also reports its initial empty value
            self._query = event.value
            self.search(event.value)

    @on(Input.Submitted, "#rb-search")
    def _submitted(self) -> None:
        self.query_one("#rb-list").focus()

    @work(thread=True, exclusive=True, group="search")
    def search(self, query: str) -> None:
        """Empty query: the intent's runbooks first, then the whole library. Else FTS5, ranked."""
        rows, freshness = self.app.backend.runbook_list(self.slug, query)
        self.app.call_from_thread(self._show_list, rows, freshness)

    def _show_list(self, rows: list[RunbookRow], freshness: str) -> None:
        options = self.query_one("#rb-list", OptionList)
        options.clear_options()
        options.add_options([Option(row_prompt(row), id=row.name) for row in rows])
        if rows:
            options.highlighted = 0
            if not self.history:  # the first list shown: open its first runbook (or the one asked for)
                self.open(self.open_name or rows[0].name)
        self.query_one("#rb-fresh", Static).update(Text(f" {freshness}", style="dim"))

    @on(OptionList.OptionSelected, "#rb-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:  # every row has its runbook's name as id
            self.open(event.option.id)
        self.query_one("#rb-doc").focus()

    # ------------------------------------------------------------ reading

    def open(self, name: str, anchor: str | None = None, *, record: bool = True, top: int = 0) -> None:
        if record:
            self._remember_position()
            del self.history[self.history_at + 1 :]
            self.history.append((name, top))
            self.history_at = len(self.history) - 1
        self._pending_anchor = anchor
        self.query_one("#rb-title", Static).update(Text(f"Opening {name}…", style="dim"))
        self._load(name, top)

    @work(thread=True, exclusive=True, group="open")
    def _load(self, name: str, top: int) -> None:
        from cockpit.errors import CockpitError

        try:
            runbook = self.app.backend.runbook(name)
        except CockpitError as exc:
            self.app.call_from_thread(self.app.write_failed, exc, title="Not loaded")
            return
        doc = runbook.doc
        width = self.query_one(DocumentView).content_width()
        rendered = render_markdown(runbook.content, [h.line for h in doc.headings], width, doc.body_start)
        self.app.call_from_thread(self._show_runbook, runbook, rendered, top)

    def _show_runbook(self, runbook: Runbook, rendered, top: int) -> None:
        self.runbook = runbook
        title = Text(runbook.title, style="bold")
        title.append(f"  {runbook.name}", style="dim")
        if runbook.gone:
            title.append("  (file gone: last copy)", style="yellow")
        self.query_one("#rb-title", Static).update(title)
        outline = self.query_one("#rb-outline", OptionList)
        outline.clear_options()
        outline.add_options(
            [
                Option(Text("  " * (h.level - 1) + h.text, no_wrap=True, overflow="ellipsis"), id=str(h.line))
                for h in runbook.doc.headings
            ]
        )
        anchor, self._pending_anchor = self._pending_anchor, None
        heading = runbook.doc.heading_for(anchor) if anchor else None
        if heading is not None:
            top = rendered.heading_rows.get(heading.line, top)
        self.query_one(DocumentView).show(rendered, top)

    def on_resize(self) -> None:
        """Re-render at the new width, keeping the heading the reader was in."""
        view = self.query_one(DocumentView)
        if self.runbook is not None and view.rendered is not None and view.rendered.width != view.content_width():
            self.open(self.runbook.name, record=False, top=int(view.scroll_y))

    @on(OptionList.OptionSelected, "#rb-outline")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        view = self.query_one(DocumentView)
        if view.rendered is not None and event.option.id is not None:  # every row has its heading's line as id
            view.scroll_to(y=view.rendered.heading_rows.get(int(event.option.id), 0), animate=False)
            view.focus()

    # ------------------------------------------------------------ actions

    def action_back(self) -> None:
        search = self.query_one("#rb-search", Input)
        if self.focused is search and search.value:
            search.value = ""
            return
        self.app.pop_screen()

    def action_search(self) -> None:
        self.query_one("#rb-search").focus()

    def action_outline(self) -> None:
        self.query_one("#rb-outline").focus()

    def action_cursor(self, where: str) -> None:
        move_in(self.focused, where)

    def action_links(self) -> None:
        from .dialogs import Choice

        if self.runbook is None:
            return
        links = self.runbook.doc.distinct_links
        if not links:
            self.notify("This runbook links nowhere.")
            return
        choices = [(str(i), f"{link.text or link.target}  → {link.target}") for i, link in enumerate(links)]

        def chosen(key: str | None) -> None:
            if key is not None:
                self.follow(links[int(key)])

        self.app.push_screen(Choice("Follow a link", choices), chosen)

    def follow(self, link) -> None:
        if link.resolved is None and link.anchor:  # a heading of this page
            if self.runbook is not None:
                self.open(self.runbook.name, link.anchor)
            return
        self._follow(link)

    @work(thread=True, exclusive=True, group="open")
    def _follow(self, link) -> None:
        target = self.app.backend.follow_link(link)
        if target is None:
            where = (
                "the web: open it in a browser"
                if link.target.startswith(("http://", "https://"))
                else "nothing in the library"
            )
            self.app.call_from_thread(self.notify, f"{link.target} leads to {where}.", severity="warning")
            return
        self.app.call_from_thread(self.open, target.name, link.anchor)

    def action_lint(self) -> None:
        if self.runbook is not None:
            self._lint(self.runbook.name)

    @work(thread=True, exclusive=True, group="lint")
    def _lint(self, name: str) -> None:
        findings = self.app.backend.lint_runbook(name)
        self.app.call_from_thread(self._show_lint, name, findings)

    def _show_lint(self, name: str, findings: list) -> None:
        """The runbook's lint findings, worst first; choosing one scrolls to its section."""
        from .dialogs import Choice

        if not findings:
            self.notify(f"{name}: lint clean (every section of its shape, commands, escalation, links).")
            return
        findings = sorted(findings, key=lambda f: (f.level != "error", f.line))
        choices = [
            (str(f.line), f"{'✗ error' if f.level == 'error' else '! warning'} line {f.line} [{f.rule}] {f.message}")
            for f in findings
        ]
        errors = sum(f.level == "error" for f in findings)

        def chosen(line: str | None) -> None:
            if line is not None:
                self.scroll_to_line(int(line))

        self.app.push_screen(
            Choice(f"Lint of {name}: {errors} errors, {len(findings) - errors} warnings", choices), chosen
        )

    def scroll_to_line(self, line: int) -> None:
        """Scroll to the section holding source `line` (rows are known per heading)."""
        view = self.query_one(DocumentView)
        if self.runbook is None or view.rendered is None:
            return
        above = [h.line for h in self.runbook.doc.headings if h.line <= line]
        view.scroll_to(y=view.rendered.heading_rows.get(above[-1], 0) if above else 0, animate=False)
        view.focus()

    def action_history(self, step: int) -> None:
        at = self.history_at + step
        if not 0 <= at < len(self.history):
            self.notify("No further " + ("back" if step < 0 else "forward") + " in this session.")
            return
        self._remember_position()
        self.history_at = at
        name, top = self.history[at]
        self.open(name, record=False, top=top)

    def _remember_position(self) -> None:
        if 0 <= self.history_at < len(self.history):
            name, _ = self.history[self.history_at]
            self.history[self.history_at] = (name, int(self.query_one(DocumentView).scroll_y))

    def action_copy_block(self) -> None:
        from .dialogs import Choice

        if self.runbook is None:
            return
        blocks = self.runbook.doc.code_blocks
        if not blocks:
            self.notify("This runbook has no code blocks.")
            return
        choices = []
        for i, block in enumerate(blocks):
            first = next((line for line in block.text.splitlines() if line.strip()), "")
            where = block.heading.text if block.heading else "top"
            choices.append((str(i), f"{where}: {first}"))

        def chosen(key: str | None) -> None:
            if key is not None:
                self.copy_block(int(key))

        self.app.push_screen(Choice(f"Copy a block of {self.runbook.name}", choices), chosen)

    def action_run_block(self) -> None:
        """Choose a block (numbered as `runbooks show` numbers them, with its tier); its dry run
        opens first, always (screens.run_step)."""
        from .run_step import run_a_block

        if self.runbook is not None:
            run_a_block(self, self.runbook.name, self.slug)

    def copy_block(self, index: int) -> None:
        if self.runbook is None:  # the choice is offered only with a runbook open
            return
        block = self.runbook.doc.code_blocks[index]
        self.app.copy_text(block.text)
        if self.slug is not None and not self.app.read_only:  # the incident records which step was taken
            self._record_copy(self.slug, self.runbook.name, block.line, block.text)

    def _record_copy(self, slug: str, name: str, line: int, text: str) -> None:
        from cockpit.domain import commands
        from cockpit.domain.call import call

        self.app.write(
            slug,
            call(commands.record_runbook_copy, runbook=name, line=line, text=text),
            quiet=True,
            title="Not recorded",
        )  # the copy itself already said "Copied"
