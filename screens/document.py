"""A long markdown document as a line-based view: rendered by rich off the UI thread, drawn by line.

Textual's Markdown widget mounts a widget per block (a 2,000-line runbook took ~24 s to appear);
here the document is rendered once per width into strips in a worker, and the widget only copies
the visible lines. Each heading's rendered row is kept, so an outline can jump to it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cockpit.text.terminal import safe

NULL = Style.null()


def _strip(segments) -> Strip:
    """A line of segments, none without a style: Textual's NO_COLOR filter fails on a bare None."""
    return Strip(Segment.simplify(Segment(text, style or NULL, control) for text, style, control in segments))


@dataclass(frozen=True)
class Rendered:
    width: int
    lines: list[Strip]
    heading_rows: dict[int, int]  # source line of a heading → its first rendered row

    def then(self, below: Rendered) -> Rendered:
        """This, a blank line, then `below` (its rows moved down with it)."""
        top = len(self.lines) + 1
        rows = {line: row + top for line, row in below.heading_rows.items()}
        return Rendered(self.width, [*self.lines, Strip.blank(self.width, NULL), *below.lines], rows)


def _console(width: int) -> Console:
    """An off-screen console that renders to styled segments at `width` (the widget turns them into
    strips; nothing is written anywhere)."""
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        no_color=False,
    )


def render_markdown(text: str, heading_lines: list[int], width: int, body_start: int = 1) -> Rendered:
    """Render `text` from line `body_start` on (after any frontmatter) at `width`, section by
    section so each heading's row is known.

    `heading_lines` are 1-based source lines of the headings (from the runbook's parsed outline).
    Pure and thread-safe: run it in a worker.
    """
    from rich.markdown import Markdown

    console = _console(width)
    source = [safe(line) for line in text.splitlines()]  # per line: numbering stays the parser's
    cuts = sorted({body_start, *(line for line in heading_lines if 1 <= line <= len(source))})
    lines: list[Strip] = []
    rows: dict[int, int] = {}
    options = console.options.update_width(width)
    for start, end in zip(cuts, [*cuts[1:], len(source) + 1], strict=False):
        chunk = "\n".join(source[start - 1 : end - 1]).strip("\n")
        if not chunk:
            continue
        if lines:
            lines.append(Strip.blank(width, NULL))  # rich drops the blank line before a heading
        if start in heading_lines:
            rows[start] = len(lines)
        for line in console.render_lines(
            Markdown(chunk, hyperlinks=False), options, pad=False
        ):  # link targets are data
            lines.append(_strip(line))
    return Rendered(width, lines, rows)


def render_source(text: str, width: int, marked: dict[int, str]) -> Rendered:
    """`text` as numbered source lines, wrapped at `width`; `marked` (1-based line → style) are
    highlighted and flagged with ▶ in the gutter, so the mark survives NO_COLOR.

    `heading_rows` maps every source line to its first rendered row (to scroll to a line)."""
    console = _console(width)
    source = [safe(line) for line in text.splitlines()] or [""]
    digits = len(str(len(source)))
    body_width = max(10, width - digits - 3)
    lines: list[Strip] = []
    rows: dict[int, int] = {}
    for number, line in enumerate(source, 1):
        rows[number] = len(lines)
        style = marked.get(number)
        wrapped = (
            Text(line, style=style or "").wrap(console, body_width, overflow="fold")
            if line
            else [Text("", style=style or "")]
        )
        for i, part in enumerate(wrapped):
            gutter = Text(f"{number:>{digits}} " if i == 0 else " " * (digits + 1), style="dim")
            gutter.append("▶ " if style and i == 0 else "  ", style=style or "")
            part.pad_right(body_width - part.cell_len)
            lines.append(_strip((gutter + part).render(console)))
    return Rendered(width, lines, rows)


def render_text(text: Text, width: int) -> Rendered:
    """A rich Text (built from data as spans, never markup) wrapped at `width`, for a view that
    puts a few styled lines above a document (`Rendered.then` joins them)."""
    console = _console(width)
    options = console.options.update_width(width)
    return Rendered(width, [_strip(line) for line in console.render_lines(text, options, pad=False)], {})


class DocumentView(ScrollView, can_focus=True):
    """Shows a Rendered document; keys scroll it (arrows, j/k, page up/down, home/end)."""

    BINDINGS = [
        # The ids of the screens' cursor keys: remapping "cursor.down" moves lists and scrolls documents alike.
        Binding("j", "scroll_down", "Down", id="cursor.down"),
        Binding("k", "scroll_up", "Up", id="cursor.up"),
        Binding("space", "page_down", "Page down", id="document.page_down"),
    ]
    DEFAULT_CSS = "DocumentView { height: 1fr; padding: 0 1; overflow-x: hidden; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rendered: Rendered | None = None

    def show(self, rendered: Rendered, top: int = 0) -> None:
        self.rendered = rendered
        self.virtual_size = Size(rendered.width, len(rendered.lines))
        self.scroll_to(y=top, animate=False)
        self.refresh()

    def content_width(self) -> int:
        """The width to render at: the view less its padding and vertical scrollbar."""
        return max(20, self.size.width - self.styles.gutter.width - self.styles.scrollbar_size_vertical)

    def render_line(self, y: int) -> Strip:
        if self.rendered is None:
            return Strip.blank(self.size.width, self.rich_style)
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        if index >= len(self.rendered.lines):
            return Strip.blank(self.size.width, self.rich_style)
        return self.rendered.lines[index].crop_extend(scroll_x, scroll_x + self.size.width, self.rich_style)
