"""Multi-process reliability: SIGKILL never loses an acknowledged command or leaves half of one,
and two writers on one database neither lock each other out nor hand out the same finding number.

Every child is a real Python process on a real file, so these test SQLite's locking and the
store's transaction boundaries, not a mock of them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SLUG = "reliability"
STUDIO = "incident-response"

# One child writer. argv: db, mode, worker name, count, crash_at.
#   mode "create": create the intent first (the SIGKILL test); "join": it already exists.
#   crash_at > 0: the child kills itself with SIGKILL in the middle of that finding's command,
#   after its event and its row are written but before the transaction commits.
# After each successful engine.run it prints "ack <i> <ref>" and flushes: an ack is a promise
# that the command is committed.
CHILD = textwrap.dedent(
    """
    import os, re, signal, sys

    from cockpit.domain import commands
    from cockpit.app.engine import Engine
    from cockpit.store.database import Store
    from cockpit.sources.studios import load_catalog

    db, mode, name, count, crash_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    engine = Engine(Store(db), load_catalog(), actor=name)
    if mode == "create":
        engine.create_intent(studio=%(studio)r, title="Reliability under kill -9", slug=%(slug)r)

    if crash_at:
        store_cls = type(engine.store)
        original_apply = store_cls.apply

        def apply_then_die(self, intent_id, change, **kw):
            event_id = original_apply(self, intent_id, change, **kw)
            if change.event.message == f"finding {crash_at}":
                os.kill(os.getpid(), signal.SIGKILL)  # event and row written, not committed
            return event_id

        store_cls.apply = apply_then_die

    print("ready", flush=True)
    if mode == "join":
        sys.stdin.readline()  # the start barrier: every writer begins together
    for i in range(1, count + 1):
        done = engine.run(%(slug)r, commands.file_feedback, title=f"{name} {i}" if mode == "join" else f"finding {i}", severity="low")
        ref = re.search(r"FB-\\d+", done.summary).group(0)
        print(f"ack {i} {ref}", flush=True)
    print("done", flush=True)
    """
) % {"studio": STUDIO, "slug": SLUG}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no user config leaks in
    env["COCKPIT_ACTOR"] = "reliability-test"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _spawn(
    tmp_path: Path, db: Path, mode: str, name: str, count: int, crash_at: int = 0
) -> tuple[subprocess.Popen, Path]:
    script = tmp_path / "child.py"
    if not script.exists():
        script.write_text(CHILD)
    err_path = tmp_path / f"{name}-{db.stem}.stderr"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(db), mode, name, str(count), str(crash_at)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=open(err_path, "wb"),  # noqa: SIM115 -- the child owns it for its whole life
        env=_env(tmp_path),
        text=True,
        bufsize=1,
    )
    return proc, err_path


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cockpit", *args], capture_output=True, text=True, env=_env(tmp_path), timeout=45
    )


def _read_line(proc: subprocess.Popen, err_path: Path) -> str:
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        pytest.fail(f"child exited early (rc={proc.returncode}):\n{err_path.read_text()}")
    return line.strip()


def _rows(db: Path) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    conn = sqlite3.connect(str(db))
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        feedback = conn.execute(
            "SELECT f.* FROM feedback f JOIN intents i ON i.id = f.intent_id WHERE i.slug = ? ORDER BY f.number", [SLUG]
        ).fetchall()
        events = conn.execute(
            "SELECT e.* FROM events e JOIN intents i ON i.id = e.intent_id WHERE i.slug = ? AND e.command = 'file_feedback' ORDER BY e.id",
            [SLUG],
        ).fetchall()
        return feedback, events
    finally:
        conn.close()


def _check_rows_and_events_pair(feedback: list[sqlite3.Row], events: list[sqlite3.Row]) -> None:
    """Each finding row and its file_feedback event exist together or not at all."""
    by_event = {e["id"]: e for e in events}
    assert len(by_event) == len(events)
    for row in feedback:
        ref = f"FB-{row['number']:03d}"
        event = by_event.get(row["event_id"])
        assert event is not None, (
            f"{ref} ({row['title']!r}) has no file_feedback event: half of a command was committed"
        )
        assert event["message"] == row["title"] and json.loads(event["data"])["feedback"] == ref, (ref, dict(event))
        assert sum(1 for e in events if e["message"] == row["title"]) == 1, (
            f"{row['title']!r} has several file_feedback events"
        )
    orphans = set(by_event) - {row["event_id"] for row in feedback}
    assert not orphans, f"file_feedback events without their finding row: {[dict(by_event[i]) for i in orphans]}"


# ------------------------------------------------------------------ kill -9


def _kill_round(tmp_path: Path, name: str, *, kill_after: int = 0, crash_at: int = 0) -> None:
    db = tmp_path / f"{name}.db"
    proc, err = _spawn(tmp_path, db, "create", name, count=10_000, crash_at=crash_at)
    acked: list[tuple[int, str]] = []
    try:
        assert _read_line(proc, err) == "ready"
        while True:
            line = proc.stdout.readline()
            if not line:  # crash_at: the child killed itself
                break
            _, i, ref = line.split()
            acked.append((int(i), ref))
            if kill_after and len(acked) >= kill_after:
                proc.send_signal(signal.SIGKILL)  # it is already writing the next finding
                break
        proc.wait(timeout=30)
        for line in proc.stdout:  # acks printed before the signal landed are promises too
            _, i, ref = line.split()
            acked.append((int(i), ref))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"child ended with {proc.returncode}, not SIGKILL:\n{err.read_text()}"
    assert "Traceback" not in err.read_text(), err.read_text()

    feedback, events = _rows(db)
    numbers = [row["number"] for row in feedback]
    assert numbers == list(range(1, len(numbers) + 1)), f"finding numbers have gaps or duplicates: {numbers}"
    for row in feedback:
        assert row["title"] == f"finding {row['number']}", dict(row)
    # Every acknowledged finding survived, under the number it was acknowledged with.
    assert acked == [(i, f"FB-{i:03d}") for i in range(1, len(acked) + 1)], acked
    present = {row["title"] for row in feedback}
    lost = [i for i, _ in acked if f"finding {i}" not in present]
    assert not lost, f"acknowledged findings lost after kill -9: {lost}"
    if crash_at:
        # Killed inside the transaction after writing both rows: nothing of that command is visible.
        assert len(acked) == crash_at - 1
        assert len(feedback) == len(acked), f"finding {crash_at} was committed before its command finished"
    else:
        # At most the one command in flight at the kill committed without reaching its ack.
        assert len(acked) <= len(feedback) <= len(acked) + 1, (len(acked), len(feedback))
    _check_rows_and_events_pair(feedback, events)
    assert len(events) == len(feedback)

    # The file opens again through the CLI and numbering carries on.
    after = _cli(tmp_path, "feedback", "add", SLUG, "--title", "after the crash", "--severity", "low", "--db", str(db))
    assert after.returncode == 0 and f"filed FB-{len(feedback) + 1:03d}" in after.stdout, after


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_command_nor_leaves_half_of_one(tmp_path: Path) -> None:
    rng = random.Random(20240607)
    kill_points = rng.sample(range(40, 121), 3)  # three different points, the same on every run
    for n, kill_after in enumerate(kill_points):
        _kill_round(tmp_path, f"kill{n}-after{kill_after}", kill_after=kill_after)
    # Deterministic: die inside a command, between its writes and its commit.
    for crash_at in (1, rng.randint(5, 30)):
        _kill_round(tmp_path, f"crash-inside-{crash_at}", crash_at=crash_at)


# ------------------------------------------------------------------ two writers


def _status(tmp_path: Path, db: Path) -> tuple[int, str, str]:
    out = _cli(tmp_path, "status", SLUG, "--json", "--db", str(db))
    return out.returncode, out.stdout, out.stderr


@pytest.mark.slow
def test_two_writers_and_a_reader_share_one_database(tmp_path: Path) -> None:
    per_writer = 150
    db = tmp_path / "shared.db"
    rc, out, errtext = _status(tmp_path, db)  # also proves a missing file is created, not an error
    assert rc == 1 and "no intent" in errtext, (rc, out, errtext)
    created = _cli(tmp_path, "new", "--studio", STUDIO, "--title", "Two writers", "--slug", SLUG, "--db", str(db))
    assert created.returncode == 0 and created.stdout.strip() == SLUG, created

    writers = {name: _spawn(tmp_path, db, "join", name, count=per_writer) for name in ("alpha", "beta")}
    acks: dict[str, list[str]] = {name: [] for name in writers}
    reads: list[int] = []
    try:
        for proc, err in writers.values():
            assert _read_line(proc, err) == "ready"
        for proc, _ in writers.values():
            proc.stdin.write("go\n")
            proc.stdin.flush()

        # Read while they write: every status must succeed and see a count that never goes back.
        def collect(name: str) -> None:
            proc, _ = writers[name]
            for line in proc.stdout:
                if line.startswith("ack "):
                    acks[name].append(line.split()[2])

        threads = [threading.Thread(target=collect, args=(name,), daemon=True) for name in writers]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 50
        while any(proc.poll() is None for proc, _ in writers.values()):
            assert time.monotonic() < deadline, "writers did not finish in time"
            rc, out, errtext = _status(tmp_path, db)
            assert rc == 0 and "locked" not in errtext.lower(), f"status failed while writers ran: rc={rc} {errtext}"
            reads.append(len(json.loads(out)["feedback"]))
        for t in threads:
            t.join(timeout=10)
        for proc, _err in writers.values():
            proc.wait(timeout=10)
    finally:
        for proc, _ in writers.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    for name, (proc, err) in writers.items():
        stderr = err.read_text()
        assert "locked" not in stderr.lower(), f"{name}: {stderr}"
        assert proc.returncode == 0, f"{name} exited {proc.returncode}:\n{stderr}"
        assert len(acks[name]) == per_writer, (name, len(acks[name]))
    assert reads == sorted(reads), f"a reader saw the finding count go backwards: {reads}"
    assert all(0 <= n <= 2 * per_writer for n in reads)

    # No number was handed out twice, none was skipped, and each writer's acks match the rows.
    all_acked = acks["alpha"] + acks["beta"]
    assert len(set(all_acked)) == len(all_acked), "the same finding number was acknowledged to both writers"
    assert sorted(all_acked) == [f"FB-{n:03d}" for n in range(1, 2 * per_writer + 1)]

    feedback, events = _rows(db)
    assert [row["number"] for row in feedback] == list(range(1, 2 * per_writer + 1))
    by_title = {row["title"]: f"FB-{row['number']:03d}" for row in feedback}
    assert len(by_title) == 2 * per_writer
    for name in writers:
        assert [by_title[f"{name} {i}"] for i in range(1, per_writer + 1)] == acks[name], (
            f"{name}'s acks do not match the stored rows"
        )
    assert len(events) == 2 * per_writer
    _check_rows_and_events_pair(feedback, events)

    # The final state through the CLI agrees.
    rc, out, errtext = _status(tmp_path, db)
    assert rc == 0, errtext
    assert len(json.loads(out)["feedback"]) == 2 * per_writer
