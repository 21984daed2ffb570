"""The runbook library's SQL: every statement the runbook modules run, with named rows.

The library (tables `runbooks` and `runbooks_fts`, migration m004) is a cache of files and pages,
not incident state, so it is written beside the command/event path. Transactions stay with the
callers: each function here runs its statements on `conn` inside the caller's `store.writing()`
or `store.snapshot()`, so the indexer's short batches (cockpit.runbooks.index) are what they were.
Reads go through the plain sqlite3 connection (`store.conn`), never sqlite-utils. The alert
check's two questions (is a name indexed, is anything) are in `runbook_names`, apart: the check's
lookup is built on every `cockpit status`, and the rows defined here cost it ~3 ms to import.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:
    import sqlite3

# ------------------------------------------------------------------ rows


@dataclass(frozen=True)
class RunbookInfo:
    """A runbook's row without its content."""

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
class StoredRunbook(RunbookInfo):
    """A runbook's whole row, content included."""

    content: str = ""


R = TypeVar("R", bound=StoredRunbook)

_INFO_COLUMNS = (
    "id, name, kind, source, root, title, sha256, indexed_at, checked_at, fetched_at, etag, "
    "last_modified, gone_at, last_error, last_error_at"
)


class IndexRow(NamedTuple):
    """What the indexer reads of a row it may write."""

    id: int
    source: str
    name: str
    sha256: str
    gone_at: str | None
    kind: str


class FileHash(NamedTuple):
    source: str
    sha256: str
    gone_at: str | None


class LiveFile(NamedTuple):
    id: int
    source: str
    name: str


class FileRoot(NamedTuple):
    """A file runbook (gone ones too) and the folder it was found under."""

    id: int
    name: str
    source: str
    root: str | None


class LiveRunbook(NamedTuple):
    id: int
    name: str
    title: str
    source: str


class SyncState(NamedTuple):
    """What sync reads of a URL's row: its validators and what it last stored."""

    id: int
    name: str
    sha256: str
    fetched_at: str | None
    etag: str | None
    last_modified: str | None
    source: str


class SearchColumns(NamedTuple):
    """A runbook's search row (`runbooks_fts`), weighted in that order."""

    title: str
    headings: str
    body: str
    code: str


class SearchRow(NamedTuple):
    name: str
    title: str
    kind: str
    source: str
    score: float
    snippets: tuple[str, str, str]  # around the matches in the headings, the body and the code


class LibraryTimes(NamedTuple):
    last_checked: str | None  # the newest file check
    last_fetched: str | None  # the newest successful sync


# ------------------------------------------------------------------ reads


def runbook_infos(conn: sqlite3.Connection, *, include_gone: bool = False) -> list[RunbookInfo]:
    """Every runbook (without gone ones unless asked), by name."""
    where = "" if include_gone else "WHERE gone_at IS NULL"
    return [RunbookInfo(*r) for r in conn.execute(f"SELECT {_INFO_COLUMNS} FROM runbooks {where} ORDER BY name")]


def runbook_named(conn: sqlite3.Connection, name: str, row: type[R]) -> R | None:
    """The runbook called `name` (gone ones too), as `row`."""
    found = conn.execute(f"SELECT {_INFO_COLUMNS}, content FROM runbooks WHERE name = ?", [name]).fetchone()
    return row(*found) if found else None


def runbook_at_source(conn: sqlite3.Connection, source: str, row: type[R]) -> R | None:
    """The runbook stored from `source` (a file path or URL), as `row`."""
    found = conn.execute(f"SELECT {_INFO_COLUMNS}, content FROM runbooks WHERE source = ?", [source]).fetchone()
    return row(*found) if found else None


def live_names(conn: sqlite3.Connection) -> list[str]:
    """The names of the runbooks not gone."""
    return [name for (name,) in conn.execute("SELECT name FROM runbooks WHERE gone_at IS NULL")]


def live_runbooks(conn: sqlite3.Connection) -> list[LiveRunbook]:
    """Every runbook not gone, by name."""
    return [
        LiveRunbook(*r)
        for r in conn.execute("SELECT id, name, title, source FROM runbooks WHERE gone_at IS NULL ORDER BY name")
    ]


def library_times(conn: sqlite3.Connection) -> LibraryTimes:
    return LibraryTimes(
        *conn.execute(
            "SELECT max(CASE WHEN kind = 'file' THEN checked_at END), "
            "max(CASE WHEN kind = 'url' THEN fetched_at END) FROM runbooks"
        ).fetchone()
    )


