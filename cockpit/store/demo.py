"""The demo database's SQL: the mark that says a database is the demo's.

`cockpit demo` marks its database (table `settings`, migration m007); only a marked database holds
the bundled sample runbooks. Transactions stay with the callers, as in `cockpit.store.runbooks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

_PURPOSE = "purpose"
_DEMO = "demo"


def is_demo(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT value FROM settings WHERE key = ?", [_PURPOSE]).fetchone()
    return found is not None and found[0] == _DEMO


def mark_demo(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [_PURPOSE, _DEMO])


def intent_slugs(conn: sqlite3.Connection) -> list[str]:
    return [slug for (slug,) in conn.execute("SELECT slug FROM intents ORDER BY id")]
