"""The demo database's SQL: the mark that says a database is the demo's, and emptying it for a reset.

`cockpit demo` marks its database (table `settings`, migration m007); only a marked database holds
the bundled sample runbooks, and only a demo database may be reset. Transactions stay with the
callers, as in `cockpit.store.runbooks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

_PURPOSE = "purpose"
_DEMO = "demo"
# Kept by a reset: the schema's own record, the runbook library (a cache of files, re-indexed
# anyway) and the mark itself. Everything else is what people and the seed did.
_KEPT_TABLES = ("_sqlite_migrations", "settings", "runbooks", "runbooks_fts")


def is_demo(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT value FROM settings WHERE key = ?", [_PURPOSE]).fetchone()
    return found is not None and found[0] == _DEMO


def mark_demo(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [_PURPOSE, _DEMO])


def intent_slugs(conn: sqlite3.Connection) -> list[str]:
    return [slug for (slug,) in conn.execute("SELECT slug FROM intents ORDER BY id")]


def clear_intents(conn: sqlite3.Connection) -> dict[str, int]:
    """Delete every row of every table but the kept ones (intents, events, findings, ticks, the
    assist ledger...); the rows deleted per table. Inside the caller's write transaction: the
    foreign keys are checked at its commit, when nothing refers to anything any more."""
    tables = [
        name
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if name not in _KEPT_TABLES and not name.startswith(("sqlite_", "runbooks_fts_"))
    ]
    conn.execute("PRAGMA defer_foreign_keys = ON")  # reset by SQLite at the end of the transaction
    return {table: conn.execute(f"DELETE FROM [{table}]").rowcount for table in tables}
