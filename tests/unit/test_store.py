"""The SQLite store: schema migrations, refusal of foreign/newer files, WAL, atomic commands."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from helpers import new_incident

from cockpit.app.engine import Engine
from cockpit.domain import commands as c
from cockpit.domain.change import Change, Event, Insert
from cockpit.errors import CockpitError, SchemaTooNew
from cockpit.store import schema
from cockpit.store.database import Store


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_file_gets_every_migration_in_wal_mode(tmp_path):
    store = Store(tmp_path / "c.db")
    assert set(store.schema_version) == schema.known_migrations()
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"intents", "units", "iterations", "feedback", "fix_iterations", "signoffs", "decisions", "events"} <= set(
        store.db.table_names()
    )
    version = store.schema_version
    store.close()
    again = Store(tmp_path / "c.db")  # reopening applies nothing new
    assert again.schema_version == version


def test_a_later_migration_applies_to_an_existing_database(tmp_path, monkeypatch):
    path = tmp_path / "c.db"
    Store(path).close()

    @schema.migrations(name="m999_test_column")
    def _add(db):
        db.execute("ALTER TABLE intents ADD COLUMN test_col TEXT")

    try:
        store = Store(path)
        assert "m999_test_column" in store.schema_version
        assert "test_col" in store.db["intents"].columns_dict
    finally:
        schema.migrations._migrations.pop()  # keep the registry as shipped for other tests


def test_a_database_from_a_newer_cockpit_is_refused_and_not_modified(tmp_path):
    path = tmp_path / "c.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        (schema.MIGRATION_SET, "m042_from_the_future", "2027-01-01"),
    )
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")  # fold the WAL in so the bytes are all in one file
    conn.close()
    before = digest(path)
    with pytest.raises(SchemaTooNew, match="newer cockpit.*m042_from_the_future.*not modified"):
        Store(path)
    assert digest(path) == before


def test_an_sqlite_file_that_is_not_ours_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE accounts (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(CockpitError, match="not a cockpit database"):
        Store(path)


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(CockpitError, match="not a usable cockpit database") as err:
        Store(path)
    assert "\n" not in str(err.value)


def test_a_failing_write_rolls_back_the_whole_command(catalog, tmp_path):
    engine = Engine(Store(tmp_path / "c.db"), catalog, actor="t")
    slug = new_incident(engine, upto="triage")
    before = engine.store.last_event_id()

    def half_broken(pos, ctx):
        good = c.file_feedback(pos, title="written first", ctx=ctx).writes[0]
        bad = Insert(
            "feedback",
            {
                "number": 99,
                "stage": "triage",
                "title": "x",
                "origin": "agent",
                "author": "a",
                "author_type": "martian",
                "created_at": ctx.now,
            },
        )  # CHECK fails
        return Change(Event("file_feedback"), (good, bad), "never")

    with pytest.raises(sqlite3.IntegrityError):
        engine.run(slug, half_broken)
    assert engine.store.last_event_id() == before
    assert engine.store.db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0
    engine.run(slug, c.file_feedback, title="still works")  # the connection is usable afterwards


def test_severity_rank_is_derived_by_sqlite_and_indexed(catalog, tmp_path):
    engine = Engine(Store(tmp_path / "c.db"), catalog, actor="t")
    slug = new_incident(engine, upto="triage")
    for s in ("low", None, "blocker", "medium", "high"):
        engine.run(slug, c.file_feedback, title=str(s), severity=s)
    db = engine.store.db
    rows = db.execute("SELECT severity, sev_rank FROM feedback ORDER BY sev_rank, number").fetchall()
    assert rows == [("blocker", 0), ("high", 1), (None, 2), ("medium", 2), ("low", 3)]
    plan = " ".join(
        r[3]
        for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM feedback WHERE intent_id = 1 AND closed_at IS NULL ORDER BY sev_rank, number LIMIT 50"
        )
    )
    assert "feedback_open_by_rank" in plan and "TEMP B-TREE" not in plan


def test_database_directory_is_created_private(tmp_path):
    path = tmp_path / "deep" / "er" / "c.db"
    Store(path).close()
    assert path.exists() and (path.parent.stat().st_mode & 0o077) == 0


def test_feedback_columns_match_the_dataclass_order():
    from cockpit.domain.model import Feedback
    from cockpit.store.database import _FEEDBACK_COLUMNS

    assert tuple(c.strip() for c in _FEEDBACK_COLUMNS.split(",")) == Feedback._fields


def test_m008_keeps_every_decision_and_accepts_the_new_kinds(tmp_path, monkeypatch):
    """The decisions table is rebuilt for its wider CHECK: rows written before survive whole."""
    path = tmp_path / "c.db"
    shipped = list(schema.migrations._migrations)
    monkeypatch.setattr(schema.migrations, "_migrations", [m for m in shipped if m.name < "m008"])
    store = Store(path)
    with store.db.conn:  # rows as a cockpit of m007 wrote them (no engine: today's writes pins too)
        store.db.execute("INSERT INTO events (at, actor, intent_id, command) VALUES ('t', 'ann', 1, 'new')")
        store.db.execute(
            "INSERT INTO intents (id, slug, title, studio, created_at, event_id) "
            "VALUES (1, 'inc', 'Checkout 5xx', 'incident-response', 't', 1)"
        )
        store.db.execute(
            "INSERT INTO decisions (intent_id, stage, kind, at, actor, reason, event_id) "
            "VALUES (1, 'triage', 'resumed', '2026-01-01T00:00:00Z', 'ann', 'kept', 1)"
        )
    before = store.db.execute("SELECT * FROM decisions").fetchall()
    store.close()
    monkeypatch.setattr(schema.migrations, "_migrations", shipped)
    store = Store(path)
    after = store.db.execute("SELECT * FROM decisions").fetchall()
    assert [row[:-1] for row in after] == before and [row[-1] for row in after] == [None]  # branch: new, empty
    with store.db.conn:
        for kind in ("submitted", "revisited"):
            store.db.execute(
                "INSERT INTO decisions (intent_id, stage, kind, at, actor, event_id) "
                "VALUES (1, 'triage', ?, 't', 'ann', 1)",
                [kind],
            )
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO decisions (intent_id, stage, kind, at, actor, event_id) "
            "VALUES (1, 'triage', 'bogus', 't', 'a', 1)"
        )
    assert store.db.execute("SELECT skip_stages, stages FROM intents").fetchone() == ("[]", None)
    assert {"studio_definitions", "studio_pins"} <= set(store.db.table_names())


def test_m009_links_an_intent_to_its_haiku_files_once_per_path(tmp_path):
    store = Store(tmp_path / "c.db")
    with store.db.conn:
        store.db.execute("INSERT INTO events (at, actor, intent_id, command) VALUES ('t', 'ann', 1, 'new')")
        store.db.execute(
            "INSERT INTO intents (id, slug, title, studio, created_at, event_id) VALUES (1, 'inc', 'T', 's', 't', 1)"
        )
        store.db.execute("INSERT INTO haiku_links VALUES (1, '/src/payments', '.haiku/intents/inc', 'B', 1)")
        store.db.execute(
            "INSERT INTO haiku_files (intent_id, path, kind, sha256) VALUES (1, 'intent.md', 'intent', 'ab')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO haiku_files (intent_id, path, kind, sha256) VALUES (1, 'intent.md', 'intent', 'cd')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("INSERT INTO haiku_links VALUES (1, '/x', 'y', 'D', 1)")


def test_m011_keeps_runs_and_variables_within_their_rules(tmp_path):
    store = Store(tmp_path / "c.db")
    with store.db.conn:
        store.db.execute("INSERT INTO events (at, actor, intent_id, command) VALUES ('t', 'ann', 1, 'new')")
        store.db.execute(
            "INSERT INTO intents (id, slug, title, studio, created_at, event_id) VALUES (1, 'inc', 'T', 's', 't', 1)"
        )
        store.db.execute(
            "INSERT INTO runs (intent_id, runbook, block, command, risk, cwd, host, user, actor, started_at) "
            "VALUES (1, 'database-failover', 2, 'psql -c select 1', 'read', '/', 'h', 'u', 'ann', 't')"
        )
        store.db.execute("INSERT INTO intent_vars VALUES (1, 'NAMESPACE', 'payments', 't')")
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO runs (intent_id, runbook, block, command, risk, cwd, host, user, actor, started_at) "
            "VALUES (1, 'x', 1, 'rm -rf /', 'harmless', '/', 'h', 'u', 'ann', 't')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("INSERT INTO intent_vars VALUES (1, 'NAMESPACE', 'other', 't')")
