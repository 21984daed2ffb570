"""Patch the engine-owned keys of a markdown file's frontmatter (or of a state.json) in place.

The H·AI·K·U engine re-serialises whole files, but people and agents edit them by hand, so
writing an intent back must change only what changed: re-dumping the YAML would reorder keys,
drop comments, requote strings and unfold `>-` titles, and every export would rewrite every file.
`patch_markdown` instead splits the frontmatter into top-level key blocks (a key's line with its
indented or `- ` continuation lines), compares each wanted key with the file's value as YAML reads
it, and rewrites only the blocks whose value differs: set in place, added at the end of the
frontmatter, or removed. Every other byte (unknown keys, comments, blank lines, quoting, the body)
is kept. `patch_json` does the same for a JSON object (2-space indent and a newline, the engine's
writeJson): a file whose values already agree is returned unchanged, whatever its layout.

A wanted value is a plain value (the file must hold exactly that), `REMOVE` (the key must be
absent), or a `Want` whose `same(old, new)` says when the file's value already means the same
(`old` is `MISSING` when the key is absent): a legacy spelling, a timestamp kept once set.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"(---|\.\.\.)[ \t]*\r?")
_KEY_LINE = re.compile(r"[^\s#\-]|-[^\s]")  # a top-level key starts at column 0 (not a comment or a list item)


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING: Any = _Marker("MISSING")  # what `Want.same` receives for a key the file lacks
REMOVE: Any = _Marker("REMOVE")  # a wanted value: the key must not be there


@dataclass(frozen=True)
class Want:
    """`value` unless `same(old, value)` says the file's value (or its absence: MISSING) will do."""

    value: Any
    same: Callable[[Any, Any], bool] | None = None


class Patched(NamedTuple):
    text: str
    changed: tuple[str, ...]  # the keys whose lines were set, added or removed, in the order asked


class PatchError(ValueError):
    """The file cannot be patched safely (unreadable YAML, or a key block that does not stand alone)."""


def normal(value: Any) -> Any:
    """A value as JSON would hold it: YAML dates and times become the engine's ISO strings."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normal(v) for v in value]
    return value


def _agrees(old: Any, wanted: Any) -> bool:
    """Whether a file whose key holds `old` (MISSING: absent) already has the wanted value."""
    if wanted is REMOVE:
        return old is MISSING
    if isinstance(wanted, Want):
        if wanted.same is not None and wanted.same(old, normal(wanted.value)):
            return True
        wanted = wanted.value
        if wanted is REMOVE:
            return old is MISSING
    return old is not MISSING and _same_type_equal(old, normal(wanted))


def _same_type_equal(a: Any, b: Any) -> bool:
    """Equal as YAML/JSON values: True is not 1, 1 is not "1"."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_type_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_type_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) != isinstance(b, str):
        return False
    return bool(a == b)


def _final(wanted: Any) -> Any:
    return wanted.value if isinstance(wanted, Want) else wanted


# ------------------------------------------------------------ YAML rendering


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key (`key:\\n  - a`), as js-yaml writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def render_key(key: str, value: Any) -> str:
    """`key: value` as YAML lines, in the engine's style: block lists and
    maps, strings quoted only where YAML needs it, no line folding."""
    text = yaml.dump(
        {key: normal(value)},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10**9,
    )
    return text


# ------------------------------------------------------------ markdown frontmatter


class _Split(NamedTuple):
    head: list[str]  # lines up to and including the opening fence ([] when the file has none)
    blocks: list[tuple[str | None, list[str]]]  # (key, its lines); None: lines before any key
    tail: list[str]  # the closing fence and everything after it
    newline: str


def _split(text: str) -> _Split:
    lines = text.split("\n")  # not splitlines(): a form feed or U+2028 inside a value is not a line end
    newline = "\r\n" if lines and lines[0].endswith("\r") else "\n"
    if not lines or lines[0].rstrip("\r").rstrip() != "---":
        return _Split([], [], lines, newline)
    end = next((i for i in range(1, len(lines)) if _FENCE.fullmatch(lines[i])), None)
    if end is None:
        raise PatchError("frontmatter opened with '---' is never closed")
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines[1:end]:
        if line and _KEY_LINE.match(line):
            blocks.append((_key_of(line), [line]))
        else:
            blocks[-1][1].append(line)
    # Trailing blank and comment lines of a block belong to the gap before the next key, not to
    # the key's value: replacing the value keeps them.
    tidy: list[tuple[str | None, list[str]]] = []
    for key, block in blocks:
        gap: list[str] = []
        while key is not None and len(block) > 1 and (not block[-1].strip() or block[-1].startswith("#")):
            gap.insert(0, block.pop())
        tidy.append((key, block))
        if gap:
            tidy.append((None, gap))
    return _Split(lines[:1], tidy, lines[end:], newline)


