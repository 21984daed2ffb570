"""Full-text search over the runbook library (SQLite FTS5, bm25).

The engineer's text never reaches FTS5 as syntax: every word is quoted, so `foo-bar "`, `AND`
or `title:x` are searched for, not parsed. A title hit outweighs a heading hit, which outweighs
code, which outweighs body text. The snippet never repeats the title (it is shown above it): it is
taken from the body, the code or the headings, whichever holds a match first, else the body's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.store import runbooks as stored
from cockpit.store.database import Store

# bm25 column weights, in the FTS table's column order: title, headings, body, code.
WEIGHTS = (10.0, 4.0, 1.0, 2.0)
# Marks FTS5 puts around matches in a snippet; control characters never occur in runbook text.
_OPEN, _CLOSE = "\x02", "\x03"
_WORD = re.compile(r"\w+")
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class SearchHit:
    name: str
    title: str
    kind: str  # file | url
    source: str
    score: float  # bm25: lower is better
    snippet_spans: tuple[tuple[str, bool], ...]  # (text, is_match) pieces of the best-matching column but the title

    def snippet(self, open_mark: str = "[", close_mark: str = "]") -> str:
        return "".join(f"{open_mark}{text}{close_mark}" if hit else text for text, hit in self.snippet_spans)


def fts_query(text: str, *, prefix: bool = False, any_term: bool = False) -> str | None:
    """The engineer's text as a safe FTS5 query; None when it holds no searchable word.

    Each whitespace-separated chunk becomes a phrase of its words, so `foo-bar` matches the
    adjacent words foo and bar; a `"quoted phrase"` stays one phrase and is matched exactly.
    With `prefix`, each unquoted chunk's last word also matches longer words (search as you
    type: `cert rot` finds "certificate rotation"). With `any_term`, chunks are OR-ed.
    """
    phrases = []
    for quoted, bare in _CHUNK.findall(text):
        words = _WORD.findall(quoted or bare)
        if words:
            phrases.append('"' + " ".join(words) + '"' + ("*" if prefix and bare else ""))
    if not phrases:
        return None
    return (" OR " if any_term else " ").join(phrases)


def search_runbooks(store: Store, query: str, *, limit: int = 20, prefix: bool = True) -> list[SearchHit]:
    """Runbooks matching every word of `query`, best first, with a snippet around the match."""
    match = fts_query(query, prefix=prefix)
    return [] if match is None else run_match(store, match, limit)


def run_match(store: Store, match: str, limit: int) -> list[SearchHit]:
    """Run an FTS5 MATCH expression built by `fts_query` (never raw user text)."""
    with store.snapshot():
        rows = stored.search(store.conn, match, limit, weights=WEIGHTS, marks=(_OPEN, _CLOSE))
    return [SearchHit(r.name, r.title, r.kind, r.source, r.score, _spans(best_snippet(r.snippets))) for r in rows]


def best_snippet(snippets: tuple[str, ...]) -> str:
    """Of (headings, body, code), the first snippet holding a match in the order body, code,
    headings (what the runbook says over its labels); with none, the body's opening words: a hit
    on the title alone then shows what the runbook says, not the title again."""
    headings, body, code = snippets
    return next((snippet for snippet in (body, code, headings) if _OPEN in snippet), body)


def _spans(snippet: str) -> tuple[tuple[str, bool], ...]:
    spans: list[tuple[str, bool]] = []
    for index, piece in enumerate(re.split(f"[{_OPEN}{_CLOSE}]", " ".join(snippet.split()))):
        if piece:
            spans.append((piece, index % 2 == 1))
    return tuple(spans)
