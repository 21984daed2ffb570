"""The screen's last guard: no control byte in any rendered line reaches the terminal.

Widgets are given data as `Text`/`Content` (never as markup) and through `cockpit.text.terminal.safe`
where they take it. This filter runs on every line Textual renders, borders and titles included, and
applies the same function, so a field that was missed still cannot retitle the pane, write the
clipboard or clear the screen: it shows `␛]52;…` instead.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from cockpit.text.terminal import has_controls, safe


class ControlPictures(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(has_controls(segment.text) for segment in segments):
            return segments  # every line on every frame passes here: no copy in the common case
        return [Segment(safe(text), style, control) if has_controls(text) else Segment(text, style, control)
                for text, style, control in segments]
