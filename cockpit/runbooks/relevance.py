"""Which runbooks matter to an intent: the ones its units link to first, then the ones its words match.

Links come from unit bodies (markdown links, bare `*.md` paths, URLs) and from the `Runbook`
column of alerts tables (seed 000's unit-body augmentation). Matches come from a full-text
search on the intent's title and its open findings' titles, any word, bm25-ranked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cockpit.domain.model import IntentFacts
from cockpit.runbooks.search import fts_query, run_match
from cockpit.store import runbooks as stored
from cockpit.store.database import Store

_MD_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^\s)>]+)")
_URL = re.compile(r"https?://[^\s<>()\[\]|`]+")
_MD_PATH = re.compile(r"[\w./-]+\.(?:md|markdown)\b", re.IGNORECASE)
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_WORD_SPLIT = re.compile(r"\w+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
        "after",
        "before",
        "during",
        "not",
        "no",
        "all",
        "any",
        "our",
        "their",
        "its",
        "via",
        "vs",
    ]
)


@dataclass(frozen=True)
class RelevantRunbook:
    name: str
    title: str
    reason: str  # linked | matched
    detail: str  # where the link was found, or the matching snippet


def relevant_runbooks(store: Store, facts: IntentFacts, *, limit: int = 10) -> list[RelevantRunbook]:
    """Linked runbooks in the order the units mention them, then text matches, without repeats."""
    with store.snapshot():
        library = stored.live_runbooks(store.conn)
    by_reference = _reference_index(library)
    results: list[RelevantRunbook] = []
    seen: set[str] = set()
    for reference, where in intent_references(facts):
        normal = _normal(reference)
        found = by_reference.get(normal) or by_reference.get(normal.rsplit("/", 1)[-1])  # `runbooks/x.md` → x
        if found and found[0] not in seen:
            seen.add(found[0])
            results.append(RelevantRunbook(found[0], found[1], "linked", where))
    words = [facts.intent.title, *(f.title for f in facts.feedback if f.is_open)]
    match = fts_query(
        " ".join(w for w in _WORD_SPLIT.findall(" ".join(words)) if w.lower() not in _STOPWORDS), any_term=True
    )
    if match is not None and len(results) < limit:
        for hit in run_match(store, match, limit + len(seen)):
            if hit.name not in seen:
                seen.add(hit.name)
                results.append(RelevantRunbook(hit.name, hit.title, "matched", hit.snippet()))
    return results[:limit]


def intent_references(facts: IntentFacts) -> Iterator[tuple[str, str]]:
    """(reference, where) for every runbook-looking reference in the intent's unit bodies."""
    for unit in facts.units:
        where = f"unit {unit.slug}"
        for cell in alerts_table_runbooks(unit.body):
            yield cell, f"{where} (alerts table)"
        for found in _MD_LINK.findall(unit.body):
            yield found, where
        for found in _URL.findall(unit.body):
            yield found, where
        for found in _MD_PATH.findall(unit.body):
            yield found, where


def alerts_table_runbooks(body: str) -> list[str]:
    """Cells of the `Runbook` column of markdown tables (links reduced to their target)."""
    cells: list[str] = []
    column: int | None = None
    for line in body.splitlines():
        row = _TABLE_ROW.match(line)
        if row is None:
            column = None
            continue
        values = [v.strip() for v in row.group(1).split("|")]
        if column is None:
            column = next((i for i, v in enumerate(values) if v.strip("* ").lower() == "runbook"), -1)
            continue
        if column < 0 or column >= len(values) or set(values[column]) <= set("-: "):
            continue
        link = _MD_LINK.search(values[column])
        cells.append(link.group(1) if link else values[column].strip("`<> "))
    return [c for c in cells if c]


def _normal(reference: str) -> str:
    """A reference reduced to what identifies a runbook: no fragment, no `.md`, lowercase."""
    reference = reference.split("#", 1)[0].rstrip("/").strip().lower()
    return re.sub(r"\.(md|markdown)$", "", reference)


def _reference_index(library: list[stored.LiveRunbook]) -> dict[str, tuple[str, str]]:
    """Every form a unit body may use to point at a runbook: URL, path tail, or bare name."""
    index: dict[str, tuple[str, str]] = {}
    for runbook in library:
        entry = (runbook.name, runbook.title)
        index.setdefault(_normal(runbook.source), entry)
        index.setdefault(_normal(runbook.name), entry)
        parts = _normal(runbook.source).split("/")
        for size in range(1, len(parts)):  # `runbooks/db-failover.md`, `db-failover.md`
            index.setdefault("/".join(parts[-size:]), entry)
    return index
