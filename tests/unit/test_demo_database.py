"""The demo database: the only library that holds the bundled sample runbooks, and the only
database `cockpit demo --reset` empties and seeds again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import T0

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.errors import CockpitError
from cockpit.runbooks.index import bundled_runbooks_dir, index_library, library_roots
from cockpit.runbooks.library import list_runbooks
from cockpit.runbooks.search import search_runbooks
from cockpit.store import demo as demo_store
from cockpit.store.database import Store

SAMPLES = sorted(p.stem for p in bundled_runbooks_dir().glob("*.md") if p.name.lower() != "readme.md")


def clock():
    return stepping_clock(T0, timedelta(minutes=1))


@pytest.fixture
def team(tmp_path) -> Path:
    """A team's own folder, with its own failover runbook."""
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "primary-failover.md").write_text("# Primary failover\n\nPromote the replica with patroni.\n")
    return folder


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    return Engine(Store(tmp_path / "d.db"), catalog, clock=clock(), actor="oncall")


def names(store) -> list[str]:
    return [i.name for i in list_runbooks(store, include_gone=True)]


def test_a_teams_library_never_gets_the_samples(engine, team):
    report = index_library(engine.store, library_roots([str(team)]), clock=clock())  # as the CLI and app do
    assert report.added == ["primary-failover"]
    assert names(engine.store) == ["primary-failover"]
    assert [h.name for h in search_runbooks(engine.store, "primary failover")] == ["primary-failover"]


def test_samples_left_in_a_teams_library_by_an_earlier_cockpit_are_removed(engine, team):
    # An earlier cockpit indexed the samples into every library, from wherever it was installed.
    (team / "old-note.md").write_text("# Old note\n\nSoon gone.\n")
    index_library(engine.store, [bundled_runbooks_dir(), team], clock=clock())
    with engine.store.writing():  # one of them from another install's wheel, since gone from disk
        engine.store.conn.execute(
            "UPDATE runbooks SET root = '/opt/old/lib/python3.11/site-packages/cockpit/_runbooks', "
            "source = '/opt/old/lib/python3.11/site-packages/cockpit/_runbooks/cache-invalidation.md' "
            "WHERE name = 'cache-invalidation'"
        )
    assert "database-failover" in [h.name for h in search_runbooks(engine.store, "primary failover")]  # the harm
    (team / "old-note.md").unlink()
    report = index_library(engine.store, [team], clock=clock())
    assert sorted(report.removed) == SAMPLES and "5 samples removed" in report.summary()
    # Nothing the team wrote is lost: its runbooks stay, a gone one as gone (its last copy kept).
    assert report.gone == ["old-note"] and names(engine.store) == ["old-note", "primary-failover"]
    assert [h.name for h in search_runbooks(engine.store, "primary failover")] == ["primary-failover"]
    assert index_library(engine.store, [team], clock=clock()).removed == []  # once


def test_the_demo_database_holds_the_samples_beside_the_teams_folders(engine, team):
    demo.claim(engine)
    assert sorted(index_library(engine.store, [], clock=clock()).added) == SAMPLES
    report = index_library(engine.store, [team], clock=clock())  # the app indexes the config's folders
    assert (report.added, report.removed, report.gone) == (["primary-failover"], [], [])
    assert names(engine.store) == sorted([*SAMPLES, "primary-failover"])


def test_a_database_with_intents_of_its_own_is_never_the_demos(engine):
    engine.create_intent(studio="incident-response", title="Real outage")
    with pytest.raises(CockpitError, match=r"holds intents of its own \(real-outage\).*nothing was changed"):
        demo.claim(engine)
    with engine.store.snapshot():
        assert not demo_store.is_demo(engine.store.conn)
    demo.claim(engine, default=True)  # the demo's own file, by its place: whatever it holds
    with engine.store.snapshot():
        assert demo_store.is_demo(engine.store.conn)


def test_a_demo_database_stays_the_demos_with_intents_added(engine):
    demo.claim(engine)
    demo.seed(engine)
    engine.create_intent(studio="incident-response", title="Trying the n key")
    demo.claim(engine)  # no refusal: it was marked before


def test_reset_puts_the_demo_back_to_its_seeded_state(catalog, engine, tmp_path):
    demo.claim(engine)
    demo.seed(engine)
    index_library(engine.store, [], clock=clock())
    engine.create_intent(studio="incident-response", title="Trying the n key")
    engine.run(demo.INCIDENT, c.close_finding, ref="FB-004", resolution="non_actionable", text="Fixed the typo.")
    result = demo.reset(engine)
    assert result.removed == [demo.INCIDENT, demo.OPERATIONS, "trying-the-n-key"]
    assert result.seeded == [demo.INCIDENT, demo.OPERATIONS] and result.events > 100
    assert "removed 3 intents" in result.summary() and "seeded checkout-5xx-cert-rotation" in result.summary()
    fresh = Engine(Store(tmp_path / "fresh.db"), catalog, clock=clock(), actor="oncall")
    demo.seed(fresh)
    assert engine.store.slugs() == fresh.store.slugs()
    for slug in demo.SLUGS:  # the same story, event for event
        got = [(e["command"], e["unit"], e["message"]) for e in engine.timeline(slug)]
        assert got == [(e["command"], e["unit"], e["message"]) for e in fresh.timeline(slug)]
    assert engine.store.last_event_id() == fresh.store.last_event_id()
    assert names(engine.store) == SAMPLES  # the library was kept


def test_reset_refuses_a_database_that_is_not_the_demos_and_changes_nothing(engine):
    slug = engine.create_intent(studio="incident-response", title="Real outage")
    before = engine.store.last_event_id()
    with pytest.raises(CockpitError, match="holds intents of its own"):
        demo.reset(engine)
    assert engine.store.slugs() == {slug} and engine.store.last_event_id() == before


def test_a_reset_that_fails_half_way_leaves_the_demo_as_it_was(engine, monkeypatch):
    demo.claim(engine)
    demo.seed(engine)
    engine.create_intent(studio="incident-response", title="Kept")
    before = engine.store.last_event_id()

    def explode(*args, **kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(demo, "_seed_operations", explode)
    with pytest.raises(RuntimeError):
        demo.reset(engine)
    assert engine.store.slugs() == {demo.INCIDENT, demo.OPERATIONS, "kept"}
    assert engine.store.last_event_id() == before


def test_m007_applies_to_a_database_from_before_it_which_is_not_the_demos(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)  # roll the file back to what the previous cockpit wrote
    conn.execute("DROP TABLE settings")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_settings'")
    conn.commit()
    conn.close()
    store = Store(path)
    assert "m007_settings" in store.schema_version
    with store.snapshot():
        assert not demo_store.is_demo(store.conn)  # a team's database until `cockpit demo` claims it
