"""Search (bm25 ranking, FTS5 syntax safety, prefixes, snippets), link following and intent relevance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.runbooks.doc import parse_runbook
from cockpit.runbooks.generate import write_library
from cockpit.runbooks.index import index_library
from cockpit.runbooks.library import follow_link, get_runbook
from cockpit.runbooks.relevance import alerts_table_runbooks, relevant_runbooks
from cockpit.runbooks.search import fts_query, search_runbooks
from cockpit.store.database import Store

CLOCK = fixed_clock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "c.db")


@pytest.fixture
def library(store, tmp_path):
    lib = tmp_path / "lib"
    write(lib, "in-title", "# Wombat recovery\n\nGeneric words about a service.\n")
    write(lib, "in-body", "# Generic procedure\n\nSometimes a wombat appears in the body text.\n")
    write(lib, "in-heading", "# Another procedure\n\n## Wombat checks\n\nPlain text.\n")
    write(lib, "in-code", "# Fourth procedure\n\n```sh\nkubectl rollout restart deploy/wombat\n```\n")
    write(lib, "linker", "# Linker\n\nGo to [the title one](in-title.md#wombat-recovery) or [nowhere](missing.md).\n")
    index_library(store, [lib], clock=CLOCK)
    return lib


def names(hits) -> list[str]:
    return [h.name for h in hits]


def test_title_beats_heading_beats_code_beats_body(store, library):
    assert names(search_runbooks(store, "wombat")) == ["in-title", "in-heading", "in-code", "in-body"]


def test_every_word_must_match(store, library):
    assert names(search_runbooks(store, "wombat appears")) == ["in-body"]
    assert search_runbooks(store, "wombat platypus") == []


def test_the_last_word_is_a_prefix_for_search_as_you_type(store, library):
    assert "in-title" in names(search_runbooks(store, "womb"))
    assert search_runbooks(store, "womb", prefix=False) == []
    assert names(search_runbooks(store, "wom rec")) == ["in-title"]


def test_a_quoted_phrase_matches_exactly(store, library):
    assert names(search_runbooks(store, '"rollout restart"')) == ["in-code"]
    assert search_runbooks(store, '"restart rollout"') == []


def test_snippet_marks_the_match(store, library):
    hit = search_runbooks(store, "appears")[0]
    assert ("appears", True) in hit.snippet_spans
    assert "[appears]" in hit.snippet() and "<<appears>>" in hit.snippet("<<", ">>")


@pytest.mark.parametrize(
    "query",
    [
        'foo-bar "',
        "AND",
        "OR",
        "NOT",
        "a AND",
        "NEAR(a b)",
        "title:wombat",
        "(",
        ")",
        '"',
        "*",
        "^wombat",
        "wombat*",
        "-wombat",
        "'; DROP TABLE runbooks; --",
        "{title body}: x",
        "",
        "   ",
        "ünïcode straße",
    ],
)
def test_any_text_is_a_safe_query(store, library, query):
    search_runbooks(store, query)  # must not raise
    assert len(list(store.db.query("SELECT * FROM runbooks"))) == 5


def test_query_building():
    assert fts_query('foo-bar "') == '"foo bar"'
    assert fts_query("AND") == '"AND"'
    assert fts_query("cert rot", prefix=True) == '"cert"* "rot"*'
    assert fts_query('"exact words" more', prefix=True) == '"exact words" "more"*'
    assert fts_query("a b", any_term=True) == '"a" OR "b"'
    assert fts_query("-- ** ()") is None


def test_limit_is_respected(store, library):
    assert len(search_runbooks(store, "procedure", limit=2)) == 2


def test_a_thousand_runbooks_are_indexed_and_searched(store, tmp_path):
    """Correctness at size; how fast it is lives in bench/runbook_search_bench.py."""
    write_library(tmp_path / "many", 1000)
    report = index_library(store, [tmp_path / "many"], clock=CLOCK)
    assert len(report.added) == 1000
    for query in ("checkout latency", "kubectl rollout", "pool", "incident commander", "consumer lag"):
        found = search_runbooks(store, query, limit=20)
        assert 0 < len(found) <= 20, query


# ------------------------------------------------------------------ links


def test_a_relative_link_leads_to_the_indexed_runbook_and_keeps_its_anchor(store, library):
    linker = get_runbook(store, "linker")
    good, missing = linker.doc.links
    target = follow_link(store, good)
    assert target.name == "in-title" and good.anchor == "wombat-recovery"
    assert target.doc.heading_for(good.anchor) is not None
    assert follow_link(store, missing) is None


def test_links_between_synced_pages_follow_by_url(store):
    doc = parse_runbook("[b](b.md)", source="https://wiki.example.com/rb/a.md")
    with store.writing():
        store.db.execute(
            "INSERT INTO runbooks (name, kind, source, title, content, sha256, indexed_at) "
            "VALUES ('b', 'url', 'https://wiki.example.com/rb/b.md', 'B', '# B', 'x', 'now')"
        )
    assert follow_link(store, doc.links[0]).name == "b"


# ------------------------------------------------------------------ relevance to an intent

ALERTS_BODY = """\
## Alerts

