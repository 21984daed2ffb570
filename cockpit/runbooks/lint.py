"""Lint runbooks against seed 000's quality signals, with file and line for every finding.

Rules (id, level):
- `missing-section` (error): a section of the runbook's shape is absent (see runbook_shapes).
- `diagnosis-after-remediation` (error): a fix comes before the steps that diagnose.
- `step-without-command` (warning): an action step ("Restart the service") with no inline
  `command`, code block or link. A heuristic, so it warns rather than fails.
- `vague-escalation` (error): an escalation line with no condition or no one to page.
- `placeholder` (error): `TODO`, `TBD`, `FIXME` or a `<template slot>` left in. Inside code,
  `<`/`>` are shell redirection, so only a `# TODO`-style comment counts there.
- `empty-section` (error): a heading with nothing under it.
- `broken-link` (error): a relative link to a missing file, or to a `#heading` that is not there.
- `frontmatter`, `unknown-shape`, `unreadable` (error): the file itself cannot be checked.

`lint_runbook` is pure apart from the `resolve` callback that answers "does this link target
exist", so the same rules run on files, on the stored library and on synced pages.
`check_runbook(store, name)` is the question other checks ask: does it exist, does it pass.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from cockpit.errors import CockpitError, NotFound
from cockpit.runbooks.doc import Link, RunbookDoc, RunbookReadError, read_runbook, strip_code_spans
from cockpit.runbooks.index import scan_folder
from cockpit.runbooks.library import get_runbook, list_runbooks, runbook_for_source
from cockpit.runbooks.shapes import REFERENCE, SHAPES, declared_shape, detect_shape, entries, kind_of, section_kinds
from cockpit.store.database import Store
from cockpit.text.slots import template_slots

ERROR, WARNING = "error", "warning"

# A link target: a document (anchors checkable), True (exists), False (missing), None (cannot tell).
Resolved = RunbookDoc | bool | None
Resolver = Callable[[str], Resolved]

_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_PLACEHOLDER_WORD = re.compile(r"\b(TODO|TBD|FIXME)\b")
_CODE_PLACEHOLDER = re.compile(r"(?:#|//|--)\s*(TODO|TBD|FIXME)\b")
_COMMENT = re.compile(r"<!--.*?-->")
_CONDITION = re.compile(
    r"\b(if|when|after|unless|once|while|exceeds?|above|below|more than|less than|longer than|"
    r"still|persists?|within|over)\b|[<>≥≤]|\d+\s*(%|ms|s|sec|min|minutes?|h|hours?)\b",
    re.IGNORECASE,
)
_WHO = re.compile(
    r"\b(page|call|escalate to|notify|contact|ping|loop in|hand (it )?(over )?to|on-?call|oncall|rotation|"
    r"team|lead|manager|commander|sre|dba|owner|tier|engineer|vendor|support)\b|@[\w-]+",
    re.IGNORECASE,
)
_ACTION_VERBS = frozenset(
    [
        "apply",
        "block",
        "bounce",
        "bump",
        "check",
        "clear",
        "close",
        "compare",
        "confirm",
        "cordon",
        "curl",
        "cycle",
        "decrease",
        "delete",
        "demote",
        "deploy",
        "disable",
        "download",
        "drain",
        "edit",
        "enable",
        "ensure",
        "evict",
        "fail",
        "failover",
        "fetch",
        "flush",
        "grep",
        "increase",
        "inspect",
        "install",
        "invalidate",
        "issue",
        "kill",
        "look",
        "lower",
        "make",
        "move",
        "open",
        "patch",
        "pause",
        "pin",
        "promote",
        "purge",
        "query",
        "raise",
        "reboot",
        "recycle",
        "redeploy",
        "reissue",
        "reload",
        "remove",
        "renew",
        "replace",
        "reroute",
        "reset",
        "restart",
        "resume",
        "retry",
        "revert",
        "roll",
        "rollback",
        "rotate",
        "route",
        "run",
        "scale",
        "set",
        "shift",
        "start",
        "stop",
        "suspend",
        "switch",
        "tail",
        "test",
        "throttle",
        "trigger",
        "unblock",
        "uncordon",
        "unpin",
        "update",
        "upload",
        "verify",
        "warm",
        "watch",
    ]
)
_ACTION_KINDS = frozenset({"symptoms", "diagnosis", "remediation", "rollback"})


@dataclass(frozen=True)
class LintFinding:
    rule: str
    level: str  # error | warning
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message} [{self.rule}]"

    def to_json(self) -> dict:
        return asdict(self)


def has_errors(findings: list[LintFinding]) -> bool:
    return any(f.level == ERROR for f in findings)


# ------------------------------------------------------------------ resolving link targets


@lru_cache(maxsize=512)
def _read_cached(path: str, mtime: float) -> RunbookDoc | None:
    try:
        return read_runbook(path)
    except RunbookReadError:
        return None


def filesystem_resolver(target: str) -> Resolved:
    """Files on disk; a markdown target is parsed so its anchors can be checked. URLs: unknown."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
        return None
    if not os.path.exists(target):
        return False
    if os.path.isfile(target) and target.lower().endswith((".md", ".markdown")):
        return _read_cached(target, os.path.getmtime(target)) or True
    return True


