"""Which runbooks matter to an intent, best first: the ones its units link to, then the ones that
are about what the intent is about.

Links come from unit bodies (markdown links, bare `*.md` paths, URLs) and from the `Runbook`
column of alerts tables (seed 000's unit-body augmentation); a linked runbook is always starred.

Matches are measured by which words they share, not by a bm25 score (whose scale depends on the
library, so no threshold on it could be defended). The intent's title says what the intent is
about; its open findings' titles add detail. Words most runbooks share (more than half of a
library of at least COMMON_MIN_LIBRARY: every sample has a "Rollback" heading and an "api") tell
no runbook apart, as in bm25's own IDF, which turns negative there, so they do not count.
A word of four letters or more also matches longer forms (`certificate` finds `certificates`).

- strong (starred): the runbook's title and headings name at least half of the intent title's
  words that count, and at least two when it has two (STRONG_SHARE): the runbook is about this.
- weak (listed lower, no star): it mentions at least two of those words anywhere, or names at
  least two words of the open findings' titles in its title and headings (WEAK_MIN_WORDS).
- below that, not listed: one shared word ("checkout" in a command) is a coincidence.

Within each group the order is by score: a title word named in the title or headings counts 2,
mentioned elsewhere 1, a findings' word named in the title or headings 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from cockpit.domain.model import IntentFacts
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
        "too",
        "does",
        "runbook",  # the genre, not a subject: every runbook says it
        "runbooks",
    ]
)
STRONG_SHARE = 0.5  # of the intent title's words that count, named in the title and headings
WEAK_MIN_WORDS = 2  # shared words below which a match is a coincidence
COMMON_MIN_LIBRARY = 5  # below this many runbooks, how many share a word says nothing
PREFIX_MIN_LETTERS = 4  # shorter words match only themselves (`api` is not `apiserver`)

Reason = Literal["linked", "strong", "weak"]


@dataclass(frozen=True)
class RelevantRunbook:
    name: str
    title: str
    reason: Reason
    detail: str  # where the link was found, or the words shared
    score: int = 0  # matches only: the order within strong and within weak

    @property
    def starred(self) -> bool:
        """Linked from the intent, or strongly matching it: the runbooks to open first."""
        return self.reason != "weak"


def relevant_runbooks(store: Store, facts: IntentFacts, *, limit: int = 10) -> list[RelevantRunbook]:
    """Linked runbooks in the order the units mention them, then strong matches, then weak ones."""
    with store.snapshot():
        library = stored.live_runbooks(store.conn)
        linked = _linked(library, facts)
        seen = {r.name for r in linked}
        title_words = significant_words([facts.intent.title])
        finding_words = [
            w for w in significant_words([f.title for f in facts.feedback if f.is_open]) if w not in title_words
        ]
        matches = _matches(store, library, title_words, finding_words) if len(linked) < limit else []
    ranked = sorted((m for m in matches if m.name not in seen), key=lambda m: (m.reason != "strong", -m.score, m.name))
    return [*linked, *ranked][:limit]


def significant_words(texts: Sequence[str]) -> list[str]:
    """The words of `texts` that can say what they are about: lowercased, no stop words, no repeats."""
    words = (w.lower() for text in texts for w in _WORD_SPLIT.findall(text))
    return list(dict.fromkeys(w for w in words if len(w) > 1 and w not in _STOPWORDS))


def _linked(library: list[stored.LiveRunbook], facts: IntentFacts) -> list[RelevantRunbook]:
    by_reference = _reference_index(library)
    found: dict[str, RelevantRunbook] = {}
    for reference, where in intent_references(facts):
        normal = _normal(reference)
        entry = by_reference.get(normal) or by_reference.get(normal.rsplit("/", 1)[-1])  # `runbooks/x.md` → x
        if entry and entry[0] not in found:
            found[entry[0]] = RelevantRunbook(entry[0], entry[1], "linked", where)
    return list(found.values())


def _term(word: str, columns: str = "") -> str:
    """One word as an FTS5 query (a phrase of itself, a prefix when long enough), in `columns`."""
    query = f'"{word}"' + ("*" if len(word) >= PREFIX_MIN_LETTERS else "")
    return f"{{{columns}}} : {query}" if columns else query


def _matches(
    store: Store, library: list[stored.LiveRunbook], title_words: list[str], finding_words: list[str]
) -> list[RelevantRunbook]:
    """Every runbook sharing enough words with the intent, as strong or weak. Inside a snapshot."""
    words = [*title_words, *finding_words]
    anywhere = {w: stored.matching_ids(store.conn, _term(w)) for w in words}
    named = {w: stored.matching_ids(store.conn, _term(w, "title headings")) for w in words}
    if len(library) >= COMMON_MIN_LIBRARY:  # words most runbooks share tell none apart
        title_words = [w for w in title_words if 2 * len(anywhere[w]) <= len(library)]
        finding_words = [w for w in finding_words if 2 * len(anywhere[w]) <= len(library)]
    needed = max(min(2, len(title_words)), math.ceil(STRONG_SHARE * len(title_words)))
    found = []
    for runbook in library:
        names = [w for w in title_words if runbook.id in named[w]]
        mentions = [w for w in title_words if runbook.id in anywhere[w] and w not in names]
        details = [w for w in finding_words if runbook.id in named[w]]
        if names and len(names) >= needed:
            reason: Reason = "strong"
        elif len(names) + len(mentions) >= WEAK_MIN_WORDS or len(details) >= WEAK_MIN_WORDS:
            reason = "weak"
        else:
            continue
        score = 2 * len(names) + len(mentions) + len(details)
        found.append(RelevantRunbook(runbook.name, runbook.title, reason, _shared(names, mentions, details), score))
    return found


def _shared(names: list[str], mentions: list[str], details: list[str]) -> str:
    """The words a match shares, by where: "names certificate, rotation; mentions 5xx"."""
    parts = [
        f"{label} {', '.join(words)}"
        for label, words in (("names", names), ("mentions", mentions), ("names from findings", details))
        if words
    ]
    return "; ".join(parts)


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
