"""The SQLite store: one file, WAL, a busy timeout, and one transaction per command.

Only this module writes tables. A command's Change is applied inside `BEGIN IMMEDIATE` — taken
before the facts are read, so two processes never both decide from the same stale state — with
its timeline event, then committed. `kill -9` at any point leaves the last committed command.

Storage faults (a lock held past the busy timeout, a full disk, a read-only file or mount, a
corrupt page, an I/O error) leave this module as one `StoreError` naming the file, the cause and
what to do: `storage_error` is the one translation, applied at open and around every transaction.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cockpit.domain.change import THIS_EVENT, Change, Insert, Update
from cockpit.domain.model import Decision, Feedback, Intent, IntentFacts, Iteration, Signoff, Tick, Unit
from cockpit.errors import (
    CockpitError,
    NotFound,
    SchemaTooNew,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreIOError,
    StoreReadOnly,
)
from cockpit.store import schema

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_S = 15.0
FULL_BELOW_BYTES = 64 * 1024  # less free space than this, and SQLite's I/O error is a full disk

# Feedback's columns in the order of the Feedback dataclass fields.
_FEEDBACK_COLUMNS = (
    "id, number, stage, title, body, origin, author, author_type, severity, target_unit_id, "
    "invalidates, created_at, event_id, closed_at, resolution, closure_text, closed_event_id, severity_event_id"
)

# Columns the store fills in on every Insert of a command, per table.
_OWNER_COLUMN = {"iterations": "unit_id", "fix_iterations": "feedback_id", "ticks": "unit_id"}
_WITH_INTENT = {"units", "feedback", "decisions"}
_WITH_ACTOR = {"signoffs", "decisions"}

# File systems whose locks SQLite cannot trust (https://www.sqlite.org/faq.html#q5): two hosts
# may both believe they hold the write lock. Matched on /proc/mounts' type column.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "sshfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ceph",
        "fuse.ceph",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "gpfs",
        "ncpfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "fuse.s3fs",
    }
)


def busy_timeout() -> float:
    """Seconds a command waits for another process's write lock: $COCKPIT_BUSY_TIMEOUT, else 15."""
    value = os.environ.get("COCKPIT_BUSY_TIMEOUT", "").strip()
    if not value:
        return BUSY_TIMEOUT_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise CockpitError(f"COCKPIT_BUSY_TIMEOUT={value!r}: use a number of seconds between 0 and 3600")
    return seconds


def storage_error(
    exc: BaseException, path: str | os.PathLike[str], waited: float = BUSY_TIMEOUT_S
) -> StoreError | None:
    """The StoreError a failure of SQLite or of the file system on `path` means; None when it is
    not a storage fault (a constraint violated, a misuse of the API: a bug, left to propagate)."""
    if isinstance(exc, StoreError):
        return exc
    name = str(path)
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        cause = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StoreFull(
                f"disk full at {name} ({cause}): free some space there and try again — nothing was written"
            )
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StoreReadOnly(
                f"{name} is read-only ({cause}): open it with --read-only to read, or fix the permissions of it and its folder"
            )
        return StoreIOError(f"cannot use {name} ({cause}): check the disk and the folder it is in")
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreBusy(
            f"another process holds the write lock on {name} (waited {waited:g} s): "
            f"try again, or find it with `fuser {name}`"
        )
    if primary == sqlite3.SQLITE_FULL:
        return StoreFull(f"disk full at {name} ({exc}): free some space there and try again — nothing was written")
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or (
        primary == sqlite3.SQLITE_CANTOPEN and not _writable(Path(name))
    ):
        return StoreReadOnly(
            f"{name} is read-only ({exc}): open it with --read-only to read, "
            "or fix the permissions of it and its folder (SQLite writes -wal and -shm files beside it)"
        )
    if primary == sqlite3.SQLITE_NOTADB:
        return StoreCorrupt(
            f"{name} is not a usable cockpit database ({exc}): check --db; cockpit will not write to it"
        )
    if primary == sqlite3.SQLITE_CORRUPT:
        return StoreCorrupt(
            f"{name} is corrupt ({exc}): save what is readable with `sqlite3 {name} .recover | sqlite3 recovered.db` "
            "and use that file; cockpit will not write to it"
        )
    if primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOLFS):
        if _disk_full(Path(name)):  # a full disk surfaces as an I/O error when the -shm file cannot grow
            return StoreFull(f"disk full at {name} ({exc}): free some space there and try again — nothing was written")
        return StoreIOError(f"cannot read or write {name} ({exc}): check the disk and the folder it is in")
    return None


