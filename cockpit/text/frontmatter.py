"""Markdown files with YAML frontmatter, with errors that name the file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from cockpit.errors import SourceError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"^(---|\.\.\.)\s*$")


@dataclass(frozen=True)
class Document:
    path: str
    meta: dict[str, Any]
    body: str
    text: str = field(repr=False)
    body_line: int = 1  # 1-based line where the body starts

    def line_of(self, key: str, item: Any = None, *, index: int | None = None) -> int:
        """Line of a top-level key (or of one item in its list value, found by value or by its
        0-based `index`); 1 when unknown.

        Only called on error paths, so it re-parses with marks instead of slowing every load.
        """
        try:
            root = yaml.compose(_frontmatter_text(self.text)[0] or "{}", Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            return 1
        if not isinstance(root, yaml.MappingNode):
            return 2
        for key_node, value_node in root.value:
            if key_node.value != key:
                continue
            mark: yaml.Mark = key_node.start_mark  # the stubs leave a node's `value` untyped
            if index is not None and isinstance(value_node, yaml.SequenceNode) and 0 <= index < len(value_node.value):
                mark = value_node.value[index].start_mark
            elif item is not None and isinstance(value_node, yaml.SequenceNode):
                mark = next((c.start_mark for c in value_node.value if getattr(c, "value", None) == item), mark)
            return mark.line + 2
        return 1


def _frontmatter_text(text: str) -> tuple[str | None, int]:
    """Return (frontmatter text or None, number of lines it spans including fences)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, 0
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            return "\n".join(lines[1:index]), index + 1
    return "\n".join(lines[1:]), -1


def parse(path: str, text: str) -> Document:
    """Split and parse; raises SourceError with the YAML problem's own line."""
    raw, span = _frontmatter_text(text)
    if raw is None:
        return Document(path, {}, text, text, 1)
    if span == -1:
        raise SourceError(path, 1, "frontmatter opened with '---' is never closed")
    try:
        meta = yaml.load(raw, Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the opening fence
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError(path, line, f"invalid YAML frontmatter: {problem}") from None
    if not isinstance(meta, dict):
        raise SourceError(path, 2, f"frontmatter must be a mapping, not {type(meta).__name__}")
    body = "\n".join(text.splitlines()[span:])
    return Document(path, meta, body, text, span + 1)


def read(path: str) -> Document:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise SourceError(path, 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SourceError(path, 1, exc.strerror or str(exc)) from None
    return parse(path, text)


def section_items(body: str, heading: str) -> list[str]:
    """The list items under a `## heading` (case-insensitive), with `[ ]` boxes stripped."""
    items: list[str] = []
    inside = False
    wanted = heading.strip().lower()
    for line in body.splitlines():
        match = re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if match:
            inside = match.group(2).strip().lower() == wanted
            continue
        if not inside:
            continue
        item = re.match(r"^[-*+]\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$", line)
        if item:
            items.append(item.group(1))
        elif items and line.startswith(("  ", "\t")) and line.strip():
            items[-1] += " " + line.strip()  # a wrapped list item continues the previous one
    return items
