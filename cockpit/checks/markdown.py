"""Just enough markdown for the checks: headed sections, pipe tables and list items, each with
its 1-based line in the unit body so a failure can point at it.

Fenced code blocks are kept as content but never read as headings or tables.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar, overload

_Owner = TypeVar("_Owner")
_Value = TypeVar("_Value")

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$")
_CODE_SPAN = re.compile(r"`[^`\n]+`")


class once(Generic[_Owner, _Value]):
    """functools.cached_property without Python 3.11's lock on every first access: sections and
    tables are built for every body of every run, and the lock was a third of the checks' time."""

    def __init__(self, compute: Callable[[_Owner], _Value]) -> None:
        self.compute, self.name, self.__doc__ = compute, compute.__name__, compute.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> once[_Owner, _Value]: ...
    @overload
    def __get__(self, obj: _Owner, owner: type[Any] | None = None) -> _Value: ...
    def __get__(self, obj: _Owner | None, owner: type[Any] | None = None) -> once[_Owner, _Value] | _Value:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.compute(obj)  # the instance dict wins from now on
        return value


class Line(NamedTuple):  # a NamedTuple: built for every line of every body, so it must be cheap
    number: int  # 1-based, in the unit body
    text: str
    in_code: bool  # inside a fenced block (or the fence itself)
    heading: bool = False  # a markdown heading (never inside code)


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    line: int  # the heading's line
    content: tuple[Line, ...]  # every line up to the next heading of the same or a higher level

    @once
    def key(self) -> str:
        """The title as `find` compares it."""
        return normalise_title(self.title)

    @once
    def text(self) -> str:
        return "\n".join(line.text for line in self.content)

    @once
    def prose(self) -> tuple[Line, ...]:
        """Non-blank lines outside fenced code blocks and not sub-headings."""
        return tuple(line for line in self.content if not line.in_code and not line.heading and line.text.strip())

    @once
    def has_subsections(self) -> bool:
        return any(line.heading for line in self.content)

    @once
    def is_empty(self) -> bool:
        return not any(not line.heading and line.text.strip() for line in self.content)

    def items(self) -> list[Line]:
        """List items, a wrapped continuation joined onto its item."""
        items: list[Line] = []
        for line in self.content:
            if line.in_code:
                continue
            match = _ITEM.match(line.text)
            if match:
                items.append(Line(line.number, match.group(1), False))
            elif items and line.text.startswith(("  ", "\t")) and line.text.strip():
                items[-1] = Line(items[-1].number, items[-1].text + " " + line.text.strip(), False)
        return items

    def tables(self) -> list[Table]:
        return list(self._tables)

    @once
    def _tables(self) -> tuple[Table, ...]:  # several checks read the same section's tables
        return tuple(tables(self.content))


class Row(NamedTuple):
    line: int
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        return self.cells[index] if index is not None and index < len(self.cells) else ""


@dataclass(frozen=True)
class Table:
    line: int  # the header row's line
    header: tuple[str, ...]
    rows: tuple[Row, ...]

    @once
    def _lowered(self) -> tuple[str, ...]:
        return tuple(name.lower() for name in self.header)

    def column(self, *words: str) -> int | None:
        """Index of the first header cell containing any of `words` (case-insensitive)."""
        for index, name in enumerate(self._lowered):
            if any(word in name for word in words):
                return index
        return None


@lru_cache(maxsize=64)  # several checks read the same body in one run
def lines(body: str) -> tuple[Line, ...]:
    if "```" not in body and "~~~" not in body:  # no fences: one comprehension, the common case
        return tuple(
            [
                Line(number, text, False, text.startswith("#") and _HEADING.match(text) is not None)
                for number, text in enumerate(body.splitlines(), start=1)
            ]
        )
    out: list[Line] = []
    fenced = False
    for number, text in enumerate(body.splitlines(), start=1):
        # cheap substring tests first: the regexes run only on lines that could match
        if ("```" in text or "~~~" in text) and _FENCE.match(text):
            out.append(Line(number, text, True))
            fenced = not fenced
            continue
        heading = not fenced and text.startswith("#") and _HEADING.match(text) is not None
        out.append(Line(number, text, fenced, heading))
    return tuple(out)


def sections(body: str) -> list[Section]:
    """Every heading with its content (nested sections are also inside their parent's content)."""
    all_lines = lines(body)
    heads = [
        (i, match)
        for i, line in enumerate(all_lines)
        if line.heading and (match := _HEADING.match(line.text)) is not None
    ]
    found: list[Section] = []
    for position, (index, match) in enumerate(heads):
        level = len(match.group(1))
        end = next((j for j, m in heads[position + 1 :] if len(m.group(1)) <= level), len(all_lines))
        found.append(Section(match.group(2).strip(), level, all_lines[index].number, tuple(all_lines[index + 1 : end])))
    return found


@lru_cache(maxsize=4096)
def normalise_title(title: str) -> str:
    """`Post-condition checks:` → `postcondition checks`: compare headings by words only."""
    title = re.sub(r"[`*_:]", "", title.lower())
    return re.sub(r"\s+", " ", re.sub(r"[-–—]", "", title)).strip()


def find(found: Iterable[Section], *prefixes: str) -> Section | None:
    """The first section whose normalised title starts with one of `prefixes` (normalised too)."""
    wanted = tuple(normalise_title(p) for p in prefixes)
    return next((s for s in found if s.key.startswith(wanted)), None)


def _split_row(text: str) -> tuple[str, ...]:
    # Split on pipes outside code spans: a `a | b` command must stay one cell.
    text = text.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    pieces = text.split("|")
    if "`" not in text:
        return tuple(piece.strip() for piece in pieces)
    cells: list[str] = []
    current: str | None = None
    for piece in pieces:  # re-join pieces split inside a code span (an odd number of backticks so far)
        current = piece if current is None else current + "|" + piece
        if current.count("`") % 2 == 0:
            cells.append(current.strip())
            current = None
    if current is not None:
        cells.append(current.strip())
    return tuple(cells)


def tables(content: Iterable[Line]) -> list[Table]:
    found: list[Table] = []
    block = list(content)
    index = 0
    while index < len(block) - 1:
        head, rule = block[index], block[index + 1]
        if not head.in_code and "|" in head.text and _TABLE_RULE.match(rule.text):
            rows: list[Row] = []
            index += 2
            while (
                index < len(block)
                and not block[index].in_code
                and "|" in block[index].text
                and block[index].text.strip()
            ):
                rows.append(Row(block[index].number, _split_row(block[index].text)))
                index += 1
            found.append(Table(head.number, _split_row(head.text), tuple(rows)))
            continue
        index += 1
    return found


@lru_cache(maxsize=64)
def line_starts(body: str) -> tuple[int, ...]:
    """Offsets where each line of `body` starts: `line_number(body, offset)` maps a match to its line."""
    return (0, *(m.end() for m in re.finditer("\n", body)))


def line_number(body: str, offset: int) -> int:
    return bisect_right(line_starts(body), offset)


def has_command(text: str) -> bool:
    """A literal command: an inline code span, or a fenced block, in `text`."""
    return bool(_CODE_SPAN.search(text)) or "```" in text or "~~~" in text


def section_of(found: Iterable[Section], line: int) -> Section | None:
    """The innermost section containing `line`."""
    best: Section | None = None
    for section in found:
        end = section.content[-1].number if section.content else section.line
        if section.line <= line <= end and (best is None or section.level >= best.level):
            best = section
    return best
