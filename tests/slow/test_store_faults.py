"""Storage faults at the store: each becomes one StoreError naming the file, the cause and what to do,
and a failed command leaves nothing half-written. Every fault is real (another process, a real
read-only mount or file, a damaged page, a full page limit or tmpfs), not a mock of SQLite.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import sqlite3
import time

import pytest
from faults import damage_page, fill, read_only, small_disk, write_lock_held
from helpers import new_incident

from cockpit.app.engine import Engine
from cockpit.domain import commands as c
from cockpit.errors import (
    EX_TEMPFAIL,
    CockpitError,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreIOError,
    StoreReadOnly,
)
from cockpit.store.database import Store, busy_timeout, network_filesystem, storage_error


def one_line(error: Exception) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    return text


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def on_file(catalog, tmp_path):
    """An engine on a database file holding one incident; returns (engine, path)."""
    path = tmp_path / "c.db"
    engine = Engine(Store(path), catalog, actor="oncall")
    new_incident(engine, upto="triage")
    return engine, path


def findings(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM feedback").fetchone()[0]
    finally:
        conn.close()


# ------------------------------------------------------------------ opening a new database together


def _open(path: str, start, results) -> None:
    start.wait()
    try:
        Store(path).close()
        results.put("ok")
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}")


ROUNDS = 30


@pytest.mark.slow
def test_four_processes_opening_one_new_database_together_all_get_it(tmp_path):
    """The landed store read "applied migrations" and "tables" in two statements, so an opener
    could see another's migration half-way ("an SQLite file but not a cockpit database"): 5 of 6
    tries failed with three `cockpit status` at once. Released together from a barrier, 4
    processes × ROUNDS rounds on fresh files all open it (the landed store failed ~1 round in 4;
    switching to WAL without waiting out SQLITE_BUSY failed ~1 in 15)."""
    context = multiprocessing.get_context("fork")  # the parent has imported everything: they start at once
    outcomes = []
    for round_number in range(ROUNDS):
        path = str(tmp_path / f"new-{round_number}.db")
        start, results = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_open, args=(path, start, results)) for _ in range(4)]
        for worker in workers:
            worker.start()
        outcomes += [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        store = Store(path)
        assert len(store.schema_version) > 0
        store.close()
    assert outcomes == ["ok"] * 4 * ROUNDS


# ------------------------------------------------------------------ busy


def test_a_lock_held_by_another_process_is_busy_in_one_line_and_nothing_is_lost(on_file):
    _, path = on_file
    engine = Engine(Store(path, busy_timeout_s=0.3), on_file[0].catalog, actor="oncall")  # the holder keeps it 20 s
    with write_lock_held(path, seconds=20):
        started = time.monotonic()
        with pytest.raises(StoreBusy) as caught:
            engine.run("inc", c.file_feedback, title="Rollback step missing")
        assert time.monotonic() - started < 5
        assert caught.value.exit_code == EX_TEMPFAIL == 75
        assert "another process holds the write lock" in one_line(caught.value) and "try again" in str(caught.value)
        assert engine.position("inc").findings == ()  # reads go on meanwhile (WAL)
    done = engine.run("inc", c.file_feedback, title="Rollback step missing")  # the same store, once released
    assert done.summary.startswith("filed FB-001")


def test_busy_timeout_comes_from_the_environment_and_a_bad_value_is_refused(monkeypatch):
    monkeypatch.setenv("COCKPIT_BUSY_TIMEOUT", "0.5")
    assert busy_timeout() == 0.5 and Store(":memory:").busy_timeout_s == 0.5
    monkeypatch.setenv("COCKPIT_BUSY_TIMEOUT", "soon")
    with pytest.raises(CockpitError, match="COCKPIT_BUSY_TIMEOUT='soon': use a number of seconds"):
        busy_timeout()


# ------------------------------------------------------------------ full


def test_a_full_page_limit_refuses_the_command_whole_and_the_store_goes_on(on_file):
    engine, path = on_file
    events = engine.store.last_event_id()
    pages = engine.store.db.execute("PRAGMA page_count").fetchone()[0]
    engine.store.db.execute(f"PRAGMA max_page_count = {pages}")  # what a full disk does to the next page
    with pytest.raises(StoreFull) as caught:
        engine.run("inc", c.file_feedback, title="Big", body="x" * 200_000)
    assert "disk full" in one_line(caught.value) and "nothing was written" in str(caught.value)
    assert (findings(path), engine.store.last_event_id()) == (0, events)
    engine.store.db.execute("PRAGMA max_page_count = 1073741823")
    assert engine.run("inc", c.file_feedback, title="Big", body="x" * 200_000).summary.startswith("filed FB-001")


def test_a_full_disk_refuses_the_command_whole_and_names_the_cause(catalog, tmp_path):
    with small_disk(tmp_path / "small", "1m") as disk:
        path = disk / "c.db"
        engine = Engine(Store(path), catalog, actor="oncall")  # stays open: its -shm is there, as in the app
        new_incident(engine, upto="triage")
        filler = fill(disk)
        with pytest.raises(StoreFull) as caught:
            engine.run("inc", c.file_feedback, title="Big", body="x" * 200_000)
        assert f"disk full at {path}" in one_line(caught.value)
        with pytest.raises(StoreFull, match="disk full"):  # nor can a new database be made there
            Store(disk / "new.db")
        filler.unlink()
        assert findings(path) == 0
        assert engine.run("inc", c.file_feedback, title="Small").summary.startswith("filed FB-001")
        engine.store.close()


# ------------------------------------------------------------------ read-only


def test_a_read_only_file_refuses_writes_in_one_line(catalog, tmp_path):
    path = tmp_path / "c.db"
    setup = Engine(Store(path), catalog, actor="oncall")
    new_incident(setup, upto="triage")
    setup.store.close()  # a connection opened before would keep writing through its own descriptor
    with read_only(path):
        engine = Engine(Store(path), catalog, actor="oncall")
        assert engine.position("inc").findings == ()  # reading works
        with pytest.raises(StoreReadOnly) as caught:
            engine.run("inc", c.file_feedback, title="x")
        assert "read-only" in one_line(caught.value) and "--read-only" in str(caught.value)
        engine.store.close()


def test_read_only_opens_a_database_on_a_read_only_mount_and_refuses_writes(catalog, tmp_path):
    folder = tmp_path / "mount"
    folder.mkdir()
    path = folder / "c.db"
    setup = Engine(Store(path), catalog, actor="oncall")
    new_incident(setup, upto="triage")
    setup.run("inc", c.file_feedback, title="Seen before the mount")
    setup.store.close()  # a clean close: no -wal or -shm file beside it, as a copied-in database
    assert sorted(p.name for p in folder.iterdir()) == ["c.db"]
    before = digest(path)
    with read_only(folder):
        with pytest.raises(StoreReadOnly, match="--read-only"):  # a write in the read-only folder
            engine = Engine(Store(path), catalog, actor="oncall")
            engine.run("inc", c.file_feedback, title="x")
        store = Store(path, read_only=True)
        assert store.immutable  # SQLite cannot make the -shm file: read without locks
        engine = Engine(store, catalog, actor="oncall")
        assert [f.feedback.title for f in engine.position("inc").findings] == ["Seen before the mount"]
        assert store.check_integrity() is None
        with pytest.raises(StoreReadOnly, match="open read-only"):
            engine.run("inc", c.file_feedback, title="x")
        store.close()
    assert digest(path) == before and sorted(p.name for p in folder.iterdir()) == ["c.db"]


def test_read_only_never_creates_a_database(tmp_path):
    with pytest.raises(CockpitError, match="no such database"):
        Store(tmp_path / "none.db", read_only=True)
    assert not (tmp_path / "none.db").exists()


# ------------------------------------------------------------------ corrupt


def test_a_damaged_page_the_command_touches_is_refused_in_one_line(on_file):
    engine, path = on_file
    engine.store.close()
    damage_page(path, "feedback")
    store = Store(path)
    with pytest.raises(StoreCorrupt) as caught:
        Engine(store, engine.catalog, actor="oncall").run("inc", c.file_feedback, title="x")
    assert "is corrupt" in one_line(caught.value) and ".recover" in str(caught.value)


def test_a_damaged_page_anywhere_refuses_every_write_and_leaves_the_file_alone(on_file):
    """The damage is in a table no command here touches: SQLite alone would write on regardless.
    The first write of a process runs quick_check first, and refuses."""
    engine, path = on_file
    engine.store.close()
    damage_page(path, "llm_requests")
    before = digest(path)
    store = Store(path)
    engine = Engine(store, engine.catalog, actor="oncall")
    assert engine.position("inc").findings == ()  # reads of sound pages still work
    with pytest.raises(StoreCorrupt, match="is corrupt"):
        engine.run("inc", c.file_feedback, title="x")
    with pytest.raises(StoreCorrupt):  # and every write after it
        engine.run("inc", c.file_feedback, title="y")
    store.close()
    assert digest(path) == before


def test_the_background_check_finds_the_damage_before_any_write(on_file):
    engine, path = on_file
    engine.store.close()
    damage_page(path, "llm_requests")
    store = Store(path)
    problem = store.check_integrity()
    assert (
        isinstance(problem, StoreCorrupt)
        and store.corrupt is problem
        and "cockpit will not write to it" in one_line(problem)
    )
    assert Store(":memory:").check_integrity() is None


def test_a_sound_database_is_checked_once_then_written_without_it(on_file, monkeypatch):
    engine, _ = on_file
    store = engine.store
    assert store.checked  # new_incident wrote
    monkeypatch.setattr(type(store), "check_integrity", lambda self: pytest.fail("checked twice"))
    engine.run("inc", c.file_feedback, title="x")


# ------------------------------------------------------------------ I/O and the translation


def test_an_unopenable_wal_file_is_an_io_error_in_one_line(on_file):
    engine, path = on_file
    engine.store.close()
    checkpoint_and_remove = path.with_name(path.name + "-wal")
    if checkpoint_and_remove.exists():
        checkpoint_and_remove.unlink()
    checkpoint_and_remove.mkdir()  # something else stands where SQLite must write
    with pytest.raises(StoreIOError) as caught:
        Engine(Store(path), engine.catalog, actor="oncall").run("inc", c.file_feedback, title="x")
    assert f"cannot read or write {path}" in one_line(caught.value) and "check the disk" in str(caught.value)


@pytest.mark.parametrize(
    "code, kind",
    [
        (sqlite3.SQLITE_IOERR_WRITE, StoreIOError),
        (sqlite3.SQLITE_IOERR_FSYNC, StoreIOError),
        (sqlite3.SQLITE_BUSY_SNAPSHOT, StoreBusy),
        (sqlite3.SQLITE_LOCKED, StoreBusy),
        (sqlite3.SQLITE_FULL, StoreFull),
        (sqlite3.SQLITE_READONLY_DBMOVED, StoreReadOnly),
        (sqlite3.SQLITE_CORRUPT_INDEX, StoreCorrupt),
        (sqlite3.SQLITE_NOTADB, StoreCorrupt),
        (sqlite3.SQLITE_CONSTRAINT_UNIQUE, type(None)),
    ],
)
def test_sqlite_failures_translate_by_their_primary_code(tmp_path, code, kind):
    exc = sqlite3.OperationalError("it failed")
    exc.sqlite_errorcode = code
    assert isinstance(storage_error(exc, tmp_path / "c.db"), kind)


@pytest.mark.parametrize(
    "number, kind",
    [
        (errno.ENOSPC, StoreFull),
        (errno.EDQUOT, StoreFull),
        (errno.EROFS, StoreReadOnly),
        (errno.EACCES, StoreReadOnly),
        (errno.EIO, StoreIOError),
    ],
)
def test_os_failures_translate_by_their_errno(tmp_path, number, kind):
    error = storage_error(OSError(number, os.strerror(number)), tmp_path / "c.db")
    assert isinstance(error, kind) and isinstance(error, StoreError) and str(tmp_path) in one_line(error)
    assert storage_error(ValueError("a bug"), tmp_path / "c.db") is None  # not a storage fault: left to propagate


# ------------------------------------------------------------------ network file systems

MOUNTS = r"""sysfs /sys sysfs rw,nosuid 0 0
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /srv/shared nfs4 rw,relatime,vers=4.2 0 0
/dev/sdb1 /srv/shared/local ext4 rw 0 0
//nas/ops /mnt/ops\040team cifs rw 0 0
user@host:/ /srv/cockpit/remote fuse.sshfs rw 0 0
"""


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/srv/shared/cockpit.db", "nfs4"),
        ("/srv/shared/local/cockpit.db", None),  # a local disk mounted inside the share: the longest mount wins
        ("/srv/sharedness/cockpit.db", None),  # a prefix of the name, not a folder inside it
        ("/mnt/ops team/cockpit.db", "cifs"),  # \040 in /proc/mounts is a space
        ("/srv/cockpit/remote/c.db", "fuse.sshfs"),
        ("/srv/cockpit/c.db", None),
    ],
)
def test_network_filesystem_finds_the_mount_holding_the_path(path, expected):
    assert network_filesystem(path, MOUNTS) == expected


def test_the_store_asks_about_the_folder_the_database_is_in(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr("cockpit.store.database.network_filesystem", lambda path: seen.append(path) or "nfs")
    assert Store(tmp_path / "c.db").network_filesystem() == "nfs" and seen == [tmp_path]
    assert Store(":memory:").network_filesystem() is None
