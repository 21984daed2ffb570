"""A markdown runbook as a document: title, headings, sections, code blocks and links.

Pure parsing with line numbers (1-based, counted in the whole file, frontmatter included) so
lint findings and the TUI's outline point at the line the engineer sees in their editor. Only
the markdown a runbook needs is understood: ATX and setext headings, fenced code, inline and
reference links. Headings and links inside code are ignored.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from cockpit.errors import CockpitError

# A runbook is prose and commands; anything bigger is a mistake (a log dump, a binary).
MAX_RUNBOOK_BYTES = 2 * 1024 * 1024
RUNBOOK_SUFFIXES = (".md", ".markdown")

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})[ \t]*([^`]*?)[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r"^\s*(?:[-*+>|]|\d+[.)]|#|<!--)")
_INLINE_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^\s)>]*)>?(?:\s+[\"'(][^)]*)?\s*\)")
_REF_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])+)\]\[([^\]]*)\]")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?\s*$")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]+)>")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class RunbookReadError(CockpitError):
    """A runbook file that cannot be read as text; the message is `path: reason`."""


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str
    anchor: str  # the `#fragment` a link uses to point here (GitHub's rules)


@dataclass(frozen=True)
class Section:
    """A heading and the lines under it, up to the next heading of any level."""

    heading: Heading | None  # None: the text before the first heading
    start: int  # line of the heading (or of the first body line)
    end: int  # last line, inclusive
    body: tuple[str, ...]
    body_line: int  # line of body[0]


@dataclass(frozen=True)
class CodeBlock:
    line: int  # the opening fence
    language: str
    info: str  # the whole info string (language plus attributes)
    text: str
    heading: Heading | None  # the heading it sits under


@dataclass(frozen=True)
class Link:
    line: int
    target: str  # as written
    text: str
    resolved: str | None = None  # file path (file runbooks) or absolute URL (synced ones); None for same-page anchors
    anchor: str | None = None  # the fragment, without '#'
    image: bool = False

    @property
    def external(self) -> bool:
        return bool(_SCHEME.match(self.target))

    @property
    def same_page(self) -> bool:
        return self.target.startswith("#")

    @property
    def to_runbook(self) -> bool:
        """A relative link to another markdown file: a runbook the viewer can follow."""
        path = urlsplit(self.target).path
        return not self.external and path.lower().endswith(RUNBOOK_SUFFIXES)


@dataclass(frozen=True)
class RunbookDoc:
    name: str
    title: str
    text: str
    source: str | None  # file path or URL; relative links resolve against its folder
    meta: dict[str, Any]
    meta_error: str | None
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    code_blocks: tuple[CodeBlock, ...]
    links: tuple[Link, ...]
    body_start: int  # first line after the frontmatter
    code_lines: frozenset[int] = field(repr=False)  # lines inside fenced code, fences included

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def distinct_links(self) -> tuple[Link, ...]:
        """The links a reader can follow, each destination once (its first mention): a runbook that
        points at the same dashboard or section three times offers it once. Images are not links."""
        seen: set[tuple[str, str | None]] = set()
        distinct = []
        for link in self.links:
            key = (link.resolved or link.target.split("#", 1)[0], link.anchor)
            if not link.image and key not in seen:
                seen.add(key)
                distinct.append(link)
        return tuple(distinct)

    def heading_for(self, anchor: str) -> Heading | None:
        wanted = anchor.lower()
        return next((h for h in self.headings if h.anchor == wanted), None)

    def heading_above(self, line: int) -> Heading | None:
        return _last_before(self.headings, line)


# ------------------------------------------------------------------ reading


def read_runbook_text(path: str | os.PathLike[str]) -> str:
    """The file's text; RunbookReadError (`path: reason`) for anything that is not a runbook."""
    try:
        size = os.stat(path).st_size
        if size > MAX_RUNBOOK_BYTES:
            raise RunbookReadError(
                f"{path}: too large ({size / 1e6:.1f} MB; the limit is {MAX_RUNBOOK_BYTES / 1e6:.0f} MB)"
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_RUNBOOK_BYTES + 1)
    except OSError as exc:
        reason = "symlink loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise RunbookReadError(f"{path}: {reason}") from None
    return decode_runbook(data, str(path))


