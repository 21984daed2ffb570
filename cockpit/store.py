"""The SQLite store: one file, WAL, a busy timeout, and one transaction per command.

Only this module writes tables. A command's Change is applied inside `BEGIN IMMEDIATE` — taken
before the facts are read, so two processes never both decide from the same stale state — with
its timeline event, then committed. `kill -9` at any point leaves the last committed command.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database

from cockpit import schema
from cockpit.commands import THIS_EVENT, Change, Insert, Update
from cockpit.errors import CockpitError, NotFound, SchemaTooNew
from cockpit.model import Decision, Feedback, Intent, IntentFacts, Iteration, Signoff, Tick, Unit

BUSY_TIMEOUT_S = 15.0

# Feedback's columns in the order of the Feedback dataclass fields.
_FEEDBACK_COLUMNS = ("id, number, stage, title, body, origin, author, author_type, severity, target_unit_id, "
                     "invalidates, created_at, event_id, closed_at, resolution, closure_text, closed_event_id, severity_event_id")

# Columns the store fills in on every Insert of a command, per table.
_OWNER_COLUMN = {"iterations": "unit_id", "fix_iterations": "feedback_id", "ticks": "unit_id"}
_WITH_INTENT = {"units", "feedback", "decisions"}
_WITH_ACTOR = {"signoffs", "decisions"}


class Store:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
            # No plugins: nothing outside cockpit hooks into the connection, and no entry-point scan.
            self.db = Database(conn, execute_plugins=False)
            self._refuse_foreign()  # before anything writes: a refused file stays untouched
            self.db.execute("PRAGMA foreign_keys = ON")
            if str(path) != ":memory:":
                self.db.enable_wal()
            # FULL: a command acknowledged to the engineer survives even a power cut.
            self.db.execute("PRAGMA synchronous = FULL")
            if schema.migrations.pending(self.db):
                with self._immediate():  # under the write lock (apply re-reads), so two first runs never both migrate
                    schema.migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise CockpitError(f"{path}: not a usable cockpit database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def _refuse_foreign(self) -> None:
        applied = {m.name for m in schema.migrations.applied(self.db)}
        unknown = applied - schema.known_migrations()
        if unknown:
            raise SchemaTooNew(
                f"{self.path} was written by a newer cockpit (schema {', '.join(sorted(unknown))}); "
                "upgrade cockpit to open it — the file was not modified"
            )
        tables = set(self.db.table_names()) - {schema.migrations.migrations_table}
        if not applied and tables:
            raise CockpitError(f"{self.path} is an SQLite file but not a cockpit database (tables: {', '.join(sorted(tables)[:5])})")

    @property
    def schema_version(self) -> list[str]:
        return [m.name for m in schema.migrations.applied(self.db)]

    # ------------------------------------------------------------ transactions

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A consistent read across tables while other processes write."""
        conn = self.db.conn
        if conn.in_transaction:  # already inside a transaction: it is the snapshot
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.rollback()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction; nested inside another it is a savepoint of the outer one."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
        else:
            with self._immediate():
                yield

    # ------------------------------------------------------------ writes

    def append_event(self, *, at: str, actor: str, command: str, intent_id: int | None = None, stage: str | None = None,
                     unit: str | None = None, hat: str | None = None, message: str | None = None,
                     data: dict[str, Any] | None = None) -> int:
        row = {"at": at, "actor": actor, "intent_id": intent_id, "stage": stage, "unit": unit, "hat": hat,
               "command": command, "message": message, "data": json.dumps(data or {}, sort_keys=True)}
        return int(self.db["events"].insert(row).last_pk)

    def create_intent(self, *, slug: str, title: str, studio: str, description: str, at: str, actor: str) -> int:
        """Inside `writing()`: insert the intent and its creation event."""
        event_id = self.append_event(at=at, actor=actor, command="create_intent", message=title, data={"studio": studio, "slug": slug})
        intent_id = int(self.db["intents"].insert(
            {"slug": slug, "title": title, "studio": studio, "description": description, "created_at": at, "event_id": event_id}
        ).last_pk)
        self.db.execute("UPDATE events SET intent_id = ? WHERE id = ?", [intent_id, event_id])
        return intent_id

    def apply(self, intent_id: int, change: Change, *, at: str, actor: str) -> int:
        """Inside `writing()`: write the change's rows and its event; returns the event id."""
        ev = change.event
        event_id = self.append_event(at=at, actor=actor, command=ev.command, intent_id=intent_id, stage=ev.stage,
                                     unit=ev.unit, hat=ev.hat, message=ev.message, data=ev.data)
        for write in change.writes:
            values = {k: (event_id if v is THIS_EVENT else v) for k, v in (write.row if isinstance(write, Insert) else write.values).items()}
            if isinstance(write, Update):
                self.db[write.table].update(write.id, values)
                continue
            if write.table in _OWNER_COLUMN:
                values[_OWNER_COLUMN[write.table]] = values.pop("owner_id")
            if write.table in _WITH_INTENT:
                values["intent_id"] = intent_id
            if write.table in _WITH_ACTOR:
                values["actor"] = actor
            values["event_id"] = event_id
            self.db[write.table].insert(values)
        return event_id

    # ------------------------------------------------------------ reads

    def slugs(self) -> set[str]:
        return {row["slug"] for row in self.db.query("SELECT slug FROM intents")}

    def intent(self, slug: str) -> Intent:
        rows = list(self.db.query("SELECT * FROM intents WHERE slug = ?", [slug]))
        if not rows:
            known = sorted(self.slugs())
            hint = f" (intents: {', '.join(known[:8])}{', …' if len(known) > 8 else ''})" if known else " (the database holds no intents)"
            raise NotFound(f"no intent {slug!r}{hint}")
        return _intent(rows[0])

    def facts(self, slug: str) -> IntentFacts:
        intent = self.intent(slug)
        return self._facts_where([intent], "= ?", [intent.id])[intent.id]

    def all_facts(self) -> list[IntentFacts]:
        intents = [_intent(r) for r in self.db.query("SELECT * FROM intents ORDER BY id")]
        grouped = self._facts_where(intents, "IS NOT NULL", [])
        return [grouped[i.id] for i in intents]

    def _rows(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        cursor = self.db.conn.cursor()
        cursor.row_factory = sqlite3.Row  # cheaper than building dicts for tens of thousands of rows
        return cursor.execute(sql, params).fetchall()

    def _facts_where(self, intents: list[Intent], condition: str, params: list[Any]) -> dict[int, IntentFacts]:
        q = self._rows
        parts: dict[int, dict[str, list]] = {i.id: {k: [] for k in ("units", "iterations", "feedback", "fix", "signoffs", "decisions", "ticks")} for i in intents}
        for r in q(f"SELECT * FROM units WHERE intent_id {condition} ORDER BY id", params):
            parts[r["intent_id"]]["units"].append(_unit(r))
        for r in q(f"SELECT i.*, u.intent_id FROM iterations i JOIN units u ON u.id = i.unit_id WHERE u.intent_id {condition} ORDER BY i.id", params):
            parts[r["intent_id"]]["iterations"].append(_iteration(r, r["unit_id"]))
        cursor = self.db.conn.execute(f"SELECT intent_id, {_FEEDBACK_COLUMNS} FROM feedback WHERE intent_id {condition} ORDER BY id", params)
        for intent_id, *values in cursor:  # positional: the bulk of the rows, so no per-column lookups
            values[10] = _names(values[10])
            parts[intent_id]["feedback"].append(Feedback(*values))
        for r in q(f"SELECT i.*, f.intent_id FROM fix_iterations i JOIN feedback f ON f.id = i.feedback_id WHERE f.intent_id {condition} ORDER BY i.id", params):
            parts[r["intent_id"]]["fix"].append(_iteration(r, r["feedback_id"]))
        for r in q(f"SELECT s.*, u.intent_id FROM signoffs s JOIN units u ON u.id = s.unit_id WHERE u.intent_id {condition} ORDER BY s.id", params):
            parts[r["intent_id"]]["signoffs"].append(Signoff(r["id"], r["unit_id"], r["role"], r["phase"], r["at"], r["actor"], r["note"], r["event_id"]))
        for r in q(f"SELECT * FROM decisions WHERE intent_id {condition} ORDER BY id", params):
            parts[r["intent_id"]]["decisions"].append(Decision(
                r["id"], r["stage"], r["kind"], r["at"], r["actor"], r["event_id"], r["path"], r["reason"], r["url"], r["unit_id"], r["feedback_id"]))
        for r in q(f"SELECT t.*, u.intent_id FROM ticks t JOIN units u ON u.id = t.unit_id WHERE u.intent_id {condition} ORDER BY t.id", params):
            parts[r["intent_id"]]["ticks"].append(Tick(r["id"], r["unit_id"], r["hat"], r["bolt"], r["item"], bool(r["ticked"]), r["event_id"]))
        return {
            i.id: IntentFacts(i, tuple(p["units"]), tuple(p["iterations"]), tuple(p["feedback"]), tuple(p["fix"]),
                              tuple(p["signoffs"]), tuple(p["decisions"]), tuple(p["ticks"]))
            for i in intents
            for p in [parts[i.id]]
        }

    def timeline(self, intent_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM events WHERE intent_id = ? ORDER BY id"
        rows = [dict(r) for r in self.db.query(sql + (f" DESC LIMIT {int(limit)}" if limit else ""), [intent_id])]
        for row in rows:
            row["data"] = json.loads(row["data"] or "{}")
        return sorted(rows, key=lambda r: r["id"])

    def last_event_id(self) -> int:
        """Cheap change detection for a second session: any write appends an event."""
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])


def _intent(r: dict[str, Any]) -> Intent:
    return Intent(r["id"], r["slug"], r["title"], r["studio"], r["created_at"], r["event_id"], r["description"])


@lru_cache(maxsize=1024)
def _names(text: str) -> tuple[str, ...]:
    """A JSON list of names; the same few values repeat across thousands of rows."""
    return tuple(json.loads(text))


def _unit(r: Any) -> Unit:
    return Unit(r["id"], r["stage"], r["slug"], r["title"], r["body"], _names(r["depends_on"]), r["created_at"], r["event_id"], r["meta"])


def _iteration(r: Any, owner_id: int) -> Iteration:
    return Iteration(r["id"], owner_id, r["hat"], r["started_at"], r["completed_at"], r["result"], r["message"], r["event_id"])