def source_named(conn: sqlite3.Connection, name: str) -> str | None:
    """The source of the runbook called `name` (gone ones too), if any."""
    found = conn.execute("SELECT source FROM runbooks WHERE name = ?", [name]).fetchone()
    return found[0] if found else None


def search(
    conn: sqlite3.Connection, fts_query: str, limit: int, *, weights: tuple[float, ...], marks: tuple[str, str]
) -> list[SearchRow]:
    """Live runbooks matching an FTS5 MATCH expression, best first (bm25 with `weights` per search
    column), with a snippet of each column but the title (the caller shows the title apart),
    matches wrapped in `marks`."""
    columns = ", ".join(str(w) for w in weights)
    snippets = ", ".join(f"snippet(runbooks_fts, {column}, ?, ?, '…', 12)" for column in (1, 2, 3))
    sql = (
        f"SELECT r.name, r.title, r.kind, r.source, bm25(runbooks_fts, {columns}) AS score, {snippets} "
        f"FROM runbooks_fts JOIN runbooks r ON r.id = runbooks_fts.rowid "
        f"WHERE runbooks_fts MATCH ? AND r.gone_at IS NULL ORDER BY score, r.name LIMIT ?"
    )
    rows = conn.execute(sql, [*marks * 3, fts_query, int(limit)])
    return [SearchRow(r[0], r[1], r[2], r[3], r[4], (r[5], r[6], r[7])) for r in rows]


def matching_ids(conn: sqlite3.Connection, fts_query: str) -> set[int]:
    """The ids of the live runbooks matching an FTS5 MATCH expression (gone ones have no search row)."""
    return {
        rowid for (rowid,) in conn.execute("SELECT rowid FROM runbooks_fts WHERE runbooks_fts MATCH ?", [fts_query])
    }


# ------------------------------------------------------------------ the indexer (files)


def file_hashes(conn: sqlite3.Connection) -> list[FileHash]:
    return [FileHash(*r) for r in conn.execute("SELECT source, sha256, gone_at FROM runbooks WHERE kind = 'file'")]


_INDEX_ROW = "SELECT id, source, name, sha256, gone_at, kind FROM runbooks"


def index_row_at_source(conn: sqlite3.Connection, source: str) -> IndexRow | None:
    found = conn.execute(f"{_INDEX_ROW} WHERE source = ?", [source]).fetchone()
    return IndexRow(*found) if found else None


def index_row_named(conn: sqlite3.Connection, name: str) -> IndexRow | None:
    found = conn.execute(f"{_INDEX_ROW} WHERE name = ?", [name]).fetchone()
    return IndexRow(*found) if found else None


def live_files(conn: sqlite3.Connection) -> list[LiveFile]:
    return [
        LiveFile(*r)
        for r in conn.execute(
            "SELECT id, source, name FROM runbooks WHERE kind = 'file' AND gone_at IS NULL ORDER BY id"
        )
    ]


def file_roots(conn: sqlite3.Connection) -> list[FileRoot]:
    """Every file runbook, gone ones too, with its folder."""
    return [FileRoot(*r) for r in conn.execute("SELECT id, name, source, root FROM runbooks WHERE kind = 'file'")]


def delete_runbook(conn: sqlite3.Connection, runbook_id: int, source: str) -> bool:
    """Remove a runbook and its search row, unless another session moved it to another source."""
    if conn.execute("DELETE FROM runbooks WHERE id = ? AND source = ?", [runbook_id, source]).rowcount == 0:
        return False
    conn.execute("DELETE FROM runbooks_fts WHERE rowid = ?", [runbook_id])
    return True


def mark_gone(conn: sqlite3.Connection, runbook_id: int, source: str, now: str) -> bool:
    """Mark a file runbook gone, unless it is gone already or moved to another source."""
    cursor = conn.execute(
        "UPDATE runbooks SET gone_at = ? WHERE id = ? AND source = ? AND gone_at IS NULL", [now, runbook_id, source]
    )
    return cursor.rowcount > 0


def insert_file(
    conn: sqlite3.Connection, *, name: str, source: str, root: str, title: str, content: str, sha256: str, now: str
) -> int:
    """A new file runbook; its id."""
    runbook_id = conn.execute(
        "INSERT INTO runbooks (name, kind, source, root, title, content, sha256, indexed_at, checked_at) "
        "VALUES (?, 'file', ?, ?, ?, ?, ?, ?, ?)",
        [name, source, root, title, content, sha256, now, now],
    ).lastrowid
    assert runbook_id is not None  # sqlite3 sets lastrowid after every INSERT
    return runbook_id


