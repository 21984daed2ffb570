"""The last sync of an intent's files with git, and the conflicts a pull met (migration m010:
`haiku_syncs`, `haiku_conflicts`). Writers run inside the caller's `store.writing()`.

A conflict is open until an engineer decides which version to take (`take`, `decided_at`), and
settled once a sync has merged that decision (`settled_at`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cockpit.store.database import Store


class SyncRow(NamedTuple):
    at: str
    branch: str | None
    upstream: str | None
    commit: str | None
    ahead: int | None
    behind: int | None
    event_id: int  # the last timeline event the sync's commit covered


class Conflict(NamedTuple):
    id: int
    path: str  # relative to the intent folder
    ours_commit: str
    theirs_commit: str
    theirs_copy: str  # relative to the intent folder: the upstream's version, beside ours
    detected_at: str
    take: str | None  # ours | theirs, once decided
    decided_at: str | None


def last_sync(store: Store, intent_id: int) -> SyncRow | None:
    row = store.conn.execute(
        "SELECT at, branch, upstream, commit_sha, ahead, behind, event_id FROM haiku_syncs WHERE intent_id = ?",
        [intent_id],
    ).fetchone()
    return None if row is None else SyncRow(*row)


def record_sync(store: Store, intent_id: int, row: SyncRow) -> None:
    store.conn.execute(
        "INSERT INTO haiku_syncs (intent_id, at, branch, upstream, commit_sha, ahead, behind, event_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (intent_id) DO UPDATE SET at = excluded.at, "
        "branch = excluded.branch, upstream = excluded.upstream, commit_sha = excluded.commit_sha, "
        "ahead = excluded.ahead, behind = excluded.behind, event_id = excluded.event_id",
        [intent_id, *row],
    )


def conflicts(store: Store, intent_id: int) -> list[Conflict]:
    """The intent's conflicts not settled yet (open or decided), by path."""
    sql = (
        "SELECT id, path, ours_commit, theirs_commit, theirs_copy, detected_at, take, decided_at "
        "FROM haiku_conflicts WHERE intent_id = ? AND settled_at IS NULL ORDER BY path"
    )
    return [Conflict(*row) for row in store.conn.execute(sql, [intent_id])]


def add_conflict(store: Store, intent_id: int, *, path: str, ours: str, theirs: str, theirs_copy: str, at: str) -> None:
    """A conflict on `path`; one already unsettled there takes the newer commits and is open again
    (the upstream's version it was decided against may have changed)."""
    row = store.conn.execute(
        "SELECT id FROM haiku_conflicts WHERE intent_id = ? AND path = ? AND settled_at IS NULL", [intent_id, path]
    ).fetchone()
    if row is not None:
        store.conn.execute(
            "UPDATE haiku_conflicts SET ours_commit = ?, theirs_commit = ?, theirs_copy = ?, detected_at = ?, "
            "take = NULL, decided_at = NULL WHERE id = ?",
            [ours, theirs, theirs_copy, at, row[0]],
        )
        return
    store.conn.execute(
        "INSERT INTO haiku_conflicts (intent_id, path, ours_commit, theirs_commit, theirs_copy, detected_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [intent_id, path, ours, theirs, theirs_copy, at],
    )


def decide(store: Store, conflict_id: int, take: str, at: str) -> None:
    store.conn.execute("UPDATE haiku_conflicts SET take = ?, decided_at = ? WHERE id = ?", [take, at, conflict_id])


def settle(store: Store, intent_id: int, at: str) -> None:
    """The intent's decided conflicts are merged: settled."""
    store.conn.execute(
        "UPDATE haiku_conflicts SET settled_at = ? WHERE intent_id = ? AND settled_at IS NULL AND take IS NOT NULL",
        [at, intent_id],
    )


def mark_read(store: Store, intent_id: int, path: str, sha256: str) -> None:
    """The file at `path` as pulled is what cockpit last read: for the sidecar, which the import
    does not read (nor record), so the next export rewrites it rather than calling the pull an edit."""
    store.conn.execute(
        "INSERT INTO haiku_files (intent_id, path, kind, sha256) VALUES (?, ?, 'intent', ?) "
        "ON CONFLICT (intent_id, path) DO UPDATE SET sha256 = excluded.sha256",
        [intent_id, path, sha256],
    )


class Linked(NamedTuple):
    slug: str
    intent_id: int
    project: str
    folder: str  # the intent folder, absolute


def linked(store: Store) -> list[Linked]:
    """Every intent that lives in a H·AI·K·U project, by slug."""
    sql = (
        "SELECT i.slug, l.intent_id, l.project, l.folder FROM haiku_links l JOIN intents i ON i.id = l.intent_id "
        "ORDER BY i.slug"
    )
    return [Linked(*row) for row in store.conn.execute(sql)]