def decode_runbook(data: bytes, where: str) -> str:
    """Bytes to text, refusing binary and non-UTF-8 input with a reason a person can act on."""
    if len(data) > MAX_RUNBOOK_BYTES:
        raise RunbookReadError(f"{where}: too large (over {MAX_RUNBOOK_BYTES / 1e6:.0f} MB)")
    if b"\x00" in data[:8192]:
        raise RunbookReadError(f"{where}: binary file, not markdown")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunbookReadError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return text.removeprefix("\ufeff")


def read_runbook(path: str | os.PathLike[str], name: str | None = None) -> RunbookDoc:
    return parse_runbook(read_runbook_text(path), source=str(path), name=name or Path(path).stem)


# ------------------------------------------------------------------ names


def anchor_of(text: str) -> str:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens."""
    text = _CODE_SPAN.sub(lambda m: m.group(2), text).strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LNM")
    return kept.replace(" ", "-")


def name_from_url(url: str) -> str:
    """A runbook name from a URL's last path segment (its file stem), else its host."""
    parts = urlsplit(url)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    stem = segment.rsplit(".", 1)[0] if segment.lower().endswith(RUNBOOK_SUFFIXES) else segment
    name = re.sub(r"[^\w.-]+", "-", stem or parts.hostname or "runbook").strip("-").lower()
    return name or "runbook"


def title_from_name(name: str) -> str:
    words = re.sub(r"[-_]+", " ", name.rsplit("/", 1)[-1]).strip()
    return words[:1].upper() + words[1:] if words else name


# ------------------------------------------------------------------ parsing


def parse_runbook(text: str, *, source: str | None = None, name: str | None = None) -> RunbookDoc:
    lines = text.splitlines()
    meta, meta_error, body_start = _frontmatter(lines)
    code_lines, blocks = _fenced_blocks(lines, body_start)
    headings = _headings(lines, body_start, code_lines)
    name = name or (
        Path(source).stem if source and not _SCHEME.match(source) else name_from_url(source) if source else "runbook"
    )
    first_h1 = next((h.text for h in headings if h.level == 1), None)
    title = str(meta.get("title") or first_h1 or title_from_name(name))
    code_blocks = tuple(
        CodeBlock(line, lang, info, body, _last_before(headings, line)) for line, lang, info, body in blocks
    )
    return RunbookDoc(
        name=name,
        title=title,
        text=text,
        source=source,
        meta=meta,
        meta_error=meta_error,
        headings=tuple(headings),
        sections=_sections(lines, body_start, headings),
        code_blocks=code_blocks,
        links=tuple(_links(lines, body_start, code_lines, source)),
        body_start=body_start,
        code_lines=frozenset(code_lines),
    )


def _frontmatter(lines: list[str]) -> tuple[dict[str, Any], str | None, int]:
    """YAML frontmatter between `---` fences: (meta, problem or None, first body line)."""
    if not lines or lines[0].strip() != "---":
        return {}, None, 1
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return {}, None, 1  # an opening rule with no close is a thematic break, not frontmatter
    import yaml  # only runbooks that carry frontmatter pay for it

    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        return {}, f"invalid YAML frontmatter: {getattr(exc, 'problem', None) or exc}", end + 2
    if not isinstance(meta, dict):
        return {}, "frontmatter must be a mapping of keys", end + 2
    return meta, None, end + 2


def _fenced_blocks(lines: list[str], start: int) -> tuple[set[int], list[tuple[int, str, str, str]]]:
    code_lines: set[int] = set()
    blocks: list[tuple[int, str, str, str]] = []
    index = start - 1
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = len(opening.group(1)), opening.group(2), opening.group(3)
        close = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(index + 1, len(lines)) if close.match(lines[j])), len(lines))
        content = [_dedent(line, indent) for line in lines[index + 1 : end]]
        last_line = min(end + 1, len(lines))  # the closing fence, or the last line when never closed
        code_lines.update(range(index + 1, last_line + 1))
        language = info.split()[0].strip("{}.").lower() if info.split() else ""
        blocks.append((index + 1, language, info, "\n".join(content)))
        index = end + 1
    return code_lines, blocks


def _dedent(line: str, width: int) -> str:
    stripped = len(line) - len(line.lstrip(" "))
    return line[min(width, stripped) :]