# ------------------------------------------------------------------ the rules


def lint_runbook(doc: RunbookDoc, *, resolve: Resolver = filesystem_resolver) -> list[LintFinding]:
    """Every finding for one runbook, by line."""
    path = doc.source or doc.name
    findings = [LintFinding(rule, level, path, line, message) for rule, level, line, message in _rules(doc, resolve)]
    return sorted(findings, key=lambda f: (f.line, f.rule))


def _rules(doc: RunbookDoc, resolve: Resolver) -> Iterator[tuple[str, str, int, str]]:
    if doc.meta_error:
        yield "frontmatter", ERROR, 1, doc.meta_error
    declared = declared_shape(doc)
    if declared is not None and declared not in SHAPES and declared != REFERENCE:
        yield "unknown-shape", ERROR, 2, f"unknown shape {declared!r}: use {', '.join(SHAPES)} or {REFERENCE}"
    shape_name = detect_shape(doc)
    if shape_name != REFERENCE and shape_name in SHAPES:
        yield from _shape_rules(doc, shape_name)
    yield from _step_rules(doc)
    yield from _placeholders(doc)
    yield from _empty_sections(doc)
    yield from _broken_links(doc, resolve)


def _shape_rules(doc: RunbookDoc, shape_name: str) -> Iterator[tuple[str, str, int, str]]:
    shape = SHAPES[shape_name]
    how = "declared" if declared_shape(doc) == shape_name else "detected"
    for entry in entries(doc):
        where = entry.parent.line if entry.parent else doc.body_start
        label = f"{entry.parent.text!r}" if entry.parent else "the runbook"
        for kind, heading in shape.sections:
            if kind not in entry.kinds:
                yield (
                    "missing-section",
                    ERROR,
                    where,
                    f"{label} has no {heading!r} section ({shape.description} shape, {how})",
                )
        fix = entry.first("remediation")
        diagnose = entry.first("diagnosis") or entry.first("symptoms")  # the diagnostic steps proper, if any
        if fix is not None and diagnose is not None and fix.line < diagnose.line:
            yield (
                "diagnosis-after-remediation",
                ERROR,
                fix.line,
                f"{fix.text!r} comes before {diagnose.text!r} (line {diagnose.line}): diagnose before acting",
            )


@dataclass(frozen=True)
class _Item:
    line: int
    text: str  # the item's own words (first line and continuations, code excluded)
    full_text: str  # with its sub-items
    concrete: bool  # holds inline code, a code block or a link
    nested: bool  # a sub-item of another item