def _key_of(line: str) -> str:
    try:
        parsed = yaml.load(line.rstrip("\r") + " ~" if line.rstrip().endswith(":") else line, Loader=_Loader)
    except yaml.YAMLError:
        parsed = None
    if isinstance(parsed, dict) and len(parsed) == 1:
        return str(next(iter(parsed)))
    match = re.match(r"\s*([^:]+?)\s*:", line)
    if match is None:
        raise PatchError(f"cannot tell the key of frontmatter line {line!r}")
    return match.group(1)


def _block_value(key: str, block: list[str]) -> Any:
    try:
        parsed = yaml.load("\n".join(block), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise PatchError(f"the value of {key!r} is not readable YAML on its own: {exc}") from None
    if not isinstance(parsed, dict) or len(parsed) != 1:
        raise PatchError(f"the lines of {key!r} do not hold one key")
    return normal(next(iter(parsed.values())))


def frontmatter_values(text: str) -> dict[str, Any]:
    """The frontmatter's top-level values as the patcher reads them (the last of duplicate keys
    wins, as in the engine), dates as ISO strings."""
    values: dict[str, Any] = {}
    for key, block in _split(text).blocks:
        if key is not None:
            values[key] = _block_value(key, block)
    return values


def patch_markdown(text: str, wanted: Mapping[str, Any], body: str | None = None) -> Patched:
    """`text` with each key of `wanted` holding its value, and (when `body` is given and differs
    once trimmed, as the engine reads it) the body replaced by `body` between one leading and one
    trailing newline. A file with no frontmatter gets one when a key is to be added."""
    split = _split(text)
    cr = "\r" if split.newline == "\r\n" else ""  # lines are split at \n: a CRLF file's lines end in \r
    blocks = list(split.blocks)
    last = {key: i for i, (key, _) in enumerate(blocks) if key is not None}  # duplicates: the last wins
    changed: list[str] = []
    removed: set[int] = set()
    added: list[str] = []
    for key, want in wanted.items():
        index = last.get(key)
        old = MISSING if index is None else _block_value(key, blocks[index][1])
        if _agrees(old, want):
            continue
        changed.append(key)
        value = _final(want)
        if value is REMOVE:
            if index is not None:
                removed.add(index)
            continue
        lines = [line + cr for line in render_key(key, value).split("\n")[:-1]]
        if index is None:
            added.extend(lines)
        else:
            blocks[index] = (key, lines)
    kept = [line for i, (_, block) in enumerate(blocks) if i not in removed for line in block]
    if split.head:
        front = [*split.head, *kept, *added]
        tail = split.tail
    elif added:
        front, tail = ["---" + cr, *added], ["---" + cr, *split.tail]
    else:
        front, tail = [], split.tail
    if body is not None:
        tail = _with_body(tail, body, cr, has_fence=bool(front))
    result = "\n".join([*front, *tail])
    return Patched(result, tuple(changed))


def _with_body(tail: list[str], body: str, cr: str, *, has_fence: bool) -> list[str]:
    current = "\n".join(tail[1:] if has_fence else tail)
    if current.strip() == body.strip():
        return tail
    trimmed = body.strip().replace("\r\n", "\n")
    fresh = [cr, *(line + cr for line in trimmed.split("\n")), ""] if trimmed else [""]
    return [tail[0], *fresh] if has_fence else fresh[1:]


def new_markdown(wanted: Mapping[str, Any], body: str) -> str:
    """A new file: the wanted keys in order, then the body between single newlines."""
    return patch_markdown("---\n---\n", wanted, body).text


# ------------------------------------------------------------ JSON (state.json)


def patch_json(text: str | None, wanted: Mapping[str, Any]) -> Patched:
    """`text` (a JSON object; None or empty: a new file) with each key of `wanted` holding its
    value: existing keys keep their place, new ones go at the end, REMOVE drops one. Unchanged
    values return `text` itself; otherwise the whole object is written with a 2-space indent and
    one newline (JSON cannot be patched line by line safely)."""
    try:
        current = json.loads(text) if text and text.strip() else {}
    except json.JSONDecodeError as exc:
        raise PatchError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(current, dict):
        raise PatchError("not a JSON object")
    changed: list[str] = []
    for key, want in wanted.items():
        old = current.get(key, MISSING)
        if _agrees(old, want):
            continue
        changed.append(key)
        value = _final(want)
        if value is REMOVE:
            current.pop(key, None)
        else:
            current[key] = normal(value)
    if not changed and text:
        return Patched(text, ())
    return Patched(json.dumps(current, indent=2, ensure_ascii=False) + "\n", tuple(changed))