def check_file(conn: sqlite3.Connection, runbook_id: int, *, source: str, root: str, now: str) -> None:
    """An index run saw the file (at `source`, under `root`): not gone, no error."""
    conn.execute(
        "UPDATE runbooks SET source = ?, root = ?, checked_at = ?, gone_at = NULL, last_error = NULL, "
        "last_error_at = NULL WHERE id = ?",
        [source, root, now, runbook_id],
    )


def update_content(
    conn: sqlite3.Connection, runbook_id: int, *, title: str, content: str, sha256: str, now: str
) -> None:
    conn.execute(
        "UPDATE runbooks SET title = ?, content = ?, sha256 = ?, indexed_at = ? WHERE id = ?",
        [title, content, sha256, now, runbook_id],
    )


def record_error(conn: sqlite3.Connection, runbook_id: int, error: str | None, now: str) -> None:
    """The last attempt to read or fetch it failed; its last good copy stays."""
    conn.execute("UPDATE runbooks SET last_error = ?, last_error_at = ? WHERE id = ?", [error, now, runbook_id])


def replace_search_row(conn: sqlite3.Connection, runbook_id: int, columns: SearchColumns | None) -> None:
    """Replace (or with None, remove) one runbook's search row."""
    conn.execute("DELETE FROM runbooks_fts WHERE rowid = ?", [runbook_id])
    if columns is not None:
        conn.execute(
            "INSERT INTO runbooks_fts (rowid, title, headings, body, code) VALUES (?, ?, ?, ?, ?)",
            [runbook_id, *columns],
        )


# ------------------------------------------------------------------ sync (URLs)

_SYNC_STATE = "SELECT id, name, sha256, fetched_at, etag, last_modified, source FROM runbooks"


def stored_sync_state(conn: sqlite3.Connection, url: str) -> SyncState | None:
    """The row stored from exactly `url`."""
    found = conn.execute(f"{_SYNC_STATE} WHERE source = ?", [url]).fetchone()
    return SyncState(*found) if found else None


def url_sync_states(conn: sqlite3.Connection) -> Iterator[SyncState]:
    """Every URL runbook's row, oldest first, read as iterated."""
    for found in conn.execute(f"{_SYNC_STATE} WHERE kind = 'url' ORDER BY id"):
        yield SyncState(*found)


def rekey_source(conn: sqlite3.Connection, runbook_id: int, url: str) -> None:
    """Key the row by `url` from now on (it was stored under another spelling)."""
    conn.execute("UPDATE runbooks SET source = ? WHERE id = ? AND source != ?", [url, runbook_id, url])


def mark_fetched(
    conn: sqlite3.Connection, runbook_id: int, *, etag: str | None, last_modified: str | None, fetched_at: str
) -> None:
    """A fetch succeeded with the stored content (304, or the same bytes)."""
    conn.execute(
        "UPDATE runbooks SET etag = ?, last_modified = ?, fetched_at = ?, last_error = NULL, "
        "last_error_at = NULL WHERE id = ?",
        [etag, last_modified, fetched_at, runbook_id],
    )


def insert_url(
    conn: sqlite3.Connection,
    *,
    name: str,
    source: str,
    title: str,
    content: str,
    sha256: str,
    now: str,
    etag: str | None,
    last_modified: str | None,
) -> int:
    """A new synced runbook, fetched `now`; its id."""
    runbook_id = conn.execute(
        "INSERT INTO runbooks (name, kind, source, title, content, sha256, indexed_at, etag, last_modified, fetched_at) "
        "VALUES (?, 'url', ?, ?, ?, ?, ?, ?, ?, ?)",
        [name, source, title, content, sha256, now, etag, last_modified, now],
    ).lastrowid
    assert runbook_id is not None  # sqlite3 sets lastrowid after every INSERT
    return runbook_id


def update_fetched(
    conn: sqlite3.Connection,
    runbook_id: int,
    *,
    title: str,
    content: str,
    sha256: str,
    now: str,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """New content fetched `now` for a synced runbook."""
    conn.execute(
        "UPDATE runbooks SET title = ?, content = ?, sha256 = ?, indexed_at = ?, etag = ?, "
        "last_modified = ?, fetched_at = ?, last_error = NULL, last_error_at = NULL WHERE id = ?",
        [title, content, sha256, now, etag, last_modified, now, runbook_id],
    )