def _list_items(doc: RunbookDoc) -> list[_Item]:
    """List items outside code, each running to the next item at the same or a lower indent."""
    lines = doc.lines
    heading_lines = {h.line for h in doc.headings}
    starts: list[tuple[int, int]] = []  # (line, indent)
    for number in range(doc.body_start, len(lines) + 1):
        if number not in doc.code_lines and number not in heading_lines:
            match = _ITEM.match(lines[number - 1])
            if match:
                starts.append((number, len(match.group(1).expandtabs(4))))
    ends = []
    for position, (line, indent) in enumerate(starts):
        end = next((n - 1 for n, i in starts[position + 1 :] if i <= indent), len(lines))
        ends.append(min([end, *(h - 1 for h in heading_lines if h > line)]))
    items = []
    for position, (line, _indent) in enumerate(starts):
        end = ends[position]
        nested_from = next((n for n, _ in starts[position + 1 :] if n <= end), end + 1)  # sub-items judge themselves
        own = [lines[n - 1] for n in range(line, nested_from) if n not in doc.code_lines]
        text = " ".join(_ITEM.sub(r"\2", own[0], count=1).split() + [w for rest in own[1:] for w in rest.split()])
        full = " ".join([text, *(lines[n - 1].strip() for n in range(nested_from, end + 1) if n not in doc.code_lines)])
        nested = any(start < line <= ends[p] for p, (start, _) in enumerate(starts[:position]))
        has_code = any(n in doc.code_lines for n in range(line, end + 1))
        inline = any(
            "`" in lines[n - 1] or "](" in lines[n - 1] or "<http" in lines[n - 1]
            for n in range(line, end + 1)
            if n not in doc.code_lines
        )
        items.append(_Item(line, text, full, has_code or inline, nested))
    return items


def _first_word(text: str) -> str:
    text = re.sub(r"^(\[[ xX]\]\s*|\*\*|__|step\s*\d+\s*[:.]\s*)+", "", text.strip(), flags=re.IGNORECASE)
    match = re.match(r"[A-Za-z-]+", text)
    return match.group(0).lower() if match else ""


def _step_rules(doc: RunbookDoc) -> Iterator[tuple[str, str, int, str]]:
    items_by_section: dict[int, list[_Item]] = {}
    kind_at = section_kinds(doc)
    for item in _list_items(doc):
        kind = kind_at(item.line)
        if kind in _ACTION_KINDS and not item.concrete and _first_word(item.text) in _ACTION_VERBS:
            yield (
                "step-without-command",
                WARNING,
                item.line,
                f"step {_clip(item.text)!r} names no command: add the exact command (inline `code` or a code block)",
            )
        if kind == "escalation" and not item.nested:  # a sub-item reads in its parent's context
            heading = doc.heading_above(item.line)
            items_by_section.setdefault(heading.line if heading else 0, []).append(item)
            yield from _escalation_problems(item.line, item.full_text)
    for heading in doc.headings:  # an escalation section written as prose, not a list
        if kind_of(heading) == "escalation" and heading.line not in items_by_section:
            section = next(s for s in doc.sections if s.heading == heading)
            prose = " ".join(text for n, text in enumerate(section.body, section.body_line) if n not in doc.code_lines)
            if prose.strip():
                yield from _escalation_problems(heading.line, prose)


def _escalation_problems(line: int, text: str) -> Iterator[tuple[str, str, int, str]]:
    plain = strip_code_spans(text)
    missing = [
        what
        for what, pattern in (("condition (if/when/after …)", _CONDITION), ("no one to page", _WHO))
        if not pattern.search(plain)
    ]
    if missing:
        what = " and ".join(m if m.startswith("no ") else f"no {m}" for m in missing)
        yield "vague-escalation", ERROR, line, f"escalation {_clip(text)!r} has {what}: say when, and whom to page"


