"""Tickable items from a hat's or review agent's markdown body, in both forms studios are written in.

Two forms introduce a section:

- our heading form: `## Hand-off checklist`, `## Check`, `## Common failure modes`;
- the bold-label form of real H·AI·K·U files: a line `**Produces:** ...`, `**Anti-patterns (RFC 2119):**`,
  `**Check:**`, `**Mandate:**` (the colon inside or outside the bold), with inline text after the label
  and/or a list below it (`-`, `*`, `+` or numbered; nested items join their parent's line).

A section ends at the next heading or label, or at a paragraph after its list (or after a label's
own text); a heading or a bare label may have an introduction before its list.

Which sections become what, and why:

- A hat's **hand-off checklist** is what the human ticks before handing the baton on. An explicit
  `Hand-off checklist` section is used as written (our bundled hats). Otherwise it is derived: what
  the hat **produces** ("Produced: ..."), one item per list item, or the inline text as one item,
  then each **anti-pattern** rule as a check of what was (not) done: `The agent MUST NOT skip X`
  becomes "Did not skip X", `MUST do Y` becomes "Did do Y", SHOULD rules keep "(should)". `Focus`
  (the mandate's summary) and `Reads` (its inputs) are not things to tick, so they stay in the body.
- A review agent's **checks** are what its reviewer verifies: the items of `Check` (an inline
  `Check:` text is one check) and of a `Mandate` given as a list (an inline mandate is the agent's
  summary, not a check). `The agent MUST verify that X` becomes "Verify that X".
- A review agent's **failure modes** are `Common failure modes` and its anti-patterns.

Items are one line each, markdown emphasis and links stripped (code spans kept), capped at
MAX_ITEM characters on a word boundary.
"""

from __future__ import annotations

import re

MAX_ITEM = 200

_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_LABEL = re.compile(r"^\*\*([^*\n]+?)(:?)\*\*(:?)\s*(.*)$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(
    r"^(?:(?:the|an?|each|every|this)\s+[\w-]+(?:\s+[\w-]+)?|you|agents?|it)\s+"
    r"(MUST NOT|SHALL NOT|SHOULD NOT|MUST|SHALL|SHOULD|MAY)\s+(.+)$",
    re.IGNORECASE,
)


def _label(text: str) -> str:
    """`Anti-patterns (RFC 2119)` → `anti-patterns`: lower case, no parenthetical, no colon."""
    text = re.sub(r"\([^)]*\)", "", text)
    return " ".join(text.replace(":", " ").split()).lower()


class _Section:
    __slots__ = ("inline", "items")

    def __init__(self) -> None:
        self.inline = ""
        self.items: list[str] = []


def sections(body: str) -> dict[str, _Section]:
    """Every section of `body` by label (its inline text and list items); a label met twice adds to one section."""
    found: dict[str, _Section] = {}
    current: _Section | None = None
    item_indent = 0
    fenced = False
    blank = False
    for line in body.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = _HEADING.match(line)
        label = None if heading else _LABEL.match(line)
        if heading or (label and (label.group(2) or label.group(3))):
            name = _label(heading.group(1) if heading else label.group(1))  # type: ignore[union-attr]
            current = found.setdefault(name, _Section())
            if label and not current.inline:
                current.inline = label.group(4).strip()
            blank = False
            continue
        if current is None:
            continue
        if not line.strip():
            blank = True
            continue
        item = _ITEM.match(line)
        items = current.items
        if item:
            indent = len(item.group(1).expandtabs(4))
            if items and indent > item_indent:  # a nested item joins its parent's line
                items[-1] += (" " if items[-1].endswith(":") else "; ") + item.group(2)
            else:
                items.append(item.group(2))
                item_indent = indent
            blank = False
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()  # a wrapped item continues
        elif not items and not blank and current.inline:
            current.inline += " " + line.strip()  # the label's inline text wraps onto this line
        elif items or current.inline:
            current = None  # a paragraph after the list, or after a label's own text, ends the section
        # else: an introduction between a heading (or a bare label) and its list
    return found


def plain(text: str) -> str:
    """One line, markdown emphasis and links stripped, capped at MAX_ITEM characters on a word boundary."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])", r"\1", text)
    text = " ".join(text.split())
    if len(text) > MAX_ITEM:
        cut = text[: MAX_ITEM - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > MAX_ITEM // 2 else cut).rstrip(" ,;:—-") + "…"
    return text


def _rule(item: str) -> tuple[str, str] | None:
    """(keyword, what) of an RFC 2119 rule such as "The agent MUST NOT skip X", else None."""
    match = _RULE.match(item)
    return (match.group(1).upper(), match.group(2)) if match else None


def _done(item: str) -> str:
    """A rule as a hand-off check of what was (not) done."""
    rule = _rule(item)
    if rule is None:
        return item
    keyword, what = rule
    if keyword == "MAY":
        return f"May {what}"
    done = "Did not " if keyword.endswith("NOT") else "Did "
    return done + what + (" (should)" if keyword.startswith("SHOULD") else "")


def _do(item: str) -> str:
    """A rule as an instruction to the reviewer: "The agent MUST verify X" → "Verify X"."""
    rule = _rule(item)
    if rule is None:
        return item
    keyword, what = rule
    if keyword.endswith("NOT"):
        return "Do not " + what + (" (should)" if keyword.startswith("SHOULD") else "")
    what = what[:1].upper() + what[1:]
    return what + (" (should)" if keyword.startswith("SHOULD") else "")


def _items(found: dict[str, _Section], *labels: str, inline: bool = True) -> list[str]:
    """The items of every section whose label is one of `labels` (or starts with one and a space);
    `inline`: a section with no list gives its inline text as one item."""
    out: list[str] = []
    for name, section in found.items():
        if not any(name == label or name.startswith(label + " ") for label in labels):
            continue
        if section.items:
            out.extend(section.items)
        elif inline and section.inline:
            out.append(section.inline)
    return out


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in (plain(item) for item in items) if i))


def hat_checklist(body: str) -> tuple[str, ...]:
    """The hat's hand-off checklist (see the module docstring for what is derived from what)."""
    found = sections(body)
    explicit = _items(found, "hand-off checklist", "handoff checklist", inline=False)
    if explicit:
        return _unique(explicit)
    produced = [f"Produced: {item}" for item in _items(found, "produces", "deliverables")]
    rules = [_done(plain(item)) for item in _items(found, "anti-patterns", "anti-pattern", inline=False)]
    return _unique(produced + rules)


def reviewer_checks(body: str) -> tuple[str, ...]:
    found = sections(body)
    checks = _items(found, "check", "checks") + _items(found, "mandate", inline=False)
    return _unique([_do(plain(item)) for item in checks])


def reviewer_failure_modes(body: str) -> tuple[str, ...]:
    found = sections(body)
    modes = _items(found, "common failure modes", "failure modes", "anti-patterns", "anti-pattern", inline=False)
    return _unique([_do(plain(item)) for item in modes])
