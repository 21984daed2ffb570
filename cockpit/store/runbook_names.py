"""The runbook library as the alert check asks about it: is this name indexed, is anything.

Apart from `cockpit.store.runbooks` (the rest of the library's SQL) because the check's lookup is
built on every `cockpit status`, and that module's row types take ~3 ms to define.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3


def live_name_like(conn: sqlite3.Connection, key: str) -> str | None:
    """The live runbook whose lowercased name is `key`."""
    found = conn.execute("SELECT name FROM runbooks WHERE lower(name) = ? AND gone_at IS NULL", [key]).fetchone()
    return found[0] if found else None


def has_live_runbooks(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM runbooks WHERE gone_at IS NULL LIMIT 1").fetchone() is not None