def _placeholders(doc: RunbookDoc) -> Iterator[tuple[str, str, int, str]]:
    for number, raw in enumerate(doc.lines, 1):
        if number < doc.body_start:
            continue
        if number in doc.code_lines:
            match = _CODE_PLACEHOLDER.search(raw)
            if match:
                yield "placeholder", ERROR, number, f"{match.group(1)} left in a code block"
            continue
        line = strip_code_spans(raw)
        for match in _PLACEHOLDER_WORD.finditer(line):
            yield "placeholder", ERROR, number, f"{match.group(1)} left in"
        for match in template_slots(_COMMENT.sub("", line)):
            yield "placeholder", ERROR, number, f"template slot <{match.group(1)}> left in"


def _empty_sections(doc: RunbookDoc) -> Iterator[tuple[str, str, int, str]]:
    headings = list(doc.headings)
    headed = [(s, s.heading) for s in doc.sections if s.heading is not None]
    for position, (section, heading) in enumerate(headed):
        following = headings[position + 1] if position + 1 < len(headings) else None
        if following is not None and following.level > heading.level:
            continue  # its content is its sub-sections
        if not any(_COMMENT.sub("", line).strip() for line in section.body):
            yield "empty-section", ERROR, section.start, f"section {heading.text!r} is empty"


def _broken_links(doc: RunbookDoc, resolve: Resolver) -> Iterator[tuple[str, str, int, str]]:
    for link in doc.links:
        if link.external:
            continue
        if link.same_page:
            if link.anchor and doc.heading_for(link.anchor) is None:
                yield "broken-link", ERROR, link.line, f"link to #{link.anchor}: no such heading in this runbook"
            continue
        yield from _check_target(link, resolve)


def _check_target(link: Link, resolve: Resolver) -> Iterator[tuple[str, str, int, str]]:
    if link.resolved is None:
        return
    found = resolve(link.resolved)
    if found is False:
        yield "broken-link", ERROR, link.line, f"link to {link.target}: {link.resolved} does not exist"
    elif isinstance(found, RunbookDoc) and link.anchor and found.heading_for(link.anchor) is None:
        yield (
            "broken-link",
            ERROR,
            link.line,
            f"link to {link.target}: no heading #{link.anchor} in {Path(link.resolved).name}",
        )


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------ folders and the library


def lint_folder(folder: str | os.PathLike[str]) -> list[LintFinding]:
    """Lint every runbook under a folder; a file that cannot be read is an `unreadable` finding."""
    root = Path(folder)
    if not root.is_dir():
        raise CockpitError(f"{folder}: not a folder")
    files, problems = scan_folder(root)
    findings = [_unreadable(problem) for problem in problems]
    for file in files:
        try:
            doc = read_runbook(file.path, name=file.name)
        except RunbookReadError as exc:
            findings.append(_unreadable(str(exc)))
            continue
        findings.extend(lint_runbook(doc))
    return findings


def _unreadable(problem: str) -> LintFinding:
    path, _, reason = problem.partition(": ")
    return LintFinding("unreadable", ERROR, path, 1, reason)


def library_resolver(store: Store) -> Resolver:
    """Targets in the stored library first (so synced pages link to each other), then the disk."""

    def resolve(target: str) -> Resolved:
        stored = runbook_for_source(store, target)
        if stored is not None and not stored.gone:
            return stored.doc
        return filesystem_resolver(target)

    return resolve


def lint_library(store: Store) -> list[LintFinding]:
    """Lint every runbook in the store that is not gone (what `cockpit runbooks lint` does without a folder)."""
    resolve = library_resolver(store)
    findings: list[LintFinding] = []
    for info in list_runbooks(store):
        findings.extend(lint_runbook(get_runbook(store, info.name).doc, resolve=resolve))
    return findings


def check_runbook(store: Store, name: str) -> list[LintFinding]:
    """Lint one stored runbook by name; NotFound (with close names) when there is none.

    For quality checks: the runbook exists and passes when this returns no error-level finding
    (`has_errors`). A gone runbook counts as missing: its file was deleted.
    """
    runbook = get_runbook(store, name)
    if runbook.gone:
        raise NotFound(f"runbook {name!r} is gone: its file {runbook.source} disappeared at {runbook.gone_at}")
    return lint_runbook(runbook.doc, resolve=library_resolver(store))
