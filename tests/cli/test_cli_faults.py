"""Storage faults at the shell: one line naming the cause and what to do, a non-zero status (75 for
"busy, try again"), never a traceback; a bug exits 70 with its traceback in the XDG state log.

The faults are real: another process holds the lock, a tmpfs fills up, a bind mount is read-only,
a page is damaged. Most commands run as real `cockpit` processes, as an engineer's shell runs them.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest
from faults import damage_page, fill, read_only, small_disk, write_lock_held
from helpers import REPO

from cockpit.errors import EX_SOFTWARE, EX_TEMPFAIL


@pytest.fixture
def shell(tmp_path):
    """Run `cockpit ARGS` as a process on `tmp_path/c.db` (or --db given): (status, stdout, stderr)."""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "COCKPIT_ACTOR": "oncall",
        "COCKPIT_BUSY_TIMEOUT": "0.3",
        "NO_COLOR": "1",
    }
    env.pop("COCKPIT_DB", None)

    def run(*args: str, db: str | os.PathLike[str] | None = None) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "cockpit", "--db", str(db or tmp_path / "c.db"), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=60,
        )
        return done.returncode, done.stdout, done.stderr

    run.new = lambda db=None: run("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc", db=db)
    return run


def one_line(err: str) -> str:
    """stderr holds exactly one line, starting `cockpit:`, and no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cockpit: ") and "Traceback" not in err, err
    return lines[0]


def titles(db) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT title FROM feedback ORDER BY id")]
    finally:
        conn.close()


def test_a_lock_held_by_another_process_is_busy_75_in_one_line_then_the_retry_works(shell, tmp_path):
    db = tmp_path / "c.db"
    assert shell.new()[0] == 0
    with write_lock_held(db, seconds=20):
        code, out, err = shell("feedback", "add", "inc", "--title", "Rollback step missing")
        assert code == EX_TEMPFAIL == 75 and out == ""
        line = one_line(err)
        assert f"another process holds the write lock on {db} (waited 0.3 s)" in line and "try again" in line
        assert shell("status", "inc")[0] == 0  # reading is not held up
    assert shell("feedback", "add", "inc", "--title", "Rollback step missing")[0] == 0
    assert titles(db) == ["Rollback step missing"]


def test_a_full_disk_is_one_line_and_nothing_half_written(shell, tmp_path):
    with small_disk(tmp_path / "small", "1m") as disk:
        db = disk / "c.db"
        assert shell.new(db)[0] == 0
        filler = fill(disk)
        for args in (("feedback", "add", "inc", "--title", "Big", "--body", "x" * 100_000), ("status", "inc")):
            code, _, err = shell(*args, db=db)
            assert code == 1 and f"disk full at {db}" in one_line(err) and "free some space" in err
        code, _, err = shell("new", "--studio", "incident-response", "--title", "Other", db=disk / "new.db")
        assert code == 1 and "disk full" in one_line(err)
        filler.unlink()
        assert titles(db) == []
        assert shell("feedback", "add", "inc", "--title", "Small", db=db)[0] == 0