def _headings(lines: list[str], start: int, code_lines: set[int]) -> list[Heading]:
    found: list[tuple[int, int, str]] = []
    for index in range(start - 1, len(lines)):
        number = index + 1
        if number in code_lines:
            continue
        atx = _ATX.match(lines[index])
        if atx:
            found.append((number, len(atx.group(1)), (atx.group(2) or "").strip()))
            continue
        setext = _SETEXT.match(lines[index])
        if setext and index > start - 1 and (number - 1) not in code_lines:
            above = lines[index - 1]
            if (
                above.strip()
                and not _NOT_PARAGRAPH.match(above)
                and not _ATX.match(above)
                and not (found and found[-1][0] == number - 1)
            ):
                found.append((number - 1, 1 if setext.group(1)[0] == "=" else 2, above.strip()))
    headings: list[Heading] = []
    seen: dict[str, int] = {}
    for number, level, text in found:
        base = anchor_of(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        headings.append(Heading(number, level, text, base if count == 0 else f"{base}-{count}"))
    return headings


def _sections(lines: list[str], start: int, headings: list[Heading]) -> tuple[Section, ...]:
    sections: list[Section] = []
    setext_rules = {h.line + 1 for h in headings if not _ATX.match(lines[h.line - 1])}
    first = headings[0].line if headings else len(lines) + 1
    if first > start and any(line.strip() for line in lines[start - 1 : first - 1]):
        sections.append(Section(None, start, first - 1, tuple(lines[start - 1 : first - 1]), start))
    for position, heading in enumerate(headings):
        until = headings[position + 1].line - 1 if position + 1 < len(headings) else len(lines)
        first_body = heading.line + (2 if heading.line + 1 in setext_rules else 1)
        sections.append(Section(heading, heading.line, until, tuple(lines[first_body - 1 : until]), first_body))
    return tuple(sections)


def _last_before(headings: list[Heading] | tuple[Heading, ...], line: int) -> Heading | None:
    above = None
    for heading in headings:
        if heading.line > line:
            break
        above = heading
    return above


def strip_code_spans(line: str) -> str:
    """The line with inline `code` blanked out (same length, so columns still line up)."""
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def _links(lines: list[str], start: int, code_lines: set[int], source: str | None) -> list[Link]:
    definitions: dict[str, tuple[int, str]] = {}
    for index in range(start - 1, len(lines)):
        if index + 1 not in code_lines and "]:" in lines[index]:
            match = _REF_DEF.match(lines[index])
            if match:
                definitions.setdefault(match.group(1).strip().lower(), (index + 1, match.group(2)))
    links: list[Link] = []
    for index in range(start - 1, len(lines)):
        number = index + 1
        raw = lines[index]
        if ("[" not in raw and "<" not in raw) or number in code_lines or _REF_DEF.match(raw):
            continue  # the first test skips most lines cheaply
        line = strip_code_spans(raw)
        for match in _INLINE_LINK.finditer(line):
            links.append(_link(number, match.group(3), match.group(2), source, image=bool(match.group(1))))
        for match in _REF_LINK.finditer(line):
            key = (match.group(3) or match.group(2)).strip().lower()
            if key in definitions:
                links.append(_link(number, definitions[key][1], match.group(2), source, image=bool(match.group(1))))
        for match in _AUTOLINK.finditer(line):
            links.append(_link(number, match.group(1), match.group(1), source))
    return links


def _link(line: int, target: str, text: str, source: str | None, image: bool = False) -> Link:
    path_part, _, fragment = target.partition("#")
    anchor = unquote(fragment) if fragment else None
    if _SCHEME.match(target) or target.startswith("//"):
        return Link(line, target, text, target, anchor, image)
    if not path_part:  # `#anchor`: this document
        return Link(line, target, text, None, anchor, image)
    return Link(line, target, text, resolve_relative(source, path_part), anchor, image)


def resolve_relative(source: str | None, target: str) -> str | None:
    """A relative link target resolved against the runbook's folder (or its URL)."""
    if source is None:
        return None
    if _SCHEME.match(source):
        return urljoin(source, target)
    target = unquote(target.split("?", 1)[0])
    if target.startswith("/"):
        return os.path.normpath(target)
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source)), target))
