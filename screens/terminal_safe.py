"""The screen's last guard: no control byte in any rendered line reaches the terminal.

Widgets are given data as `Text`/`Content` (never as markup) and through `cockpit.text.terminal.safe`
where they take it. This filter runs on every line Textual renders, borders and titles included, and
applies the same function, so a field that was missed still cannot retitle the pane, write the
clipboard or clear the screen: it shows `␛]52;…` instead.

Layout measured each control character zero cells wide; a picture takes one. Each segment is
cropped back to the cells it was laid out in (its own, so a border or scrollbar after it stays), or
the line would spill over its neighbours and wrap the terminal's last column. Text made safe before
layout is never cropped.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from cockpit.text.terminal import has_controls, safe


class ControlPictures(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(has_controls(segment.text) for segment in segments):
            return segments  # every line on every frame passes here: no copy in the common case
        return [
            Segment(_in_place(text), style, control) if has_controls(text) else Segment(text, style, control)
            for text, style, control in segments
        ]


def _in_place(text: str) -> str:
    """`safe(text)` in no more cells than `text` was laid out in."""
    shown, width = safe(text), cell_len(text)
    return shown if cell_len(shown) <= width else set_cell_size(shown, width)