def test_a_full_page_limit_is_one_line_and_nothing_half_written(cli, tmp_path, monkeypatch):
    """The same through SQLite's page limit, where no tmpfs can be mounted (in-process: the limit
    is a setting of the connection)."""
    assert cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")[0] == 0
    connect = sqlite3.connect

    def limited(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 60")  # a fresh database holds about 40
        return conn

    monkeypatch.setattr(sqlite3, "connect", limited)
    code, out, err = cli("feedback", "add", "inc", "--title", "Big", "--body", "x" * 400_000)
    assert code == 1 and out == "" and "disk full" in one_line(err) and "nothing was written" in err
    monkeypatch.setattr(sqlite3, "connect", connect)
    assert titles(tmp_path / "c.db") == []


def test_a_read_only_file_reads_and_refuses_writes_in_one_line(shell, tmp_path):
    db = tmp_path / "c.db"
    assert shell.new()[0] == 0
    with read_only(db):
        assert shell("status", "inc")[0] == 0
        code, _, err = shell("feedback", "add", "inc", "--title", "x")
        assert code == 1 and f"{db} is read-only" in one_line(err) and "--read-only" in err
    assert titles(db) == []


def test_read_only_opens_a_database_on_a_read_only_mount(shell, tmp_path):
    folder = tmp_path / "mount"
    folder.mkdir()
    db = folder / "c.db"
    assert shell.new(db)[0] == 0
    assert shell("feedback", "add", "inc", "--title", "Filed before", db=db)[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["c.db"]  # closed cleanly: no -wal, no -shm
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with read_only(folder):
        code, out, err = shell("--read-only", "feedback", "list", "inc", db=db)
        assert (code, err) == (0, "") and "Filed before" in out
        code, _, err = shell("--read-only", "feedback", "add", "inc", "--title", "x", db=db)
        assert code == 1 and "open read-only (--read-only): nothing was written" in one_line(err)
        code, _, err = shell("feedback", "add", "inc", "--title", "x", db=db)
        assert code == 1 and "is read-only" in one_line(err)
        code, _, err = shell("--read-only", "status", db=folder / "none.db")
        assert code == 1 and "no such database" in one_line(err)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir()) == ["c.db"]


def test_a_damaged_page_is_detected_and_writes_refused_in_one_line(shell, tmp_path):
    db = tmp_path / "c.db"
    assert shell.new()[0] == 0
    damage_page(db, "llm_requests")  # no command below touches it: only the check finds it
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    code, _, err = shell("feedback", "add", "inc", "--title", "x")
    assert code == 1 and f"{db} is corrupt" in one_line(err) and ".recover" in err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    damage_page(db, "intents")
    code, _, err = shell("status", "inc")  # a read of a damaged table says so too
    assert code == 1 and "is corrupt" in one_line(err)


def test_a_config_value_of_the_wrong_type_is_one_line(cli, tmp_path):
    (tmp_path / "config" / "cockpit").mkdir(parents=True)
    (tmp_path / "config" / "cockpit" / "config.toml").write_text("db = 5\n")
    code, _, err = cli("status")
    assert code == 1 and "`db` must be a file path in quotes, not a number (5)" in one_line(err)


def test_a_bug_exits_70_with_one_line_and_the_traceback_in_the_state_log(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(self):
        raise KeyError("unit_id")

    monkeypatch.setattr("cockpit.app.engine.Engine.overviews", broken)  # a bug under `cockpit status`
    code, out, err = cli("status")
    log = tmp_path / "state" / "cockpit" / "cockpit.log"
    assert code == EX_SOFTWARE == 70 and out == ""
    assert one_line(err) == f"cockpit: internal error: KeyError: 'unit_id' — details in {log}"
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "in broken" in text and "KeyError: 'unit_id'" in text
    assert oct(log.stat().st_mode & 0o777) == "0o600" and oct(log.parent.stat().st_mode & 0o777) == "0o700"


def test_a_bug_whose_log_cannot_be_written_leaves_the_traceback_on_stderr(cli, tmp_path, monkeypatch):
    (tmp_path / "state").write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("cockpit.app.engine.Engine.overviews", lambda self: 1 / 0)
    code, _, err = cli("status")
    assert (
        code == 70
        and "Traceback" in err
        and err.rstrip().splitlines()[-1].startswith("cockpit: internal error: ZeroDivisionError")
    )


def test_the_cli_warns_when_the_database_is_on_a_network_file_system(cli, monkeypatch):
    monkeypatch.setattr("cockpit.store.database.network_filesystem", lambda path: "nfs4")
    code, out, err = cli("status")
    assert code == 0 and "no intents yet" in out
    assert (
        one_line(err).startswith("cockpit: warning: ") and "network file system (nfs4)" in err and "local disk" in err
    )


def test_a_bug_that_ended_the_app_exits_70_with_its_line(cli, monkeypatch):
    class CrashedApp:  # what CockpitApp leaves after _handle_exception: the line to print, the log has the rest
        def __init__(self, *args, **kwargs):
            self.startup_error, self.return_code = None, 70
            self.crash_line = "cockpit: internal error: KeyError: 'unit_id' — details in /state/cockpit/cockpit.log"

        def run(self):
            pass

    monkeypatch.setattr("screens.app.CockpitApp", CrashedApp)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    code, _, err = cli()
    assert (
        code == 70
        and one_line(err) == "cockpit: internal error: KeyError: 'unit_id' — details in /state/cockpit/cockpit.log"
    )
