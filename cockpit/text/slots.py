"""Template slots left in markdown: `<service-name>`, `<dashboard link>` — text a template asked
the author to replace. The one rule for telling them from HTML tags, autolinks and emails, used by
the unit-body checks and the runbook lint alike."""

from __future__ import annotations

import re
from collections.abc import Iterator

_SLOT = re.compile(r"<([A-Za-z][^<>\n]{0,80})>")

# Tags markdown passes through as HTML: `<br>`, `<details>`, `</summary>` are not slots.
HTML_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "br",
        "code",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "var",
    ]
)


def is_slot(inside: str) -> bool:
    """What stands between `<` and `>` is a slot. `<alert name>`: yes. `<br/>`, `<img src=…>`,
    `<https://…>`, `<a@b.c>`: no. (A closing tag never matches: a slot starts with a letter.)"""
    if inside.endswith("/") or "=" in inside or ":" in inside or "@" in inside:
        return False
    return inside.split()[0].lower() not in HTML_TAGS


def template_slots(text: str) -> Iterator[re.Match[str]]:
    """Each slot in `text` (group 1: what is inside the brackets), in order."""
    return (match for match in _SLOT.finditer(text) if is_slot(match.group(1)))
