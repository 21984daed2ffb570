"""Runs of runbook steps and the variables an intent gave them (tables `runs` and `intent_vars`,
migration m011): the typed reads every reader uses (the library's "last run", the timeline's
output, the postmortem export), and the two writes that are not a domain command's.

A run on an intent is written by the domain command `record_run` through `Store.apply` (its event
and its row in one transaction). A run with no intent (`cockpit runbooks run NAME` alone) has no
timeline to join: `insert_run` stores its row by itself. Like `runbooks`, reads take the plain
sqlite3 connection (`store.conn`) inside the caller's `store.snapshot()`; writes run inside the
caller's `store.writing()`.

`RunRecord` is the stable shape for other readers (the export): one per `runs` row, with the
intent's slug (None for a run on no intent).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    from cockpit.store.database import Store


@dataclass(frozen=True)
class RunRecord:
    id: int
    slug: str | None  # the intent's, None when run on no intent
    runbook: str
    block: int  # 1-based, in document order
    command: str  # redacted
    risk: str  # read | write | destructive
    cwd: str
    host: str
    user: str
    actor: str
    started_at: str  # UTC, ISO 8601 with Z
    finished_at: str | None
    outcome: str | None  # exited | timeout | cancelled | not_started
    exit_code: int | None
    duration_ms: int | None
    output: str  # redacted; head and tail within the cap
    output_bytes: int  # every byte printed
    truncated: bool
    event_id: int | None  # the timeline event recording it (None: no intent)


_COLUMNS = ", ".join(f"r.{f.name}" if f.name != "slug" else "i.slug" for f in fields(RunRecord))
_SELECT = f"SELECT {_COLUMNS} FROM runs r LEFT JOIN intents i ON i.id = r.intent_id"


def _record(row: tuple[Any, ...]) -> RunRecord:
    values = list(row)
    truncated_at = [f.name for f in fields(RunRecord)].index("truncated")
    values[truncated_at] = bool(values[truncated_at])
    return RunRecord(*values)


def runs_of_intent(conn: sqlite3.Connection, intent_id: int) -> list[RunRecord]:
    """The intent's runs, oldest first."""
    return [_record(r) for r in conn.execute(f"{_SELECT} WHERE r.intent_id = ? ORDER BY r.id", [intent_id])]


def run_for_event(conn: sqlite3.Connection, event_id: int) -> RunRecord | None:
    """The run a `runbook_run` timeline event records (its output is here, not in the event)."""
    row = conn.execute(f"{_SELECT} WHERE r.event_id = ?", [event_id]).fetchone()
    return None if row is None else _record(row)


def last_runs(conn: sqlite3.Connection) -> dict[str, RunRecord]:
    """Each runbook's latest run, by runbook name (a runbook never run is absent)."""
    sql = f"{_SELECT} WHERE r.id IN (SELECT max(id) FROM runs GROUP BY runbook)"
    return {record.runbook: record for record in map(_record, conn.execute(sql))}


def insert_run(store: Store, row: dict[str, Any]) -> int:
    """Inside `store.writing()`: a run on no intent (so no event); returns its id."""
    columns = [f.name for f in fields(RunRecord) if f.name not in ("id", "slug", "event_id")]
    values = [int(row[c]) if c == "truncated" else row.get(c) for c in columns]
    cursor = store.conn.execute(
        f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values
    )
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def intent_vars(conn: sqlite3.Connection, intent_id: int) -> dict[str, str]:
    return dict(conn.execute("SELECT name, value FROM intent_vars WHERE intent_id = ? ORDER BY name", [intent_id]))


def remember_vars(store: Store, intent_id: int, values: dict[str, str], at: str) -> None:
    """Inside `store.writing()`: keep these values for the intent's next steps (the caller has
    already left out anything that looks like a secret: cockpit.domain.steps.looks_secret)."""
    store.conn.executemany(
        "INSERT INTO intent_vars (intent_id, name, value, set_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (intent_id, name) DO UPDATE SET value = excluded.value, set_at = excluded.set_at",
        [(intent_id, name, value, at) for name, value in values.items()],
    )
