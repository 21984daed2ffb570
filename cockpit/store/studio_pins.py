"""The studio definitions intents walk by, and which one each intent is pinned to (migration m008).

A definition is stored once per digest (many intents share one); a pin is a fact: the newest row
per intent wins, and an upgrade appends one with its timeline event. Writers run inside the
caller's `store.writing()` (an intent's first pin in the transaction that creates it or runs its
first command), readers inside a snapshot, as in `cockpit.store.runbooks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cockpit.store.database import Store


def store_definition(store: Store, *, digest: str, studio: str, source: str, definition: str, at: str) -> None:
    """Keep `definition` (the codec's JSON) under `digest`; one already kept stays as it was."""
    store.conn.execute(
        "INSERT OR IGNORE INTO studio_definitions (digest, studio, source, definition, stored_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [digest, studio, source, definition, at],
    )


def pin(store: Store, *, intent_id: int, digest: str, event_id: int) -> None:
    """Pin the intent to the stored definition `digest`, recorded by the event `event_id`."""
    store.conn.execute(
        "INSERT INTO studio_pins (intent_id, digest, event_id) VALUES (?, ?, ?)", [intent_id, digest, event_id]
    )


def pinned(store: Store, intent_id: int) -> str | None:
    """The digest the intent walks by; None for an intent made before pins, not yet pinned."""
    row = store.conn.execute(
        "SELECT digest FROM studio_pins WHERE intent_id = ? ORDER BY id DESC LIMIT 1", [intent_id]
    ).fetchone()
    return None if row is None else str(row[0])


def all_pinned(store: Store) -> dict[int, str]:
    """Every pinned intent's digest, by intent id (the newest pin of each)."""
    sql = "SELECT intent_id, digest FROM studio_pins WHERE id IN (SELECT max(id) FROM studio_pins GROUP BY intent_id)"
    return {int(intent_id): str(digest) for intent_id, digest in store.conn.execute(sql)}


def definition(store: Store, digest: str) -> str | None:
    """The stored JSON of the definition `digest`; None when none is stored."""
    row = store.conn.execute("SELECT definition FROM studio_definitions WHERE digest = ?", [digest]).fetchone()
    return None if row is None else str(row[0])


def upgrade(
    store: Store, *, intent_id: int, digest: str, at: str, actor: str, message: str, data: dict[str, Any]
) -> int:
    """Inside `writing()`: re-pin the intent to `digest` (already stored) with its timeline event;
    the event's id."""
    event_id = store.append_event(
        at=at, actor=actor, command="studio_upgrade", intent_id=intent_id, message=message, data=data
    )
    pin(store, intent_id=intent_id, digest=digest, event_id=event_id)
    return event_id
