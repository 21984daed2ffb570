"""Checks for a postmortem (incident-response studio, postmortem stage; `cockpit postmortem lint`).

Four rules, each on the document's text whatever layout it follows (Google SRE's, PagerDuty's,
incident.io's: their headings for the same part are accepted alike):
- the required sections are there: summary, impact, root causes, resolution, action items, lessons
  learned, timeline;
- the timeline's entries are in UTC (each one, or the heading says so) and in order;
- every action item has an owner and a due date (a table with Owner and Due columns, or list items
  that say `owner:` and `due:`);
- the impact is quantified: a number with what it counts (a percentage, a duration, requests, users…).
"""

from __future__ import annotations

import re

from cockpit.checks import markdown
from cockpit.checks.base import CheckContext, Problem, Skip

# Each required part by the headings that hold it in one layout or another (prefixes, as markdown.find).
REQUIRED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Summary", ("summary", "overview")),
    ("Impact", ("impact",)),
    ("Root causes", ("root cause", "contributing factors", "contributors")),
    ("Resolution", ("resolution", "mitigators")),
    ("Action items", ("action items", "followups", "follow ups")),
    ("Lessons learned", ("lessons learned", "how we did", "learnings")),
    ("Timeline", ("timeline",)),
)


def _part(found: list[markdown.Section], name: str) -> markdown.Section | None:
    prefixes = dict(REQUIRED)[name]
    return markdown.find(found, *prefixes)


def sections(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str]:
    problems = []
    for name, prefixes in REQUIRED:
        section = markdown.find(found, *prefixes)
        if section is None:
            also = f" (or {', '.join(f'`{p}`' for p in prefixes[1:])})" if len(prefixes) > 1 else ""
            problems.append(Problem(f"no `## {name}` section{also}", None, 1))
        elif section.is_empty:
            problems.append(Problem(f"`## {section.title}` is empty", section.title, section.line))
    return problems, "every required section is there"


# ------------------------------------------------------------------ the timeline

_MOMENT = re.compile(
    r"^\W*(?:(?P<date>\d{4}-\d{2}-\d{2})[ T])?(?P<time>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::[0-5]\d)?"
    r"(?P<zone>\s*(?:UTC|Z|GMT|[+-]\d{2}:?\d{2}|[A-Z]{2,5}\b))?"
)
_UTC_ZONES = ("UTC", "Z", "GMT", "+00:00", "+0000", "-00:00")


def _entries(section: markdown.Section) -> list[tuple[int, str]]:
    """(line, first cell or list item text) of each timeline entry: table rows, else list items."""
    rows = [(row.line, row.get(0)) for table in section.tables() for row in table.rows]
    return rows or [(item.number, item.text) for item in section.items()]


def timeline(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str] | Skip:
    section = _part(found, "Timeline")
    if section is None:
        return Skip("the section is missing (postmortem.sections says so)")
    heading_utc = "utc" in section.title.lower() or any(
        "utc" in cell.lower() for table in section.tables() for cell in table.header[:1]
    )
    problems = []
    last: tuple[str, str] | None = None
    date = ""
    entries = _entries(section)
    if not entries:
        return [Problem("the timeline has no dated entries", section.title, section.line)], ""
    for line, text in entries:
        match = _MOMENT.match(text)
        if match is None:
            problems.append(Problem(f"timeline entry without a time: {text[:60]!r}", section.title, line))
            continue
        zone = (match["zone"] or "").strip()
        if zone and zone.upper() not in _UTC_ZONES:
            problems.append(Problem(f"timeline entry in {zone}, not UTC: {text[:60]!r}", section.title, line))
        elif not zone and not heading_utc:
            problems.append(
                Problem(
                    f"timeline entry without a zone (say UTC, here or in the heading): {text[:60]!r}",
                    section.title,
                    line,
                )
            )
        date = match["date"] or date
        moment = (date, f"{match['time']}:{match['minute']}")
        if last is not None and moment < last:
            problems.append(
                Problem(
                    f"timeline out of order: {text[:60]!r} comes after {' '.join(last).strip()}", section.title, line
                )
            )
        last = moment
    return problems, f"{len(entries)} timeline entries, in UTC and in order"


# ------------------------------------------------------------------ action items

_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NOBODY = {"", "-", "—", "–", "?", "tbd", "tba", "none", "n/a", "unassigned", "nobody", "not set", "no date"}
_OWNER_IN_ITEM = re.compile(r"\bowner\s*[:=]\s*([^,;|)]+)", re.I)
_DUE_IN_ITEM = re.compile(r"\bdue\s*[:=]\s*([^,;|)]+)", re.I)


def _owned(owner: str) -> bool:
    return owner.strip().strip("*_`").lower() not in _NOBODY


def action_items(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str] | Skip:
    section = _part(found, "Action items")
    if section is None:
        return Skip("the section is missing (postmortem.sections says so)")
    problems = []
    count = 0
    for table in section.tables():
        owner_col, due_col = table.column("owner"), table.column("due")
        if owner_col is None or due_col is None:
            problems.append(Problem("the action items table needs Owner and Due columns", section.title, table.line))
            count += len(table.rows)
            continue
        for row in table.rows:
            count += 1
            what = row.get(0)[:50]
            if not _owned(row.get(owner_col)):
                problems.append(Problem(f"action item without an owner: {what!r}", section.title, row.line))
            if not _DATE.search(row.get(due_col)):
                problems.append(
                    Problem(f"action item without a due date (YYYY-MM-DD): {what!r}", section.title, row.line)
                )
    if not section.tables():
        for item in section.items():
            count += 1
            owner, due = _OWNER_IN_ITEM.search(item.text), _DUE_IN_ITEM.search(item.text)
            if owner is None or not _owned(owner[1]):
                problems.append(
                    Problem(f"action item without an owner: {item.text[:50]!r}", section.title, item.number)
                )
            if due is None or not _DATE.search(due[1]):
                problems.append(
                    Problem(
                        f"action item without a due date (YYYY-MM-DD): {item.text[:50]!r}", section.title, item.number
                    )
                )
    if count == 0:
        problems.append(Problem("no action items: name each with an owner and a due date", section.title, section.line))
    return problems, f"{count} action items, each with an owner and a due date"


# ------------------------------------------------------------------ impact

_QUANTITY = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*|\d[\d,.]*\s*(?:[a-z-]+\s+){0,2}?(?:%|percent|ms\b|s\b|sec|seconds?|min|minutes?|h\b|hours?|days?|"
    r"requests?|users?|customers?|accounts?|orders?|checkouts?|payments?|transactions?|errors?|calls?|"
    r"tickets?|events?|sessions?|pods?|services?|regions?))",
    re.I,
)


def impact(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str] | Skip:
    section = _part(found, "Impact")
    if section is None:
        return Skip("the section is missing (postmortem.sections says so)")
    text = " ".join(line.text for line in section.prose)
    quantities = _QUANTITY.findall(text)
    if not quantities:
        return [
            Problem(
                "the impact is not quantified: say how many (users, requests, orders, %) and for how long",
                section.title,
                section.line,
            )
        ], ""
    return [], f"impact quantified ({', '.join(q.strip() for q in quantities[:3])})"
