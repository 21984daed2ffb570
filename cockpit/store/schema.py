"""The SQLite schema as ordered migrations (sqlite-utils Migrations, one transaction each).

Add a migration by appending a function; never edit one that has shipped. A database that has
applied a migration this cockpit does not know was written by a newer cockpit and is refused.

Which migrations a file has applied is read with plain SQL, so opening an up-to-date database
(every read command) never imports sqlite-utils; only applying a migration does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "cockpit"


@dataclass(frozen=True)
class Migration:
    name: str
    fn: Callable[[Database], None]


class Migrations:
    """The registry of migrations, in order. `apply` runs the pending ones through sqlite-utils'
    `Migrations` (its table, `_sqlite_migrations`, and its one transaction per migration);
    `applied` and `pending` only read that table."""

    migrations_table = "_sqlite_migrations"

    def __init__(self, name: str) -> None:
        self.name = name
        self._migrations: list[Migration] = []

    def __call__(
        self, *, name: str | None = None
    ) -> Callable[[Callable[[Database], None]], Callable[[Database], None]]:
        def register(fn: Callable[[Database], None]) -> Callable[[Database], None]:
            self._migrations.append(Migration(name or fn.__name__, fn))
            return fn

        return register

    def known(self) -> frozenset[str]:
        return frozenset(m.name for m in self._migrations)

    def applied(self, db: Any) -> list[str]:
        """Names applied to `db` (an sqlite3 connection or an sqlite-utils Database), in order."""
        if not db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [self.migrations_table]
        ).fetchone():
            return []
        rows = db.execute(
            f"SELECT name FROM [{self.migrations_table}] WHERE migration_set = ? ORDER BY rowid", [self.name]
        )
        return [row[0] for row in rows]

    def pending(self, db: Any) -> list[Migration]:
        done = set(self.applied(db))
        return [m for m in self._migrations if m.name not in done]

    def apply(self, db: Database) -> None:
        from sqlite_utils import Migrations as Runner

        runner = Runner(self.name)
        for migration in self._migrations:
            runner(name=migration.name)(migration.fn)
        runner.apply(db)


migrations = Migrations(MIGRATION_SET)

_RANK = "CASE severity WHEN 'blocker' THEN 0 WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END"


@migrations()
def m001_initial(db: Database) -> None:
    _run_statements(
        db,
        f"""
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            intent_id INTEGER,
            stage TEXT, unit TEXT, hat TEXT,
            command TEXT NOT NULL,
            message TEXT,
            data TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX events_by_intent ON events(intent_id, id);

        CREATE TABLE intents (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            studio TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            event_id INTEGER NOT NULL REFERENCES events(id)
        );

        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            stage TEXT NOT NULL,
            slug TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            depends_on TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            event_id INTEGER NOT NULL REFERENCES events(id),
            UNIQUE (intent_id, slug)
        );

        CREATE TABLE iterations (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            hat TEXT NOT NULL,
            started_at TEXT NOT NULL,
            completed_at TEXT,
            result TEXT CHECK (result IN ('advance', 'reject')),
            message TEXT,
            event_id INTEGER NOT NULL REFERENCES events(id)
        );
        CREATE INDEX iterations_by_unit ON iterations(unit_id, id);

        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            number INTEGER NOT NULL,
            stage TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL,
            author TEXT NOT NULL,
            author_type TEXT NOT NULL CHECK (author_type IN ('human', 'agent', 'system')),
            severity TEXT CHECK (severity IN ('blocker', 'high', 'medium', 'low')),
            -- Derived by SQLite, never written: unset sorts with medium. Indexed for the sorted list.
            sev_rank INTEGER GENERATED ALWAYS AS ({_RANK}) VIRTUAL,
            target_unit_id INTEGER REFERENCES units(id),
            invalidates TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            closed_at TEXT,
            resolution TEXT CHECK (resolution IN ('closed', 'non_actionable', 'rejected')),
            closure_text TEXT,
            event_id INTEGER NOT NULL REFERENCES events(id),
            closed_event_id INTEGER REFERENCES events(id),
            UNIQUE (intent_id, number)
        );
        CREATE INDEX feedback_open_by_rank ON feedback(intent_id, sev_rank, number) WHERE closed_at IS NULL;
        CREATE INDEX feedback_open_blocking ON feedback(sev_rank, intent_id) WHERE closed_at IS NULL;

        CREATE TABLE fix_iterations (
            id INTEGER PRIMARY KEY,
            feedback_id INTEGER NOT NULL REFERENCES feedback(id),
            hat TEXT NOT NULL,
            started_at TEXT NOT NULL,
            completed_at TEXT,
            result TEXT CHECK (result IN ('advance', 'reject')),
            message TEXT,
            event_id INTEGER NOT NULL REFERENCES events(id)
        );
        CREATE INDEX fix_iterations_by_feedback ON fix_iterations(feedback_id, id);

        CREATE TABLE signoffs (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            role TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ('review', 'approve')),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            note TEXT,
            event_id INTEGER NOT NULL REFERENCES events(id)
        );
        CREATE INDEX signoffs_by_unit ON signoffs(unit_id);

        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            stage TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('elaborated', 'approved', 'changes_requested', 'resumed')),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            path TEXT,
            reason TEXT,
            url TEXT,
            unit_id INTEGER REFERENCES units(id),
            feedback_id INTEGER REFERENCES feedback(id),
            event_id INTEGER NOT NULL REFERENCES events(id)
        );
        CREATE INDEX decisions_by_intent ON decisions(intent_id, stage)
        """,
    )


@migrations()
def m002_checklist_ticks(db: Database) -> None:
    # Append-only: the latest row per (unit, hat, bolt, item) is the box's state.
    _run_statements(
        db,
        """
        CREATE TABLE ticks (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            hat TEXT NOT NULL,
            bolt INTEGER NOT NULL,
            item TEXT NOT NULL,
            ticked INTEGER NOT NULL CHECK (ticked IN (0, 1)),
            event_id INTEGER NOT NULL REFERENCES events(id)
        );
        CREATE INDEX ticks_by_unit ON ticks(unit_id, id)
        """,
    )


@migrations()
def m003_severity_event(db: Database) -> None:
    # When a finding's severity was last set: a finding that becomes blocking after a gate was
    # approved re-opens that gate, just as a newly filed blocker does.
    db.execute("ALTER TABLE feedback ADD COLUMN severity_event_id INTEGER REFERENCES events(id)")


@migrations()
def m004_runbooks(db: Database) -> None:
    # The offline runbook library: a copy of each markdown file or synced page, so it can be read
    # and searched with no network. A file that disappears keeps its row with `gone_at` set (the
    # engineer can still see what was there); synced pages keep their last good copy on failure.
    _run_statements(
        db,
        """
        CREATE TABLE runbooks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('file', 'url')),
            source TEXT NOT NULL UNIQUE,
            root TEXT,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            indexed_at TEXT NOT NULL,
            checked_at TEXT,
            fetched_at TEXT,
            etag TEXT,
            last_modified TEXT,
            gone_at TEXT,
            last_error TEXT,
            last_error_at TEXT
        );
        CREATE VIRTUAL TABLE runbooks_fts USING fts5(
            title, headings, body, code,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        )
        """,
    )


@migrations()
def m005_checks(db: Database) -> None:
    # A unit's H·AI·K·U frontmatter, kept as JSON: `quality_gates` commands live there, and keys
    # cockpit does not use yet survive an import instead of being dropped.
    db.execute("ALTER TABLE units ADD COLUMN meta TEXT NOT NULL DEFAULT '{}'")


@migrations()
def m006_llm_requests(db: Database) -> None:
    # One row per LLM request, for the cost line and the audit of what was sent: counts, ids and
    # outcome only. Never the key, never the prompt or the answer text (those stay on screen).
    # The intent is kept by slug, not id: a row must not block deleting or re-importing an intent.
    _run_statements(
        db,
        """
        CREATE TABLE llm_requests (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL,
            task TEXT NOT NULL,
            unit TEXT,
            ref TEXT,
            model TEXT,
            request_id TEXT,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            stop_reason TEXT,
            latency_ms INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            error_type TEXT,
            cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
            redactions TEXT NOT NULL DEFAULT '{}',
            at TEXT NOT NULL
        );
        CREATE INDEX llm_requests_by_slug ON llm_requests(slug, at);
        CREATE INDEX llm_requests_by_at ON llm_requests(at)
        """,
    )


@migrations()
def m007_settings(db: Database) -> None:
    # What a database is for, kept with it: `cockpit demo` marks its database as the demo's, the
    # one library that holds the bundled sample runbooks (cockpit.store.demo).
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m008_studio_pins_and_engine_rules(db: Database) -> None:
    # An intent walks by the studio definition it was created (or last upgraded) with, not by
    # whatever the folders hold today: definitions are kept by content digest, shared by the
    # intents that pin them, and a pin is a fact (the newest row per intent wins).
    # An intent may also name its own stages (quick mode) and stages to skip, as intent.md does.
    # Decisions gain the external gate's "submitted, awaiting review" (with the branch whose merge
    # can approve it) and a stage's revisit.
    _run_statements(
        db,
        """
        CREATE TABLE studio_definitions (
            digest TEXT PRIMARY KEY,
            studio TEXT NOT NULL,
            source TEXT NOT NULL,
            definition TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
        CREATE TABLE studio_pins (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            digest TEXT NOT NULL REFERENCES studio_definitions(digest),
            event_id INTEGER NOT NULL REFERENCES events(id)
        );
        CREATE INDEX studio_pins_by_intent ON studio_pins(intent_id, id);
        ALTER TABLE intents ADD COLUMN stages TEXT;
        ALTER TABLE intents ADD COLUMN skip_stages TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE decisions_v2 (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            stage TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (
                kind IN ('elaborated', 'approved', 'changes_requested', 'resumed', 'submitted', 'revisited')
            ),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            path TEXT,
            reason TEXT,
            url TEXT,
            unit_id INTEGER REFERENCES units(id),
            feedback_id INTEGER REFERENCES feedback(id),
            event_id INTEGER NOT NULL REFERENCES events(id),
            branch TEXT
        );
        INSERT INTO decisions_v2 SELECT id, intent_id, stage, kind, at, actor, path, reason, url, unit_id,
            feedback_id, event_id, NULL FROM decisions;
        DROP TABLE decisions;
        ALTER TABLE decisions_v2 RENAME TO decisions;
        CREATE INDEX decisions_by_intent ON decisions(intent_id, stage)
        """,
    )


@migrations()
def m009_haiku_links(db: Database) -> None:
    # Where an intent lives in a H·AI·K·U project (imported from, or exported to): the project, its
    # folder, the on-disk generation it is written back in, and each file that holds one of its
    # facts, with the digest of the bytes as last read or written (their edits told from ours).
    # Findings may be intent-scope (no stage): `feedback.stage` is '' for those.
    _run_statements(
        db,
        """
        CREATE TABLE haiku_links (
            intent_id INTEGER PRIMARY KEY REFERENCES intents(id),
            project TEXT NOT NULL,
            folder TEXT NOT NULL,
            generation TEXT NOT NULL CHECK (generation IN ('A', 'B', 'C')),
            event_id INTEGER NOT NULL REFERENCES events(id)
        );
        CREATE TABLE haiku_files (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            path TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('intent', 'stage', 'unit', 'feedback')),
            stage TEXT,
            unit_id INTEGER REFERENCES units(id),
            feedback_id INTEGER REFERENCES feedback(id),
            sha256 TEXT NOT NULL,
            UNIQUE (intent_id, path)
        );
        CREATE INDEX haiku_files_by_unit ON haiku_files(unit_id);
        CREATE INDEX haiku_files_by_feedback ON haiku_files(feedback_id)
        """,
    )


@migrations()
def m010_haiku_sync(db: Database) -> None:
    # `cockpit haiku sync`: the last sync of an intent's files with git (when, the commit, how far
    # ahead of and behind its upstream, the last timeline event the commit's message covered), and
    # each conflict a pull met (the file, our commit, the upstream's commit and where a copy of
    # their version is), until an engineer decides which version to take and a sync settles it.
    _run_statements(
        db,
        """
        CREATE TABLE haiku_syncs (
            intent_id INTEGER PRIMARY KEY REFERENCES intents(id),
            at TEXT NOT NULL,
            branch TEXT,
            upstream TEXT,
            commit_sha TEXT,
            ahead INTEGER,
            behind INTEGER,
            event_id INTEGER NOT NULL
        );
        CREATE TABLE haiku_conflicts (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            path TEXT NOT NULL,
            ours_commit TEXT NOT NULL,
            theirs_commit TEXT NOT NULL,
            theirs_copy TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            take TEXT CHECK (take IN ('ours', 'theirs')),
            decided_at TEXT,
            settled_at TEXT
        );
        CREATE INDEX haiku_conflicts_by_intent ON haiku_conflicts(intent_id)
        """,
    )


@migrations()
def m011_runs_and_the_record(db: Database) -> None:
    # Runbook steps run as evidence (issue 16): each run of a code block — what ran, where, as whom,
    # its risk tier, how it ended and its redacted output (head and tail within a cap) — with the
    # timeline event that records it; the variables a block uses, asked once per intent (never
    # secrets). (A star on a timeline event is itself an event: no table.)
    _run_statements(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER REFERENCES intents(id),
            runbook TEXT NOT NULL,
            block INTEGER NOT NULL,
            command TEXT NOT NULL,
            risk TEXT NOT NULL CHECK (risk IN ('read', 'write', 'destructive')),
            cwd TEXT NOT NULL,
            host TEXT NOT NULL,
            user TEXT NOT NULL,
            actor TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT CHECK (outcome IN ('exited', 'timeout', 'cancelled', 'not_started')),
            exit_code INTEGER,
            duration_ms INTEGER,
            output TEXT NOT NULL DEFAULT '',
            output_bytes INTEGER NOT NULL DEFAULT 0,
            truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
            event_id INTEGER REFERENCES events(id)
        );
        CREATE INDEX runs_by_intent ON runs(intent_id, id);
        CREATE INDEX runs_by_runbook ON runs(runbook, id);
        CREATE TABLE intent_vars (
            intent_id INTEGER NOT NULL REFERENCES intents(id),
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            set_at TEXT NOT NULL,
            PRIMARY KEY (intent_id, name)
        )
        """,
    )


def _run_statements(db: Database, script: str) -> None:
    # Not executescript(): it commits first, which would break the migration's transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def known_migrations() -> frozenset[str]:
    return migrations.known()
