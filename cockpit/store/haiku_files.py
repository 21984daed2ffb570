"""Which H·AI·K·U files an export wrote (migration m009: `haiku_links`, `haiku_files`).

The export's own reads and writes of the two tables; the importer keeps its queries in
cockpit.store.haiku. A file's row holds the sha256 of the bytes last read or written, so the next
export tells a file edited on disk since (a teammate, an agent, a `git pull`) from one it may
rewrite. Writers run inside the caller's `store.writing()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cockpit.store.database import Store


class Link(NamedTuple):
    project: str
    folder: str  # the intent folder, absolute
    generation: str  # A | B | C


class FileRow(NamedTuple):
    path: str  # relative to the intent folder
    kind: str  # intent | stage | unit | feedback
    stage: str | None
    unit_id: int | None
    feedback_id: int | None
    sha256: str


def link(store: Store, intent_id: int) -> Link | None:
    row = store.conn.execute(
        "SELECT project, folder, generation FROM haiku_links WHERE intent_id = ?", [intent_id]
    ).fetchone()
    return None if row is None else Link(*row)


def files(store: Store, intent_id: int) -> list[FileRow]:
    sql = "SELECT path, kind, stage, unit_id, feedback_id, sha256 FROM haiku_files WHERE intent_id = ? ORDER BY path"
    return [FileRow(*row) for row in store.conn.execute(sql, [intent_id])]


def record_export(
    store: Store,
    *,
    intent_id: int,
    link_to: Link,
    rows: Iterable[FileRow],
    at: str,
    actor: str,
    message: str,
    data: dict[str, object],
    quiet: bool = False,
) -> int | None:
    """Inside `writing()`: the export's timeline event, the intent's link (made or moved) and the
    digest of each file written or found unchanged; the event's id. `quiet` (the write-through
    after each command of a linked intent, whose own event says what changed): no event and the
    link as it is — only the digests, so the timeline holds no bookkeeping line per command."""
    if quiet and link(store, intent_id) == link_to:
        _record_files(store, intent_id, rows)
        return None
    event_id = store.append_event(
        at=at, actor=actor, command="haiku_export", intent_id=intent_id, message=message, data=data
    )
    store.conn.execute(
        "INSERT INTO haiku_links (intent_id, project, folder, generation, event_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (intent_id) DO UPDATE SET project = excluded.project, folder = excluded.folder, "
        "generation = excluded.generation, event_id = excluded.event_id",
        [intent_id, link_to.project, link_to.folder, link_to.generation, event_id],
    )
    _record_files(store, intent_id, rows)
    return event_id


def _record_files(store: Store, intent_id: int, rows: Iterable[FileRow]) -> None:
    store.conn.executemany(
        "INSERT INTO haiku_files (intent_id, path, kind, stage, unit_id, feedback_id, sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (intent_id, path) DO UPDATE SET kind = excluded.kind, "
        "stage = excluded.stage, unit_id = excluded.unit_id, feedback_id = excluded.feedback_id, "
        "sha256 = excluded.sha256",
        [(intent_id, *row) for row in rows],
    )
