"""The runbook library as the checks see it: a read-only lookup, injected into the engine.

`ops.alert-runbooks` asks two things of it: does a runbook of this name exist, and what does its
lint say. Anything with those two methods will do (see `RunbookLookup`); `LibraryRunbooks`
answers from the runbook library in the store. Here, beside the library, not in cockpit.checks:
the checks stay pure and only see the `RunbookLookup` the engine is given.
"""

from __future__ import annotations

from typing import Any

from cockpit.store import runbook_names


def runbook_key(reference: str) -> str:
    """`runbooks/orders-api/pool-saturation.md#triage` → `pool-saturation`: how references are compared."""
    reference = reference.split("#", 1)[0].split("?", 1)[0].strip().rstrip("/")
    name = reference.rsplit("/", 1)[-1]
    return name[:-3].lower() if name.lower().endswith(".md") else name.lower()


class LibraryRunbooks:
    """The runbook library in the store (what `cockpit runbooks index` and the app keep fresh).

    A runbook exists when it is indexed and its file has not gone; its lint errors are the
    error-level findings of `cockpit runbooks lint`, links resolved against the library.
    """

    def __init__(self, store: Any) -> None:
        self._store = store

    def _name(self, reference: str) -> str | None:
        with self._store.snapshot():
            return runbook_names.live_name_like(self._store.conn, runbook_key(reference))

    def exists(self, name: str) -> bool:
        return self._name(name) is not None

    def lint_errors(self, name: str) -> list[str]:
        from cockpit.runbooks.lint import check_runbook  # on use: only ops.alert-runbooks asks, and lint is large

        found = self._name(name)
        if found is None:
            return []
        return [
            f"line {f.line}: [{f.rule}] {f.message}" for f in check_runbook(self._store, found) if f.level == "error"
        ]


def library_lookup(store: Any) -> LibraryRunbooks | None:
    """The store's library, or None when nothing was ever indexed: the alert check then says
    there is no library to look in, instead of calling every runbook missing."""
    with store.snapshot():
        indexed = runbook_names.has_live_runbooks(store.conn)
    return LibraryRunbooks(store) if indexed else None
