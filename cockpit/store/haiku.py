"""Where an intent lives in a H·AI·K·U project and which file holds each of its facts (migration
m009: `haiku_links`, `haiku_files`), and the writing of one import (cockpit.domain.haiku_merge).
Writers run inside the caller's `store.writing()`, so an import is one transaction with the
intent, its pin and its events; readers inside a snapshot or that transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from cockpit.domain.haiku_merge import FACTS, SIGNED, FileRow, Merge, Op, Ref, StoredFile

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cockpit.domain.haiku_restore import Restore
    from cockpit.store.database import Store

_TABLES = frozenset({"units", "iterations", "feedback", "fix_iterations", "signoffs", "decisions", "ticks"})
_WITH_INTENT = frozenset({"units", "feedback", "decisions"})
_WITH_ACTOR = frozenset({"signoffs", "decisions"})


class Link(NamedTuple):
    project: str
    folder: str
    generation: str
    event_id: int


def link(store: Store, intent_id: int) -> Link | None:
    row = store.conn.execute(
        "SELECT project, folder, generation, event_id FROM haiku_links WHERE intent_id = ?", [intent_id]
    ).fetchone()
    return None if row is None else Link(*row)


def files(store: Store, intent_id: int) -> dict[str, StoredFile]:
    """The intent's files by path relative to its folder."""
    sql = "SELECT path, kind, stage, unit_id, feedback_id, sha256 FROM haiku_files WHERE intent_id = ?"
    return {path: StoredFile(*rest) for path, *rest in store.conn.execute(sql, [intent_id])}


def write_import(
    store: Store,
    intent_id: int,
    merge: Merge,
    *,
    at: str,
    actor: str,
    message: str,
    data: dict[str, Any],
) -> int | None:
    """Inside `writing()`: the merge's rows under its two events (FACTS, then SIGNED when it signs
    anything); the first event's id, or None when there was nothing to write."""
    if not merge.changed:
        return None
    events: dict[Any, int] = {
        FACTS: store.append_event(
            at=at, actor=actor, command="haiku_import", intent_id=intent_id, message=message, data=data
        )
    }
    if merge.intent_values:
        sets = ", ".join(f"{column} = ?" for column in merge.intent_values)
        store.conn.execute(f"UPDATE intents SET {sets} WHERE id = ?", [*merge.intent_values.values(), intent_id])
    ids: dict[Ref, int] = {}

    def value(v: Any) -> Any:
        if v is FACTS or v is SIGNED:
            if v not in events:
                events[v] = store.append_event(
                    at=at,
                    actor=actor,
                    command="haiku_import_signoffs",
                    intent_id=intent_id,
                    message="sign-offs and stage decisions the files record",
                    data={"folder": data.get("folder")},
                )
            return events[v]
        return ids[v] if isinstance(v, Ref) else v

    _apply(store, intent_id, merge.ops, value, ids, actor)
    _file_rows(store, intent_id, merge.files, value)
    return events[FACTS]


def _apply(
    store: Store, intent_id: int, ops: Sequence[Op], value: Callable[[Any], Any], ids: dict[Ref, int], actor: str
) -> None:
    for op in ops:
        assert op.table in _TABLES, op.table
        if op.action == "delete":
            store.conn.execute(f"DELETE FROM {op.table} WHERE id = ?", [value(op.id)])
            continue
        values = {k: value(v) for k, v in op.values.items()}
        if op.action == "update":
            if values:
                sets = ", ".join(f"{column} = ?" for column in values)
                store.conn.execute(f"UPDATE {op.table} SET {sets} WHERE id = ?", [*values.values(), value(op.id)])
            continue
        if op.table in _WITH_INTENT:
            values["intent_id"] = intent_id
        if op.table in _WITH_ACTOR:
            values.setdefault("actor", actor)  # a restored sign-off or decision keeps who made it
        columns = ", ".join(values)
        cursor = store.conn.execute(
            f"INSERT INTO {op.table} ({columns}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        )
        if op.key is not None:
            assert cursor.lastrowid is not None
            ids[op.key] = cursor.lastrowid


def write_restore(store: Store, intent_id: int, restore: Restore, *, at: str, actor: str, folder: str) -> int:
    """Inside `writing()`: a first import with the facts a cockpit export kept (haiku_restore):
    the import's two events (for facts older than the restored timeline), the restored events in
    their order, then the rows under the events that wrote them; the first event's id."""
    from cockpit.domain.haiku_restore import Restored

    data = {"folder": folder, "added": dict(restore.added), "restored_events": len(restore.events)}
    message = f"imported from {folder} with the facts its cockpit kept"
    events: dict[Any, int] = {
        FACTS: store.append_event(
            at=at, actor=actor, command="haiku_import", intent_id=intent_id, message=message, data=data
        ),
        SIGNED: store.append_event(
            at=at,
            actor=actor,
            command="haiku_import_signoffs",
            intent_id=intent_id,
            message="sign-offs and stage decisions the files record",
            data={"folder": folder},
        ),
    }
    restored = [
        store.append_event(
            at=e.at,
            actor=e.actor,
            command=e.command,
            intent_id=intent_id,
            stage=e.stage,
            unit=e.unit,
            hat=e.hat,
            message=e.message,
            data=e.data,
        )
        for e in restore.events
    ]
    ids: dict[Ref, int] = {}

    def value(v: Any) -> Any:
        if v is FACTS or v is SIGNED:
            return events[v]
        if isinstance(v, Restored):
            return restored[v.n]
        return ids[v] if isinstance(v, Ref) else v

    _apply(store, intent_id, restore.ops, value, ids, actor)
    _file_rows(store, intent_id, list(restore.files), value)
    return events[FACTS]


def _file_rows(store: Store, intent_id: int, rows: list[FileRow], value: Any) -> None:
    for row in rows:
        owner = value(row.owner) if row.owner is not None else None
        unit_id = owner if row.kind == "unit" else None
        feedback_id = owner if row.kind == "feedback" else None
        store.conn.execute(
            "INSERT INTO haiku_files (intent_id, path, kind, stage, unit_id, feedback_id, sha256) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (intent_id, path) DO UPDATE SET kind = excluded.kind, stage = excluded.stage, "
            "unit_id = excluded.unit_id, feedback_id = excluded.feedback_id, sha256 = excluded.sha256",
            [intent_id, row.rel, row.kind, row.stage, unit_id, feedback_id, row.sha256],
        )


def write_files(store: Store, intent_id: int, rows: list[FileRow]) -> None:
    """Inside `writing()`: record digests of files whose facts did not change (no event)."""
    _file_rows(store, intent_id, rows, lambda v: v)


def set_link(store: Store, intent_id: int, *, project: str, folder: str, generation: str, event_id: int) -> None:
    """Inside `writing()`: where the intent lives, recorded by the event `event_id`."""
    store.conn.execute(
        "INSERT INTO haiku_links (intent_id, project, folder, generation, event_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (intent_id) DO UPDATE SET project = excluded.project, folder = excluded.folder, "
        "generation = excluded.generation, event_id = excluded.event_id",
        [intent_id, project, folder, generation, event_id],
    )
