"""Reading the runbook library back from the store: records, lookups, links and freshness.

Writers are `runbook_index` (folders) and `runbook_sync` (URLs); everything here only reads.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from cockpit.clock import ago
from cockpit.errors import NotFound
from cockpit.runbooks.doc import Link, RunbookDoc, parse_runbook
from cockpit.store import runbooks as stored
from cockpit.store.database import Store
from cockpit.store.runbooks import RunbookInfo, StoredRunbook


@dataclass(frozen=True)
class Runbook(StoredRunbook):
    """A stored runbook, parsed on first use."""

    @cached_property
    def doc(self) -> RunbookDoc:
        return parse_runbook(self.content, source=self.source, name=self.name)


def list_runbooks(store: Store, *, include_gone: bool = False) -> list[RunbookInfo]:
    with store.snapshot():
        return stored.runbook_infos(store.conn, include_gone=include_gone)


def get_runbook(store: Store, name: str) -> Runbook:
    """The stored runbook called `name` (gone ones too: the last copy is still worth reading)."""
    with store.snapshot():
        found = stored.runbook_named(store.conn, name, Runbook)
        if found is None:
            names = stored.live_names(store.conn)
    if found is None:
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = (
            f" (did you mean: {', '.join(close)}?)"
            if close
            else " (the library is empty: `cockpit runbooks index`)"
            if not names
            else ""
        )
        raise NotFound(f"no runbook {name!r}{hint}")
    return found


def runbook_for_source(store: Store, source: str) -> Runbook | None:
    with store.snapshot():
        return stored.runbook_at_source(store.conn, source, Runbook)


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
        times = stored.library_times(store.conn)
    parts = [f"last indexed {ago(times.last_checked, now)}"]
    if times.last_fetched:
        parts.append(f"last synced {ago(times.last_fetched, now)}")
    return " · ".join(parts)
