"""Reading the runbook library back from the store: records, lookups, links and freshness.

Writers are `runbook_index` (folders) and `runbook_sync` (URLs); everything here only reads.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from cockpit.clock import parse_iso
from cockpit.errors import NotFound
from cockpit.runbooks.doc import Link, RunbookDoc, parse_runbook
from cockpit.store.database import Store

INFO_COLUMNS = (
    "id, name, kind, source, root, title, sha256, indexed_at, checked_at, fetched_at, etag, "
    "last_modified, gone_at, last_error, last_error_at"
)


@dataclass(frozen=True)
class RunbookInfo:
    id: int
    name: str
    kind: str  # file | url
    source: str  # file path or URL
    root: str | None  # the folder it was found under (files only)
    title: str
    sha256: str
    indexed_at: str  # when this content was first stored
    checked_at: str | None  # last index run that saw the file
    fetched_at: str | None  # last successful sync (200 or 304)
    etag: str | None
    last_modified: str | None
    gone_at: str | None  # the file disappeared; kept, but out of search
    last_error: str | None
    last_error_at: str | None

    @property
    def gone(self) -> bool:
        return self.gone_at is not None


@dataclass(frozen=True)
class Runbook(RunbookInfo):
    content: str = ""

    @cached_property
    def doc(self) -> RunbookDoc:
        return parse_runbook(self.content, source=self.source, name=self.name)


def _info(row: Any) -> RunbookInfo:
    return RunbookInfo(*row)


def list_runbooks(store: Store, *, include_gone: bool = False) -> list[RunbookInfo]:
    where = "" if include_gone else "WHERE gone_at IS NULL"
    with store.snapshot():
        return [_info(r) for r in store.conn.execute(f"SELECT {INFO_COLUMNS} FROM runbooks {where} ORDER BY name")]


def get_runbook(store: Store, name: str) -> Runbook:
    """The stored runbook called `name` (gone ones too: the last copy is still worth reading)."""
    with store.snapshot():
        row = store.conn.execute(f"SELECT {INFO_COLUMNS}, content FROM runbooks WHERE name = ?", [name]).fetchone()
        if row is None:
            names = [r[0] for r in store.conn.execute("SELECT name FROM runbooks WHERE gone_at IS NULL")]
    if row is None:
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = (
            f" (did you mean: {', '.join(close)}?)"
            if close
            else " (the library is empty: `cockpit runbooks index`)"
            if not names
            else ""
        )
        raise NotFound(f"no runbook {name!r}{hint}")
    return Runbook(*row)


def runbook_for_source(store: Store, source: str) -> Runbook | None:
    with store.snapshot():
        row = store.conn.execute(f"SELECT {INFO_COLUMNS}, content FROM runbooks WHERE source = ?", [source]).fetchone()
    return Runbook(*row) if row else None


def follow_link(store: Store, link: Link) -> Runbook | None:
    """The library runbook a relative link points at (the TUI keeps `link.anchor` to scroll to)."""
    if link.resolved is None:
        return None
    target = link.resolved.split("#", 1)[0]
    found = runbook_for_source(store, target)
    if found is None and not link.external and os.path.exists(target):
        found = runbook_for_source(store, os.path.realpath(target))
    return found


# ------------------------------------------------------------------ freshness


def ago(moment: str | None, now: datetime) -> str:
    """'3 min ago', '5 h ago', '2 d ago'; 'never' for None."""
    if not moment:
        return "never"
    seconds = max(0, int((now - parse_iso(moment)).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def freshness(info: RunbookInfo, now: datetime) -> str:
    """One line on how fresh this copy is, for the list and the runbook screen."""
    if info.kind == "url":
        text = f"synced {ago(info.fetched_at, now)}"
    else:
        text = f"indexed {ago(info.checked_at or info.indexed_at, now)}"
        if info.checked_at and info.indexed_at != info.checked_at:
            text += f", changed {ago(info.indexed_at, now)}"
    if info.gone_at:
        text += f"; gone {ago(info.gone_at, now)} (last copy kept)"
    if info.last_error:
        text += f"; last attempt failed {ago(info.last_error_at, now)}: {info.last_error}"
    return text


def library_freshness(store: Store, now: datetime) -> str:
    """'last indexed 4 min ago · last synced 2 d ago' for the whole library."""
    with store.snapshot():
        indexed, synced = store.conn.execute(
            "SELECT max(CASE WHEN kind = 'file' THEN checked_at END), max(CASE WHEN kind = 'url' THEN fetched_at END) FROM runbooks"
        ).fetchone()
    parts = [f"last indexed {ago(indexed, now)}"]
    if synced:
        parts.append(f"last synced {ago(synced, now)}")
    return " · ".join(parts)
