"""Rich renderings of the walk: pure functions of a Position, shared by every screen.

Severity is always a glyph and a label, never colour alone, so NO_COLOR terminals lose nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from cockpit.clock import ago, parse_iso, stamp
from cockpit.severity import GLYPHS, STAGE_GLYPHS

if TYPE_CHECKING:
    from cockpit.domain.walk import FindingState, Position, StageState, UnitState

# Severity reads by glyph, label and weight; colour only adds to them. The weights alone rank it:
# blocker reversed, high and unset (which blocks) bold, medium plain, low dim. Under NO_COLOR no
# colour is added: Textual draws each colour as the grey of its brightness, and red is dark, so
# the severest findings came out the dimmest (a blocker 237 on 236).
SEVERITY_WEIGHT: dict[str | None, str] = {
    "blocker": "bold reverse",
    "high": "bold",
    None: "bold",
    "medium": "",
    "low": "dim",
}
SEVERITY_COLOUR: dict[str | None, str] = {
    "blocker": "red",
    "high": "red",
    "medium": "yellow",
    "low": "",
    None: "magenta",
}


def colour_on() -> bool:
    """False under NO_COLOR (set, whatever its value: Textual's rule, read when the app starts)."""
    return "NO_COLOR" not in os.environ


def alarm() -> str:
    """What needs a human now (escalated, sent back, blocked by): bold red, bold alone under NO_COLOR
    (where red would be drawn as a dark grey, dimmer than the text around it)."""
    return "bold red" if colour_on() else "bold"


class _SeverityStyles(Mapping[str | None, str]):
    """`SEVERITY_STYLE[severity]`: its weight, plus its colour unless NO_COLOR is set. Looked up
    when drawn, so a test (or a second app) under NO_COLOR gets the weights alone."""

    def __getitem__(self, severity: str | None) -> str:
        weight = SEVERITY_WEIGHT[severity]
        return f"{weight} {SEVERITY_COLOUR[severity]}".strip() if colour_on() else weight

    def __iter__(self) -> Iterator[str | None]:
        return iter(SEVERITY_WEIGHT)

    def __len__(self) -> int:
        return len(SEVERITY_WEIGHT)


SEVERITY_STYLE: Mapping[str | None, str] = _SeverityStyles()


def markdown_loaded() -> bool:
    """Whether `markdown` is cheap now (its imports are done)."""
    return "rich.markdown" in sys.modules


def markdown(text: str) -> RenderableType:
    """Markdown rendered by rich (not Textual's Markdown widget: one Static, no widget per block).
    Imported on first use: markdown-it costs ~60 ms, after the first frame."""
    from rich.markdown import Markdown

    # No OSC 8 hyperlinks: a link's target is data, and a click must not open what a file chose.
    return Markdown(text, hyperlinks=False)


def age(since: str, now: datetime) -> str:
    seconds = max(0, int((now - parse_iso(since)).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def when(at: str, now: datetime) -> str:
    """A stored moment as the engineer reads it: date, time, UTC offset, and how long ago."""
    return f"{stamp(at, now)} ({ago(at, now)})"


def stage_walk(pos: Position) -> Text:
    """Every stage with its state, then the active stage's phase strip."""
    text = Text()
    for i, state in enumerate(pos.stages):
        if i:
            text.append(" → ", style="dim")
        style = {"complete": "green", "active": "bold reverse", "pending": "dim", "skipped": "dim strike"}[state.status]
        text.append(f"{STAGE_GLYPHS[state.status]} {state.name}", style=style)
    active = pos.active
    text.append("\n")
    if active is None:
        text.append("complete: every stage has passed its gate", style="green")
        return text
    from cockpit.domain.walk import PHASES  # the walk's module loads with the engine, after the first frame

    current = PHASES.index(active.phase)
    for i, phase in enumerate(PHASES):
        if i:
            text.append(" › ", style="dim")
        mark = STAGE_GLYPHS["complete" if i < current else ("active" if i == current else "pending")]
        text.append(f"{mark} {phase}", style="bold reverse" if i == current else ("green" if i < current else "dim"))
    return text


def unit_prompt(u: UnitState) -> Text:
    """One line: status mark, slug, hat (or what it waits on), bolt."""
    status = {"done": "✓", "active": "▶", "ready": "○", "waiting": "…", "escalated": "!"}[u.status]
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{status} ", style=alarm() if u.status == "escalated" else "")
    text.append(u.unit.slug)
    detail = "waits on " + ", ".join(u.waiting_on) if u.status == "waiting" else (u.hat or "done")
    text.append(f" · {detail} · b{u.bolt}", style="dim")
    return text


def baton(stage: StageState, unit: UnitState) -> Text:
    """Each hat in order with done / current / waiting, and the bolt."""
    text = Text()
    text.append(f"{unit.unit.title}\n", style="bold")
    hats = stage.stage.hats
    current = hats.index(unit.hat) if unit.hat in hats else len(hats)
    for i, hat in enumerate(hats):
        if i:
            text.append(" → ", style="dim")
        if unit.status == "done" or i < current:
            text.append(f"{STAGE_GLYPHS['complete']} {hat}", style="green")
        elif i == current:
            text.append(f"{STAGE_GLYPHS['active']} {hat}", style="bold reverse")
        else:
            text.append(f"{STAGE_GLYPHS['pending']} {hat}", style="dim")
    text.append(f"   bolt {unit.bolt}  {unit.status}\n", style="dim")
    return text  # the hand-off messages under it: screens/widgets/baton.py


def finding_prompt(f: FindingState) -> Text:
    """Two lines: glyph + severity label + id + title; then the fix-loop hat and the target."""
    fb = f.feedback
    label = fb.severity or "unset"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{GLYPHS[fb.severity]} {label:<7}", style=SEVERITY_STYLE[fb.severity])
    text.append(f"{'*' if f.blocking else ' '}{fb.ref} ", style="bold")
    text.append(fb.title)
    text.append("\n")
    loop = f.status if f.status in ("escalated", "closed", "rejected", "non_actionable") else (f.hat or "no fix chain")
    text.append(f"          {loop}", style=alarm() if f.status == "escalated" else "dim")
    text.append(f" · {f.target or ('whole stage' if f.feedback.stage else 'whole intent')}", style="dim")
    return text


def status_line(pos: Position) -> Text:
    """The gate's kind and what blocks it; the next action in words (`n` starts it). Wrapped, never
    cut: the end of the next action names who holds it."""
    text = Text()
    active = pos.active
    if active is not None:
        gate = active.gate
        text.append(f"{active.name} gate: {'/'.join(gate.kinds)}", style="bold")
        if gate.is_auto:
            text.append(" (needs no human)", style="dim")
        if gate.blockers:
            text.append(f" · blocked by {', '.join(f.feedback.ref for f in gate.blockers)}", style=alarm())
        elif gate.submission is not None:  # out for external review: who holds it, and where
            text.append(" · awaiting external review: ")
            text.append(gate.submission.url or "", style="underline")
        elif active.phase == "gate":
            text.append(" · open")
    text.append("\nnext (n): ", style="bold")
    text.append(pos.next.text)
    if active is not None and active.reopened:  # the walk moved back: why (last: a short window cuts it, not next)
        text.append("\nmoved back: ", style="bold")
        text.append(active.reopened, style="dim")
    return text
