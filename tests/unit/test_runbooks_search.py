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
    assert [(r.name, r.reason, r.starred) for r in found] == [
        ("queue-backlog", "linked", True),
        ("disk-full", "linked", True),
        ("dns", "linked", True),
        ("tls", "strong", True),  # its title names tls, handshake, failures: 3 of the title's 4 words
    ]
    assert found[0].detail == "unit consumers (alerts table)"
    assert found[3].detail == "names tls, handshake, failures"
    # closed findings do not pull runbooks in: "Printer jams" was rejected


def test_relevance_with_nothing_linked_ranks_by_the_title(engine, intent_library):
    slug = engine.create_intent(studio="incident-response", title="Disk full on the search nodes")
    found = relevant_runbooks(engine.store, engine.store.facts(slug), limit=3)
    assert [(r.name, r.reason) for r in found] == [("disk-full", "strong")]


# A library of six built as real ones are: every runbook has the same template headings, so
# "rollback", "symptoms" or "escalate" say nothing about which runbook fits.
TEMPLATE = "\n## Symptoms\n\nWhat you see.\n\n## Rollback\n\nUndo it.\n\n## When to escalate\n\nPage someone.\n"
RANKED_LIBRARY = {
    "gateway-certs": "# Gateway certificate rotation\n\nPayments gateway handshakes fail after a rotation.\n",
    "gateway-errors": "# Payments gateway errors\n\nCheckout sees 5xx from the gateway.\n",
    "restart": "# Service restart\n\n```sh\nkubectl rollout restart deploy/checkout-api\n```\n",
    "cache": "# Cache invalidation\n\nStale entries; tell customer support about the refund window.\n",
    "failover": "# Database failover\n\nThe primary is down.\n",
    "probes": "# Probe tuning\n\n## Probe interval\n\nShorter intervals catch a flapping target.\n",
}


@pytest.fixture
def ranked_library(engine, tmp_path):
    lib = tmp_path / "ranked"
    for name, text in RANKED_LIBRARY.items():
        write(lib, name, text + TEMPLATE)
    index_library(engine.store, [lib], clock=CLOCK)
    return lib


def relevance(engine, title: str, *findings: str) -> list[tuple[str, str]]:
    slug = engine.create_intent(studio="incident-response", title=title)
    for finding in findings:
        engine.run(slug, c.file_feedback, title=finding, severity="low")
    return [(r.name, r.reason) for r in relevant_runbooks(engine.store, engine.store.facts(slug))]


def test_a_star_only_for_a_runbook_whose_title_names_half_the_intent(engine, ranked_library):
    # Title words: checkout, 5xx, payments, gateway, certificate, rotation (6: a star needs 3 named).
    found = relevance(engine, "Checkout 5xx after payments-gateway certificate rotation")
    assert found == [
        ("gateway-certs", "strong"),  # names gateway, certificate, rotation; mentions payments
        ("gateway-errors", "weak"),  # names payments, gateway (2 of 6); mentions checkout, 5xx
    ]  # restart mentions checkout alone (in a command); cache, failover and probes share nothing


def test_one_shared_word_is_a_coincidence_not_a_match(engine, ranked_library):
    assert relevance(engine, "Checkout latency") == []  # `restart` only mentions checkout, in a command


def test_words_every_runbook_shares_do_not_count(engine, ranked_library):
    # "rollback" and "escalate" are headings of all six: a finding naming them lists none
    assert relevance(engine, "Nightly batch", "Rollback and escalate path unclear") == []


def test_findings_add_runbooks_their_titles_name(engine, ranked_library):
    found = relevance(engine, "Nightly batch", "Probe interval too coarse")
    assert found == [("probes", "weak")]  # names probe and interval in its title and headings


def test_a_word_matches_its_longer_forms(engine, ranked_library):
    slug = engine.create_intent(studio="incident-response", title="Gateway certificate handshake")
    (found,) = relevant_runbooks(engine.store, engine.store.facts(slug))
    assert (found.name, found.reason) == ("gateway-certs", "strong")
    assert found.detail == "names gateway, certificate; mentions handshake"  # its text says handshakes


def test_no_runbook_is_listed_twice(engine, ranked_library):
    slug = engine.create_intent(studio="incident-response", title="Gateway certificate rotation")
    engine.run(slug, c.add_unit, title="Fix", unit="fix", body="See gateway-certs.md and [again](gateway-certs.md).")
    found = relevant_runbooks(engine.store, engine.store.facts(slug))
    assert [(r.name, r.reason) for r in found] == [("gateway-certs", "linked")]


def test_a_search_hit_on_the_title_does_not_repeat_it_in_the_snippet(store, library):
    hit = search_runbooks(store, "recovery")[0]  # only in-title's title says it
    assert hit.name == "in-title" and "recovery" not in hit.snippet().lower()
    assert hit.snippet() == "Generic words about a service."
    hit = search_runbooks(store, "wombat checks")[0]  # the heading holds the match: shown from there
    assert hit.name == "in-heading" and "[Wombat] [checks]" in hit.snippet()


def test_links_are_offered_once_per_destination():
    doc = parse_runbook(
        "# A\n\n[restart](restart.md#graceful) then [the restart runbook](./restart.md#graceful), "
        "[dash](https://grafana/d/x) and [dash](https://grafana/d/x), [forced](restart.md#forced), ![i](i.png)\n",
        source="/rb/a.md",
    )
    assert len(doc.links) == 6
    assert [link.text for link in doc.distinct_links] == ["restart", "dash", "forced"]