| Alert name | Fires on | Severity | Pages whom | Runbook |
|------------|----------|----------|------------|---------|
| QueueBacklog | depth > 10k | page | orders | [queue](runbooks/queue-backlog.md) |
| DiskFull | usage > 90% | ticket | platform | disk-full |
"""


@pytest.fixture
def intent_library(engine, tmp_path):
    lib = tmp_path / "lib"
    write(lib, "queue-backlog", "# Queue backlog\n\nConsumers fall behind.\n")
    write(lib, "disk-full", "# Disk full\n\nThe volume fills up.\n")
    write(lib, "dns", "# DNS resolution failures\n\nResolvers time out.\n")
    write(lib, "tls", "# TLS handshake failures\n\nCertificates rotated.\n")
    write(lib, "unrelated", "# Printer jams\n\nPaper everywhere.\n")
    index_library(engine.store, [lib], clock=CLOCK)
    return lib


def test_alerts_table_runbook_column_is_read():
    assert alerts_table_runbooks(ALERTS_BODY) == ["runbooks/queue-backlog.md", "disk-full"]
    assert alerts_table_runbooks("| a | b |\n|---|---|\n| 1 | 2 |\n") == []


def test_linked_runbooks_come_first_then_title_and_findings_matches(engine, intent_library):
    slug = engine.create_intent(studio="incident-response", title="TLS handshake failures at checkout")
    engine.run(slug, c.add_unit, title="Watch the consumers", unit="consumers", body=ALERTS_BODY)
    engine.run(
        slug,
        c.add_unit,
        title="Resolver",
        unit="resolver",
        body="See https://wiki.example.com/x and the [dns notes](../ops/dns.md#resolvers).",
    )
    engine.run(slug, c.file_feedback, title="DNS resolution is flaky too", severity="high")
    engine.run(slug, c.file_feedback, title="Printer jams in the office", severity="low")
    engine.run(slug, c.close_finding, ref="FB-002", resolution="rejected", text="Not this incident.")
    found = relevant_runbooks(engine.store, engine.store.facts(slug))
    assert [(r.name, r.reason) for r in found] == [
        ("queue-backlog", "linked"),
        ("disk-full", "linked"),
        ("dns", "linked"),
        ("tls", "matched"),
    ]
    assert found[0].detail == "unit consumers (alerts table)"
    # closed findings do not pull runbooks in: "Printer jams" was rejected


def test_relevance_with_nothing_linked_ranks_by_the_title(engine, intent_library):
    slug = engine.create_intent(studio="incident-response", title="Disk full on the search nodes")
    found = relevant_runbooks(engine.store, engine.store.facts(slug), limit=3)
    assert found[0].name == "disk-full" and found[0].reason == "matched"
    assert "unrelated" not in [r.name for r in found]