def network_warning(path: str | os.PathLike[str], fs: str) -> str:
    return (
        f"{path} is on a network file system ({fs}): SQLite's locks are unreliable there and two hosts "
        "writing at once can corrupt it; keep the database on a local disk"
    )


def _disk_full(path: Path) -> bool:
    """Whether the file system holding `path` has (almost) no space left for an ordinary user."""
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < FULL_BELOW_BYTES


def _writable(path: Path) -> bool:
    """Whether the file (if it exists) and its folder accept writes. access(2) also reports a
    read-only mount, even to root."""
    folder = path.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def network_filesystem(path: str | os.PathLike[str], mounts: str | None = None) -> str | None:
    """The type of the network file system `path` lives on (nfs, cifs, fuse.sshfs…), or None.
    `mounts`: the text of /proc/mounts (read when None; no such file means "not known": None)."""
    if mounts is None:
        try:
            with open("/proc/mounts", encoding="utf-8", errors="replace") as handle:
                mounts = handle.read()
        except OSError:
            return None
    target = os.path.realpath(os.path.abspath(path))
    best, best_type = "", None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # Spaces and tabs in mount points are octal escapes (\040) in /proc/mounts.
        point = fields[1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(
            best
        ):  # the longest mount point holding the path wins; a later equal one shadows
            best, best_type = point, fields[2]
    return best_type if best_type in NETWORK_FILESYSTEMS else None


class Store:
    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = False, busy_timeout_s: float | None = None
    ) -> None:
        """Open (creating and migrating when needed) the cockpit database at `path`.

        `read_only`: never create, migrate or write the file; reads work on a read-only file,
        folder or mount. `busy_timeout_s`: how long a command waits for another process's write
        lock (default: `busy_timeout()`)."""
        self.path = Path(path)
        self.read_only = read_only
        self.busy_timeout_s = busy_timeout() if busy_timeout_s is None else busy_timeout_s
        self.immutable = False  # read through `immutable=1`: the folder cannot hold the WAL index
        self.corrupt: StoreCorrupt | None = None  # once SQLite reported damage, every write is refused
        self.checked = False  # quick_check has run: the first write runs it when nothing else did
        memory = str(path) == ":memory:"
        conn: sqlite3.Connection | None = None
        try:
            if read_only and not memory:
                conn = self._connect_read_only()
            else:
                if not memory:
                    self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                conn = sqlite3.connect(str(path), timeout=self.busy_timeout_s, check_same_thread=False)
            self.conn = conn
            self._db: Database | None = None
            with self.snapshot():  # one read: another process's first migration is all there or not at all
                self._refuse_foreign()  # before anything writes: a refused file stays untouched
            conn.execute("PRAGMA foreign_keys = ON")
            if read_only:
                pending = [m.name for m in schema.migrations.pending(conn)]
                if pending and not memory:
                    raise CockpitError(
                        f"{path} needs a schema upgrade ({', '.join(pending)}) that --read-only cannot make: "
                        "open it once without --read-only"
                    )
                if pending:
                    schema.migrations.apply(self.db)  # an in-memory database is private: nothing to protect
                return
            if not memory:
                self._enable_wal()
            # FULL: a command acknowledged to the engineer survives even a power cut.
            conn.execute("PRAGMA synchronous = FULL")
            if schema.migrations.pending(conn):
                with self._immediate():  # under the write lock (apply re-reads), so two first runs never both migrate
                    self._refuse_foreign()  # again: another program may have written the new file meanwhile
                    schema.migrations.apply(self.db)
        except (sqlite3.Error, OSError, CockpitError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, CockpitError):
                raise
            translated = storage_error(exc, path, self.busy_timeout_s)
            if translated is not None:
                raise translated from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise CockpitError(f"{path}: not a usable cockpit database ({exc})") from None
            raise

    def _enable_wal(self) -> None:
        """Switch a new file to WAL. SQLite answers SQLITE_BUSY at once, without its busy handler,
        while another connection reads the file (another process opening it at the same moment,
        say), so this waits and tries again, up to the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout_s
        pause = 0.002
        while True:
            try:
                if str(self.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                    return
                if str(self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower() == "wal":
                    return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"another process holds {self.path} (waited {self.busy_timeout_s:g} s to switch it to WAL): "
                    f"try again, or find it with `fuser {self.path}`"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _connect_read_only(self) -> sqlite3.Connection:
        """`mode=ro`; when that cannot open the WAL index (a read-only folder or mount without a
        -shm file), `immutable=1`: SQLite then reads the main file without locks and ignores any
        -wal file — right when nobody can write there, which is what a read-only mount means."""
        if not self.path.is_file():
            raise CockpitError(f"{self.path}: no such database (--read-only never creates one)")
        uri = f"file:{quote(str(self.path.resolve()))}"
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=self.busy_timeout_s, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the first read opens the WAL index
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
                raise
        self.immutable = True
        return sqlite3.connect(
            f"{uri}?mode=ro&immutable=1", uri=True, timeout=self.busy_timeout_s, check_same_thread=False
        )

    @property
    def db(self) -> Database:
        """The connection wrapped by sqlite-utils, built on first use (writes, migrations, the
        runbook library): the store's own reads go through `conn`, so a read command never
        imports sqlite-utils."""
        if self._db is None:
            from sqlite_utils import Database

            # No plugins: nothing outside cockpit hooks into the connection, and no entry-point scan.
            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def _refuse_foreign(self) -> None:
        applied = set(schema.migrations.applied(self.conn))
        unknown = applied - schema.known_migrations()
        if unknown:
            raise SchemaTooNew(
                f"{self.path} was written by a newer cockpit (schema {', '.join(sorted(unknown))}); "
                "upgrade cockpit to open it — the file was not modified"
            )
        tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        tables -= {schema.migrations.migrations_table}
        if not applied and tables:
            raise CockpitError(
                f"{self.path} is an SQLite file but not a cockpit database (tables: {', '.join(sorted(tables)[:5])})"
            )

    @property
    def schema_version(self) -> list[str]:
        return schema.migrations.applied(self.conn)

    def network_filesystem(self) -> str | None:
        """The network file system the database sits on (its locking is unreliable), or None."""
        return None if str(self.path) == ":memory:" else network_filesystem(self.path.parent)

    def check_integrity(self) -> StoreCorrupt | None:
        """`PRAGMA quick_check` on a connection of its own (a read: writers are not held up).
        It reads every page — 12 ms warm on a 25 MB database with 2,500 runbooks, 0.2 s warm and
        1.3 s cold on 114 MB — so it runs once per process, before the first write (the app runs
        it in the background at start), not at open. Damage found refuses every write after it."""
        self.checked = True
        if str(self.path) == ":memory:":
            return None
        try:
            conn = sqlite3.connect(
                f"file:{quote(str(self.path.resolve()))}?mode=ro{'&immutable=1' if self.immutable else ''}",
                uri=True,
                timeout=self.busy_timeout_s,
            )
            try:
                problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            error = storage_error(exc, self.path, self.busy_timeout_s)
            if isinstance(error, StoreCorrupt):
                self.corrupt = error
            return error if isinstance(error, StoreCorrupt) else None
        if problems == ["ok"]:
            return None
        self.corrupt = StoreCorrupt(
            f"{self.path} is corrupt ({'; '.join(problems)[:200]}): save what is readable with "
            f"`sqlite3 {self.path} .recover | sqlite3 recovered.db` and use that file; cockpit will not write to it"
        )
        return self.corrupt

    # ------------------------------------------------------------ transactions

    @contextmanager
    def _faults(self) -> Iterator[None]:
        """Re-raise SQLite's storage failures as StoreErrors; anything else (a constraint, a
        refusal of the command) passes unchanged."""
        try:
            yield
        except sqlite3.Error as exc:
            error = storage_error(exc, self.path, self.busy_timeout_s)
            if error is None:
                raise
            if isinstance(error, StoreCorrupt):
                self.corrupt = error
            raise error from exc

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        conn = self.conn
        with self._faults():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                conn.commit()  # inside the try: a commit that fails (a full disk) is rolled back too
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.rollback()
                    except sqlite3.Error:  # the failure being raised says more; SQLite rolls back at the next open
                        pass
                raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A consistent read across tables while other processes write."""
        conn = self.conn
        outer = conn.in_transaction  # a local: mypy would keep `conn.in_transaction` narrowed to False below
        if outer:  # already inside a transaction: it is the snapshot
            yield
            return
        with self._faults():
            conn.execute("BEGIN")
            try:
                yield
            finally:
                if conn.in_transaction:
                    conn.rollback()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction; nested inside another it is a savepoint of the outer one.
        Refused before touching the file when it was opened read-only or found corrupt (the
        process's first write checks the file first)."""
        if self.read_only:
            raise StoreReadOnly(f"{self.path} is open read-only (--read-only): nothing was written")
        if not self.checked and not self.conn.in_transaction:
            self.check_integrity()  # a damaged page the command would not touch must refuse it too
        if self.corrupt is not None:
            raise self.corrupt
        if self.conn.in_transaction:
            with self.db.atomic():
                yield
        else:
            with self._immediate():
                yield

    def data_version(self) -> int:
        """SQLite's counter of commits by other connections (cheap: no lock, no page read)."""
        with self._faults():
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # ------------------------------------------------------------ writes

    def append_event(
        self,
        *,
        at: str,
        actor: str,
        command: str,
        intent_id: int | None = None,
        stage: str | None = None,
        unit: str | None = None,
        hat: str | None = None,
        message: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        row = {
            "at": at,
            "actor": actor,
            "intent_id": intent_id,
            "stage": stage,
            "unit": unit,
            "hat": hat,
            "command": command,
            "message": message,
            "data": json.dumps(data or {}, sort_keys=True),
        }
        return self._insert("events", row)

    def create_intent(
        self,
        *,
        slug: str,
        title: str,
        studio: str,
        description: str,
        at: str,
        actor: str,
        stages: tuple[str, ...] | None = None,
        skip_stages: tuple[str, ...] = (),
        command: str = "create_intent",
    ) -> int:
        """Inside `writing()`: insert the intent and its creation event. `stages` / `skip_stages`:
        the intent's own walk, already checked against its studio (stage_list.check_walk);
        `command`: the event's (an import names its own `haiku_create`)."""
        data: dict[str, Any] = {"studio": studio, "slug": slug}
        if stages is not None:
            data["stages"] = list(stages)
        if skip_stages:
            data["skip_stages"] = list(skip_stages)
        event_id = self.append_event(at=at, actor=actor, command=command, message=title, data=data)
        row: dict[str, Any] = {
            "slug": slug,
            "title": title,
            "studio": studio,
            "description": description,
            "created_at": at,
            "event_id": event_id,
        }
        if stages is not None:  # else NULL: the studio's whole walk
            row["stages"] = json.dumps(list(stages))
        if skip_stages:  # else the column's default, '[]'
            row["skip_stages"] = json.dumps(list(skip_stages))
        intent_id = self._insert("intents", row)
        self.db.execute("UPDATE events SET intent_id = ? WHERE id = ?", [intent_id, event_id])
        return intent_id

    def apply(self, intent_id: int, change: Change, *, at: str, actor: str) -> int:
        """Inside `writing()`: write the change's rows and its event; returns the event id."""
        ev = change.event
        event_id = self.append_event(
            at=at,
            actor=actor,
            command=ev.command,
            intent_id=intent_id,
            stage=ev.stage,
            unit=ev.unit,
            hat=ev.hat,
            message=ev.message,
            data=ev.data,
        )
        for write in change.writes:
            values = {
                k: (event_id if v is THIS_EVENT else v)
                for k, v in (write.row if isinstance(write, Insert) else write.values).items()
            }
            if isinstance(write, Update):
                self.db.table(write.table).update(write.id, values)
                continue
            if write.table in _OWNER_COLUMN:
                values[_OWNER_COLUMN[write.table]] = values.pop("owner_id")
            if write.table in _WITH_INTENT:
                values["intent_id"] = intent_id
            if write.table in _WITH_ACTOR:
                values["actor"] = actor
            values["event_id"] = event_id
            self.db.table(write.table).insert(values)
        return event_id

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row and return its id (every table has an INTEGER PRIMARY KEY)."""
        last_pk = self.db.table(table).insert(row).last_pk
        assert last_pk is not None  # sqlite3 sets lastrowid after every INSERT
        return int(last_pk)

    # ------------------------------------------------------------ reads

    def slugs(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT slug FROM intents")}

    def intent(self, slug: str) -> Intent:
        rows = self._rows("SELECT * FROM intents WHERE slug = ?", [slug])
        if not rows:
            known = sorted(self.slugs())
            hint = (
                f" (intents: {', '.join(known[:8])}{', …' if len(known) > 8 else ''})"
                if known
                else " (the database holds no intents)"
            )
            raise NotFound(f"no intent {slug!r}{hint}")
        return _intent(rows[0])

    def facts(self, slug: str) -> IntentFacts:
        intent = self.intent(slug)
        return self._facts_where([intent], "= ?", [intent.id])[intent.id]

    def all_facts(self) -> list[IntentFacts]:
        intents = [_intent(r) for r in self._rows("SELECT * FROM intents ORDER BY id", [])]
        grouped = self._facts_where(intents, "IS NOT NULL", [])
        return [grouped[i.id] for i in intents]

    def overview_facts(self, open_severities: Collection[str | None], clearing_resolution: str) -> list[IntentFacts]:
        """Every intent's facts with only the findings that decide its position (walk.deciding,
        read here in SQL so the others are never loaded): per intent and stage, the first open
        finding of `open_severities` (the blocking ones; None: unclassified) by rank and number
        and one with the newest gate mark (filed, or raised to blocking: walk.gate_mark), and
        every finding closed as `clearing_resolution` that invalidates a sign-off. An aggregate's
        bare `id` comes from the row holding its min() or max() (SQLite's rule)."""
        named = sorted(s for s in open_severities if s is not None)
        terms = [f"severity IN ({', '.join('?' * len(named))})"] if named else []
        if None in open_severities:
            terms.append("severity IS NULL")
        blocking = f"closed_at IS NULL AND ({' OR '.join(terms) or '0'})"
        picked = (
            "WITH o AS MATERIALIZED (SELECT id, intent_id, stage, sev_rank * 4294967296 + number AS nth, "
            f"max(event_id, coalesce(severity_event_id, 0)) AS mark FROM feedback WHERE {blocking}) "
            "SELECT id FROM (SELECT min(nth), id FROM o GROUP BY intent_id, stage) "
            "UNION ALL SELECT id FROM (SELECT max(mark), id FROM o GROUP BY intent_id, stage) "
            "UNION ALL SELECT id FROM feedback WHERE closed_at IS NOT NULL AND resolution = ? AND invalidates != '[]'"
        )
        ids = [row[0] for row in self.conn.execute(picked, [*named, clearing_resolution])]
        intents = [_intent(r) for r in self._rows("SELECT * FROM intents ORDER BY id", [])]
        grouped = self._facts_where(intents, "IS NOT NULL", [], ids)
        return [grouped[i.id] for i in intents]

    def open_counts(self) -> dict[int, list[tuple[str | None, int, int, str]]]:
        """Per intent id, its open findings by severity and stage: (severity, how many, the lowest
        number, stage) (walk.OpenCount: a passed stage's findings were overridden and block nothing)."""
        out: dict[int, list[tuple[str | None, int, int, str]]] = {}
        sql = (
            "SELECT intent_id, severity, count(*), min(number), stage FROM feedback WHERE closed_at IS NULL "
            "GROUP BY intent_id, severity, stage"
        )
        for intent_id, severity, n, lowest, stage in self.conn.execute(sql):
            out.setdefault(intent_id, []).append((severity, n, lowest, stage))
        return out

    def _rows(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row  # cheaper than building dicts for tens of thousands of rows
        return cursor.execute(sql, params).fetchall()

    def _facts_where(
        self,
        intents: list[Intent],
        condition: str,
        params: list[Any],
        feedback_ids: list[int] | None = None,
    ) -> dict[int, IntentFacts]:
        """`feedback_ids`: only these findings (and their fix iterations)."""
        q = self._rows
        only, only_params = "", []  # a condition on the findings' id column, as a format string
        if feedback_ids is not None:  # a JSON array: one parameter however many ids
            only, only_params = " AND {} IN (SELECT value FROM json_each(?))", [json.dumps(feedback_ids)]
        parts: dict[int, dict[str, list]] = {
            i.id: {k: [] for k in ("units", "iterations", "feedback", "fix", "signoffs", "decisions", "ticks")}
            for i in intents
        }
        for r in q(f"SELECT * FROM units WHERE intent_id {condition} ORDER BY id", params):
            parts[r["intent_id"]]["units"].append(_unit(r))
        for r in q(
            f"SELECT i.*, u.intent_id FROM iterations i JOIN units u ON u.id = i.unit_id WHERE u.intent_id {condition} ORDER BY i.id",
            params,
        ):
            parts[r["intent_id"]]["iterations"].append(_iteration(r, r["unit_id"]))
        cursor = self.conn.execute(
            f"SELECT intent_id, {_FEEDBACK_COLUMNS} FROM feedback WHERE intent_id {condition}{only.format('id')} ORDER BY id",
            params + only_params,
        )
        for intent_id, *values in cursor:  # positional: the bulk of the rows, so no per-column lookups
            values[10] = _names(values[10])
            parts[intent_id]["feedback"].append(Feedback(*values))
        for r in q(
            f"SELECT i.*, f.intent_id FROM fix_iterations i JOIN feedback f ON f.id = i.feedback_id WHERE f.intent_id {condition}{only.format('f.id')} ORDER BY i.id",
            params + only_params,
        ):
            parts[r["intent_id"]]["fix"].append(_iteration(r, r["feedback_id"]))
        for r in q(
            f"SELECT s.*, u.intent_id FROM signoffs s JOIN units u ON u.id = s.unit_id WHERE u.intent_id {condition} ORDER BY s.id",
            params,
        ):
            parts[r["intent_id"]]["signoffs"].append(
                Signoff(r["id"], r["unit_id"], r["role"], r["phase"], r["at"], r["actor"], r["note"], r["event_id"])
            )
        for r in q(f"SELECT * FROM decisions WHERE intent_id {condition} ORDER BY id", params):
            parts[r["intent_id"]]["decisions"].append(
                Decision(
                    r["id"],
                    r["stage"],
                    r["kind"],
                    r["at"],
                    r["actor"],
                    r["event_id"],
                    r["path"],
                    r["reason"],
                    r["url"],
                    r["unit_id"],
                    r["feedback_id"],
                    r["branch"],
                )
            )
        for r in q(
            f"SELECT t.*, u.intent_id FROM ticks t JOIN units u ON u.id = t.unit_id WHERE u.intent_id {condition} ORDER BY t.id",
            params,
        ):
            parts[r["intent_id"]]["ticks"].append(
                Tick(r["id"], r["unit_id"], r["hat"], r["bolt"], r["item"], bool(r["ticked"]), r["event_id"])
            )
        return {
            i.id: IntentFacts(
                i,
                tuple(p["units"]),
                tuple(p["iterations"]),
                tuple(p["feedback"]),
                tuple(p["fix"]),
                tuple(p["signoffs"]),
                tuple(p["decisions"]),
                tuple(p["ticks"]),
            )
            for i in intents
            for p in [parts[i.id]]
        }

    def timeline(self, intent_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM events WHERE intent_id = ? ORDER BY id"
        rows = [dict(r) for r in self._rows(sql + (f" DESC LIMIT {int(limit)}" if limit else ""), [intent_id])]
        for row in rows:
            row["data"] = json.loads(row["data"] or "{}")
        return sorted(rows, key=lambda r: r["id"])

    def last_event_id(self) -> int:
        """Cheap change detection for a second session: any write appends an event."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])


def _intent(r: Any) -> Intent:
    keys = r.keys()  # a database opened before m008 (its migration reads it) has neither column
    stages = r["stages"] if "stages" in keys else None  # NULL: the studio's whole list
    return Intent(
        r["id"],
        r["slug"],
        r["title"],
        r["studio"],
        r["created_at"],
        r["event_id"],
        r["description"],
        None if stages is None else _names(stages),
        _names(r["skip_stages"] if "skip_stages" in keys else "[]"),
    )


@lru_cache(maxsize=1024)
def _names(text: str) -> tuple[str, ...]:
    """A JSON list of names; the same few values repeat across thousands of rows."""
    return tuple(json.loads(text))


def _unit(r: Any) -> Unit:
    return Unit(
        r["id"],
        r["stage"],
        r["slug"],
        r["title"],
        r["body"],
        _names(r["depends_on"]),
        r["created_at"],
        r["event_id"],
        r["meta"],
    )


def _iteration(r: Any, owner_id: int) -> Iteration:
    return Iteration(
        r["id"], owner_id, r["hat"], r["started_at"], r["completed_at"], r["result"], r["message"], r["event_id"]
    )
