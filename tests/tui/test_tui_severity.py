"""Severity reads by glyph, label and weight, with or without colour: under NO_COLOR the blocker is
the most prominent row mark, not (as colours turned grey made it) the dimmest."""

from __future__ import annotations

import pytest
from helpers import settle

from cockpit.app import demo
from screens.app import CockpitApp
from screens.render import SEVERITY_STYLE

pytestmark = pytest.mark.anyio


def test_without_colour_the_weights_alone_rank_severity(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert SEVERITY_STYLE["blocker"] == "bold reverse"
    assert SEVERITY_STYLE["high"] == SEVERITY_STYLE[None] == "bold"  # unset blocks: as loud as high
    assert SEVERITY_STYLE["medium"] == "" and SEVERITY_STYLE["low"] == "dim"
    assert SEVERITY_STYLE.get("nonsense", "") == ""


def test_with_colour_the_colour_is_added_to_the_weight(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert SEVERITY_STYLE["blocker"] == "bold reverse red"
    assert SEVERITY_STYLE["high"] == "bold red" and SEVERITY_STYLE[None] == "bold magenta"
    assert SEVERITY_STYLE["low"] == "dim"


def _brightness(colour) -> float:
    from textual.color import Color

    return Color.from_rich_color(colour).brightness


async def test_under_no_color_no_severity_label_is_darker_than_the_text(seeded, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # before the app: Textual reads it when the app is built
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        labels = {}
        for strip in app.screen._compositor.render_strips():
            for segment in strip:
                for label in ("■ blocker", "▲ high", "? unset", "● medium"):
                    if segment.text.startswith(label) and label not in labels:
                        labels[label] = segment.style
        assert set(labels) == {"■ blocker", "▲ high", "? unset", "● medium"}
        blocker = labels["■ blocker"]
        assert blocker.bold and blocker.reverse  # drawn as a light block: the loudest mark on the screen
        assert labels["▲ high"].bold and labels["? unset"].bold
        text = _brightness(labels["● medium"].color)  # medium is plain text
        for label in ("■ blocker", "▲ high", "? unset"):
            assert _brightness(labels[label].color) >= text, label  # grey of red was 237 on 236


@pytest.mark.parametrize("no_color", [True, False])
def test_what_needs_a_human_is_bold_and_never_a_grey_red(seeded, monkeypatch, no_color):
    """Escalated, sent back and "blocked by" were bold red: under NO_COLOR a dark grey."""
    from cockpit.app.backend import Backend
    from screens import render

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    position = Backend(seeded).position(demo.INCIDENT)
    escalated = next(f for f in position.open_findings if f.status == "escalated")
    texts = [render.status_line(position), render.finding_prompt(escalated)]
    for text in texts:
        styles = {str(span.style) for span in text.spans}
        reds = {style for style in styles if "red" in style}
        assert (not reds) if no_color else reds == {"bold red"}
